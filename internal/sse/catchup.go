package sse

import "time"

// enqueue hands a stream to the catch-up pool. It never blocks the caller.
func (h *Hub) enqueue(c *conn) {
	if h.closed.Load() {
		h.drop(c, "shutdown")
		return
	}
	select {
	case h.queue <- c:
	default:
		h.wg.Go(func() { h.catchUp(c) }) // queue full (a reconnect storm): one more worker
	}
}

func (h *Hub) catchupWorker() {
	for {
		select {
		case <-h.ctx.Done():
			return
		case c := <-h.queue:
			h.catchUp(c)
		}
	}
}

// catchUp writes the store's notifications after c.last until the stream has everything
// it was offered, then hands it back to live delivery.
func (h *Hub) catchUp(c *conn) {
	stalls := 0
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return
		}
		from := c.last
		c.mu.Unlock()

		ns, err := h.st.NotificationsAfter(h.ctx, c.user, from, h.o.ReplayPage)
		if err != nil {
			if h.ctx.Err() == nil {
				h.log.Warn("sse replay from the store failed; closing the stream so the client retries", "err", err)
			}
			h.drop(c, "store error")
			return
		}
		c.mu.Lock()
		progressed := false
		for i := range ns {
			n := &ns[i]
			if n.Seq != c.last+1 {
				continue
			}
			if n.ReplacedBy != 0 {
				// Replaced by a newer notification of its collapse key, which the
				// client gets instead (it names this one in "replaces").
				c.last = n.Seq
				progressed = true
				continue
			}
			if !c.writeLocked(h, EncodeNotification(n)) {
				c.mu.Unlock()
				h.drop(c, "slow client")
				return
			}
			c.last = n.Seq
			progressed = true
			h.m.replayed.Inc()
		}
		if len(ns) == h.o.ReplayPage && progressed {
			c.mu.Unlock()
			continue
		}
		if c.want <= c.last {
			c.catching, c.want = false, 0
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		// Told of a sequence the store does not show yet: wait a little, then give up
		// and let the client reconnect rather than skip it.
		if stalls++; stalls > 20 {
			h.drop(c, "sequence not in store")
			return
		}
		select {
		case <-h.ctx.Done():
			return
		case <-time.After(25 * time.Millisecond):
		}
	}
}
