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

// timingTests are the scheduled-send, cancel and collapse cases of Run.
var timingTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"ScheduledTakesSeqAtRelease", testScheduledRelease},
	{"SendAtInThePastIsImmediate", testSendAtPast},
	{"CancelScheduledAndUnsent", testCancel},
	{"CollapseKeyReplaces", testCollapse},
	{"DigestOneNotificationPerWindow", testDigest},
	{"ReleaseDecidesDeliveriesAndEraseDropsWaiting", testReleaseDecidesAndErase},
}

// ScheduledInput is Input with a sendAt.
func ScheduledInput(key string, at time.Time, users ...string) store.AcceptInput {
	in := Input(key, users...)
	in.Prepared.Event.SendAt = &at
	return in
}

// CollapseInput is Input with a collapse key.
func CollapseInput(key, collapseKey string, users ...string) store.AcceptInput {
	in := Input(key, users...)
	in.Prepared.Event.CollapseKey = collapseKey
	return in
}

// DigestInput is Input for a digest type: window w, rendered key dkey.
func DigestInput(key, dkey string, w time.Duration, users ...string) store.AcceptInput {
	in := Input(key, users...)
	in.Prepared.Event.Type = "QUESTION_REGISTERED"
	in.Prepared.Event.Data = []byte(`{"storeId":"` + dkey + `"}`)
	in.Prepared.Digest = &notify.DigestOf{Window: w, Key: dkey, Message: "새 문의 {{.count}}건이 등록되었습니다."}
	return in
}

func release(t *testing.T, s store.Store, at time.Time) []notify.Notification {
	t.Helper()
	var all []notify.Notification
	for {
		out, more, err := s.ReleaseDue(context.Background(), at, 100, store.Decide{})
		if err != nil {
			t.Fatalf("ReleaseDue: %v", err)
		}
		all = append(all, out...)
		if !more {
			return all
		}
	}
}

func seqs(ns []notify.Notification) []int64 {
	out := make([]int64, len(ns))
	for i, n := range ns {
		out[i] = n.Seq
	}
	return out
}

func testScheduledRelease(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	at := now.Add(time.Hour)
	res := accept(t, s, Input("now-1", "u1"), ScheduledInput("later", at, "u1", "u2"), Input("now-2", "u1"))
	if len(res[1].Notifications) != 0 || len(res[1].Scheduled) != 2 || res[1].Scheduled[0].Status != store.PendingWaiting {
		t.Fatalf("scheduled result = %+v, want 2 pending rows and no notification", res[1])
	}
	if got := res[2].Notifications[0].Seq; got != 2 {
		t.Errorf("the immediate event after a scheduled one has seq %d, want 2 (no seq taken early)", got)
	}
	if early := release(t, s, now); len(early) != 0 {
		t.Fatalf("released %d before their time", len(early))
	}
	if list, _ := s.ListNotifications(ctx, "u2", 0, 10); len(list) != 0 {
		t.Fatalf("u2 sees %d notifications before sendAt", len(list))
	}
	out := release(t, s, at)
	if len(out) != 2 {
		t.Fatalf("released %d, want 2", len(out))
	}
	for _, n := range out {
		want := int64(1)
		if n.UserID == "u1" {
			want = 3
		}
		if n.Seq != want || n.EventID != "later" || n.ID == 0 {
			t.Errorf("released %+v, want seq %d of event later", n, want)
		}
	}
	if again := release(t, s, at.Add(time.Hour)); len(again) != 0 {
		t.Fatalf("released %d twice", len(again))
	}
	after, err := s.NotificationsAfter(ctx, "u1", 0, 10)
	if err != nil || len(after) != 3 || after[2].EventID != "later" {
		t.Fatalf("u1's replay = %+v, %v; want 3 ending with the released one", after, err)
	}
	st, err := s.EventStatus(ctx, "later")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Recipients) != 2 || len(st.Recipients[0].Deliveries) != 1 || st.Recipients[0].Deliveries[0].Status != notify.StatusPending {
		t.Fatalf("status after release = %+v, want 2 notifications each with a pending sms", st.Recipients)
	}
	if len(st.Scheduled) != 2 || st.Scheduled[0].Status != store.PendingReleased || st.Scheduled[0].NotificationID == 0 {
		t.Fatalf("scheduled rows after release = %+v, want released with their notification", st.Scheduled)
	}
	dup := accept(t, s, ScheduledInput("later", at, "u1", "u2"))
	if !dup[0].Duplicate || len(dup[0].Notifications) != 2 || len(dup[0].Scheduled) != 2 {
		t.Fatalf("replay after release = %+v, want the 2 released notifications", dup[0])
	}
	claimed, err := s.ClaimDeliveries(ctx, notify.ChannelSMS, at, time.Minute, 10)
	if err != nil || len(claimed) != 4 {
		t.Fatalf("claimed %d SMS, %v; want 4 (2 immediate, 2 released)", len(claimed), err)
	}
}

func testSendAtPast(t *testing.T, s store.Store) {
	res := accept(t, s, ScheduledInput("past", time.Now().Add(-time.Minute), "u1"))
	if len(res[0].Notifications) != 1 || len(res[0].Scheduled) != 0 {
		t.Fatalf("past sendAt = %+v, want visible at once", res[0])
	}
}

func testCancel(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	at := now.Add(time.Hour)
	accept(t, s, ScheduledInput("sched", at, "u1", "u2"), Input("sent", "u1"))
	c, err := s.CancelEvent(ctx, "sched", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Cancelled.Notifications) != 2 || len(c.GoneOut.Notifications) != 0 {
		t.Fatalf("cancel of a scheduled event = %+v, want 2 cancelled, nothing out", c)
	}
	if out := release(t, s, at); len(out) != 0 {
		t.Fatalf("released %d cancelled notifications", len(out))
	}
	again, err := s.CancelEvent(ctx, "sched", now)
	if err != nil || len(again.Cancelled.Notifications) != 2 {
		t.Fatalf("second cancel = %+v, %v; want the same answer", again, err)
	}

	// Visible already: the notification stays, its unsent SMS is cancelled.
	c, err = s.CancelEvent(ctx, "sent", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.GoneOut.Notifications) != 1 || len(c.Cancelled.Deliveries) != 1 || c.Cancelled.Deliveries[0].Status != notify.StatusCancelled {
		t.Fatalf("cancel of a visible event = %+v, want it out and its sms cancelled", c)
	}
	if got, _ := s.ClaimDeliveries(ctx, notify.ChannelSMS, now.Add(time.Hour), time.Minute, 10); len(got) != 0 {
		t.Fatalf("claimed %d cancelled deliveries", len(got))
	}

	// Sent already: reported as gone out.
	accept(t, s, Input("texted", "u3"))
	got, err := s.ClaimDeliveries(ctx, notify.ChannelSMS, now.Add(time.Hour), time.Minute, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("claim: %d, %v", len(got), err)
	}
	if err := s.CompleteDelivery(ctx, got[0].DeliveryID, got[0].Attempt, store.Outcome{Status: notify.StatusSent}); err != nil {
		t.Fatal(err)
	}
	c, err = s.CancelEvent(ctx, "texted", now)
	if err != nil || len(c.Cancelled.Deliveries) != 0 || len(c.GoneOut.Deliveries) != 1 || c.GoneOut.Deliveries[0].Status != notify.StatusSent {
		t.Fatalf("cancel after the SMS went out = %+v, %v", c, err)
	}
	if _, err := s.CancelEvent(ctx, "nope", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("cancel of an unknown event: %v, want ErrNotFound", err)
	}
}

func testCollapse(t *testing.T, s store.Store) {
	ctx := context.Background()
	r1 := accept(t, s, CollapseInput("created", "order-1", "u1"))
	r2 := accept(t, s, Input("other", "u1"), CollapseInput("started", "order-1", "u1"), CollapseInput("done", "order-1", "u1"))
	first := r1[0].Notifications[0]
	started, done := r2[1].Notifications[0], r2[2].Notifications[0]
	if started.Replaces != first.ID || done.Replaces != started.ID {
		t.Fatalf("replaces = %d, %d; want %d, %d", started.Replaces, done.Replaces, first.ID, started.ID)
	}
	list, err := s.ListNotifications(ctx, "u1", 0, 10)
	if err != nil || len(list) != 2 || list[0].ID != done.ID || list[0].Replaces != started.ID {
		t.Fatalf("list = %+v, %v; want done and other only", list, err)
	}
	if n, _ := s.UnreadCount(ctx, "u1"); n != 2 {
		t.Errorf("unread = %d, want 2 (replaced ones skipped)", n)
	}
	replay, _ := s.NotificationsAfter(ctx, "u1", 0, 10)
	if len(replay) != 4 || replay[0].ReplacedBy != started.ID || replay[2].ReplacedBy != done.ID || replay[3].ReplacedBy != 0 {
		t.Errorf("replay = %+v, want all 4 seqs, the replaced ones marked", replay)
	}
	// What the replaced ones had not sent is cancelled; the newest one's SMS waits.
	for key, want := range map[string]notify.DeliveryStatus{"created": notify.StatusCancelled, "started": notify.StatusCancelled, "done": notify.StatusPending} {
		d := deliveriesOf(t, s, key)["u1"][notify.ChannelSMS]
		if d.Status != want || (want == notify.StatusCancelled && d.Reason != notify.ReasonReplaced) {
			t.Errorf("%s: SMS %s (%q), want %s", key, d.Status, d.Reason, want)
		}
	}
	// Another user's key of the same name is theirs alone.
	r3 := accept(t, s, CollapseInput("u2-created", "order-1", "u2"))
	if r3[0].Notifications[0].Replaces != 0 {
		t.Errorf("u2's first notification replaces %d", r3[0].Notifications[0].Replaces)
	}
	// A scheduled notification replaces at release.
	at := time.Now().Add(time.Hour)
	in := CollapseInput("delivered", "order-1", "u1")
	in.Prepared.Event.SendAt = &at
	accept(t, s, in)
	out := release(t, s, at)
	if len(out) != 1 || out[0].Replaces != done.ID {
		t.Fatalf("released %+v, want it to replace %d", out, done.ID)
	}
	if d := deliveriesOf(t, s, "done")["u1"][notify.ChannelSMS]; d.Status != notify.StatusCancelled || d.Reason != notify.ReasonReplaced {
		t.Errorf("done's SMS after the release replaced it: %s (%q), want cancelled (replaced)", d.Status, d.Reason)
	}
	// A delivery already sent stays sent when its notification is replaced.
	accept(t, s, CollapseInput("paid", "order-2", "u3"))
	msgs, err := s.ClaimDeliveries(ctx, notify.ChannelSMS, time.Now(), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.EventID == "paid" {
			if err := s.CompleteDelivery(ctx, m.DeliveryID, m.Attempt, store.Outcome{Status: notify.StatusSent}); err != nil {
				t.Fatal(err)
			}
		}
	}
	accept(t, s, CollapseInput("refunded", "order-2", "u3"))
	if d := deliveriesOf(t, s, "paid")["u3"][notify.ChannelSMS]; d.Status != notify.StatusSent {
		t.Errorf("a sent SMS of a replaced notification: %s, want sent", d.Status)
	}
}

func testDigest(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	w := 10 * time.Minute
	res := accept(t, s, DigestInput("q1", "store-1", w, "owner"), DigestInput("q2", "store-1", w, "owner"), DigestInput("q3", "store-2", w, "owner"))
	for _, r := range res {
		if len(r.Notifications) != 0 || len(r.Scheduled) != 1 || !r.Scheduled[0].Digest {
			t.Fatalf("digest accept = %+v, want one digested row", r)
		}
	}
	if res[0].Scheduled[0].DueAt != res[1].Scheduled[0].DueAt {
		t.Errorf("one window, two due times: %v, %v", res[0].Scheduled[0].DueAt, res[1].Scheduled[0].DueAt)
	}
	dup := accept(t, s, DigestInput("q1", "store-1", w, "owner"), DigestInput("q4", "store-1", w, "owner"), DigestInput("q5", "store-1", w, "owner"))
	if !dup[0].Duplicate {
		t.Fatalf("redelivered q1 not a duplicate: %+v", dup[0])
	}
	if _, err := s.CancelEvent(ctx, "q5", now); err != nil {
		t.Fatal(err)
	}
	if early := release(t, s, now); len(early) != 0 {
		t.Fatalf("released %d before the window's end", len(early))
	}
	out := release(t, s, now.Add(w+time.Second))
	if len(out) != 2 {
		t.Fatalf("released %d, want 2 (one per key)", len(out))
	}
	var d1 notify.Notification
	for _, n := range out {
		if n.EventID == "q1" {
			d1 = n
		}
	}
	if d1.Message != "새 문의 3건이 등록되었습니다." || string(d1.Data) != `{"count":3,"eventIds":["q1","q2","q4"]}` {
		t.Fatalf("digest = %q %s, want 3 events q1 q2 q4", d1.Message, d1.Data)
	}
	if d1.Seq < 1 || d1.Seq > 2 {
		t.Errorf("digest seq = %d", d1.Seq)
	}
	// The window is closed: the next event opens a new one.
	next := accept(t, s, DigestInput("q6", "store-1", w, "owner"))
	if !next[0].Scheduled[0].DueAt.After(now.Add(w)) {
		t.Errorf("after the close a new window is due %v", next[0].Scheduled[0].DueAt)
	}
	st, err := s.EventStatus(ctx, "q2")
	if err != nil || len(st.Scheduled) != 1 || st.Scheduled[0].NotificationID != d1.ID {
		t.Fatalf("q2's status = %+v, %v; want released into %d", st, err, d1.ID)
	}
	list, _ := s.ListNotifications(ctx, "owner", 0, 10)
	if len(list) != 2 || string(list[0].Data) == "" {
		t.Errorf("owner's list = %+v", list)
	}
}

// A released notification's deliveries go through the same decision as an accepted one's
// (here: the user opted out of SMS after the event was accepted), and an erased user's
// waiting notifications never show.
func testReleaseDecidesAndErase(t *testing.T, s store.Store) {
	ctx := context.Background()
	at := time.Now().Add(time.Hour)
	accept(t, s, ScheduledInput("later", at, "u1"), ScheduledInput("gone", at, "u2"), DigestInput("q1", "store-1", time.Minute, "u2"))
	if err := s.PutPreferences(ctx, "u1", prefs.Preferences{Channels: map[notify.Channel]bool{notify.ChannelSMS: false}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseUser(ctx, "u2"); err != nil {
		t.Fatal(err)
	}
	out := release(t, s, at)
	if len(out) != 1 || out[0].UserID != "u1" {
		t.Fatalf("released %+v, want only u1's (u2 was erased)", out)
	}
	st, err := s.EventStatus(ctx, "later")
	if err != nil {
		t.Fatal(err)
	}
	if d := st.Recipients[0].Deliveries; len(d) != 1 || d[0].Status != notify.StatusSkipped || d[0].Reason != notify.ReasonOptedOut {
		t.Fatalf("released sms = %+v, want skipped opted_out", d)
	}
}
