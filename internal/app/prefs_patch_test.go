package app_test

import (
	"net/http"
	"testing"

	"github.com/notifyd/notifyd/internal/app"
)

type prefsAnswer struct {
	Channels   map[string]bool              `json:"channels"`
	Types      map[string]map[string]bool   `json:"types"`
	QuietHours *struct{ Start, End string } `json:"quietHours"`
}

// PATCH /v1/preferences merges (what it does not name stays), PUT replaces; the admin
// twin merges the same way. Tried: a PATCH of one type switch after a PUT of sms off and
// quiet hours, a PATCH clearing the quiet hours with null, a bad channel, then a PUT.
func TestPreferencesPatchMergesPutReplaces(t *testing.T) {
	s := startApp(t, app.Config{})
	u := []string{"X-User-Id", "p1"}
	if r := do(t, "PUT", s.URL+"/v1/preferences", []byte(`{"channels":{"sms":false},"quietHours":{"start":"22:00","end":"07:00"}}`), u...); r.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	var got prefsAnswer
	r := do(t, "PATCH", s.URL+"/v1/preferences", []byte(`{"types":{"ORDER_CREATED":{"email":false}}}`), u...)
	r.decode(t, &got)
	if r.Status != http.StatusOK || got.Channels["sms"] || got.QuietHours == nil || got.Types["ORDER_CREATED"]["email"] {
		t.Fatalf("PATCH of one type switch: %d %s; want sms off and the quiet hours kept", r.Status, r.Body)
	}
	r = do(t, "PATCH", s.URL+"/v1/users/p1/preferences", []byte(`{"channels":{"sms":true},"quietHours":null}`))
	got = prefsAnswer{}
	r.decode(t, &got)
	if r.Status != http.StatusOK || !got.Channels["sms"] || got.QuietHours != nil || got.Types["ORDER_CREATED"]["email"] {
		t.Fatalf("admin PATCH: %d %s; want sms on, no quiet hours, the type switch kept", r.Status, r.Body)
	}
	if r := do(t, "PATCH", s.URL+"/v1/preferences", []byte(`{"channels":{"fax":false}}`), u...); r.Status != http.StatusBadRequest {
		t.Fatalf("PATCH of an unknown channel: %d %s, want 400", r.Status, r.Body)
	}
	r = do(t, "PUT", s.URL+"/v1/preferences", []byte(`{"channels":{"email":false}}`), u...)
	got = prefsAnswer{}
	r.decode(t, &got)
	if r.Status != http.StatusOK || got.Types["ORDER_CREATED"] != nil || got.Channels["email"] || !got.Channels["sms"] {
		t.Fatalf("PUT after PATCH: %d %s; want only email off (PUT replaces)", r.Status, r.Body)
	}
}
