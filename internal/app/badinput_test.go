package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
)

type problem struct {
	Type   string `json:"type"`
	Status int    `json:"status"`
	Code   string `json:"code"`
	Field  string `json:"field"`
	Detail string `json:"detail"`
	Errors []struct {
		Index int    `json:"index"`
		Code  string `json:"code"`
	} `json:"errors"`
}

// Every bad input gets a clear problem+json 4xx with a stable type, and stores nothing.
func TestBadInputOverHTTP(t *testing.T) {
	s := startApp(t, app.Config{MaxBody: 64 << 10})
	many := make([]string, 10001)
	for i := range many {
		many[i] = fmt.Sprintf(`{"userId":%d,"role":"OWNER"}`, i)
	}
	tests := []struct {
		name, body string
		header     []string
		status     int
		code       string
		field      string
	}{
		{"malformed JSON", `{"whoToNotify":`, nil, 400, "invalid_json", ""},
		{"not an object", `"hello"`, nil, 400, "invalid_event", ""},
		{"unknown type", `{"whoToNotify":{"userId":1,"role":"OWNER"},"publishInformation":{"notificationType":"NOPE","message":"m"}}`, nil, 422, "unknown_type", "publishInformation.notificationType"},
		{"no recipient", `{"publishInformation":{"notificationType":"ORDER_CREATED","message":"m"}}`, nil, 400, "no_recipient", "whoToNotify"},
		{"empty recipients", `{"whoToNotify":[],"publishInformation":{"notificationType":"ORDER_CREATED","message":"m"}}`, nil, 400, "no_recipient", "whoToNotify"},
		{"unknown role", `{"whoToNotify":{"userId":1,"role":"BOSS"},"publishInformation":{"notificationType":"ORDER_CREATED","message":"m"}}`, nil, 400, "invalid_event", "whoToNotify[0].role"},
		{"message too long", `{"whoToNotify":{"userId":1,"role":"OWNER"},"publishInformation":{"notificationType":"ORDER_CREATED","message":"` + strings.Repeat("a", 2001) + `","url":"https://x/y"}}`, nil, 413, "too_large", "publishInformation.message"},
		{"url not http", `{"whoToNotify":{"userId":1,"role":"OWNER"},"publishInformation":{"notificationType":"ORDER_CREATED","message":"m","url":"javascript:alert(1)"}}`, nil, 400, "invalid_event", "publishInformation.url"},
		{"body too large", `{"whoToNotify":{"userId":1,"role":"OWNER"},"publishInformation":{"notificationType":"ORDER_CREATED","message":"m","data":{"x":"` + strings.Repeat("a", 70<<10) + `"}}}`, nil, 413, "too_large", ""},
		{"too many recipients", `{"whoToNotify":[` + strings.Join(many, ",") + `],"publishInformation":{"notificationType":"ORDER_CREATED","message":"m","url":"https://x/y"}}`, nil, 413, "too_large", ""},
		{"template data missing", `{"whoToNotify":{"userId":1,"role":"OWNER"},"publishInformation":{"notificationType":"DELIVERY_COMPLETED"}}`, nil, 400, "invalid_event", "publishInformation.data"},
		{"Idempotency-Key too long", `{"whoToNotify":{"userId":1,"role":"OWNER"},"publishInformation":{"notificationType":"ORDER_CREATED","message":"m","url":"https://x/y"}}`,
			[]string{"Idempotency-Key", strings.Repeat("k", 201)}, 413, "too_large", "Idempotency-Key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, "POST", s.URL+"/v1/events", []byte(tc.body), tc.header...)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("content type %q", ct)
			}
			var p problem
			r.decode(t, &p)
			if p.Code != tc.code || p.Type != "urn:notifyd:problem:"+tc.code || p.Status != tc.status || p.Detail == "" {
				t.Fatalf("problem %+v, want code %s", p, tc.code)
			}
			if tc.field != "" && p.Field != tc.field {
				t.Fatalf("field %q, want %q", p.Field, tc.field)
			}
		})
	}

	// A batch with one bad event stores none of them.
	batch := `[{"whoToNotify":{"userId":"b1","role":"OWNER"},"publishInformation":{"notificationType":"ORDER_CREATED","message":"ok","url":"https://x/y","eventId":"batch-ok"}},
		{"whoToNotify":{"userId":"b1","role":"OWNER"},"publishInformation":{"notificationType":"NOPE","message":"bad"}}]`
	r := do(t, "POST", s.URL+"/v1/events", []byte(batch))
	var p problem
	r.decode(t, &p)
	if r.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Index != 1 || p.Errors[0].Code != "unknown_type" {
		t.Fatalf("bad batch: %d %s", r.Status, r.Body)
	}
	if r := do(t, "GET", s.URL+"/v1/events/batch-ok", nil); r.Status != http.StatusNotFound {
		t.Fatalf("the good event of a refused batch was stored: %d %s", r.Status, r.Body)
	}
	var count struct{ Count int }
	do(t, "GET", s.URL+"/v1/notifications/unread-count", nil, "X-User-Id", "1").decode(t, &count)
	if count.Count != 0 {
		t.Fatalf("bad input stored %d notifications", count.Count)
	}

	// A good batch: 202 with every event's ids; an SMS-routed buyer without a phone still
	// gets the notification, its SMS recorded as skipped with the reason.
	good := `[{"whoToNotify":{"userId":"b2","role":"CUSTOMER"},"publishInformation":{"notificationType":"ORDER_CREATED","data":{"orderId":5},"eventId":"nophone"}},
		{"whoToNotify":{"userId":"b2","role":"OWNER"},"publishInformation":{"notificationType":"ORDER_CREATED","data":{"orderId":6},"eventId":"batch-2"}}]`
	r = do(t, "POST", s.URL+"/v1/events", []byte(good))
	var out struct{ Events []accepted }
	r.decode(t, &out)
	if r.Status != http.StatusAccepted || len(out.Events) != 2 || out.Events[1].EventID != "batch-2" {
		t.Fatalf("good batch: %d %s", r.Status, r.Body)
	}
	var st struct {
		Recipients []struct {
			Channels []struct{ Channel, Status, Reason, LastError string }
		}
	}
	do(t, "GET", s.URL+"/v1/events/nophone", nil).decode(t, &st)
	chans := st.Recipients[0].Channels
	if len(chans) != 2 || chans[0].Channel != "inbox" || chans[1].Channel != "sms" || chans[1].Status != "skipped" || chans[1].Reason != "no_phone" || chans[1].LastError != "no phone number" {
		t.Fatalf("status of an SMS without a phone: %+v", st)
	}

	// Idempotency-Key stands in for a missing eventId.
	noID := []byte(`{"whoToNotify":{"userId":"k1","role":"ADMIN"},"publishInformation":{"notificationType":"ORDER_CREATED","message":"m","url":"https://x/y"}}`)
	var a1, a2 accepted
	r1 := do(t, "POST", s.URL+"/v1/events", noID, "Idempotency-Key", "retry-123")
	r1.decode(t, &a1)
	r2 := do(t, "POST", s.URL+"/v1/events", noID, "Idempotency-Key", "retry-123")
	r2.decode(t, &a2)
	if r1.Status != 202 || r2.Status != 200 || a1.EventID != "retry-123" || a2.NotificationIDs[0] != a1.NotificationIDs[0] {
		t.Fatalf("Idempotency-Key replay: %d %s / %d %s", r1.Status, r1.Body, r2.Status, r2.Body)
	}
}

// User A can never list, count, mark, stream or replay user B's notifications, through
// any route, parameter or Last-Event-ID.
func TestIsolation(t *testing.T) {
	s := startApp(t, app.Config{})
	for i := range 3 {
		body := fmt.Sprintf(`{"whoToNotify":{"userId":"bob","role":"OWNER"},"publishInformation":{"notificationType":"QUESTION_REGISTERED","message":"bob secret %d","url":"https://x/%d","eventId":"bob-%d"}}`, i, i, i)
		if r := do(t, "POST", s.URL+"/v1/events", []byte(body)); r.Status != 202 {
			t.Fatal(r.Status)
		}
	}
	var bobs struct{ Notifications []view }
	do(t, "GET", s.URL+"/v1/notifications", nil, "X-User-Id", "bob").decode(t, &bobs)
	if len(bobs.Notifications) != 3 {
		t.Fatalf("bob has %d", len(bobs.Notifications))
	}
	alice := []string{"X-User-Id", "alice"}
	for _, path := range []string{"/v1/notifications", "/v1/notifications?limit=100", "/v1/notifications?cursor=4", "/v1/notifications?user=bob", "/v1/notifications/unread-count?user=bob"} {
		r := do(t, "GET", s.URL+path, nil, alice...)
		if strings.Contains(string(r.Body), "bob secret") || strings.Contains(string(r.Body), `"count":3`) {
			t.Fatalf("alice read bob's data at %s: %s", path, r.Body)
		}
	}
	for _, n := range bobs.Notifications {
		if r := do(t, "POST", fmt.Sprintf("%s/v1/notifications/%d/read", s.URL, n.ID), nil, alice...); r.Status != http.StatusNotFound {
			t.Fatalf("alice marking bob's %d: %d", n.ID, r.Status)
		}
	}
	do(t, "POST", s.URL+"/v1/notifications/read-all", nil, alice...)
	var count struct{ Count int }
	do(t, "GET", s.URL+"/v1/notifications/unread-count", nil, "X-User-Id", "bob").decode(t, &count)
	if count.Count != 3 {
		t.Fatalf("alice's read-all changed bob's unread count to %d", count.Count)
	}
	// Streams: alice's stream, from any Last-Event-ID, replays nothing of bob's.
	for _, last := range []string{"0", "1", "2"} {
		st := openStream(t, s.URL+"/v1/notifications/stream?user=alice&lastEventId="+last)
		st.quiet(t, 150*time.Millisecond)
		st.Close()
	}
	st := openStream(t, s.URL+"/v1/notifications/stream", "X-User-Id", "alice", "Last-Event-ID", "0")
	do(t, "POST", s.URL+"/v1/events", []byte(`{"whoToNotify":{"userId":"bob","role":"OWNER"},"publishInformation":{"notificationType":"QUESTION_REGISTERED","message":"bob live","url":"https://x/y"}}`))
	st.quiet(t, 300*time.Millisecond)
	// No user at all: 401, not someone's data.
	if r := do(t, "GET", s.URL+"/v1/notifications", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("anonymous list: %d", r.Status)
	}
}

// NOTIFY_INGEST_TOKEN guards ingest and admin routes, not the inbox.
func TestIngestToken(t *testing.T) {
	s := startApp(t, app.Config{IngestToken: "s3cret-token"})
	body := readFile(t, sampleDir+"question-registered.json")
	for _, h := range [][]string{nil, {"Authorization", "Bearer wrong"}, {"Authorization", "s3cret-token"}} {
		if r := do(t, "POST", s.URL+"/v1/events", body, h...); r.Status != http.StatusUnauthorized {
			t.Fatalf("ingest with %v: %d", h, r.Status)
		}
	}
	if r := do(t, "POST", s.URL+"/v1/events", body, "Authorization", "Bearer s3cret-token"); r.Status != http.StatusAccepted {
		t.Fatalf("ingest with the token: %d %s", r.Status, r.Body)
	}
	for _, path := range []string{"/v1/events/question-555-registered", "/v1/admin/rejected"} {
		if r := do(t, "GET", s.URL+path, nil); r.Status != http.StatusUnauthorized {
			t.Fatalf("admin %s without token: %d", path, r.Status)
		}
		if r := do(t, "GET", s.URL+path, nil, "Authorization", "Bearer s3cret-token"); r.Status != http.StatusOK {
			t.Fatalf("admin %s with token: %d %s", path, r.Status, r.Body)
		}
	}
	if r := do(t, "GET", s.URL+"/v1/notifications/unread-count", nil, "X-User-Id", "31"); r.Status != http.StatusOK {
		t.Fatalf("inbox needs no ingest token: %d", r.Status)
	}
}

// A user over the request rate gets 429 rate_limited; other users are not affected.
func TestUserRateLimit(t *testing.T) {
	s := startApp(t, app.Config{UserRate: 1, UserBurst: 3})
	codes := map[int]int{}
	for range 6 {
		codes[do(t, "GET", s.URL+"/v1/notifications/unread-count", nil, "X-User-Id", "greedy").Status]++
	}
	if codes[200] != 3 || codes[429] != 3 {
		t.Fatalf("statuses %v, want 3×200 and 3×429", codes)
	}
	r := do(t, "GET", s.URL+"/v1/notifications/unread-count", nil, "X-User-Id", "greedy")
	var p problem
	json.Unmarshal(r.Body, &p)
	if p.Code != "rate_limited" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("limited answer %d %s", r.Status, r.Body)
	}
	if r := do(t, "GET", s.URL+"/v1/notifications/unread-count", nil, "X-User-Id", "modest"); r.Status != 200 {
		t.Fatalf("another user limited: %d", r.Status)
	}
}

// Dev auth refuses to listen beyond loopback unless allowed.
func TestDevAuthLoopbackOnly(t *testing.T) {
	_, err := app.New(t.Context(), app.Config{HTTPAddr: "0.0.0.0:0", DatabaseURL: "sqlite:" + t.TempDir() + "/x.db"})
	if err == nil {
		t.Fatal("dev auth started on 0.0.0.0")
	}
}
