package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// gateway is a webhook SMS gateway that keeps every message it was given.
type gateway struct {
	*httptest.Server
	mu   sync.Mutex
	sent []sentSMS
}

type sentSMS struct {
	To, EventID, UserID string
	at                  time.Time
}

func newGateway(t *testing.T) *gateway {
	g := &gateway{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := sentSMS{at: time.Now()}
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		g.sent = append(g.sent, m)
		n := len(g.sent)
		g.mu.Unlock()
		fmt.Fprintf(w, `{"id":"sms-%d"}`, n)
	}))
	t.Cleanup(g.Close)
	return g
}

// to returns the numbers the gateway sent eventID to.
func (g *gateway) to(eventID string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, m := range g.sent {
		if m.EventID == eventID {
			out = append(out, m.To)
		}
	}
	return out
}

// smsStatus is the status and reason of the one SMS of an event.
func smsStatus(t *testing.T, s *server, eventID string) (status, reason string) {
	t.Helper()
	var st struct {
		Recipients []struct {
			Channels []struct{ Channel, Status, Reason string }
		}
	}
	r := do(t, "GET", s.URL+"/v1/events/"+eventID, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("status of %s: %d %s", eventID, r.Status, r.Body)
	}
	r.decode(t, &st)
	for _, c := range st.Recipients[0].Channels {
		if c.Channel == "sms" {
			return c.Status, c.Reason
		}
	}
	t.Fatalf("%s has no SMS: %s", eventID, r.Body)
	return "", ""
}

func publishTo(t *testing.T, s *server, user, typ, eventID, extra string) {
	t.Helper()
	body := fmt.Sprintf(`{"whoToNotify":{"userId":%q,"role":"CUSTOMER"%s},"publishInformation":{"notificationType":%q,"message":"m","url":"https://x/y","eventId":%q}}`, user, extra, typ, eventID)
	if r := do(t, "POST", s.URL+"/v1/events", []byte(body)); r.Status != http.StatusAccepted {
		t.Fatalf("publish %s: %d %s", eventID, r.Status, r.Body)
	}
}

func TestUserProfileAndErasure(t *testing.T) {
	g := newGateway(t)
	s := startApp(t, app.Config{SMSProvider: "webhook", SMSWebhookURL: g.URL})
	for field, body := range map[string]string{
		"phoneNumber": `{"phoneNumber":"010-1234-5678"}`,
		"email":       `{"email":"not an address"}`,
		"timeZone":    `{"timeZone":"Asia/Nowhere"}`,
		"locale":      `{"locale":"fr"}`,
	} {
		r := do(t, "PUT", s.URL+"/v1/users/7", []byte(body))
		var p struct{ Field string }
		r.decode(t, &p)
		if r.Status != http.StatusBadRequest || p.Field != field {
			t.Errorf("PUT %s: %d %s, want 400 on %s", body, r.Status, r.Body, field)
		}
	}
	if r := do(t, "GET", s.URL+"/v1/users/7", nil); r.Status != http.StatusNotFound {
		t.Fatalf("GET a user without a profile: %d", r.Status)
	}
	r := do(t, "PUT", s.URL+"/v1/users/7", []byte(`{"phoneNumber":"+821099998888","timeZone":"Asia/Seoul"}`))
	if r.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	do(t, "PUT", s.URL+"/v1/users/7", []byte(`{"locale":"ko","email":"buyer@example.com"}`))
	var p struct{ UserID, PhoneNumber, Email, TimeZone, Locale string }
	do(t, "GET", s.URL+"/v1/users/7", nil).decode(t, &p)
	if p.UserID != "7" || p.PhoneNumber != "+821099998888" || p.Email != "buyer@example.com" || p.TimeZone != "Asia/Seoul" || p.Locale != "ko" {
		t.Fatalf("profile = %+v", p)
	}

	// The profile's number where the event has none; the event's where it has one.
	publishTo(t, s, "7", "DELIVERY_STARTED", "p-1", "")
	publishTo(t, s, "7", "DELIVERY_STARTED", "p-2", `,"phoneNumber":"+821011112222"`)
	apptest.Eventually(t, "both SMS sent", func() bool { return len(g.to("p-1")) == 1 && len(g.to("p-2")) == 1 })
	if g.to("p-1")[0] != "+821099998888" || g.to("p-2")[0] != "+821011112222" {
		t.Fatalf("p-1 went to %v, p-2 to %v", g.to("p-1"), g.to("p-2"))
	}

	// An SMS waiting for the end of the user's quiet hours, then erasure: the stream
	// closes, everything is gone (the waiting SMS too: no worker can claim it any more).
	seoul, _ := time.LoadLocation("Asia/Seoul")
	now := time.Now().In(seoul)
	window := fmt.Sprintf(`{"quietHours":{"start":%q,"end":%q}}`, now.Add(-time.Hour).Format("15:04"), now.Add(time.Hour).Format("15:04"))
	if r := do(t, "PUT", s.URL+"/v1/users/7/preferences", []byte(window)); r.Status != http.StatusOK {
		t.Fatalf("PUT preferences: %d %s", r.Status, r.Body)
	}
	publishTo(t, s, "7", "DELIVERY_STARTED", "p-wait", "")
	if status, _ := smsStatus(t, s, "p-wait"); status != "scheduled" {
		t.Fatalf("inside quiet hours: %s", status)
	}
	st := openStream(t, s.URL+"/v1/notifications/stream", "X-User-Id", "7")
	var erased struct {
		UserID        string
		Profile       bool
		Preferences   bool
		Notifications int64
		Deliveries    int64
	}
	r = do(t, "DELETE", s.URL+"/v1/users/7", nil)
	r.decode(t, &erased)
	if r.Status != http.StatusOK || !erased.Profile || !erased.Preferences || erased.Notifications != 3 || erased.Deliveries != 3 {
		t.Fatalf("DELETE: %d %s", r.Status, r.Body)
	}
	select {
	case _, ok := <-st.C:
		if ok {
			t.Fatal("an event on the erased user's stream")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the erased user's stream is still open")
	}
	if r := do(t, "GET", s.URL+"/v1/users/7", nil); r.Status != http.StatusNotFound {
		t.Fatalf("GET after erasure: %d %s", r.Status, r.Body)
	}
	var list struct{ Notifications []view }
	do(t, "GET", s.URL+"/v1/notifications", nil, "X-User-Id", "7").decode(t, &list)
	if len(list.Notifications) != 0 {
		t.Fatalf("notifications after erasure: %+v", list)
	}
	if r := do(t, "GET", s.URL+"/v1/events/p-1", nil); r.Status != http.StatusOK || len(r.Body) == 0 {
		t.Fatalf("the event itself stays: %d", r.Status)
	}

	// The user comes back: a client resuming from its old Last-Event-ID still gets the
	// new notifications (an id beyond the newest counts as the newest).
	st = openStream(t, s.URL+"/v1/notifications/stream", "X-User-Id", "7", "Last-Event-ID", "3")
	publishTo(t, s, "7", "DELIVERY_STARTED", "p-3", "")
	if ev := st.next(t); ev.ID != "1" {
		t.Fatalf("first notification after erasure: %+v, want seq 1", ev)
	}
	if status, reason := smsStatus(t, s, "p-3"); status != "skipped" || reason != "no_phone" {
		t.Fatalf("SMS of an erased user with no number in the event: %s %s", status, reason)
	}
}

func TestPreferencesTurnSMSOff(t *testing.T) {
	g := newGateway(t)
	s := startApp(t, app.Config{SMSProvider: "webhook", SMSWebhookURL: g.URL})
	var got struct {
		Channels   map[string]bool
		Types      map[string]map[string]bool
		QuietHours *struct{ Start, End string }
		Available  []struct {
			Type     string
			Channels []string
			Required bool
		}
	}
	r := do(t, "GET", s.URL+"/v1/preferences", nil, "X-User-Id", "9")
	r.decode(t, &got)
	if r.Status != http.StatusOK || !got.Channels["sms"] || !got.Channels["email"] || !got.Channels["webpush"] || got.QuietHours != nil || len(got.Available) == 0 {
		t.Fatalf("default preferences: %d %s", r.Status, r.Body)
	}
	for _, a := range got.Available {
		if a.Type == "ANSWER_REGISTERED" && (len(a.Channels) != 2 || a.Channels[0] != "inbox" || a.Channels[1] != "sms") {
			t.Fatalf("available %+v", a)
		}
	}
	for _, bad := range []string{
		`{"channels":{"inbox":false}}`,
		`{"types":{"NO_SUCH_TYPE":{"sms":false}}}`,
		`{"channels":{"fax":false}}`,
		`{"quietHours":{"start":"25:00","end":"07:00"}}`,
	} {
		if r := do(t, "PUT", s.URL+"/v1/preferences", []byte(bad), "X-User-Id", "9"); r.Status != http.StatusBadRequest {
			t.Errorf("PUT %s: %d %s, want 400", bad, r.Status, r.Body)
		}
	}
	r = do(t, "PUT", s.URL+"/v1/preferences", []byte(`{"channels":{"inbox":true},"types":{"ANSWER_REGISTERED":{"sms":false}},"quietHours":null}`), "X-User-Id", "9")
	if r.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	do(t, "GET", s.URL+"/v1/users/9/preferences", nil).decode(t, &got)
	if got.Types["ANSWER_REGISTERED"]["sms"] || !got.Channels["sms"] {
		t.Fatalf("admin view of the preferences: %+v", got)
	}

	publishTo(t, s, "9", "ANSWER_REGISTERED", "a-1", `,"phoneNumber":"+821011112222"`)
	publishTo(t, s, "9", "DELIVERY_STARTED", "d-1", `,"phoneNumber":"+821011112222"`)
	apptest.Eventually(t, "the other type's SMS sent", func() bool { return len(g.to("d-1")) == 1 })
	if status, reason := smsStatus(t, s, "a-1"); status != "skipped" || reason != "opted_out" || len(g.to("a-1")) != 0 {
		t.Fatalf("opted-out SMS: %s %s, sent %v", status, reason, g.to("a-1"))
	}

	// The admin twin turns every SMS off.
	if r := do(t, "PUT", s.URL+"/v1/users/9/preferences", []byte(`{"channels":{"sms":false}}`)); r.Status != http.StatusOK {
		t.Fatalf("admin PUT: %d %s", r.Status, r.Body)
	}
	publishTo(t, s, "9", "DELIVERY_STARTED", "d-2", `,"phoneNumber":"+821011112222"`)
	if status, reason := smsStatus(t, s, "d-2"); status != "skipped" || reason != "opted_out" {
		t.Fatalf("after the admin turned SMS off: %s %s", status, reason)
	}
}

// A user's own quiet hours, ending three seconds after the event in their zone: the SMS
// is scheduled, then goes out once the window closes.
func TestQuietHoursEndToEnd(t *testing.T) {
	g := newGateway(t)
	s := startApp(t, app.Config{SMSProvider: "webhook", SMSWebhookURL: g.URL})
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	do(t, "PUT", s.URL+"/v1/users/11", []byte(`{"timeZone":"America/New_York","phoneNumber":"+12125551234"}`))
	now := time.Now().In(ny)
	window := fmt.Sprintf(`{"quietHours":{"start":%q,"end":%q}}`, now.Add(-time.Minute).Format("15:04:05"), now.Add(3*time.Second).Format("15:04:05"))
	if r := do(t, "PUT", s.URL+"/v1/preferences", []byte(window), "X-User-Id", "11"); r.Status != http.StatusOK {
		t.Fatalf("PUT %s: %d %s", window, r.Status, r.Body)
	}
	publishTo(t, s, "11", "DELIVERY_STARTED", "q-1", "")
	if status, _ := smsStatus(t, s, "q-1"); status != "scheduled" {
		t.Fatalf("inside quiet hours: %s, want scheduled", status)
	}
	apptest.Eventually(t, "the SMS sent when the window closed", func() bool { status, _ := smsStatus(t, s, "q-1"); return status == "sent" })
	end := now.Add(3 * time.Second).Truncate(time.Second)
	g.mu.Lock()
	at := g.sent[0].at
	g.mu.Unlock()
	if at.Before(end) {
		t.Fatalf("sent at %s, before the window closed at %s", at, end)
	}
}

// ANSWER_REGISTERED escalates its SMS after 2 s: the notification read in time never
// costs an SMS (read on its own, or with read-all); the unread one is sent.
func TestEscalatedSMSSkippedWhenRead(t *testing.T) {
	g := newGateway(t)
	cfg := filepath.Join(t.TempDir(), "types.yaml")
	writeFile(t, cfg, "types:\n  ANSWER_REGISTERED:\n    escalate: {sms: 2s}\n")
	s := startApp(t, app.Config{SMSProvider: "webhook", SMSWebhookURL: g.URL, ConfigFile: cfg})
	phone := `,"phoneNumber":"+821011112222"`
	publishTo(t, s, "21", "ANSWER_REGISTERED", "e-read", phone)
	publishTo(t, s, "22", "ANSWER_REGISTERED", "e-readall", phone)
	publishTo(t, s, "23", "ANSWER_REGISTERED", "e-unread", phone)
	for _, id := range []string{"e-read", "e-readall", "e-unread"} {
		if status, _ := smsStatus(t, s, id); status != "scheduled" {
			t.Fatalf("%s: %s, want scheduled", id, status)
		}
	}
	var list struct{ Notifications []view }
	do(t, "GET", s.URL+"/v1/notifications", nil, "X-User-Id", "21").decode(t, &list)
	if r := do(t, "POST", s.URL+"/v1/notifications/"+itoa(list.Notifications[0].ID)+"/read", nil, "X-User-Id", "21"); r.Status != http.StatusNoContent {
		t.Fatalf("read: %d %s", r.Status, r.Body)
	}
	if r := do(t, "POST", s.URL+"/v1/notifications/read-all", nil, "X-User-Id", "22"); r.Status != http.StatusOK {
		t.Fatalf("read-all: %d %s", r.Status, r.Body)
	}
	apptest.Eventually(t, "the unread one's SMS sent", func() bool { return len(g.to("e-unread")) == 1 })
	for _, id := range []string{"e-read", "e-readall"} {
		if status, reason := smsStatus(t, s, id); status != "skipped" || reason != "read_before_escalation" || len(g.to(id)) != 0 {
			t.Errorf("%s: %s %s, sent %v", id, status, reason, g.to(id))
		}
	}
}

// Two replicas on one MariaDB: the read lands on B, the escalated SMS was accepted on A.
// Whichever replica's worker comes to it, it is skipped; the unread one goes out once.
func TestEscalationAcrossReplicas(t *testing.T) {
	g := newGateway(t)
	db := testenv.MySQLURL(t)
	cfg := filepath.Join(t.TempDir(), "types.yaml")
	writeFile(t, cfg, "types:\n  ANSWER_REGISTERED:\n    escalate: {sms: 2s}\n")
	a := startApp(t, app.Config{DatabaseURL: db, SMSProvider: "webhook", SMSWebhookURL: g.URL, ConfigFile: cfg})
	b := startApp(t, app.Config{DatabaseURL: db, SMSProvider: "webhook", SMSWebhookURL: g.URL, ConfigFile: cfg})
	phone := `,"phoneNumber":"+821011112222"`
	publishTo(t, a, "41", "ANSWER_REGISTERED", "r-read", phone)
	publishTo(t, a, "42", "ANSWER_REGISTERED", "r-unread", phone)
	if r := do(t, "POST", b.URL+"/v1/notifications/read-all", nil, "X-User-Id", "41"); r.Status != http.StatusOK {
		t.Fatalf("read-all on B: %d %s", r.Status, r.Body)
	}
	apptest.Eventually(t, "the unread one's SMS sent", func() bool { return len(g.to("r-unread")) == 1 })
	// Due no later than the unread one: by now it is skipped, or would be sent or sending.
	apptest.Eventually(t, "the read one's SMS settled", func() bool {
		status, _ := smsStatus(t, a, "r-read")
		return status != "scheduled" && status != "pending" && status != "sending"
	})
	if status, reason := smsStatus(t, a, "r-read"); status != "skipped" || reason != "read_before_escalation" || len(g.to("r-read")) != 0 {
		t.Fatalf("read on B: %s %s on A, sent %v", status, reason, g.to("r-read"))
	}
}
