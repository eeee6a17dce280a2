package app_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/notifyd/notifyd/internal/app"
)

const jwtSecret = "a-test-secret-of-at-least-32-bytes!!"

func token(t *testing.T, sub string, exp time.Duration) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": sub, "aud": "notifyd", "exp": time.Now().Add(exp).Unix()}).SignedString([]byte(jwtSecret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// NOTIFY_AUTH=jwt: the user comes from the token, in a header, a query parameter (for
// EventSource) or a cookie; a bad or expired token is a 401 problem; X-User-Id is ignored.
func TestJWTAuth(t *testing.T) {
	s := startApp(t, app.Config{Auth: "jwt", JWTSecret: jwtSecret, JWTAudience: []string{"notifyd"}, IngestToken: "producer-secret"})
	alice := token(t, "alice", time.Hour)
	body := []byte(`{"whoToNotify":{"userId":"alice","role":"OWNER"},"publishInformation":{"notificationType":"QUESTION_REGISTERED","message":"m","url":"https://x/y","eventId":"j1"}}`)
	if r := do(t, "POST", s.URL+"/v1/events", body, "Authorization", "Bearer producer-secret"); r.Status != http.StatusAccepted {
		t.Fatal(r.Status)
	}
	var count struct{ Count int }
	do(t, "GET", s.URL+"/v1/notifications/unread-count", nil, "Authorization", "Bearer "+alice).decode(t, &count)
	if count.Count != 1 {
		t.Fatalf("alice's count via bearer = %d", count.Count)
	}
	do(t, "GET", s.URL+"/v1/notifications/unread-count?access_token="+alice, nil).decode(t, &count)
	if count.Count != 1 {
		t.Fatalf("alice's count via access_token = %d", count.Count)
	}
	do(t, "GET", s.URL+"/v1/notifications/unread-count", nil, "Cookie", "notify_token="+alice).decode(t, &count)
	if count.Count != 1 {
		t.Fatalf("alice's count via cookie = %d", count.Count)
	}
	st := openStream(t, s.URL+"/v1/notifications/stream?lastEventId=0&access_token="+alice)
	if ev := st.next(t); ev.ID != "1" {
		t.Fatalf("stream id %s", ev.ID)
	}

	wrongAud, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "alice", "aud": "other", "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(jwtSecret))
	for name, h := range map[string][]string{
		"no token":       {"X-User-Id", "alice"},
		"expired":        {"Authorization", "Bearer " + token(t, "alice", -time.Hour)},
		"wrong audience": {"Authorization", "Bearer " + wrongAud},
		"garbage":        {"Authorization", "Bearer not.a.jwt"},
	} {
		r := do(t, "GET", s.URL+"/v1/notifications/unread-count", nil, h...)
		var p problem
		r.decode(t, &p)
		if r.Status != http.StatusUnauthorized || p.Code != "unauthorized" {
			t.Fatalf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	do(t, "GET", s.URL+"/v1/notifications/unread-count", nil, "Authorization", "Bearer "+token(t, "bob", time.Hour)).decode(t, &count)
	if count.Count != 0 {
		t.Fatalf("bob sees alice's count %d", count.Count)
	}
}
