package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

type scheduledAnswer struct {
	EventID         string  `json:"eventId"`
	NotificationIDs []int64 `json:"notificationIds"`
	Scheduled       []struct {
		UserID string    `json:"userId"`
		Status string    `json:"status"`
		DueAt  time.Time `json:"dueAt"`
		Digest bool      `json:"digest"`
	} `json:"scheduled"`
}

// withSendAt returns the sample event with its sendAt set to at.
func withSendAt(t *testing.T, body []byte, at time.Time) []byte {
	t.Helper()
	var ev map[string]map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	ev["publishInformation"]["sendAt"] = at.Format(time.RFC3339Nano)
	out, _ := json.Marshal(ev)
	return out
}

// A sendAt event is stored at once, answered as scheduled, and reaches the stream, the
// list and its channels at its time, with the next seq; one past the horizon is a 400.
func TestScheduledSend(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "types.yaml"), "types:\n  REVIEW_REMINDER:\n    channels: {CUSTOMER: [sse, sms]}\n")
	s := startApp(t, app.Config{ConfigFile: filepath.Join(dir, "types.yaml"), ScheduleHorizon: 48 * time.Hour})
	sample := readFile(t, sampleDir+"review-reminder-scheduled.json")
	st := openStream(t, s.URL+"/v1/notifications/stream?user=7")

	r := do(t, "POST", s.URL+"/v1/events", withSendAt(t, sample, time.Now().Add(72*time.Hour)))
	if r.Status != http.StatusBadRequest || !bytes.Contains(r.Body, []byte("publishInformation.sendAt")) {
		t.Fatalf("sendAt past the horizon: %d %s", r.Status, r.Body)
	}
	if r := do(t, "POST", s.URL+"/v1/events", bytes.Replace(withSendAt(t, sample, time.Now()), []byte(`"sendAt":"20`), []byte(`"sendAt":"next `), 1)); r.Status != http.StatusBadRequest {
		t.Fatalf("malformed sendAt: %d %s", r.Status, r.Body)
	}

	at := time.Now().Add(1500 * time.Millisecond)
	r = do(t, "POST", s.URL+"/v1/events", withSendAt(t, sample, at))
	var a scheduledAnswer
	r.decode(t, &a)
	if r.Status != http.StatusAccepted || len(a.NotificationIDs) != 0 || len(a.Scheduled) != 1 || a.Scheduled[0].Status != "pending" || !a.Scheduled[0].DueAt.Equal(at.Truncate(time.Millisecond)) {
		t.Fatalf("scheduled answer: %d %s", r.Status, r.Body)
	}
	now := do(t, "POST", s.URL+"/v1/events", []byte(`{"whoToNotify":{"userId":7,"role":"CUSTOMER"},"publishInformation":{"notificationType":"DELIVERY_STARTED","eventId":"now-1","data":{"orderId":1}}}`))
	if now.Status != http.StatusAccepted {
		t.Fatalf("immediate event: %d %s", now.Status, now.Body)
	}
	if ev := st.next(t); ev.ID != "1" || !strings.Contains(ev.Data, `"eventId":"now-1"`) {
		t.Fatalf("first frame %+v, want the immediate event as seq 1", ev)
	}
	ev := st.next(t)
	if ev.ID != "2" || !strings.Contains(ev.Data, `"eventId":"order-1001-review-reminder"`) {
		t.Fatalf("second frame %+v, want the scheduled one as seq 2", ev)
	}
	if time.Now().Before(at) {
		t.Fatalf("the scheduled notification streamed before its sendAt")
	}
	// The replay of a Last-Event-ID before it includes it.
	st2 := openStream(t, s.URL+"/v1/notifications/stream?user=7&lastEventId=1")
	if ev := st2.next(t); ev.ID != "2" {
		t.Fatalf("replay after 1 gave %s", ev.ID)
	}
	apptest.Eventually(t, "the released notification's SMS to be sent", func() bool {
		var status struct {
			Recipients []struct {
				Channels []struct{ Channel, Status string }
			}
			Scheduled []struct{ Status string }
		}
		do(t, "GET", s.URL+"/v1/events/order-1001-review-reminder", nil).decode(t, &status)
		return len(status.Recipients) == 1 && len(status.Recipients[0].Channels) == 2 && status.Recipients[0].Channels[1].Status == "sent" &&
			len(status.Scheduled) == 1 && status.Scheduled[0].Status == "released"
	})
}

// DELETE /v1/events/{eventId} cancels a scheduled notification: it never shows.
func TestCancelOverHTTP(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "types.yaml"), "types:\n  REVIEW_REMINDER:\n    channels: {CUSTOMER: [sse, sms]}\n")
	s := startApp(t, app.Config{ConfigFile: filepath.Join(dir, "types.yaml"), IngestToken: "secret"})
	sample := withSendAt(t, readFile(t, sampleDir+"review-reminder-scheduled.json"), time.Now().Add(time.Hour))
	if r := do(t, "POST", s.URL+"/v1/events", sample, "Authorization", "Bearer secret"); r.Status != http.StatusAccepted {
		t.Fatalf("post: %d %s", r.Status, r.Body)
	}
	if r := do(t, "DELETE", s.URL+"/v1/events/order-1001-review-reminder", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("cancel without the admin token: %d", r.Status)
	}
	var c struct {
		Cancelled struct {
			Notifications []struct{ UserID, Status string }
		}
		AlreadyOut struct{ Notifications []json.RawMessage }
	}
	for range 2 { // idempotent
		r := do(t, "DELETE", s.URL+"/v1/events/order-1001-review-reminder", nil, "Authorization", "Bearer secret")
		r.decode(t, &c)
		if r.Status != http.StatusOK || len(c.Cancelled.Notifications) != 1 || c.Cancelled.Notifications[0].Status != "cancelled" || len(c.AlreadyOut.Notifications) != 0 {
			t.Fatalf("cancel: %d %s", r.Status, r.Body)
		}
	}
	if r := do(t, "DELETE", s.URL+"/v1/events/nope", nil, "Authorization", "Bearer secret"); r.Status != http.StatusNotFound {
		t.Fatalf("cancel of an unknown event: %d", r.Status)
	}
}

// Two events with one collapseKey: the list and count show the newer only, and its SSE
// frame names the one it replaces.
func TestCollapseKeyOverHTTP(t *testing.T) {
	s := startApp(t, app.Config{})
	st := openStream(t, s.URL+"/v1/notifications/stream?user=7")
	r := do(t, "POST", s.URL+"/v1/events", readFile(t, sampleDir+"order-status-collapse.json"))
	if r.Status != http.StatusAccepted {
		t.Fatalf("post: %d %s", r.Status, r.Body)
	}
	var first, second map[string]any
	json.Unmarshal([]byte(st.next(t).Data), &first)
	json.Unmarshal([]byte(st.next(t).Data), &second)
	if second["replaces"] != first["id"] || first["replaces"] != nil {
		t.Fatalf("frames %v then %v: want the second to replace the first", first, second)
	}
	var list struct{ Notifications []view }
	do(t, "GET", s.URL+"/v1/notifications?user=7", nil).decode(t, &list)
	if len(list.Notifications) != 1 || list.Notifications[0].EventID != "order-1002-delivery-started" {
		t.Fatalf("list = %+v, want the newer only", list.Notifications)
	}
	var count struct{ Count int }
	do(t, "GET", s.URL+"/v1/notifications/unread-count?user=7", nil).decode(t, &count)
	if count.Count != 1 {
		t.Fatalf("unread = %d, want 1", count.Count)
	}
	// A replay from the start skips the replaced one.
	st2 := openStream(t, s.URL+"/v1/notifications/stream?user=7&lastEventId=0")
	if ev := st2.next(t); ev.ID != "2" || !strings.Contains(ev.Data, `"replaces"`) {
		t.Fatalf("replay gave %+v, want only seq 2", ev)
	}
}

// A digest type: three events within the window become one notification at its end.
func TestDigestOverHTTP(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "types.yaml"), "types:\n  QUESTION_REGISTERED:\n    digest: {window: 1s, key: \"{{.storeId}}\", message: \"새 문의 {{.count}}건이 등록되었습니다.\"}\n")
	s := startApp(t, app.Config{ConfigFile: filepath.Join(dir, "types.yaml")})
	st := openStream(t, s.URL+"/v1/notifications/stream?user=31")
	body := readFile(t, sampleDir+"question-registered-digest.json")
	r := do(t, "POST", s.URL+"/v1/events", body)
	var a struct{ Events []scheduledAnswer }
	r.decode(t, &a)
	if r.Status != http.StatusAccepted || len(a.Events) != 3 || !a.Events[2].Scheduled[0].Digest {
		t.Fatalf("post: %d %s", r.Status, r.Body)
	}
	if r := do(t, "POST", s.URL+"/v1/events", body); r.Status != http.StatusOK { // redelivered: counted once
		t.Fatalf("replay: %d %s", r.Status, r.Body)
	}
	ev := st.next(t)
	var v struct {
		Message string
		Data    struct {
			Count    int
			EventIDs []string
		}
	}
	json.Unmarshal([]byte(ev.Data), &v)
	if ev.ID != "1" || v.Message != "새 문의 3건이 등록되었습니다." || v.Data.Count != 3 || len(v.Data.EventIDs) != 3 {
		t.Fatalf("digest frame %+v", ev)
	}
	st.quiet(t, 300*time.Millisecond)
}
