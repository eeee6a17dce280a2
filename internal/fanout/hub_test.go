package fanout

import (
	"context"
	"sync"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
)

// fakeHub records what a replica's hub was given.
type fakeHub struct {
	mu      sync.Mutex
	got     []notify.Notification
	states  []notify.StateChange
	resyncs int
	closed  []string
	changed chan struct{}
}

func (h *fakeHub) CloseUser(user string) int {
	h.mu.Lock()
	h.closed = append(h.closed, user)
	h.mu.Unlock()
	h.signal()
	return 1
}

func (h *fakeHub) closedUsers() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.closed...)
}

func newFakeHub() *fakeHub { return &fakeHub{changed: make(chan struct{}, 1)} }

func (h *fakeHub) Deliver(ns []notify.Notification) {
	h.mu.Lock()
	h.got = append(h.got, ns...)
	h.mu.Unlock()
	h.signal()
}

func (h *fakeHub) DeliverState(sc notify.StateChange) {
	h.mu.Lock()
	h.states = append(h.states, sc)
	h.mu.Unlock()
	h.signal()
}

func (h *fakeHub) stateSnapshot() []notify.StateChange {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]notify.StateChange(nil), h.states...)
}

func (h *fakeHub) Resync(context.Context) {
	h.mu.Lock()
	h.resyncs++
	h.mu.Unlock()
	h.signal()
}

func (h *fakeHub) signal() {
	select {
	case h.changed <- struct{}{}:
	default:
	}
}

func (h *fakeHub) snapshot() ([]notify.Notification, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]notify.Notification(nil), h.got...), h.resyncs
}

// waitFor waits until cond holds for the hub's state, failing after a minute.
func (h *fakeHub) waitFor(t *testing.T, what string, cond func(got []notify.Notification, resyncs int) bool) {
	t.Helper()
	timeout := time.After(time.Minute) // generous: a condition, met in well under a second on an idle machine
	for {
		if cond(h.snapshot()) {
			return
		}
		select {
		case <-h.changed:
		case <-timeout:
			got, resyncs := h.snapshot()
			t.Fatalf("timed out waiting for %s: hub has %d notifications, %d resyncs", what, len(got), resyncs)
		}
	}
}

func notes(user string, from, to int64) []notify.Notification {
	var ns []notify.Notification
	for seq := from; seq <= to; seq++ {
		ns = append(ns, notify.Notification{ID: seq, UserID: user, Seq: seq, EventID: "e", Type: "ORDER_CREATED",
			Message: "주문이 접수되었습니다 🎉", CreatedAt: time.UnixMilli(1700000000000 + seq).UTC()})
	}
	return ns
}

func TestLocalDeliversInProcess(t *testing.T) {
	h := newFakeHub()
	Local{Hub: h}.Publish(context.Background(), notes("u1", 1, 3))
	Local{Hub: h}.Publish(context.Background(), nil)
	if got, _ := h.snapshot(); len(got) != 3 || got[2].Seq != 3 {
		t.Fatalf("got %+v, want seqs 1..3", got)
	}
	Local{Hub: h}.PublishState(context.Background(), notify.StateChange{UserID: "u1", IDs: []int64{2}, Unarchived: true})
	if got := h.stateSnapshot(); len(got) != 1 || got[0].UserID != "u1" || !got[0].Unarchived {
		t.Fatalf("states %+v, want the one change", got)
	}
}
