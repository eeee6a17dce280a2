package sse

// The per-user stream limit. A user who reloads a page or reconnects after a network
// change must never be refused because of their own older streams, some of which may be
// dead without the server knowing yet. So a stream over the limit is not refused: the
// user's oldest stream makes room for it.

var evictedFrame = []byte(": closed: newer stream of this user (stream limit)\n\n")

// register adds c to its user's streams and, when that takes the user over the limit,
// takes the oldest stream out in the same critical section, so two concurrent connects
// can never both pass the limit. The caller evicts what it returns.
func (h *Hub) register(c *conn) (oldest *conn) {
	sh := h.shard(c.user)
	sh.mu.Lock()
	cs := append(sh.users[c.user], c) // streams are kept oldest first
	if h.o.MaxPerUser > 0 && len(cs) > h.o.MaxPerUser {
		oldest = cs[0]
		cs = append(cs[:0:0], cs[1:]...)
	}
	sh.users[c.user] = cs
	sh.mu.Unlock()
	h.open.Add(1)
	h.m.conns.Inc()
	return oldest
}

// evict ends a stream that made room for a newer one: a final comment, if the socket takes
// it now (a stream that far behind is not waited for), then the close. A stream whose
// response head is not written yet still belongs to its Serve call: it is only marked,
// and Serve writes the head, the comment and closes it.
func (h *Hub) evict(c *conn) {
	c.mu.Lock()
	if !c.started && !c.closed {
		c.evicted, c.closed = true, true
		c.mu.Unlock()
		h.forget(c, "evicted")
		return
	}
	if !c.draining && !c.closed {
		_, _ = c.tryWrite(evictedFrame)
	}
	c.mu.Unlock()
	h.drop(c, "evicted")
}
