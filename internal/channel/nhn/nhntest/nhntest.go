// Package nhntest is a local NHN server for tests: it speaks the provider's documented wire
// protocol and checks what the real one checks (see Fake).
package nhntest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/channel/krtext"
)

// Fake speaks NHN Cloud's AlimTalk v2.3 and SMS v3.0 as documented and checks what
// they check: the app key in the path, X-Secret-Key, the sender key, a known template
// whose parameters fill every #{…}, a national mobile number, the registered sender
// number, and the idempotency key (the same key within its window is -1005).
type Fake struct {
	*httptest.Server
	mu        sync.Mutex
	Templates map[string]string // code → approved text
	NoKakao   map[string]bool   // recipient numbers without KakaoTalk (3019, reported after acceptance)
	hooks     []Hook            // results to report
	keys      map[string]bool   // idempotency keys seen
	Answer    int               // a forced HTTP status (429, 503), 0 = none
	AlimTalks []map[string]any  // accepted AlimTalk recipients
	SMS       []map[string]any  // accepted SMS/LMS requests, with "path"
	// Delay holds the answer to an AlimTalk it took (a provider slow to answer: the
	// caller times out not knowing it was sent).
	Delay time.Duration
}

// The credentials and numbers the fake knows.
const (
	AppKey    = "app-key-1"
	SecretKey = "secret-1"
	SenderKey = "sender-key-1"
	SendNo    = "0212345678"
)

var (
	nationalMobile = regexp.MustCompile(`^01[016789][0-9]{7,8}$`)
	placeholder    = regexp.MustCompile(`#\{([^{}]+)\}`)
)

func New(t testing.TB) *Fake {
	f := &Fake{Templates: map[string]string{"TPL_DELIVERY_STARTED": "#{고객명}님, 배송이 시작되었습니다.\n송장번호: #{송장번호}"},
		NoKakao: map[string]bool{}, keys: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /alimtalk/v2.3/appkeys/{appKey}/messages", f.alimtalk)
	mux.HandleFunc("POST /sms/v3.0/appKeys/{appKey}/sender/{kind}", f.smsSend)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func writeHeader(w http.ResponseWriter, code int, msg string, body map[string]any) {
	doc := map[string]any{"header": map[string]any{"isSuccessful": code == 0, "resultCode": code, "resultMessage": msg}}
	for k, v := range body {
		doc[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(doc)
}

func (f *Fake) auth(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	answer := f.Answer
	f.mu.Unlock()
	if answer != 0 {
		w.WriteHeader(answer)
		return false
	}
	switch {
	case r.PathValue("appKey") != AppKey:
		writeHeader(w, -1000, "Invalid AppKey.", nil)
		return false
	case r.Header.Get("X-Secret-Key") != SecretKey:
		writeHeader(w, -1001, "Invalid SecretKey.", nil)
		return false
	}
	return true
}

func (f *Fake) alimtalk(w http.ResponseWriter, r *http.Request) {
	if !f.auth(w, r) {
		return
	}
	var req struct {
		SenderKey     string           `json:"senderKey"`
		TemplateCode  string           `json:"templateCode"`
		RecipientList []map[string]any `json:"recipientList"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.RecipientList) == 0 {
		writeHeader(w, -2001, "The 'recipientList' must not be blank.", nil)
		return
	}
	if req.SenderKey != SenderKey {
		writeHeader(w, -2017, "Not exist sender key.", nil)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if key := r.Header.Get("X-NC-API-IDEMPOTENCY-KEY"); key != "" {
		if f.keys[key] {
			writeHeader(w, -1005, "The same 'X-NC-API-IDEMPOTENCY-KEY' was used within the last 10 minute.", nil)
			return
		}
		f.keys[key] = true
	}
	tpl, ok := f.Templates[req.TemplateCode]
	var results []map[string]any
	for i, rc := range req.RecipientList {
		no, _ := rc["recipientNo"].(string)
		res := map[string]any{"recipientSeq": i + 1, "recipientNo": no, "resultCode": 0, "resultMessage": "SUCCESS", "recipientGroupingKey": rc["recipientGroupingKey"]}
		params, _ := rc["templateParameter"].(map[string]any)
		switch {
		case !nationalMobile.MatchString(no):
			res["resultCode"], res["resultMessage"] = -2000, "Invalid recipientNo."
		case !ok || !fills(tpl, params):
			res["resultCode"], res["resultMessage"] = 3016, "메시지 내용이 템플릿과 일치하지 않음"
		default:
			rp, _ := rc["resendParameter"].(map[string]any)
			if rp != nil && rp["resendSendNo"] != SendNo {
				res["resultCode"], res["resultMessage"] = -1003, "Invalid Sms Sendno"
				break
			}
			f.take(rc, rp)
		}
		results = append(results, res)
	}
	if f.Delay > 0 {
		f.mu.Unlock()
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
		}
		f.mu.Lock()
	}
	writeHeader(w, 0, "SUCCESS", map[string]any{"message": map[string]any{"requestId": "20261207-req", "sendResults": results}})
}

// take records a recipient NHN accepted and the result its webhook will report: Kakao
// answers "not a KakaoTalk user" after NHN took the message, and NHN then resends it as
// SMS/LMS itself when the request asked for that (resendParameter.isResend).
func (f *Fake) take(rc, rp map[string]any) {
	key := fmt.Sprint(rc["recipientGroupingKey"])
	if !f.NoKakao[fmt.Sprint(rc["recipientNo"])] {
		f.AlimTalks = append(f.AlimTalks, rc)
		f.hooks = append(f.hooks, Hook{MessageType: "ALIMTALK", RecipientGroupingKey: key, MessageStatus: "COMPLETED", ResultCode: "1000"})
		return
	}
	h := Hook{MessageType: "ALIMTALK", RecipientGroupingKey: key, MessageStatus: "FAILED", ResultCode: "3019", ResultCodeName: "톡 유저가 아님"}
	if rp != nil && rp["isResend"] == true {
		kind := strings.ToLower(fmt.Sprint(rp["resendType"]))
		f.SMS = append(f.SMS, map[string]any{"path": map[string]string{"sms": "sms", "lms": "mms"}[kind], "body": rp["resendContent"], "title": rp["resendTitle"],
			"sendNo": rp["resendSendNo"], "recipientList": []any{map[string]any{"recipientNo": rc["recipientNo"]}}, "resend": true})
		h.ResendStatus, h.ResendType, h.ResendRequestID = "RSC03", strings.ToUpper(kind), fmt.Sprintf("resend-%d", len(f.SMS))
	}
	f.hooks = append(f.hooks, h)
}

// Hooks returns the results NHN's webhook would report since the last call.
func (f *Fake) Hooks() []Hook {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.hooks
	f.hooks = nil
	return h
}

// fills reports whether params fill every #{…} of the template with a non-empty value.
func fills(tpl string, params map[string]any) bool {
	for _, m := range placeholder.FindAllStringSubmatch(tpl, -1) {
		if v, _ := params[m[1]].(string); strings.TrimSpace(v) == "" {
			return false
		}
	}
	return true
}

func (f *Fake) smsSend(w http.ResponseWriter, r *http.Request) {
	if !f.auth(w, r) {
		return
	}
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeHeader(w, -2001, "bad body", nil)
		return
	}
	if req["sendNo"] != SendNo {
		writeHeader(w, -1003, "Invalid Sms Sendno", nil)
		return
	}
	body, _ := req["body"].(string)
	if max := map[string]int{"sms": krtext.SMSMax, "mms": krtext.LMSMax}[r.PathValue("kind")]; krtext.Bytes(body) > max || body == "" {
		writeHeader(w, -2000, "The 'body' must be at less than or equal to 90 bytes.", nil)
		return
	}
	if r.PathValue("kind") == "mms" && req["title"] == "" {
		writeHeader(w, -2001, "The 'title' must not be blank.", nil)
		return
	}
	req["path"] = r.PathValue("kind")
	f.mu.Lock()
	if key := r.Header.Get("X-NC-API-IDEMPOTENCY-KEY"); key != "" {
		if f.keys[key] {
			f.mu.Unlock()
			writeHeader(w, -1005, "The same 'X-NC-API-IDEMPOTENCY-KEY' was used within the last 10 minute.", nil)
			return
		}
		f.keys[key] = true
	}
	f.SMS = append(f.SMS, req)
	f.mu.Unlock()
	list, _ := req["recipientList"].([]any)
	var results []map[string]any
	for i, x := range list {
		rc, _ := x.(map[string]any)
		results = append(results, map[string]any{"recipientNo": rc["recipientNo"], "resultCode": 0, "resultMessage": "", "recipientSeq": i + 1, "recipientGroupingKey": rc["recipientGroupingKey"]})
	}
	writeHeader(w, 0, "SUCCESS", map[string]any{"body": map[string]any{"data": map[string]any{"requestId": "sms-req", "statusCode": "2", "sendResultList": results}}})
}

// Set changes the fake's settings under its lock (tests running notifyd read it meanwhile).
func (f *Fake) Set(fn func(f *Fake)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// PerRecipient counts, per national number, the AlimTalks and texts the fake took.
func (f *Fake) PerRecipient() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, a := range f.AlimTalks {
		out[fmt.Sprint(a["recipientNo"])]++
	}
	for _, m := range f.SMS {
		list, _ := m["recipientList"].([]any)
		for _, x := range list {
			rc, _ := x.(map[string]any)
			out[fmt.Sprint(rc["recipientNo"])]++
		}
	}
	return out
}

// Counts returns how many AlimTalks and SMS/LMS the fake took.
func (f *Fake) Counts() (alimtalks, sms int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.AlimTalks), len(f.SMS)
}

// Hook is one message result of NHN's result webhook.
type Hook struct {
	MessageType          string `json:"messageType"`
	RecipientGroupingKey string `json:"recipientGroupingKey"`
	MessageStatus        string `json:"messageStatus"`
	ResultCode           string `json:"resultCode"`
	ResultCodeName       string `json:"resultCodeName,omitempty"`
	ResendStatus         string `json:"resendStatus,omitempty"`
	ResendType           string `json:"resendType,omitempty"`
	ResendRequestID      string `json:"resendRequestId,omitempty"`
}

// ReportRequest is NHN's result webhook for hooks, signed with signature as NHN signs
// it (X-Toast-Webhook-Signature; "" leaves the header out).
func ReportRequest(url, signature string, hooks ...Hook) *http.Request {
	body, _ := json.Marshal(map[string]any{"hooksId": "hooks-1", "productName": "KakaoTalk Bizmessage", "hooks": hooks})
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("X-Toast-Webhook-Signature", signature)
	}
	return req
}
