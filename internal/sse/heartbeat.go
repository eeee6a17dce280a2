package sse

import "time"

var heartbeatFrame = []byte(":\n\n")

// heartbeats walks every stream once per interval: it drops the ones whose client has
// gone and writes a comment to the rest, so proxies keep them open. One goroutine and one
// ticker for all streams, instead of a timer each.
func (h *Hub) heartbeats() {
	t := time.NewTicker(h.o.Heartbeat)
	defer t.Stop()
	scratch := make([]byte, 512)
	var batch []*conn
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
		}
		for i := range h.shards {
			sh := &h.shards[i]
			batch = batch[:0]
			sh.mu.RLock()
			for _, cs := range sh.users {
				batch = append(batch, cs...)
			}
			sh.mu.RUnlock()
			for _, c := range batch {
				if c.peerGone(scratch) {
					h.drop(c, "client closed")
					continue
				}
				c.mu.Lock()
				ok := true
				if c.started { // registered streams wait for their response head
					ok = c.writeLocked(h, heartbeatFrame)
				}
				c.mu.Unlock()
				if !ok {
					h.drop(c, "slow client")
				}
			}
		}
	}
}
