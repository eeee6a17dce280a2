package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/store"
)

// statusPageTests are the cases of an event status shown a page at a time (a topic's
// event may have a million recipients).
var statusPageTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"EventStatusPages", testEventStatusPages},
	{"TopicCountedBeforeAccept", testTopicCountedBefore},
}

// testEventStatusPages walks an event of five recipients two at a time: each page has its
// recipients' deliveries, the count is of all five, and the last page names no next.
func testEventStatusPages(t *testing.T, s store.Store) {
	ctx := context.Background()
	users := []string{"p1", "p2", "p3", "p4", "p5"}
	accept(t, s, Input("pages", users...))
	all, err := s.EventStatus(ctx, "pages")
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Recipients) != 5 || all.RecipientCount != 5 || all.NextAfter != 0 {
		t.Fatalf("whole status: %d recipients, count %d, next %d; want 5, 5, 0", len(all.Recipients), all.RecipientCount, all.NextAfter)
	}
	var seen []string
	after := int64(0)
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatalf("more than 3 pages of 2 for 5 recipients: %v", seen)
		}
		st, err := s.EventStatusPage(ctx, "pages", store.StatusPage{After: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if st.RecipientCount != 5 {
			t.Fatalf("page after %d: count %d, want 5", after, st.RecipientCount)
		}
		if len(st.Recipients) > 2 {
			t.Fatalf("page after %d: %d recipients, limit 2", after, len(st.Recipients))
		}
		for _, r := range st.Recipients {
			if len(r.Deliveries) != 1 {
				t.Fatalf("recipient %s on a page: %d deliveries, want its SMS", r.UserID, len(r.Deliveries))
			}
			seen = append(seen, r.UserID)
		}
		if st.NextAfter == 0 {
			break
		}
		if st.NextAfter != st.Recipients[len(st.Recipients)-1].Notification.ID {
			t.Fatalf("nextAfter %d is not the page's last notification id", st.NextAfter)
		}
		after = st.NextAfter
	}
	if len(seen) != 5 {
		t.Fatalf("the pages listed %v, want each of %v once", seen, users)
	}
	for i, u := range users {
		if seen[i] != u {
			t.Fatalf("the pages listed %v, want %v in id order", seen, users)
		}
	}
}

// testTopicCountedBefore: a count the caller made before the transaction is what the job
// says; a count of 0 is made again in the transaction.
func testTopicCountedBefore(t *testing.T, s store.Store) {
	ctx := context.Background()
	past := time.Now().Add(-time.Minute)
	for _, u := range []string{"c1", "c2", "c3"} {
		subscribe(t, s, "count:t", u, false, past)
	}
	n, err := s.CountSubscribers(ctx, "count:t", time.Now())
	if err != nil || n != 3 {
		t.Fatalf("CountSubscribers: %d, %v; want 3", n, err)
	}
	if n, err := s.CountSubscribers(ctx, "count:t", past.Add(-time.Second)); err != nil || n != 0 {
		t.Fatalf("CountSubscribers before anyone subscribed: %d, %v; want 0", n, err)
	}
	in := TopicInput("counted", "count:t")
	in.Subscribers = 3
	if res := accept(t, s, in); res[0].Topic == nil || res[0].Topic.Subscribers != 3 {
		t.Fatalf("accept with the count made: %+v", res[0].Topic)
	}
	in = TopicInput("uncounted", "count:t")
	if res := accept(t, s, in); res[0].Topic == nil || res[0].Topic.Subscribers != 3 {
		t.Fatalf("accept counting in the transaction: %+v", res[0].Topic)
	}
}
