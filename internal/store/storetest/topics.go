package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// topicTests are the topic subscription and fan-out cases of Run.
var topicTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"TopicSubscriptions", testSubscriptions},
	{"TopicFanOutPages", testTopicFanOut},
	{"TopicLeaseFencesPages", testTopicLease},
	{"TopicNoSubscribersAndCancel", testTopicEmptyAndCancel},
	{"ThrottleDropsOverLimit", testThrottle},
}

// TopicInput is an event to topic for customers (inbox and SMS).
func TopicInput(key, topic string) store.AcceptInput {
	ev := notify.Event{Type: "RESTOCKED", Message: "다시 입고되었습니다.", URL: "https://shop/p/1", EventID: key, Topic: topic, TopicRole: notify.RoleCustomer}
	p := &notify.Prepared{Event: ev, Topic: &notify.Target{Recipient: notify.Recipient{Role: notify.RoleCustomer}, Channels: []notify.Channel{notify.ChannelInbox, notify.ChannelSMS}}}
	return store.AcceptInput{Key: key, PayloadHash: "h-" + key, Source: "test", Prepared: p}
}

// ThrottledInput is Input for a type throttled to limit per window and key.
func ThrottledInput(key, tkey string, limit int, w time.Duration, users ...string) store.AcceptInput {
	in := Input(key, users...)
	in.Prepared.Throttle = &notify.ThrottleOf{Limit: limit, Window: w, Key: tkey}
	return in
}

func subscribe(t *testing.T, s store.Store, topic, user string, once bool, at time.Time) bool {
	t.Helper()
	created, err := s.Subscribe(context.Background(), store.Subscription{Topic: topic, UserID: user, Once: once, SubscribedAt: at}, store.MaxTopicsPerUser)
	if err != nil {
		t.Fatalf("Subscribe(%s, %s): %v", topic, user, err)
	}
	return created
}

// DrainTopic claims and works topic jobs on s, page pages at a time, until none is left;
// it returns the notifications the pages wrote.
func DrainTopic(t *testing.T, s store.Store, page int) []notify.Notification {
	t.Helper()
	ctx := context.Background()
	var out []notify.Notification
	for {
		job, err := s.ClaimTopicJob(ctx, time.Now(), time.Minute)
		if err != nil {
			t.Fatalf("ClaimTopicJob: %v", err)
		}
		if job == nil {
			return out
		}
		for {
			res, err := s.FanOutPage(ctx, job, fanOutInput(page, time.Now()))
			if errors.Is(err, store.ErrLeaseLost) {
				break // another replica holds it now
			}
			if err != nil {
				t.Fatalf("FanOutPage: %v", err)
			}
			out = append(out, res.Notifications...)
			if res.Finished {
				break
			}
		}
	}
}

// nextMilli waits until the clock is a millisecond past now (subscriptions and accepts
// are ordered by their millisecond) and returns the time then.
func nextMilli() time.Time {
	start := time.Now().UnixMilli()
	for {
		if now := time.Now(); now.UnixMilli() > start {
			return now
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func fanOutInput(page int, now time.Time) store.FanOutInput {
	return store.FanOutInput{Prepared: TopicInput("x", "x").Prepared, Size: page, Now: now, Lease: time.Minute}
}

func testSubscriptions(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	if !subscribe(t, s, "restock:p-1", "u1", false, now) || subscribe(t, s, "restock:p-1", "u1", true, now) {
		t.Fatal("subscribing twice: want created, then not created")
	}
	subscribe(t, s, "restock:p-1", "u2", false, now)
	subscribe(t, s, "restock:p-2", "u1", false, now)
	mine, err := s.UserTopics(ctx, "u1")
	if err != nil || len(mine) != 2 || mine[0].Topic != "restock:p-1" || !mine[0].Once || mine[1].Topic != "restock:p-2" {
		t.Fatalf("UserTopics(u1) = %+v, %v; want p-1 (once, as the second subscribe said) and p-2", mine, err)
	}
	page, total, err := s.TopicSubscribers(ctx, "restock:p-1", "", 1)
	if err != nil || total != 2 || len(page) != 1 || page[0].UserID != "u1" {
		t.Fatalf("first page = %+v of %d, %v; want u1 of 2", page, total, err)
	}
	page, _, err = s.TopicSubscribers(ctx, "restock:p-1", "u1", 10)
	if err != nil || len(page) != 1 || page[0].UserID != "u2" {
		t.Fatalf("page after u1 = %+v, %v; want u2", page, err)
	}
	// The cap: a user at max subscriptions cannot add one, but may renew one they have.
	for i := range 3 {
		if _, err := s.Subscribe(ctx, store.Subscription{Topic: fmt.Sprintf("t%d", i), UserID: "capped"}, 3); err != nil {
			t.Fatalf("subscription %d under the cap: %v", i, err)
		}
	}
	if _, err := s.Subscribe(ctx, store.Subscription{Topic: "t3", UserID: "capped"}, 3); !errors.Is(err, store.ErrTooManyTopics) {
		t.Fatalf("4th subscription with a cap of 3: err = %v, want ErrTooManyTopics", err)
	}
	if _, err := s.Subscribe(ctx, store.Subscription{Topic: "t0", UserID: "capped", Once: true}, 3); err != nil {
		t.Fatalf("renewing a subscription at the cap: %v", err)
	}
	if ok, err := s.Unsubscribe(ctx, "restock:p-2", "u1"); err != nil || !ok {
		t.Fatalf("Unsubscribe = %v, %v", ok, err)
	}
	if ok, err := s.Unsubscribe(ctx, "restock:p-2", "u1"); err != nil || ok {
		t.Fatalf("Unsubscribe again = %v, %v; want false", ok, err)
	}
	e, err := s.EraseUser(ctx, "u1")
	if err != nil || e.Topics != 1 {
		t.Fatalf("EraseUser(u1) = %+v, %v; want 1 topic subscription erased", e, err)
	}
	if _, total, _ := s.TopicSubscribers(ctx, "restock:p-1", "", 10); total != 1 {
		t.Fatalf("after erasing u1, p-1 has %d subscribers, want 1", total)
	}
}

func testTopicFanOut(t *testing.T, s store.Store) {
	ctx := context.Background()
	before := time.Now().Add(-time.Second)
	for i := range 25 {
		subscribe(t, s, "restock:p-1", fmt.Sprintf("u%02d", i), i == 3, before)
	}
	res := accept(t, s, TopicInput("e1", "restock:p-1"))[0]
	if res.Topic == nil || res.Topic.Subscribers != 25 || len(res.Notifications) != 0 {
		t.Fatalf("accepted %+v, want a topic job of 25 subscribers and no notification yet", res)
	}
	// After the accept: a newcomer is not the event's audience; u20 leaves before its page.
	subscribe(t, s, "restock:p-1", "late", false, nextMilli())
	nextMilli()
	if _, err := s.Unsubscribe(ctx, "restock:p-1", "u20"); err != nil {
		t.Fatal(err)
	}
	accept(t, s, TopicInput("e2", "restock:p-1")) // a second event to the same topic
	got := DrainTopic(t, s, 10)
	count := map[string]map[string]int{}
	for _, n := range got {
		if count[n.EventID] == nil {
			count[n.EventID] = map[string]int{}
		}
		count[n.EventID][n.UserID]++
	}
	for i := range 25 {
		u := fmt.Sprintf("u%02d", i)
		want1, want2 := 1, 1
		if u == "u20" {
			want1, want2 = 0, 0
		}
		if u == "u03" {
			want2 = 0 // once: ended by e1
		}
		if count["e1"][u] != want1 || count["e2"][u] != want2 {
			t.Errorf("%s got e1 %d times and e2 %d times, want %d and %d", u, count["e1"][u], count["e2"][u], want1, want2)
		}
	}
	if count["e1"]["late"] != 0 || count["e2"]["late"] != 1 {
		t.Errorf("late subscriber: e1 %d, e2 %d; want 0 and 1", count["e1"]["late"], count["e2"]["late"])
	}
	seqs, err := s.LastSeqs(ctx, []string{"u00", "u03"})
	if err != nil || seqs["u00"] != 2 || seqs["u03"] != 1 {
		t.Fatalf("last seqs = %v, %v; want u00 at 2, u03 at 1", seqs, err)
	}
	mine, _ := s.UserTopics(ctx, "u03")
	if len(mine) != 0 {
		t.Errorf("u03's once subscription is still there: %+v", mine)
	}
	st, err := s.EventStatus(ctx, "e1")
	if err != nil || st.Topic == nil || !st.Topic.Finished || st.Topic.Done != 24 || st.Topic.Subscribers != 25 || len(st.Recipients) != 24 {
		t.Fatalf("status of e1 = %+v, %v; want finished, 24 of 25 done (u20 left), 24 recipients", st.Topic, err)
	}
	if sms := st.Recipients[0].Deliveries; len(sms) != 1 || sms[0].Channel != notify.ChannelSMS {
		t.Errorf("a subscriber's deliveries = %+v, want one SMS (decided from the profile)", sms)
	}
	// Accepting e1 again answers its job, not a second one.
	again := accept(t, s, TopicInput("e1", "restock:p-1"))[0]
	if !again.Duplicate || again.Topic == nil || again.Topic.Done != 24 {
		t.Fatalf("replayed accept = %+v, want the duplicate with its progress", again)
	}
}

func testTopicLease(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i := range 6 {
		subscribe(t, s, "t", fmt.Sprintf("u%d", i), false, time.Now().Add(-time.Second))
	}
	accept(t, s, TopicInput("e", "t"))
	now := time.Now()
	first, err := s.ClaimTopicJob(ctx, now, time.Minute)
	if err != nil || first == nil {
		t.Fatalf("claim = %v, %v", first, err)
	}
	if other, err := s.ClaimTopicJob(ctx, now, time.Minute); err != nil || other != nil {
		t.Fatalf("a leased job was claimed again: %+v, %v", other, err)
	}
	if _, err := s.FanOutPage(ctx, first, fanOutInput(2, now)); err != nil {
		t.Fatal(err)
	}
	// The holder died: after its lease, another claim takes the job where it stopped.
	later := now.Add(2 * time.Minute)
	second, err := s.ClaimTopicJob(ctx, later, time.Minute)
	if err != nil || second == nil || second.Attempt != first.Attempt+1 {
		t.Fatalf("claim after the lease = %+v, %v", second, err)
	}
	if _, err := s.FanOutPage(ctx, first, fanOutInput(2, later)); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("the old holder's page: err = %v, want ErrLeaseLost", err)
	}
	res, err := s.FanOutPage(ctx, second, fanOutInput(10, later))
	if err != nil || len(res.Notifications) != 4 || !res.Finished || res.Done != 6 {
		t.Fatalf("the new holder's page = %+v, %v; want the 4 after the cursor, finished", res, err)
	}
}

func testTopicEmptyAndCancel(t *testing.T, s store.Store) {
	ctx := context.Background()
	res := accept(t, s, TopicInput("empty", "nobody:here"))[0]
	if res.Topic == nil || res.Topic.Subscribers != 0 || !res.Topic.Finished {
		t.Fatalf("topic without subscribers: %+v, want 0 and finished", res.Topic)
	}
	if job, err := s.ClaimTopicJob(ctx, time.Now(), time.Minute); err != nil || job != nil {
		t.Fatalf("a finished job was claimed: %+v, %v", job, err)
	}
	for i := range 5 {
		subscribe(t, s, "t", fmt.Sprintf("u%d", i), false, time.Now().Add(-time.Second))
	}
	accept(t, s, TopicInput("e", "t"))
	job, err := s.ClaimTopicJob(ctx, time.Now(), time.Minute)
	if err != nil || job == nil {
		t.Fatalf("claim = %v, %v", job, err)
	}
	if _, err := s.FanOutPage(ctx, job, fanOutInput(2, time.Now())); err != nil {
		t.Fatal(err)
	}
	cr, err := s.CancelEvent(ctx, "e", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Two notifications out (the page) and their two SMS (skipped: the subscribers have no
	// phone), listed and counted.
	if cr.GoneOut.NotificationCount != 2 || len(cr.GoneOut.Notifications) != 2 || cr.GoneOut.DeliveryCount != 2 || len(cr.GoneOut.Deliveries) != 2 || cr.Cancelled.DeliveryCount != 0 {
		t.Fatalf("cancel answer: out %d (%d listed), deliveries out %d (%d listed), cancelled %d; want 2, 2, 2, 2, 0",
			cr.GoneOut.NotificationCount, len(cr.GoneOut.Notifications), cr.GoneOut.DeliveryCount, len(cr.GoneOut.Deliveries), cr.Cancelled.DeliveryCount)
	}
	if _, err := s.FanOutPage(ctx, job, fanOutInput(2, time.Now())); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("a page after the cancel: err = %v, want ErrLeaseLost", err)
	}
	st, err := s.EventStatus(ctx, "e")
	if err != nil || st.Topic == nil || !st.Topic.Cancelled || st.Topic.Done != 2 || len(st.Recipients) != 2 {
		t.Fatalf("status after cancel = %+v, %v; want cancelled after 2", st.Topic, err)
	}
	if job, err := s.ClaimTopicJob(ctx, time.Now().Add(time.Hour), time.Minute); err != nil || job != nil {
		t.Fatalf("a cancelled job was claimed: %+v, %v", job, err)
	}
}

func testThrottle(t *testing.T, s store.Store) {
	ctx := context.Background()
	var stored int
	for i := range 10 {
		res := accept(t, s, ThrottledInput(fmt.Sprintf("e%d", i), "store-1", 3, time.Hour, "u1"))[0]
		stored += len(res.Notifications)
		if i >= 3 && (len(res.Throttled) != 1 || res.Throttled[0] != "u1") {
			t.Fatalf("event %d: throttled %v, want [u1]", i, res.Throttled)
		}
	}
	if stored != 3 {
		t.Fatalf("10 events with a limit of 3: %d notifications, want 3", stored)
	}
	// Another key counts on its own.
	if res := accept(t, s, ThrottledInput("other", "store-2", 3, time.Hour, "u1"))[0]; len(res.Notifications) != 1 {
		t.Fatalf("another throttle key: %+v, want a notification", res)
	}
	st, err := s.EventStatus(ctx, "e9")
	if err != nil || len(st.Throttled) != 1 || st.Throttled[0] != "u1" || len(st.Recipients) != 0 {
		t.Fatalf("status of a throttled event = %+v, %v; want u1 throttled, no recipient", st, err)
	}
	// A window ends: a short one, waited out on the clock, lets the next one through.
	w := time.Second
	before := time.Now()
	accept(t, s, ThrottledInput("s1", "short", 1, w, "u2"))
	after := time.Now() // the window began between before and after
	res := accept(t, s, ThrottledInput("s2", "short", 1, w, "u2"))[0]
	switch {
	case len(res.Notifications) == 0:
		for time.Since(after) <= w+10*time.Millisecond {
			time.Sleep(10 * time.Millisecond)
		}
		if res := accept(t, s, ThrottledInput("s3", "short", 1, w, "u2"))[0]; len(res.Notifications) != 1 {
			t.Fatalf("after the window: %+v, want a notification", res)
		}
	case time.Since(before) < w:
		t.Fatalf("second in a window of limit 1 went through: %+v", res)
	default:
		t.Logf("the machine took over %s between two accepts: the window's end is not checked", w)
	}
	e, err := s.EraseUser(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	_ = e
	if st, _ := s.EventStatus(ctx, "e9"); len(st.Throttled) != 0 {
		t.Errorf("erased user still listed as throttled: %v", st.Throttled)
	}
}
