package nhn_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/notifyd/notifyd/internal/channel/krtext"
)

// fakeNHN speaks NHN Cloud's AlimTalk v2.3 and SMS v3.0 as documented and checks what
// they check: the app key in the path, X-Secret-Key, the sender key, a known template
// whose parameters fill every #{…}, a national mobile number, the registered sender
// number, and the idempotency key (the same key within its window is -1005).
type fakeNHN struct {
	*httptest.Server
	mu        sync.Mutex
	templates map[string]string // code → approved text
	noKakao   map[string]bool   // recipient numbers without KakaoTalk (3019)
	keys      map[string]bool   // idempotency keys seen
	answer    int               // a forced HTTP status (429, 503), 0 = none
	alimtalks []map[string]any  // accepted AlimTalk recipients
	sms       []map[string]any  // accepted SMS/LMS requests, with "path"
}

const (
	appKey    = "app-key-1"
	secretKey = "secret-1"
	senderKey = "sender-key-1"
	sendNo    = "0212345678"
)

var (
	nationalMobile = regexp.MustCompile(`^01[016789][0-9]{7,8}$`)
	placeholder    = regexp.MustCompile(`#\{([^{}]+)\}`)
)

func newFakeNHN(t *testing.T) *fakeNHN {
	f := &fakeNHN{templates: map[string]string{"TPL_DELIVERY_STARTED": "#{고객명}님, 배송이 시작되었습니다.\n송장번호: #{송장번호}"},
		noKakao: map[string]bool{}, keys: map[string]bool{}}
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

func (f *fakeNHN) auth(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	answer := f.answer
	f.mu.Unlock()
	if answer != 0 {
		w.WriteHeader(answer)
		return false
	}
	switch {
	case r.PathValue("appKey") != appKey:
		writeHeader(w, -1000, "Invalid appKey.", nil)
		return false
	case r.Header.Get("X-Secret-Key") != secretKey:
		writeHeader(w, -1001, "Invalid secretKey.", nil)
		return false
	}
	return true
}

func (f *fakeNHN) alimtalk(w http.ResponseWriter, r *http.Request) {
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
	if req.SenderKey != senderKey {
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
	tpl, ok := f.templates[req.TemplateCode]
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
		case f.noKakao[no]:
			res["resultCode"], res["resultMessage"] = 3019, "톡 유저가 아님"
		default:
			if rp, _ := rc["resendParameter"].(map[string]any); rp != nil && rp["resendSendNo"] != sendNo {
				res["resultCode"], res["resultMessage"] = -1003, "Invalid Sms Sendno"
			} else {
				f.alimtalks = append(f.alimtalks, rc)
			}
		}
		results = append(results, res)
	}
	writeHeader(w, 0, "SUCCESS", map[string]any{"message": map[string]any{"requestId": "20261207-req", "sendResults": results}})
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

func (f *fakeNHN) smsSend(w http.ResponseWriter, r *http.Request) {
	if !f.auth(w, r) {
		return
	}
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeHeader(w, -2001, "bad body", nil)
		return
	}
	if req["sendNo"] != sendNo {
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
	f.sms = append(f.sms, req)
	f.mu.Unlock()
	list, _ := req["recipientList"].([]any)
	var results []map[string]any
	for i, x := range list {
		rc, _ := x.(map[string]any)
		results = append(results, map[string]any{"recipientNo": rc["recipientNo"], "resultCode": 0, "resultMessage": "", "recipientSeq": i + 1, "recipientGroupingKey": rc["recipientGroupingKey"]})
	}
	writeHeader(w, 0, "SUCCESS", map[string]any{"body": map[string]any{"data": map[string]any{"requestId": "sms-req", "statusCode": "2", "sendResultList": results}}})
}
