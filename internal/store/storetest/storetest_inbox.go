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

// inboxStateTests cover the round-2 inbox states: seen, read by type, archive, the list
// filters and their cursor, and the badge counts.
var inboxStateTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"InboxFilters", testInboxFilters},
	{"InboxCursorWhileArriving", testInboxCursor},
	{"InboxSeenAndCounts", testInboxSeen},
	{"InboxReadUpToByType", testInboxReadByType},
	{"InboxArchive", testInboxArchive},
	{"InboxReadUpToSkipsEscalations", testInboxReadUpToEscalations},
}

// A read-all (by type) skips the escalations of what it marks read, like MarkRead.
func testInboxReadUpToEscalations(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := &notify.EventType{Name: "ANSWER_REGISTERED", Escalate: map[notify.Channel]time.Duration{notify.ChannelSMS: 5 * time.Minute}}
	b := &notify.EventType{Name: "QUESTION_REGISTERED", Escalate: map[notify.Channel]time.Duration{notify.ChannelSMS: 5 * time.Minute}}
	accept(t, s,
		TypedInput("e1", a, Recipient("u", "+821011112222", "", notify.ChannelInbox, notify.ChannelSMS)),
		TypedInput("e2", b, Recipient("u", "+821011112222", "", notify.ChannelInbox, notify.ChannelSMS)),
		TypedInput("e3", a, Recipient("u", "+821011112222", "", notify.ChannelInbox, notify.ChannelSMS)))
	if n, err := s.MarkReadUpTo(ctx, "u", a.Name, 2, time.Now()); err != nil || n != 1 {
		t.Fatalf("MarkReadUpTo(A, 2) = %d, %v; want 1", n, err)
	}
	for key, want := range map[string]notify.DeliveryStatus{"e1": notify.StatusSkipped, "e2": notify.StatusScheduled, "e3": notify.StatusScheduled} {
		if d := deliveriesOf(t, s, key)["u"][notify.ChannelSMS]; d.Status != want {
			t.Errorf("%s: SMS %s (%s), want %s", key, d.Status, d.Reason, want)
		}
	}
}

// typed is Input with the event's type set.
func typed(key, typ string, users ...string) store.AcceptInput {
	in := Input(key, users...)
	in.Prepared.Event.Type = typ
	return in
}

func list(t *testing.T, s store.Store, user string, f store.InboxFilter) []int64 {
	t.Helper()
	ns, err := s.ListInbox(context.Background(), user, f)
	if err != nil {
		t.Fatalf("ListInbox(%+v): %v", f, err)
	}
	seqs := make([]int64, len(ns))
	for i, n := range ns {
		if n.UserID != user {
			t.Fatalf("ListInbox(%s) returned %s's notification", user, n.UserID)
		}
		seqs[i] = n.Seq
	}
	return seqs
}

func sameSeqs(t *testing.T, what string, got []int64, want ...int64) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: seqs %v, want %v", what, got, want)
	}
}

// notificationBySeq finds user's notification seq through the list (archived included).
func notificationBySeq(t *testing.T, s store.Store, user string, seq int64) notify.Notification {
	t.Helper()
	ns, err := s.ListInbox(context.Background(), user, store.InboxFilter{Archived: store.ArchivedInclude, Before: seq + 1, Limit: 1})
	if err != nil || len(ns) != 1 || ns[0].Seq != seq {
		t.Fatalf("notification %s/%d: %+v, %v", user, seq, ns, err)
	}
	return ns[0]
}

func testInboxFilters(t *testing.T, s store.Store) {
	ctx := context.Background()
	// u1: seq 1..6, types A B A B A B; u2 has one too, which no filter may show to u1.
	for i := 1; i <= 6; i++ {
		typ := "A"
		if i%2 == 0 {
			typ = "B"
		}
		accept(t, s, typed(fmt.Sprint("f", i), typ, "u1"))
	}
	accept(t, s, typed("f-other", "A", "u2"))
	now := time.Now()
	for _, seq := range []int64{2, 3} {
		if err := s.MarkRead(ctx, "u1", notificationBySeq(t, s, "u1", seq).ID, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetArchived(ctx, "u1", notificationBySeq(t, s, "u1", 3).ID, &now); err != nil {
		t.Fatal(err)
	}
	if err := s.SetArchived(ctx, "u1", notificationBySeq(t, s, "u1", 5).ID, &now); err != nil {
		t.Fatal(err)
	}
	// read: 2, 3 · archived: 3, 5
	cases := []struct {
		f    store.InboxFilter
		want []int64
	}{
		{store.InboxFilter{}, []int64{6, 4, 2, 1}},
		{store.InboxFilter{Status: store.InboxAll, Archived: store.ArchivedExclude}, []int64{6, 4, 2, 1}},
		{store.InboxFilter{Archived: store.ArchivedInclude}, []int64{6, 5, 4, 3, 2, 1}},
		{store.InboxFilter{Archived: store.ArchivedOnly}, []int64{5, 3}},
		{store.InboxFilter{Status: store.InboxUnread}, []int64{6, 4, 1}},
		{store.InboxFilter{Status: store.InboxRead}, []int64{2}},
		{store.InboxFilter{Status: store.InboxRead, Archived: store.ArchivedInclude}, []int64{3, 2}},
		{store.InboxFilter{Status: store.InboxUnread, Archived: store.ArchivedOnly}, []int64{5}},
		{store.InboxFilter{Type: "A"}, []int64{1}},
		{store.InboxFilter{Type: "B", Status: store.InboxUnread}, []int64{6, 4}},
		{store.InboxFilter{Type: "A", Archived: store.ArchivedInclude}, []int64{5, 3, 1}},
		{store.InboxFilter{Type: "nope"}, nil},
		{store.InboxFilter{Limit: 2}, []int64{6, 4}},
		{store.InboxFilter{Before: 4}, []int64{2, 1}},
	}
	for _, c := range cases {
		got := list(t, s, "u1", c.f)
		if len(c.want) == 0 {
			c.want = []int64{}
		}
		sameSeqs(t, fmt.Sprintf("%+v", c.f), got, c.want...)
	}
	if _, err := s.ListInbox(ctx, "u1", store.InboxFilter{Status: "bogus"}); err == nil {
		t.Error("an unknown status was accepted")
	}
	if _, err := s.ListInbox(ctx, "u1", store.InboxFilter{Archived: "bogus"}); err == nil {
		t.Error("an unknown archived filter was accepted")
	}
}

// testInboxCursor pages while notifications keep arriving: the pages continue exactly
// where they left off, nothing skipped or repeated.
func testInboxCursor(t *testing.T, s store.Store) {
	for i := 1; i <= 5; i++ {
		accept(t, s, Input(fmt.Sprint("c", i), "u1"))
	}
	var seen []int64
	f := store.InboxFilter{Limit: 2}
	for page := 0; ; page++ {
		got := list(t, s, "u1", f)
		seen = append(seen, got...)
		if len(got) < f.Limit {
			break
		}
		f.Before = got[len(got)-1]
		accept(t, s, Input(fmt.Sprint("arrive", page), "u1")) // newer than every cursor
	}
	sameSeqs(t, "pages", seen, 5, 4, 3, 2, 1)
}

func testInboxSeen(t *testing.T, s store.Store) {
	ctx := context.Background()
	accept(t, s, Input("s1", "u1"), Input("s2", "u1"), Input("s3", "u1", "u2"))
	c, err := s.InboxCounts(ctx, "u1")
	if err != nil || c != (store.InboxCounts{Unread: 3, Unseen: 3}) {
		t.Fatalf("counts = %+v, %v; want 3 unread, 3 unseen", c, err)
	}
	at := time.UnixMilli(1_800_000_000_000).UTC()
	n, err := s.MarkSeenUpTo(ctx, "u1", 2, at)
	if err != nil || n != 2 {
		t.Fatalf("MarkSeenUpTo(2) = %d, %v; want 2", n, err)
	}
	if n, _ := s.MarkSeenUpTo(ctx, "u1", 2, at.Add(time.Hour)); n != 0 {
		t.Fatalf("seen twice: %d changed", n)
	}
	if got := notificationBySeq(t, s, "u1", 1).SeenAt; got == nil || !got.Equal(at) {
		t.Errorf("seenAt = %v, want %v (kept from the first time)", got, at)
	}
	if got := notificationBySeq(t, s, "u1", 3); got.SeenAt != nil || got.ReadAt != nil {
		t.Errorf("seq 3 beyond the bound changed: %+v", got)
	}
	c, _ = s.InboxCounts(ctx, "u1")
	if c != (store.InboxCounts{Unread: 3, Unseen: 1}) {
		t.Errorf("after seen: %+v, want 3 unread, 1 unseen", c)
	}
	if c, _ := s.InboxCounts(ctx, "u2"); c != (store.InboxCounts{Unread: 1, Unseen: 1}) {
		t.Errorf("u2 touched by u1: %+v", c)
	}
	// Archived notifications leave the badge.
	if err := s.SetArchived(ctx, "u1", notificationBySeq(t, s, "u1", 3).ID, &at); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.InboxCounts(ctx, "u1"); c != (store.InboxCounts{Unread: 2, Unseen: 0}) {
		t.Errorf("after archiving the unseen one: %+v, want 2 unread, 0 unseen", c)
	}
}

func testInboxReadByType(t *testing.T, s store.Store) {
	ctx := context.Background()
	accept(t, s, typed("r1", "A", "u1"), typed("r2", "B", "u1"), typed("r3", "A", "u1"), typed("r4", "A", "u1", "u2"))
	at := time.Now()
	n, err := s.MarkReadUpTo(ctx, "u1", "A", 3, at)
	if err != nil || n != 2 {
		t.Fatalf("MarkReadUpTo(A, 3) = %d, %v; want 2 (seq 1 and 3)", n, err)
	}
	sameSeqs(t, "unread after read-all A ≤ 3", list(t, s, "u1", store.InboxFilter{Status: store.InboxUnread}), 4, 2)
	n, err = s.MarkReadUpTo(ctx, "u1", "", 4, at)
	if err != nil || n != 2 {
		t.Fatalf("MarkReadUpTo(all, 4) = %d, %v; want 2", n, err)
	}
	if c, _ := s.InboxCounts(ctx, "u1"); c.Unread != 0 {
		t.Errorf("unread after read-all = %d", c.Unread)
	}
	if c, _ := s.InboxCounts(ctx, "u2"); c.Unread != 1 {
		t.Errorf("u2 touched by u1's read-all: %+v", c)
	}
}

func testInboxArchive(t *testing.T, s store.Store) {
	ctx := context.Background()
	res := accept(t, s, Input("a1", "u1", "u2"))
	mine, theirs := res[0].Notifications[0], res[0].Notifications[1]
	if mine.UserID != "u1" {
		mine, theirs = theirs, mine
	}
	first := time.UnixMilli(1_800_000_000_000).UTC()
	if err := s.SetArchived(ctx, "u1", mine.ID, &first); err != nil {
		t.Fatal(err)
	}
	later := first.Add(time.Minute)
	if err := s.SetArchived(ctx, "u1", mine.ID, &later); err != nil {
		t.Fatalf("archiving twice: %v", err)
	}
	if got := notificationBySeq(t, s, "u1", mine.Seq).ArchivedAt; got == nil || !got.Equal(first) {
		t.Errorf("archivedAt = %v, want the first time %v", got, first)
	}
	if err := s.SetArchived(ctx, "u1", theirs.ID, &first); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("archiving another user's notification: %v, want ErrNotFound", err)
	}
	if err := s.SetArchived(ctx, "u1", 999999, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unarchiving an unknown id: %v, want ErrNotFound", err)
	}
	if err := s.SetArchived(ctx, "u1", mine.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetArchived(ctx, "u1", mine.ID, nil); err != nil {
		t.Fatalf("unarchiving twice: %v", err)
	}
	if got := notificationBySeq(t, s, "u1", mine.Seq).ArchivedAt; got != nil {
		t.Errorf("still archived at %v", got)
	}
	sameSeqs(t, "default list after unarchive", list(t, s, "u1", store.InboxFilter{}), mine.Seq)
	if got := notificationBySeq(t, s, "u2", theirs.Seq).ArchivedAt; got != nil {
		t.Errorf("u2's copy archived: %v", got)
	}
}
