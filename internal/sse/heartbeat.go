package sse

import "time"

var heartbeatFrame = []byte(":\n\n")

// watch is the one goroutine that looks after idle streams. Every Sweep interval it
// probes the streams' sockets for the client's FIN or RST without waiting (one poll(2)
// per 1,024 streams, then a read of those that answered; see prober), so a vanished
// client stops counting against its user's limit within seconds rather than at the next
// heartbeat; every Heartbeat interval it also writes a comment to the rest, so proxies
// keep them open.
//
// Why a sweeper and not a goroutine (or a blocking read) per stream: an idle stream costs
// a conn record and nothing else, which is what lets one process hold 100k streams. The
// bulk poll costs the kernel a fraction of a microsecond per stream and no syscall of its
// own. (An epoll set watching EPOLLRDHUP would cost nothing while idle, but ties the hub
// to Linux and duplicates the runtime's poller; poll(2) is in every Unix.)
func (h *Hub) watch() {
	every := min(h.o.Sweep, h.o.Heartbeat)
	t := time.NewTicker(every)
	defer t.Stop()
	p := newProber() // only this goroutine probes, so one set of buffers serves all
	var batch []*conn
	lastBeat := time.Now()
	for {
		select {
		case <-h.ctx.Done():
			return
		case now := <-t.C:
			beat := now.Sub(lastBeat) >= h.o.Heartbeat-every/2
			if beat {
				lastBeat = now
			}
			for i := range h.shards {
				batch = h.sweepShard(&h.shards[i], batch[:0], p, beat)
			}
		}
	}
}

func (h *Hub) sweepShard(sh *shard, batch []*conn, p *prober, beat bool) []*conn {
	sh.mu.RLock()
	for _, cs := range sh.users {
		batch = append(batch, cs...)
	}
	sh.mu.RUnlock()
	gone := p.check(batch)
	for i, c := range batch {
		if gone[i] {
			h.drop(c, "client closed")
			continue
		}
		if !beat {
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
	clear(batch) // let dropped conns go
	return batch
}
