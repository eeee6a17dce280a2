package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

const (
	consoleAdmin  = "console-admin"
	consoleSecret = "console-jwt-secret-of-at-least-32-bytes"
)

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func send(t *testing.T, method, url string, header map[string]string, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, header: res.Header}
	_ = json.NewDecoder(bytes.NewReader(raw)).Decode(&a.body)
	return a
}

func userJWT(t *testing.T, sub string) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": sub, "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(consoleSecret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// The console's admin routes answer only the admin token: no token is 401, a user's token
// 401 or 403, and no route of theirs answers another origin (no CORS headers, even for an origin
// the inbox allows).
func TestConsoleRoutesNeedTheAdminToken(t *testing.T) {
	base := apptest.Start(t, app.Config{Auth: "jwt", JWTSecret: consoleSecret, AdminToken: consoleAdmin, CORSOrigins: []string{"https://shop.example"}}).URL
	user := map[string]string{"Authorization": "Bearer " + userJWT(t, "alice"), "Origin": "https://shop.example"}
	routes := []struct{ method, path, body string }{
		{"GET", "/v1/events", ""},
		{"GET", "/v1/events/e1/timeline", ""},
		{"GET", "/v1/admin/stats?range=1h", ""},
		{"POST", "/v1/admin/preview", `{"event":{}}`},
		{"GET", "/v1/admin/types", ""},
		{"GET", "/v1/users/alice/notifications", ""},
		{"GET", "/v1/users/alice/push-subscriptions", ""},
		{"GET", "/v1/users/alice/subscriptions", ""},
		{"GET", "/v1/users/alice/devices", ""},
	}
	for _, r := range routes {
		if a := send(t, r.method, base+r.path, nil, r.body); a.status != http.StatusUnauthorized {
			t.Errorf("%s %s without a token: %d, want 401", r.method, r.path, a.status)
		}
		a := send(t, r.method, base+r.path, user, r.body)
		if a.status != http.StatusUnauthorized && a.status != http.StatusForbidden {
			t.Errorf("%s %s with a user's token: %d, want 401 or 403", r.method, r.path, a.status)
		}
		if v := a.header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Errorf("%s %s from another origin: Access-Control-Allow-Origin %q", r.method, r.path, v)
		}
		pre := send(t, http.MethodOptions, base+r.path, map[string]string{"Origin": "https://shop.example", "Access-Control-Request-Method": r.method}, "")
		if v := pre.header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Errorf("preflight of %s %s: Access-Control-Allow-Origin %q", r.method, r.path, v)
		}
	}
	if a := send(t, "GET", base+"/v1/events", map[string]string{"Authorization": "Bearer " + consoleAdmin}, ""); a.status != http.StatusOK {
		t.Fatalf("GET /v1/events with the admin token: %d %v", a.status, a.body)
	}
	page := send(t, "GET", base+"/console", nil, "")
	if page.status != http.StatusOK || !strings.Contains(page.header.Get("Content-Security-Policy"), "script-src 'self';") || page.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("GET /console: %d, CSP %q", page.status, page.header.Get("Content-Security-Policy"))
	}
}

// Bad input to the console's routes: filters with bad values are invalid_query naming the
// parameter, an unknown event's timeline is 404, and a sample event that fails validation
// in the preview is 400 naming the field inside "event".
func TestConsoleRoutesRefuseBadInput(t *testing.T) {
	base := apptest.Start(t, app.Config{AdminToken: consoleAdmin}).URL
	admin := map[string]string{"Authorization": "Bearer " + consoleAdmin, "Content-Type": "application/json"}
	for _, c := range []struct{ query, field string }{
		{"status=SENT", "status"},        // not a status's shape
		{"status=sent%3Bdrop", "status"}, // punctuation
		{"limit=0", "limit"},             // below 1
		{"limit=101", "limit"},           // above the maximum
		{"after=-3", "after"},            // a negative cursor
		{"after=abc", "after"},           // not a number
		{"userId=a%00b", "userId"},       // a control character
		{"type=" + strings.Repeat("T", 129), "type"},
	} {
		a := send(t, "GET", base+"/v1/events?"+c.query, admin, "")
		if a.status != http.StatusBadRequest || a.body["code"] != "invalid_query" || a.body["field"] != c.field {
			t.Errorf("GET /v1/events?%s: %d %v, want 400 invalid_query on %s", c.query, a.status, a.body, c.field)
		}
	}
	if a := send(t, "GET", base+"/v1/admin/stats?range=7d", admin, ""); a.status != http.StatusBadRequest || a.body["field"] != "range" {
		t.Errorf("stats over 7d: %d %v, want 400 on range", a.status, a.body)
	}
	if a := send(t, "GET", base+"/v1/events/no-such-event/timeline", admin, ""); a.status != http.StatusNotFound || a.body["code"] != "not_found" {
		t.Errorf("timeline of an unknown event: %d %v, want 404", a.status, a.body)
	}
	for _, c := range []struct{ name, body, code, field string }{
		{"no event", `{"type":"ORDER_CREATED"}`, "invalid_event", "event"},
		{"no recipient", `{"event":{"whoToNotify":[],"publishInformation":{"notificationType":"ORDER_CREATED","message":"m"}}}`, "no_recipient", "event.whoToNotify"},
		{"unknown type", `{"type":"NO_SUCH_TYPE","event":{"whoToNotify":{"userId":"u","role":"CUSTOMER"},"publishInformation":{"notificationType":"ORDER_CREATED","message":"m"}}}`, "unknown_type", "event.publishInformation.notificationType"},
		{"not JSON", `{"event":`, "invalid_json", ""},
	} {
		a := send(t, "POST", base+"/v1/admin/preview", admin, c.body)
		if a.status/100 != 4 || a.body["code"] != c.code || (c.field != "" && a.body["field"] != c.field) {
			t.Errorf("preview, %s: %d %v, want %s on %q", c.name, a.status, a.body, c.code, c.field)
		}
	}
	a := send(t, "POST", base+"/v1/admin/preview", admin, `{"event":{"whoToNotify":{"userId":"u","role":"CUSTOMER","phoneNumber":"+821012345678"},"publishInformation":{"notificationType":"DELIVERY_STARTED","message":"배송이 시작되었습니다","data":{"orderId":7}}}}`)
	// 10 Hangul syllables (20 bytes), a space, then a space and the type's URL template
	// rendered, https://mypage/orders/7 (23 ASCII bytes).
	sms, _ := a.body["sms"].(map[string]any)
	if a.status != http.StatusOK || sms["bytes"] != float64(45) || sms["kind"] != "SMS" || sms["text"] != "배송이 시작되었습니다 https://mypage/orders/7" {
		t.Fatalf("preview of a 10-syllable text and its URL: %d %v, want 45 bytes, SMS", a.status, a.body)
	}
}
