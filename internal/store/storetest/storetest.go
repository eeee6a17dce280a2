// Package storetest is the one test body every store backend must pass. A backend's test
// calls Run with a function that opens a fresh, empty store.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// Opener returns a fresh, empty, migrated store; the test closes it.
type Opener func(t *testing.T) store.Store

// Run runs the shared store suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"AcceptAndList", testAcceptAndList},
		{"Idempotent", testIdempotent},
		{"BatchWithDuplicateKeys", testBatchDuplicates},
		{"ConcurrentSameKey", testConcurrentSameKey},
		{"SequencesGapFreeUnderConcurrency", testSequences},
		{"KoreanTextRoundTrips", testKorean},
		{"ReadState", testReadState},
		{"DeliveriesClaimLeaseComplete", testDeliveries},
		{"ConcurrentClaimsNeverOverlap", testConcurrentClaims},
		{"EventStatus", testEventStatus},
		{"Rejected", testRejected},
		{"PushSubscriptions", testPushSubscriptions},
		{"WebhookOutbox", testWebhookOutbox},
		{"EmailAndWebPushDeliveries", testEmailAndWebPushDeliveries},
	}
	tests = append(tests, engineTests...)
	tests = append(tests, recipientTests...)
	tests = append(tests, inboxStateTests...)
	tests = append(tests, timingTests...)
	tests = append(tests, reportTests...)
	tests = append(tests, retentionTests...)
	tests = append(tests, consoleTests...)
	tests = append(tests, topicTests...)
	tests = append(tests, statusPageTests...)
	tests = append(tests, deviceTests...)
	tests = append(tests, sequenceTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(t, s)
		})
	}
}

// Input builds an AcceptInput for key with one target per user; customers get SMS.
func Input(key string, users ...string) store.AcceptInput {
	ev := notify.Event{Type: "DELIVERY_STARTED", Message: "배송이 시작되었습니다.", URL: "https://mypage/orders/1", EventID: key}
	p := &notify.Prepared{}
	for _, u := range users {
		r := notify.Recipient{UserID: u, Role: notify.RoleCustomer, Phone: "+821012345678"}
		ev.Recipients = append(ev.Recipients, r)
		p.Targets = append(p.Targets, notify.Target{Recipient: r, Channels: []notify.Channel{notify.ChannelInbox, notify.ChannelSMS}})
	}
	p.Event = ev
	return store.AcceptInput{Key: key, PayloadHash: "h-" + key, Source: "test", Prepared: p}
}

func accept(t *testing.T, s store.Store, in ...store.AcceptInput) []store.AcceptResult {
	t.Helper()
	res, err := s.Accept(context.Background(), in)
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	if len(res) != len(in) {
		t.Fatalf("Accept returned %d results for %d inputs", len(res), len(in))
	}
	return res
}

func testAcceptAndList(t *testing.T, s store.Store) {
	ctx := context.Background()
	res := accept(t, s, Input("e1", "u1", "u2"), Input("e2", "u1"))
	if res[0].Duplicate || len(res[0].Notifications) != 2 || len(res[1].Notifications) != 1 {
		t.Fatalf("got %+v, want 2 then 1 new notifications", res)
	}
	if got := res[1].Notifications[0].Seq; got != 2 {
		t.Errorf("u1's second seq = %d, want 2", got)
	}
	list, err := s.ListNotifications(ctx, "u1", 0, 10)
	if err != nil || len(list) != 2 || list[0].Seq != 2 || list[1].Seq != 1 {
		t.Fatalf("list u1 = %+v, %v; want seqs 2, 1", list, err)
	}
	if list[0].EventID != "e2" || list[0].Message != "배송이 시작되었습니다." {
		t.Errorf("newest = %+v", list[0])
	}
	page, err := s.ListNotifications(ctx, "u1", 2, 10)
	if err != nil || len(page) != 1 || page[0].Seq != 1 {
		t.Fatalf("list u1 before 2 = %+v, %v", page, err)
	}
	after, err := s.NotificationsAfter(ctx, "u1", 1, 10)
	if err != nil || len(after) != 1 || after[0].Seq != 2 {
		t.Fatalf("after 1 = %+v, %v", after, err)
	}
	seqs, err := s.LastSeqs(ctx, []string{"u1", "u2", "nobody"})
	if err != nil || seqs["u1"] != 2 || seqs["u2"] != 1 || len(seqs) != 2 {
		t.Fatalf("LastSeqs = %v, %v", seqs, err)
	}
}

func testIdempotent(t *testing.T, s store.Store) {
	first := accept(t, s, Input("k", "u1", "u2"))[0]
	again := accept(t, s, Input("k", "u1", "u2"))[0]
	if !again.Duplicate || again.Err != nil {
		t.Fatalf("replay = %+v, want duplicate", again)
	}
	if len(again.Notifications) != 2 || again.Notifications[0].ID != first.Notifications[0].ID || again.Notifications[1].ID != first.Notifications[1].ID {
		t.Fatalf("replay ids %+v, want the original %+v", again.Notifications, first.Notifications)
	}
	other := Input("k", "u1", "u2")
	other.PayloadHash = "different"
	res := accept(t, s, other)[0]
	if notify.ErrorCode(res.Err) != notify.CodeIdempotency {
		t.Fatalf("same key, other payload: err = %v, want idempotency conflict", res.Err)
	}
	list, _ := s.ListNotifications(context.Background(), "u1", 0, 10)
	if len(list) != 1 {
		t.Fatalf("u1 has %d notifications after replays, want 1", len(list))
	}
}

func testBatchDuplicates(t *testing.T, s store.Store) {
	conflicting := Input("a", "u1")
	conflicting.PayloadHash = "other"
	res := accept(t, s, Input("a", "u1"), Input("b", "u1"), Input("a", "u1"), conflicting)
	if res[0].Duplicate || res[1].Duplicate || !res[2].Duplicate {
		t.Fatalf("duplicate flags = %v %v %v, want false false true", res[0].Duplicate, res[1].Duplicate, res[2].Duplicate)
	}
	if res[2].Notifications[0].ID != res[0].Notifications[0].ID {
		t.Errorf("in-batch duplicate got id %d, want %d", res[2].Notifications[0].ID, res[0].Notifications[0].ID)
	}
	if notify.ErrorCode(res[3].Err) != notify.CodeIdempotency {
		t.Errorf("in-batch conflict err = %v", res[3].Err)
	}
	list, _ := s.ListNotifications(context.Background(), "u1", 0, 10)
	if len(list) != 2 {
		t.Fatalf("u1 has %d notifications, want 2", len(list))
	}
}

func testConcurrentSameKey(t *testing.T, s store.Store) {
	var wg sync.WaitGroup
	ids := make([]int64, 10)
	errs := make([]error, 10)
	for i := range 10 {
		wg.Go(func() {
			res, err := s.Accept(context.Background(), []store.AcceptInput{Input("same", "u1")})
			if err != nil {
				errs[i] = err
				return
			}
			ids[i] = res[0].Notifications[0].ID
		})
	}
	wg.Wait()
	for i := range 10 {
		if errs[i] != nil {
			t.Fatalf("accept %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("accept %d got notification %d, want %d", i, ids[i], ids[0])
		}
	}
	claimed, err := s.ClaimDeliveries(context.Background(), notify.ChannelSMS, time.Now(), time.Minute, 100)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claimable SMS = %d (%v), want exactly 1", len(claimed), err)
	}
}

func testSequences(t *testing.T, s store.Store) {
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if _, err := s.Accept(context.Background(), []store.AcceptInput{Input(fmt.Sprintf("w%d-%d", w, i), "hot", fmt.Sprintf("cold%d", w))}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	all, err := s.NotificationsAfter(context.Background(), "hot", 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != workers*each {
		t.Fatalf("hot has %d notifications, want %d", len(all), workers*each)
	}
	for i, n := range all {
		if n.Seq != int64(i+1) {
			t.Fatalf("hot's notification %d has seq %d: the sequence has a gap or a repeat", i, n.Seq)
		}
	}
}

func testKorean(t *testing.T, s store.Store) {
	in := Input("ko", "사용자-1")
	in.Prepared.Event.Message = "배송이 시작되었습니다. 🚚 «주문 1001»"
	accept(t, s, in)
	list, err := s.ListNotifications(context.Background(), "사용자-1", 0, 1)
	if err != nil || len(list) != 1 || list[0].Message != in.Prepared.Event.Message {
		t.Fatalf("got %+v, %v; want message %q", list, err, in.Prepared.Event.Message)
	}
}

func testReadState(t *testing.T, s store.Store) {
	ctx := context.Background()
	res := accept(t, s, Input("r1", "u1", "u2"), Input("r2", "u1"))
	if n, _ := s.UnreadCount(ctx, "u1"); n != 2 {
		t.Fatalf("unread u1 = %d, want 2", n)
	}
	u1first := res[0].Notifications[0]
	u2note := res[0].Notifications[1]
	if err := s.MarkRead(ctx, "u1", u2note.ID, time.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("u1 marking u2's notification: err = %v, want not found", err)
	}
	if n, _ := s.UnreadCount(ctx, "u2"); n != 1 {
		t.Fatalf("u2's notification changed by u1: unread u2 = %d", n)
	}
	if err := s.MarkRead(ctx, "u1", u1first.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRead(ctx, "u1", u1first.ID, time.Now()); err != nil {
		t.Fatalf("marking twice: %v", err)
	}
	if n, _ := s.UnreadCount(ctx, "u1"); n != 1 {
		t.Fatalf("unread u1 = %d, want 1", n)
	}
	if err := s.MarkRead(ctx, "u1", 999999, time.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
	n, err := s.MarkAllRead(ctx, "u1", time.Now())
	if err != nil || n != 1 {
		t.Fatalf("MarkAllRead = %d, %v; want 1", n, err)
	}
	if c, _ := s.UnreadCount(ctx, "u2"); c != 1 {
		t.Fatalf("MarkAllRead of u1 touched u2: unread u2 = %d", c)
	}
	list, _ := s.ListNotifications(ctx, "u1", 0, 10)
	for _, n := range list {
		if n.ReadAt == nil {
			t.Errorf("notification %d still unread", n.ID)
		}
	}
}

func testDeliveries(t *testing.T, s store.Store) {
	ctx := context.Background()
	noPhone := Input("d2", "nophone")
	noPhone.Prepared.Targets[0].Phone = ""
	traced := Input("d1", "u1")
	traced.TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	accept(t, s, traced, noPhone)
	now := time.Now()
	got, err := s.ClaimDeliveries(ctx, notify.ChannelSMS, now, time.Minute, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("claim = %+v, %v; want the one SMS with a phone", got, err)
	}
	m := got[0]
	if m.To != "+821012345678" || m.Attempt != 1 || m.UserID != "u1" || m.EventID != "d1" || m.Text == "" || m.TraceParent != traced.TraceParent {
		t.Fatalf("claimed %+v", m)
	}
	if again, _ := s.ClaimDeliveries(ctx, notify.ChannelSMS, now, time.Minute, 10); len(again) != 0 {
		t.Fatalf("claimed a leased row again: %+v", again)
	}
	// The lease runs out: the row is claimable again, with a new attempt number.
	later, err := s.ClaimDeliveries(ctx, notify.ChannelSMS, now.Add(2*time.Minute), time.Minute, 10)
	if err != nil || len(later) != 1 || later[0].Attempt != 2 {
		t.Fatalf("after lease expiry: %+v, %v", later, err)
	}
	if err := s.CompleteDelivery(ctx, m.DeliveryID, 1, store.Outcome{Status: notify.StatusSent}); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("stale attempt completed: %v, want ErrLeaseLost", err)
	}
	retryAt := now.Add(5 * time.Minute)
	if err := s.CompleteDelivery(ctx, m.DeliveryID, 2, store.Outcome{Status: notify.StatusPending, Error: "throttled", NextAttemptAt: retryAt}); err != nil {
		t.Fatal(err)
	}
	if early, _ := s.ClaimDeliveries(ctx, notify.ChannelSMS, now.Add(3*time.Minute), time.Minute, 10); len(early) != 0 {
		t.Fatalf("claimed before its retry time: %+v", early)
	}
	third, _ := s.ClaimDeliveries(ctx, notify.ChannelSMS, retryAt, time.Minute, 10)
	if len(third) != 1 || third[0].Attempt != 3 {
		t.Fatalf("retry claim = %+v", third)
	}
	if n, _ := s.CountSent(ctx, notify.ChannelSMS, "+821012345678", now.Add(-time.Hour)); n != 1 {
		t.Fatalf("CountSent while sending = %d, want 1", n)
	}
	if err := s.CompleteDelivery(ctx, m.DeliveryID, 3, store.Outcome{Status: notify.StatusSent, ProviderID: "msg-1", At: retryAt}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountSent(ctx, notify.ChannelSMS, "+821012345678", now.Add(-time.Hour)); n != 1 {
		t.Fatalf("CountSent = %d, want 1", n)
	}
	if never, _ := s.ClaimDeliveries(ctx, notify.ChannelSMS, now.Add(time.Hour), time.Minute, 10); len(never) != 0 {
		t.Fatalf("a sent delivery was claimed again: %+v", never)
	}
}

func testConcurrentClaims(t *testing.T, s store.Store) {
	ctx := context.Background()
	var in []store.AcceptInput
	for i := range 60 {
		in = append(in, Input(fmt.Sprintf("c%d", i), fmt.Sprintf("u%d", i)))
	}
	accept(t, s, in...)
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Go(func() {
			for {
				got, err := s.ClaimDeliveries(ctx, notify.ChannelSMS, time.Now(), time.Minute, 4)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					seen[m.DeliveryID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(seen) != 60 {
		t.Fatalf("claimed %d distinct deliveries, want 60", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("delivery %d claimed %d times", id, n)
		}
	}
}
