package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
	"github.com/notifyd/notifyd/internal/store"
)

// recipientTests are the tests of profiles, preferences, the delivery decision, quiet
// hours, escalation and erasure.
var recipientTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"ProfilesAndPreferences", testProfiles},
	{"DecisionRecordedAtAccept", testDecision},
	{"QuietHoursScheduleUntilWindowEnd", testQuietHours},
	{"ReadSkipsEscalation", testEscalation},
	{"EraseUser", testErase},
	{"MergePreferences", testMergePreferences},
	{"AdConsent", testAdConsent},
}

// Recipient is a target of type typ with the given phone and email on channels.
func Recipient(user, phone, email string, channels ...notify.Channel) notify.Target {
	return notify.Target{Recipient: notify.Recipient{UserID: user, Role: notify.RoleCustomer, Phone: phone, Email: email}, Channels: channels}
}

// TypedInput builds an AcceptInput of event type t (its rules apply) for targets.
func TypedInput(key string, t *notify.EventType, targets ...notify.Target) store.AcceptInput {
	ev := notify.Event{Type: t.Name, Message: "문의에 답변이 등록되었습니다.", EventID: key}
	for _, tg := range targets {
		ev.Recipients = append(ev.Recipients, tg.Recipient)
	}
	return store.AcceptInput{Key: key, PayloadHash: "h-" + key, Source: "test", Prepared: &notify.Prepared{Event: ev, Targets: targets, Type: t},
		Defaults: prefs.Defaults{Zone: time.UTC}}
}

func ptr[T any](v T) *T { return &v }

func testProfiles(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.GetProfile(ctx, "u1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetProfile of nobody: %v, want ErrNotFound", err)
	}
	p, err := s.UpdateProfile(ctx, "u1", store.ProfilePatch{PhoneNumber: ptr("+821012345678"), TimeZone: ptr("Asia/Seoul")}, time.Now())
	if err != nil || p.PhoneNumber != "+821012345678" || p.TimeZone != "Asia/Seoul" || p.Email != "" {
		t.Fatalf("UpdateProfile = %+v, %v", p, err)
	}
	p, err = s.UpdateProfile(ctx, "u1", store.ProfilePatch{Email: ptr("b@example.com"), PhoneNumber: ptr("")}, time.Now())
	if err != nil || p.PhoneNumber != "" || p.Email != "b@example.com" || p.TimeZone != "Asia/Seoul" {
		t.Fatalf("second UpdateProfile = %+v, %v (a patch keeps what it does not name)", p, err)
	}
	if got, err := s.GetProfile(ctx, "u1"); err != nil || got != p {
		t.Fatalf("GetProfile = %+v, %v; want %+v", got, err, p)
	}
	if _, found, err := s.GetPreferences(ctx, "u1"); found || err != nil {
		t.Fatalf("GetPreferences of a user without any: found=%v, %v", found, err)
	}
	w, _ := prefs.ParseWindow("22:00-07:00")
	want := prefs.Preferences{Channels: map[notify.Channel]bool{"sms": false}, Types: map[string]map[notify.Channel]bool{"QUESTION_REGISTERED": {"email": false}}, QuietHours: w}
	for range 2 { // the second write replaces the first with the same document
		if err := s.PutPreferences(ctx, "u1", want, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	got, found, err := s.GetPreferences(ctx, "u1")
	if err != nil || !found || got.Channels["sms"] || len(got.Channels) != 1 || got.Types["QUESTION_REGISTERED"]["email"] || got.QuietHours == nil || *got.QuietHours != *w {
		t.Fatalf("GetPreferences = %+v, %v, %v", got, found, err)
	}
	if err := s.PutPreferences(ctx, "u1", prefs.Preferences{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.GetPreferences(ctx, "u1"); got.QuietHours != nil || len(got.Channels) != 0 {
		t.Fatalf("replaced preferences = %+v", got)
	}
}

// deliveriesOf returns the deliveries of an event by user and channel.
func deliveriesOf(t *testing.T, s store.Store, key string) map[string]map[notify.Channel]notify.Delivery {
	t.Helper()
	st, err := s.EventStatus(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[notify.Channel]notify.Delivery{}
	for _, r := range st.Recipients {
		out[r.UserID] = map[notify.Channel]notify.Delivery{}
		for _, d := range r.Deliveries {
			out[r.UserID][d.Channel] = d
		}
	}
	return out
}

func testDecision(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	if err := s.PutPreferences(ctx, "off", prefs.Preferences{Channels: map[notify.Channel]bool{"sms": false}}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPreferences(ctx, "typeoff", prefs.Preferences{Types: map[string]map[notify.Channel]bool{"ANSWER_REGISTERED": {"sms": false}}}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateProfile(ctx, "profiled", store.ProfilePatch{PhoneNumber: ptr("+821099998888"), Email: ptr("p@example.com")}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateProfile(ctx, "both", store.ProfilePatch{PhoneNumber: ptr("+821099998888")}, now); err != nil {
		t.Fatal(err)
	}
	answer := &notify.EventType{Name: "ANSWER_REGISTERED"}
	payment := &notify.EventType{Name: "PAYMENT_FAILED", Required: true}
	sms, email := notify.ChannelSMS, notify.ChannelEmail
	accept(t, s,
		TypedInput("d1", answer,
			Recipient("off", "+821011112222", "", notify.ChannelInbox, sms),
			Recipient("typeoff", "+821011112222", "", notify.ChannelInbox, sms),
			Recipient("nophone", "", "", notify.ChannelInbox, sms, email),
			Recipient("profiled", "", "", notify.ChannelInbox, sms, email),
			Recipient("both", "+821011112222", "", notify.ChannelInbox, sms)),
		TypedInput("d2", payment, Recipient("off", "+821011112222", "", notify.ChannelInbox, sms)))

	got := deliveriesOf(t, s, "d1")
	for _, c := range []struct {
		user    string
		channel notify.Channel
		status  notify.DeliveryStatus
		reason  string
	}{
		{"off", sms, notify.StatusSkipped, prefs.ReasonOptedOut},
		{"typeoff", sms, notify.StatusSkipped, prefs.ReasonOptedOut},
		{"nophone", sms, notify.StatusSkipped, prefs.ReasonNoPhone},
		{"nophone", email, notify.StatusSkipped, prefs.ReasonNoEmail},
		{"profiled", sms, notify.StatusPending, ""},
		{"profiled", email, notify.StatusPending, ""},
		{"both", sms, notify.StatusPending, ""},
	} {
		d := got[c.user][c.channel]
		if d.Status != c.status || d.Reason != c.reason {
			t.Errorf("%s %s: %s %q, want %s %q", c.user, c.channel, d.Status, d.Reason, c.status, c.reason)
		}
	}
	if d := deliveriesOf(t, s, "d2")["off"][sms]; d.Status != notify.StatusPending {
		t.Errorf("a required type for a user who turned SMS off: %s %q, want pending", d.Status, d.Reason)
	}
	claimed, err := s.ClaimDeliveries(ctx, sms, time.Now().Add(time.Second), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	to := map[string]string{}
	for _, m := range claimed {
		to[m.UserID+"/"+m.EventID] = m.To
	}
	want := map[string]string{"profiled/d1": "+821099998888", "both/d1": "+821011112222", "off/d2": "+821011112222"}
	if len(to) != len(want) {
		t.Fatalf("claimed %v, want %v", to, want)
	}
	for k, v := range want {
		if to[k] != v {
			t.Errorf("%s went to %q, want %q (the event's contact wins over the profile's)", k, to[k], v)
		}
	}
}

func testQuietHours(t *testing.T, s store.Store) {
	ctx := context.Background()
	// A window around now in the user's zone, ending in an hour: every clock works.
	loc, _ := prefs.LoadZone("America/New_York")
	now := time.Now().In(loc)
	start := now.Add(-time.Hour).Truncate(time.Minute)
	end := now.Add(time.Hour).Truncate(time.Minute)
	w, err := prefs.ParseWindow(start.Format("15:04") + "-" + end.Format("15:04"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateProfile(ctx, "night", store.ProfilePatch{TimeZone: ptr("America/New_York")}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPreferences(ctx, "night", prefs.Preferences{QuietHours: w}, now); err != nil {
		t.Fatal(err)
	}
	typ := &notify.EventType{Name: "DELIVERY_STARTED"}
	accept(t, s, TypedInput("q1", typ, Recipient("night", "+821011112222", "", notify.ChannelInbox, notify.ChannelSMS),
		Recipient("day", "+821033334444", "", notify.ChannelInbox, notify.ChannelSMS)))
	got := deliveriesOf(t, s, "q1")
	d := got["night"][notify.ChannelSMS]
	if d.Status != notify.StatusScheduled || d.NextAttemptAt == nil || !d.NextAttemptAt.Equal(end) {
		t.Fatalf("inside quiet hours: %s at %v, want scheduled at %s", d.Status, d.NextAttemptAt, end)
	}
	if d := got["day"][notify.ChannelSMS]; d.Status != notify.StatusPending {
		t.Fatalf("a user without quiet hours: %s, want pending", d.Status)
	}
	claimed, err := s.ClaimDeliveries(ctx, notify.ChannelSMS, time.Now().Add(time.Second), 3*time.Hour, 10)
	if err != nil || len(claimed) != 1 || claimed[0].UserID != "day" {
		t.Fatalf("claim now = %+v, %v; want only the user without quiet hours", claimed, err)
	}
	claimed, err = s.ClaimDeliveries(ctx, notify.ChannelSMS, end, time.Minute, 10)
	if err != nil || len(claimed) != 1 || claimed[0].UserID != "night" {
		t.Fatalf("claim at the window's end = %+v, %v; want the scheduled one", claimed, err)
	}
}

func testEscalation(t *testing.T, s store.Store) {
	ctx := context.Background()
	typ := &notify.EventType{Name: "ANSWER_REGISTERED", Escalate: map[notify.Channel]time.Duration{notify.ChannelSMS: 5 * time.Minute}}
	res := accept(t, s,
		TypedInput("x1", typ, Recipient("u", "+821011112222", "", notify.ChannelInbox, notify.ChannelSMS)),
		TypedInput("x2", typ, Recipient("u", "+821011112222", "", notify.ChannelInbox, notify.ChannelSMS)),
		TypedInput("x3", typ, Recipient("u", "+821011112222", "", notify.ChannelInbox, notify.ChannelSMS)),
		TypedInput("x4", typ, Recipient("v", "+821011112222", "", notify.ChannelInbox, notify.ChannelSMS)))
	created := res[0].Notifications[0].CreatedAt
	d := deliveriesOf(t, s, "x1")["u"][notify.ChannelSMS]
	if d.Status != notify.StatusScheduled || d.NextAttemptAt == nil || !d.NextAttemptAt.Equal(created.Add(5*time.Minute)) {
		t.Fatalf("escalated SMS: %s at %v, want scheduled at %s", d.Status, d.NextAttemptAt, created.Add(5*time.Minute))
	}
	if err := s.MarkRead(ctx, "u", res[0].Notifications[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if d := deliveriesOf(t, s, "x1")["u"][notify.ChannelSMS]; d.Status != notify.StatusSkipped || d.Reason != prefs.ReasonReadInTime {
		t.Fatalf("after the read: %s %q, want skipped %s", d.Status, d.Reason, prefs.ReasonReadInTime)
	}
	// x3 becomes due and is claimed; reading it afterwards changes nothing.
	due := created.Add(5*time.Minute + time.Second)
	claimed, err := s.ClaimDeliveries(ctx, notify.ChannelSMS, due, time.Minute, 1)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim = %+v, %v", claimed, err)
	}
	if _, err := s.MarkAllRead(ctx, "u", time.Now()); err != nil {
		t.Fatal(err)
	}
	statuses := map[notify.DeliveryStatus]int{}
	for _, key := range []string{"x2", "x3"} {
		statuses[deliveriesOf(t, s, key)["u"][notify.ChannelSMS].Status]++
	}
	if statuses[notify.StatusSkipped] != 1 || statuses[notify.StatusSending] != 1 {
		t.Fatalf("after read-all: %v, want the claimed one sending and the other skipped", statuses)
	}
	// v never read: it goes out once due, and not before.
	if early, _ := s.ClaimDeliveries(ctx, notify.ChannelSMS, created.Add(time.Minute), time.Minute, 10); len(early) != 0 {
		t.Fatalf("claimed %+v before the escalation delay", early)
	}
	claimed, err = s.ClaimDeliveries(ctx, notify.ChannelSMS, due, time.Minute, 10)
	if err != nil || len(claimed) != 1 || claimed[0].UserID != "v" {
		t.Fatalf("claim for the unread = %+v, %v", claimed, err)
	}
}

func testErase(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	if _, err := s.UpdateProfile(ctx, "gone", store.ProfilePatch{PhoneNumber: ptr("+821011112222")}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPreferences(ctx, "gone", prefs.Preferences{Channels: map[notify.Channel]bool{"email": false}}, now); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []store.PushSubscription{
		{UserID: "gone", Endpoint: "https://push.example/gone", P256dh: "k1", Auth: "a1"},
		{UserID: "stays", Endpoint: "https://push.example/stays", P256dh: "k2", Auth: "a2"},
	} {
		if err := s.SavePushSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	accept(t, s, Input("r1", "gone", "stays"), Input("r2", "gone"), Input("r3", "gone"))
	e, err := s.EraseUser(ctx, "gone")
	if err != nil {
		t.Fatal(err)
	}
	if e != (store.Erased{Profile: true, Preferences: true, Notifications: 3, Deliveries: 3, Subscriptions: 1}) {
		t.Errorf("erased %+v", e)
	}
	if subs, _ := s.PushSubscriptions(ctx, "gone"); len(subs) != 0 {
		t.Errorf("push subscriptions left: %+v", subs)
	}
	if subs, _ := s.PushSubscriptions(ctx, "stays"); len(subs) != 1 {
		t.Errorf("the other user's subscriptions: %+v", subs)
	}
	if ns, _ := s.ListNotifications(ctx, "gone", 0, 10); len(ns) != 0 {
		t.Errorf("notifications left: %+v", ns)
	}
	if seqs, _ := s.LastSeqs(ctx, []string{"gone", "stays"}); len(seqs) != 1 || seqs["stays"] != 1 {
		t.Errorf("sequences after erasure: %v", seqs)
	}
	if _, err := s.GetProfile(ctx, "gone"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("profile after erasure: %v", err)
	}
	if _, found, _ := s.GetPreferences(ctx, "gone"); found {
		t.Error("preferences after erasure")
	}
	claimed, err := s.ClaimDeliveries(ctx, notify.ChannelSMS, time.Now().Add(time.Second), time.Minute, 10)
	if err != nil || len(claimed) != 1 || claimed[0].UserID != "stays" {
		t.Fatalf("claim after erasure = %+v, %v; want only the other recipient's SMS", claimed, err)
	}
	st, err := s.EventStatus(ctx, "r1")
	if err != nil || len(st.Recipients) != 1 || st.Recipients[0].UserID != "stays" {
		t.Fatalf("event status after erasure = %+v, %v", st, err)
	}
	if ev, err := notify.DecodeEvent(st.Payload); err != nil || len(ev.Recipients) != 1 || ev.Recipients[0].UserID != "stays" {
		t.Fatalf("the kept payload still names the erased user: %s (%v)", st.Payload, err)
	}
	// The producer retrying an event of the erased user is still a duplicate.
	if res := accept(t, s, Input("r1", "gone", "stays")); !res[0].Duplicate {
		t.Fatalf("retry of a scrubbed event: %+v", res[0])
	}
	// A user who comes back starts a new sequence.
	res := accept(t, s, Input("r4", "gone"))
	if res[0].Notifications[0].Seq != 1 {
		t.Errorf("seq after erasure = %d, want 1", res[0].Notifications[0].Seq)
	}
	if e, err := s.EraseUser(ctx, "nobody"); err != nil || e != (store.Erased{}) {
		t.Errorf("erasing nobody = %+v, %v", e, err)
	}
}
