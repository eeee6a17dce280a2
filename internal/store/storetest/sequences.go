package storetest

import (
	"context"
	"testing"

	"github.com/notifyd/notifyd/internal/store"
)

var sequenceTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"SequencesAcrossMixedBatches", testSequencesMixed},
}

// collapsing is Input with a collapse key.
func collapsing(key, collapseKey string, users ...string) store.AcceptInput {
	in := Input(key, users...)
	in.Prepared.Event.CollapseKey = collapseKey
	return in
}

// Each user's sequence stays gap-free and never repeats across batches that mix users
// seen before (whose last number SQLite keeps in memory) with new ones, one user several
// times, a duplicate key and two notes of one collapse key; an erased user starts again.
func testSequencesMixed(t *testing.T, s store.Store) {
	ctx := context.Background()
	accept(t, s, Input("s1", "known"))
	res := accept(t, s,
		Input("s2", "known", "fresh"),
		Input("s3", "known"),
		Input("s1", "known"), // a duplicate: its notification is the first batch's
		Input("s4", "fresh", "other"),
		collapsing("s5", "k", "known"),
		collapsing("s6", "k", "known"))
	type want struct {
		in   int
		user string
		seq  int64
	}
	for _, w := range []want{{0, "known", 2}, {0, "fresh", 1}, {1, "known", 3}, {2, "known", 1}, {3, "fresh", 2}, {3, "other", 1}, {4, "known", 4}, {5, "known", 5}} {
		found := false
		for _, n := range res[w.in].Notifications {
			if n.UserID == w.user {
				found = true
				if n.Seq != w.seq {
					t.Errorf("input %d: %s's seq = %d, want %d", w.in, w.user, n.Seq, w.seq)
				}
			}
		}
		if !found {
			t.Errorf("input %d: no notification for %s", w.in, w.user)
		}
	}
	if got, want := res[5].Notifications[0].Replaces, res[4].Notifications[0].ID; got != want {
		t.Errorf("s6 replaces %d, want s5's %d", got, want)
	}
	next := accept(t, s, Input("s7", "fresh", "known"))
	if got := seqOf(next[0], "fresh"); got != 3 {
		t.Errorf("fresh's next seq = %d, want 3", got)
	}
	if got := seqOf(next[0], "known"); got != 6 {
		t.Errorf("known's next seq = %d, want 6", got)
	}
	all, err := s.NotificationsAfter(ctx, "known", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range all {
		if n.Seq != int64(i+1) {
			t.Fatalf("known's notification %d has seq %d: a gap or a repeat", i, n.Seq)
		}
	}
	if len(all) != 6 {
		t.Fatalf("known has %d notifications, want 6", len(all))
	}
	if _, err := s.EraseUser(ctx, "known"); err != nil {
		t.Fatal(err)
	}
	after := accept(t, s, Input("s8", "known", "fresh"))
	if got := seqOf(after[0], "known"); got != 1 {
		t.Errorf("after erasing, known's seq = %d, want 1 (the sequence starts over)", got)
	}
	if got := seqOf(after[0], "fresh"); got != 4 {
		t.Errorf("fresh's seq = %d, want 4", got)
	}
}

func seqOf(r store.AcceptResult, user string) int64 {
	for _, n := range r.Notifications {
		if n.UserID == user {
			return n.Seq
		}
	}
	return 0
}
