// Package solapitest is a local Solapi server for tests: it speaks the provider's documented wire
// protocol and checks what the real one checks (see Fake).
package solapitest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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

// Fake speaks Solapi's v4 message API as documented and checks what it checks:
// the HMAC-SHA256 Authorization header (signature recomputed from the secret, the date
// within 15 minutes, a salt of 12–64 characters), the registered sender number, a
// national number, the type's limits (SMS 90 / LMS 2,000 bytes, subject 40), and for
// AlimTalk the pfId, a known template and every #{…} filled. A message to a number
// without KakaoTalk is taken (2000) and later listed with 3019, as Kakao answers late.
type Fake struct {
	*httptest.Server
	mu        sync.Mutex
	Templates map[string]string
	NoKakao   map[string]bool
	Answer    int
	Sent      []map[string]any
	status    map[string]string // message id → its status code in the message list
	next      int
}

// The credentials and numbers the fake knows.
const (
	APIKey    = "NCS-KEY"
	APISecret = "SECRET"
	PfID      = "KA01PF-test"
	From      = "0212345678"
)

var authRe = regexp.MustCompile(`^HMAC-SHA256 apiKey=([^,]+), date=([^,]+), salt=([^,]+), signature=([0-9a-f]+)$`)

func New(t testing.TB) *Fake {
	f := &Fake{Templates: map[string]string{"TPL_DELIVERY_STARTED": "#{고객명}님, 배송이 시작되었습니다.\n송장번호: #{송장번호}"},
		NoKakao: map[string]bool{}, status: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /messages/v4/send-many/detail", f.sendMany)
	mux.HandleFunc("GET /messages/v4/list", f.list)
	f.Server = httptest.NewServer(f.auth(mux))
	t.Cleanup(f.Close)
	return f
}

func apiErr(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"errorCode": code, "errorMessage": msg})
}

func (f *Fake) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		answer := f.Answer
		f.mu.Unlock()
		if answer != 0 {
			apiErr(w, answer, "TooManyRequests", "busy")
			return
		}
		m := authRe.FindStringSubmatch(r.Header.Get("Authorization"))
		if m == nil {
			apiErr(w, 401, "InvalidAuthorizationHeader", "bad Authorization header")
			return
		}
		date, err := time.Parse(time.RFC3339, m[2])
		mac := hmac.New(sha256.New, []byte(APISecret))
		mac.Write([]byte(m[2] + m[3]))
		switch {
		case m[1] != APIKey:
			apiErr(w, 401, "InvalidApiKey", "unknown apiKey")
		case err != nil || time.Since(date).Abs() > 15*time.Minute:
			apiErr(w, 401, "RequestTimeTooSkewed", "date out of range")
		case len(m[3]) < 12 || len(m[3]) > 64:
			apiErr(w, 401, "InvalidSalt", "salt length")
		case !hmac.Equal([]byte(m[4]), []byte(hex.EncodeToString(mac.Sum(nil)))):
			apiErr(w, 401, "SignatureDoesNotMatch", "signature")
		default:
			next.ServeHTTP(w, r)
		}
	})
}

var national = regexp.MustCompile(`^0[1-9][0-9]{7,9}$`)

func (f *Fake) sendMany(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Messages []map[string]any `json:"messages"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) == 0 {
		apiErr(w, 400, "ValidationError", "messages is required")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var ok, failed []map[string]any
	for _, m := range req.Messages {
		f.next++
		id := fmt.Sprintf("M4V%04d", f.next)
		res := map[string]any{"messageId": id, "statusCode": "2000", "statusMessage": "정상 접수", "customFields": m["customFields"], "to": m["to"]}
		code, msg := f.check(m)
		if code != "" {
			res["statusCode"], res["statusMessage"] = code, msg
			failed = append(failed, res)
			continue
		}
		f.Sent = append(f.Sent, m)
		f.status[id] = "4000"
		if m["type"] == "ATA" && f.NoKakao[m["to"].(string)] {
			f.status[id] = "3019"
		}
		ok = append(ok, res)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"failedMessageList": failed, "messageList": ok,
		"groupInfo": map[string]any{"groupId": "G4V1", "count": map[string]int{"total": len(req.Messages), "registeredFailed": len(failed)}}})
}

// check answers a message's failure code ("" when it is taken).
func (f *Fake) check(m map[string]any) (string, string) {
	to, _ := m["to"].(string)
	text, _ := m["text"].(string)
	subject, _ := m["subject"].(string)
	switch {
	case !national.MatchString(to):
		return "1022", "invalid recipient number"
	case m["from"] != From:
		return "1062", "sender number not registered"
	}
	switch m["type"] {
	case "SMS":
		if text == "" || krtext.Bytes(text) > krtext.SMSMax {
			return "2017", "SMS text over 90 bytes"
		}
	case "LMS":
		if krtext.Bytes(text) > krtext.LMSMax || krtext.Bytes(subject) > krtext.SubjectMax {
			return "2018", "LMS text or subject too long"
		}
	case "ATA":
		ko, _ := m["kakaoOptions"].(map[string]any)
		if ko == nil || ko["pfId"] != PfID {
			return "3024", "unknown pfId"
		}
		tpl, known := f.Templates[fmt.Sprint(ko["templateId"])]
		vars, _ := ko["variables"].(map[string]any)
		for _, p := range regexp.MustCompile(`#\{[^{}]+\}`).FindAllString(tpl, -1) {
			if v, _ := vars[p].(string); strings.TrimSpace(v) == "" {
				known = false
			}
		}
		if !known {
			return "3016", "메시지 내용이 템플릿과 일치하지 않음"
		}
	default:
		return "1020", "unknown type"
	}
	return "", ""
}

func (f *Fake) list(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("messageId")
	f.mu.Lock()
	code, ok := f.status[id]
	f.mu.Unlock()
	list := map[string]any{}
	if ok {
		list[id] = map[string]any{"messageId": id, "statusCode": code, "statusMessage": map[string]string{"4000": "수신완료", "3019": "톡 유저가 아님"}[code]}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"messageList": list, "limit": 20})
}

// Set changes the fake's settings under its lock.
func (f *Fake) Set(fn func(f *Fake)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// Count returns how many messages of type typ (ATA, SMS, LMS) the fake took.
func (f *Fake) Count(typ string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, m := range f.Sent {
		if m["type"] == typ {
			n++
		}
	}
	return n
}
