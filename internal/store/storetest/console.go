package storetest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

var consoleTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"ConsoleListEvents", testListEvents},
	{"ConsoleAttempts", testEventAttempts},
	{"ConsoleTraffic", testTrafficStats},
	{"ConsoleReportsAndFallbacks", testTrafficReports},
}

// consoleEvent accepts an event of typ for users at received, customers with SMS.
func consoleEvent(t *testing.T, s store.Store, key, typ string, received time.Time, users ...string) {
	t.Helper()
	in := Input(key, users...)
	in.Prepared.Event.Type, in.ReceivedAt = typ, received
	accept(t, s, in)
}

// finish claims the SMS deliveries due within a minute of the clock and completes each of
// them with o at now.
func finish(t *testing.T, s store.Store, now time.Time, o store.Outcome) []notify.Message {
	t.Helper()
	ms, err := s.ClaimDeliveries(context.Background(), notify.ChannelSMS, time.Now().Add(time.Minute), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		o.At = now
		if err := s.CompleteDelivery(context.Background(), m.DeliveryID, m.Attempt, o); err != nil {
			t.Fatal(err)
		}
	}
	return ms
}

func keys(p *store.EventPage) []string {
	var out []string
	for _, e := range p.Events {
		out = append(out, e.Key)
	}
	return out
}

func testListEvents(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now().Truncate(time.Millisecond)
	consoleEvent(t, s, "e1", "ORDER_CREATED", now, "kim", "lee")
	finish(t, s, now, store.Outcome{Status: notify.StatusSent, Provider: "log", ProviderID: "m-1"})
	consoleEvent(t, s, "e2", "DELIVERY_STARTED", now, "kim")
	finish(t, s, now, store.Outcome{Status: notify.StatusFailed, Error: "rejected by the carrier"})
	consoleEvent(t, s, "e3", "ORDER_CREATED", now, "park")
	consoleEvent(t, s, "e4", "DELIVERY_STARTED", now, "lee")

	list := func(f store.EventFilter) *store.EventPage {
		t.Helper()
		p, err := s.ListEvents(ctx, f)
		if err != nil {
			t.Fatalf("ListEvents(%+v): %v", f, err)
		}
		return p
	}
	all := list(store.EventFilter{})
	if got := keys(all); !slices.Equal(got, []string{"e4", "e3", "e2", "e1"}) || all.Next != 0 {
		t.Fatalf("every event, newest first: %v next %d", got, all.Next)
	}
	e1 := all.Events[3]
	if e1.Type != "ORDER_CREATED" || e1.Source != "test" || e1.Recipients != 2 || !slices.Equal(e1.Users, []string{"kim"}) || !e1.ReceivedAt.Equal(now) {
		t.Fatalf("e1 summary: %+v", e1)
	}
	if want := []store.ChannelOutcome{{Channel: "sms", Status: "sent", Count: 2}}; !slices.Equal(e1.Outcomes, want) {
		t.Fatalf("e1 outcomes: %+v, want %+v", e1.Outcomes, want)
	}
	if o := all.Events[0].Outcomes; len(o) != 1 || o[0].Status != "pending" || o[0].Count != 1 {
		t.Fatalf("e4 outcomes: %+v", o)
	}

	first := list(store.EventFilter{Limit: 3})
	if got := keys(first); !slices.Equal(got, []string{"e4", "e3", "e2"}) || first.Next != first.Events[2].ID {
		t.Fatalf("first page of 3: %v next %d", got, first.Next)
	}
	second := list(store.EventFilter{Limit: 3, Before: first.Next})
	if got := keys(second); !slices.Equal(got, []string{"e1"}) || second.Next != 0 {
		t.Fatalf("second page: %v next %d", got, second.Next)
	}
	if got := keys(list(store.EventFilter{Type: "ORDER_CREATED"})); !slices.Equal(got, []string{"e3", "e1"}) {
		t.Fatalf("type ORDER_CREATED: %v", got)
	}
	if got := keys(list(store.EventFilter{UserID: "kim"})); !slices.Equal(got, []string{"e2", "e1"}) {
		t.Fatalf("user kim: %v", got)
	}
	if got := keys(list(store.EventFilter{UserID: "lee", Type: "DELIVERY_STARTED"})); !slices.Equal(got, []string{"e4"}) {
		t.Fatalf("user lee, type DELIVERY_STARTED: %v", got)
	}
	if got := keys(list(store.EventFilter{Status: "failed"})); !slices.Equal(got, []string{"e2"}) {
		t.Fatalf("status failed: %v", got)
	}
	if got := keys(list(store.EventFilter{Status: "pending", UserID: "lee"})); !slices.Equal(got, []string{"e4"}) {
		t.Fatalf("status pending, user lee: %v", got)
	}
	if got := list(store.EventFilter{UserID: "nobody"}); len(got.Events) != 0 || got.Events == nil {
		t.Fatalf("an unknown user: %+v, want an empty page", got)
	}
}

func testEventAttempts(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now().Truncate(time.Millisecond)
	consoleEvent(t, s, "att", "DELIVERY_STARTED", now, "kim")
	finish(t, s, now, store.Outcome{Status: notify.StatusPending, Provider: "sns", Error: "throttled", NextAttemptAt: now})
	finish(t, s, now.Add(time.Second), store.Outcome{Status: notify.StatusSent, Provider: "sns", ProviderID: "sns-42"})

	got, err := s.EventAttempts(ctx, "att")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Attempt != 1 || got[0].Status != "pending" || got[0].Error != "throttled" || got[0].Channel != "sms" ||
		got[1].Attempt != 2 || got[1].Status != "sent" || got[1].ProviderID != "sns-42" || !got[1].At.Equal(now.Add(time.Second)) {
		t.Fatalf("attempts: %+v", got)
	}
	if _, err := s.EventAttempts(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("attempts of a missing event: %v, want ErrNotFound", err)
	}
	if _, err := s.EraseUser(ctx, "kim"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.EventAttempts(ctx, "att"); err != nil || len(got) != 0 {
		t.Fatalf("attempts after erasing the user: %+v, %v", got, err)
	}
}

func testTrafficStats(t *testing.T, s store.Store) {
	ctx := context.Background()
	since := time.Now().Truncate(time.Minute).Add(-10 * time.Minute)
	consoleEvent(t, s, "t1", "DELIVERY_STARTED", since.Add(30*time.Second), "kim")
	finish(t, s, since.Add(90*time.Second), store.Outcome{Status: notify.StatusSent})
	consoleEvent(t, s, "t2", "DELIVERY_STARTED", since.Add(2*time.Minute), "lee", "park")
	ms := finish(t, s, since.Add(2*time.Minute+time.Second), store.Outcome{Status: notify.StatusFailed, Error: "x"})
	if len(ms) != 2 {
		t.Fatalf("claimed %d deliveries of t2, want 2", len(ms))
	}
	consoleEvent(t, s, "old", "DELIVERY_STARTED", since.Add(-time.Hour), "old")

	tr, err := s.TrafficStats(ctx, since, since.Add(10*time.Minute), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	wantEvents := []store.Count{{Start: since, N: 1}, {Start: since.Add(2 * time.Minute), N: 1}}
	if !slices.EqualFunc(tr.Events, wantEvents, func(a, b store.Count) bool { return a.Start.Equal(b.Start) && a.N == b.N }) {
		t.Fatalf("events per minute: %+v, want %+v", tr.Events, wantEvents)
	}
	wantOut := []store.OutcomeCount{{Start: since.Add(time.Minute), Channel: "sms", Status: "sent", N: 1}, {Start: since.Add(2 * time.Minute), Channel: "sms", Status: "failed", N: 2}}
	if !slices.EqualFunc(tr.Outcomes, wantOut, func(a, b store.OutcomeCount) bool {
		return a.Start.Equal(b.Start) && a.Channel == b.Channel && a.Status == b.Status && a.N == b.N
	}) {
		t.Fatalf("outcomes: %+v, want %+v", tr.Outcomes, wantOut)
	}
	if l := tr.Latency; len(l) != 1 || !l[0].Start.Equal(since.Add(time.Minute)) || l[0].N != 1 || l[0].P50 != 60000 || l[0].P99 != 60000 {
		t.Fatalf("latency: %+v, want one sent attempt 60 s after its event was accepted", l)
	}
	if len(tr.Fallbacks) != 0 {
		t.Fatalf("fallbacks: %+v, want none", tr.Fallbacks)
	}
}

// A provider's report is kept beside the attempts and a fallback on the attempt or report
// that decided it: the charts count kakao's delivered and undelivered and each fallback by
// kind once, the timeline lists the reports, and the feed's outcome says it fell back.
func testTrafficReports(t *testing.T, s store.Store) {
	ctx := context.Background()
	since := time.Now().Truncate(time.Minute).Add(-10 * time.Minute)
	in := kakaoInput("kr", "a", "b", "c")
	in.ReceivedAt = since
	accept(t, s, in)
	msgs := claimKakao(t, s, time.Now())
	if len(msgs) != 3 {
		t.Fatalf("claimed %d kakao deliveries, want 3", len(msgs))
	}
	at := since.Add(time.Minute)
	// a: refused at the call, LMS at once; b and c: sent, then reported.
	refused := store.Outcome{Status: notify.StatusFailed, Provider: "nhn", ProviderCode: "3018", Error: "refused", Refused: true, FallbackPlan: "lms", FallbackText: "긴 안내", At: at}
	if err := s.CompleteDelivery(ctx, msgs[0].DeliveryID, msgs[0].Attempt, refused); err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs[1:] {
		o := store.Outcome{Status: notify.StatusSent, Provider: "solapi", ProviderID: []string{"R1", "R2"}[i], FallbackPlan: "sms", FallbackText: "짧은 안내", At: at}
		if err := s.CompleteDelivery(ctx, m.DeliveryID, m.Attempt, o); err != nil {
			t.Fatal(err)
		}
	}
	reported := since.Add(2 * time.Minute)
	for _, r := range []store.Report{
		{Provider: "solapi", MessageID: "R1", Status: notify.StatusDelivered, Code: "1000", At: reported},
		{Provider: "solapi", MessageID: "R2", Status: notify.StatusUndelivered, Code: "3019", Refused: true, At: reported},
		{Provider: "solapi", MessageID: "R2", Status: notify.StatusUndelivered, Code: "3019", Refused: true, At: reported}, // a replay
		{Provider: "solapi", MessageID: "R1", Status: notify.StatusUndelivered, Code: "3018", At: reported},                // after delivered: no change
	} {
		if _, err := s.ApplyReport(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := s.TrafficStats(ctx, since, since.Add(10*time.Minute), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, o := range tr.Outcomes {
		got[o.Start.Sub(since).String()+" "+o.Channel+" "+o.Status] += o.N
	}
	want := map[string]int{"1m0s kakao failed": 1, "1m0s kakao sent": 2, "2m0s kakao delivered": 1, "2m0s kakao undelivered": 1}
	if !maps.Equal(got, want) {
		t.Fatalf("outcomes: %v, want %v", got, want)
	}
	wantFB := []store.FallbackCount{{Start: since.Add(time.Minute), To: "lms", N: 1}, {Start: since.Add(2 * time.Minute), To: "sms", N: 1}}
	if !slices.EqualFunc(tr.Fallbacks, wantFB, func(a, b store.FallbackCount) bool { return a.Start.Equal(b.Start) && a.To == b.To && a.N == b.N }) {
		t.Fatalf("fallbacks: %+v, want %+v", tr.Fallbacks, wantFB)
	}
	if l := tr.Latency; len(l) != 1 || l[0].N != 2 {
		t.Fatalf("latency: %+v, want the two sent attempts only (reports are not sends)", l)
	}

	atts, err := s.EventAttempts(ctx, "kr")
	if err != nil {
		t.Fatal(err)
	}
	var reports []string
	for _, a := range atts {
		if a.Status == "delivered" || a.Status == "undelivered" {
			reports = append(reports, a.Status+" "+a.ProviderID+" "+a.Fallback)
		}
		if a.DeliveryID == msgs[0].DeliveryID && a.Fallback != "lms" {
			t.Fatalf("the refused attempt: %+v, want fallback lms", a)
		}
	}
	if !slices.Equal(reports, []string{"delivered R1 ", "undelivered R2 sms"}) {
		t.Fatalf("reports among the attempts: %q", reports)
	}

	page, err := s.ListEvents(ctx, store.EventFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	outs := map[string]int{}
	for _, e := range page.Events {
		if e.Key != "kr" {
			continue
		}
		for _, o := range e.Outcomes {
			outs[o.Channel+" "+o.Status+" "+o.Fallback] += o.Count
		}
	}
	// The fallbacks' own SMS deliveries are pending, one per refused AlimTalk.
	wantOuts := map[string]int{"kakao failed lms": 1, "kakao delivered ": 1, "kakao undelivered sms": 1, "sms pending ": 2}
	if !maps.Equal(outs, wantOuts) {
		t.Fatalf("feed outcomes: %v, want %v", outs, wantOuts)
	}
}
