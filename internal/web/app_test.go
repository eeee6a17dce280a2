package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

// startApp runs the real notifyd on a free port with a fresh SQLite file, stopped when
// the test ends, and returns its base URL.
func startApp(t *testing.T) string {
	t.Helper()
	return apptest.Start(t, app.Config{}).URL
}

// call sends a JSON request as user (dev auth; "" for none) and decodes the answer into
// out (if not nil), returning the status.
func call(t *testing.T, method, url, user string, body any, out any) int {
	t.Helper()
	var header []string
	if user != "" {
		header = []string{"X-User-Id", user}
	}
	return callWith(t, method, url, header, body, out)
}

// callWith is call with any request headers, given as name, value pairs (for example
// "Authorization", "Bearer "+token in jwt mode).
func callWith(t *testing.T, method, url string, header []string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, url, res.StatusCode, raw, err)
		}
	}
	return res.StatusCode
}

// publish posts ev to the app at base (not through any proxy) and returns the id of the
// one notification it makes.
// ingestToken is the producers' token of the jwt-mode servers (dev-mode ones set none and
// let any caller publish).
const ingestToken = "web-test-ingest-token"

func publish(t *testing.T, base string, ev map[string]any) int64 {
	t.Helper()
	var pub struct {
		NotificationIDs []int64 `json:"notificationIds"`
	}
	if got := callWith(t, http.MethodPost, base+"/v1/events", []string{"Authorization", "Bearer " + ingestToken}, ev, &pub); got != http.StatusAccepted || len(pub.NotificationIDs) != 1 {
		t.Fatalf("POST /v1/events: got %d %v, want 202 and one notification", got, pub.NotificationIDs)
	}
	return pub.NotificationIDs[0]
}

// event is a DELIVERY_STARTED NotificationData for one store owner (no SMS involved).
func event(user, id, message, url string) map[string]any {
	return typedEvent("DELIVERY_STARTED", user, id, message, url)
}

func typedEvent(typ, user, id, message, url string) map[string]any {
	return map[string]any{
		"whoToNotify":        map[string]any{"userId": user, "role": "OWNER"},
		"publishInformation": map[string]any{"notificationType": typ, "message": message, "url": url, "eventId": id},
	}
}
