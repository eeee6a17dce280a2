package sse

import (
	"context"
	"time"

	notify "github.com/notifyd/notifyd"
)

// resyncMaxBackoff caps the wait between attempts of a resync that keeps failing.
const resyncMaxBackoff = 5 * time.Second

// Resync asks the hub to compare every stream with its user's newest sequence in the
// store and replay what a stream is missing. The fan-outs call it each time their
// subscription or listener is (re)established. It returns at once: the comparison runs on
// the hub's resync goroutine, and one that fails (the store unreachable, or a pooled
// connection the server has just closed) is tried again with capped backoff until it
// succeeds, since until then a stream may silently lack notifications that only a resync
// would bring. Requests made while one is pending or running coalesce.
//
// State changes have no sequence to compare: once the comparison has succeeded, every
// open stream is also sent a state event {"refresh":true} (RefreshStates), on which a
// client lists again, since state changes sent while the fan-out was down are lost to
// it. The periodic resync of Options.Resync sends none: it is a safety net for dropped
// publishes, not a sign that the fan-out was down.
func (h *Hub) Resync(context.Context) {
	select {
	case h.resync <- struct{}{}:
	default:
	}
}

// resyncLoop serves Resync requests and, when Options.Resync is set, resyncs that often.
func (h *Hub) resyncLoop() {
	var tick <-chan time.Time
	if h.o.Resync > 0 {
		t := time.NewTicker(h.o.Resync)
		defer t.Stop()
		tick = t.C
	}
	for {
		refresh := false
		select {
		case <-h.ctx.Done():
			return
		case <-h.resync:
			refresh = true
		case <-tick:
		}
		if h.resyncUntilDone() && refresh {
			h.RefreshStates()
		}
	}
}

// RefreshStates sends every open stream the state event {"refresh":true}: state changes
// may have been lost to it, and the client should list its notifications again. Like
// DeliverState it never blocks on a client.
func (h *Hub) RefreshStates() {
	frame := EncodeState(notify.StateChange{Refresh: true})
	var cs []*conn
	for i := range h.shards {
		sh := &h.shards[i]
		cs = cs[:0]
		sh.mu.RLock()
		for _, uc := range sh.users {
			cs = append(cs, uc...)
		}
		sh.mu.RUnlock()
		h.writeState(cs, frame)
	}
}

// resyncUntilDone runs resyncOnce until it succeeds (true) or the hub closes (false).
func (h *Hub) resyncUntilDone() bool {
	backoff := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := h.resyncOnce(h.ctx)
		if err == nil || h.ctx.Err() != nil {
			if err == nil && attempt > 1 {
				h.log.Info("sse resync: succeeded after retrying", "attempts", attempt)
			}
			return err == nil
		}
		h.m.resyncErrors.Inc()
		h.log.Warn("sse resync: reading sequences failed; trying again", "err", err, "attempt", attempt, "in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-h.ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
		backoff = min(2*backoff, resyncMaxBackoff)
	}
}

// resyncOnce is one comparison of every stream with the store.
func (h *Hub) resyncOnce(ctx context.Context) error {
	byUser := map[string][]*conn{}
	for i := range h.shards {
		sh := &h.shards[i]
		sh.mu.RLock()
		for u, cs := range sh.users {
			byUser[u] = append([]*conn(nil), cs...)
		}
		sh.mu.RUnlock()
	}
	users := make([]string, 0, len(byUser))
	for u := range byUser {
		users = append(users, u)
	}
	const page = 500
	for lo := 0; lo < len(users); lo += page {
		seqs, err := h.st.LastSeqs(ctx, users[lo:min(lo+page, len(users))])
		if err != nil {
			return err
		}
		for u, seq := range seqs {
			for _, c := range byUser[u] {
				c.mu.Lock()
				behind := !c.closed && !c.catching && seq > c.last
				if behind {
					c.catching, c.want = true, seq
				}
				c.mu.Unlock()
				if behind {
					h.m.gaps.Inc()
					h.enqueue(c)
				}
			}
		}
	}
	return nil
}
