package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

// Cancelling an event whose notification is already in the inbox answers what the spec
// says: alreadyOut.notifications[] are notifications as their recipients see them, with
// read (the checking transport of TestMain fails the test otherwise; before, they were
// the store's records, without read, and the empty lists were null).
func TestCancelAnswerMatchesSpec(t *testing.T) {
	c := client{t, apptest.Start(t, app.Config{}).URL}
	id := c.publish("ann", "ORDER_CREATED", "cancel-me")
	var res struct {
		AlreadyOut struct {
			Notifications []map[string]any `json:"notifications"`
		} `json:"alreadyOut"`
	}
	if r := c.do("DELETE", "/v1/events/cancel-me", "", nil, &res); r.StatusCode != http.StatusOK {
		t.Fatalf("DELETE: %d", r.StatusCode)
	}
	if len(res.AlreadyOut.Notifications) != 1 || res.AlreadyOut.Notifications[0]["read"] != false || res.AlreadyOut.Notifications[0]["id"] != float64(id) {
		t.Fatalf("alreadyOut.notifications = %v, want notification %d unread", res.AlreadyOut.Notifications, id)
	}
}

// What no route takes answers problem+json like every other error: an unknown path 404
// not_found, a known path with another method 405 method_not_allowed with Allow, and a
// path with a doubled slash 404 (not a redirect to the clean path). A plain client, not
// the checking one: these paths are deliberately not in the spec.
func TestUnknownRoutesAnswerProblems(t *testing.T) {
	base := apptest.Start(t, app.Config{}).URL
	plain := &http.Client{Transport: &http.Transport{}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"GET", "/v1/nope", 404, "not_found", ""},
		{"GET", "/nope", 404, "not_found", ""},
		{"PATCH", "/v1/events", 405, "method_not_allowed", "POST"},
		{"DELETE", "/v1/notifications", 405, "method_not_allowed", "GET"},
		{"GET", "//v1/notifications", 404, "not_found", ""},
		{"POST", "/v1//events", 404, "not_found", ""},
		{"GET", "/v1/notifications/../events/x", 404, "not_found", ""},
	} {
		req, _ := http.NewRequest(tc.method, base, nil)
		req.URL.Path = tc.path // as sent, uncleaned
		req.Header.Set("X-User-Id", "ann")
		res, err := plain.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var p struct{ Code string }
		_ = json.Unmarshal(body, &p)
		if res.StatusCode != tc.status || res.Header.Get("Content-Type") != "application/problem+json" || p.Code != tc.code {
			t.Errorf("%s %s: %d %s %s, want %d problem+json %s", tc.method, tc.path, res.StatusCode, res.Header.Get("Content-Type"), body, tc.status, tc.code)
		}
		if allow := res.Header.Get("Allow"); tc.allow != "" && !strings.Contains(allow, tc.allow) {
			t.Errorf("%s %s: Allow %q, want it to list %s", tc.method, tc.path, allow, tc.allow)
		}
	}
}
