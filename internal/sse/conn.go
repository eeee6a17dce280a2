package sse

import (
	"errors"
	"net"
	"sync"
	"syscall"
	"time"
)

// conn is one open stream. Every field after mu is guarded by mu.
type conn struct {
	user string
	nc   net.Conn
	rc   syscall.RawConn // nil when nc has no file descriptor (then every write drains)
	fd   int             // rc's descriptor, for the sweep's poll (prober); -1 without rc

	mu       sync.Mutex
	last     int64 // the last sequence number written
	want     int64 // the newest sequence number known to exist while catching up
	catching bool  // the catch-up pool owns writing; live offers only raise want
	draining bool  // a drain goroutine owns the socket; writes append to pending
	pending  []byte
	closed   bool
	started  bool // the response head is written; until then nothing else may be
	evicted  bool // made room before it started: Serve finishes and closes it
}

func newConn(user string, nc net.Conn) *conn {
	c := &conn{user: user, nc: nc, fd: -1}
	if sc, ok := nc.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			c.rc = rc
			_ = rc.Control(func(fd uintptr) { c.fd = int(fd) }) // on failure fd stays -1: never polled
		}
	}
	return c
}

// writeLocked writes b without blocking: straight to the socket when it has room, else
// into a bounded pending buffer that a drain goroutine empties. It returns false when the
// client is too slow or gone and must be dropped.
func (c *conn) writeLocked(h *Hub, b []byte) bool {
	if c.closed {
		return false
	}
	if c.draining {
		if len(c.pending)+len(b) > h.o.MaxPending {
			return false
		}
		c.pending = append(c.pending, b...)
		return true
	}
	n, err := c.tryWrite(b)
	if err != nil {
		return false
	}
	if n < len(b) {
		c.pending = append(c.pending[:0], b[n:]...)
		c.draining = true
		h.wg.Add(1)
		go c.drain(h)
	}
	return true
}

// tryWrite writes what the socket takes now. A full socket is not an error: n < len(b).
func (c *conn) tryWrite(b []byte) (int, error) {
	if c.rc == nil {
		return 0, nil
	}
	var n int
	var werr error
	err := c.rc.Write(func(fd uintptr) bool {
		n, werr = syscall.Write(int(fd), b)
		return true // never wait for writability here: that is the drain goroutine's job
	})
	if err != nil {
		return 0, err
	}
	if n < 0 {
		n = 0
	}
	if werr != nil && !errors.Is(werr, syscall.EAGAIN) {
		return n, werr
	}
	return n, nil
}

// drain writes pending bytes with a deadline, until none are left. It exists only while a
// client is behind.
func (c *conn) drain(h *Hub) {
	defer h.wg.Done()
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return
		}
		if len(c.pending) == 0 {
			c.draining = false
			c.pending = nil
			c.mu.Unlock()
			return
		}
		buf := c.pending
		c.pending = nil
		c.mu.Unlock()
		_ = c.nc.SetWriteDeadline(time.Now().Add(h.o.WriteTimeout))
		if _, err := c.nc.Write(buf); err != nil {
			h.drop(c, "slow client")
			return
		}
		// A deadline left set would fail the next non-blocking write once it passes.
		_ = c.nc.SetWriteDeadline(time.Time{})
	}
}

// peerGone reports whether the client closed its side, without blocking. Only the
// watch goroutine calls it (through prober), so one scratch buffer serves every stream.
func (c *conn) peerGone(scratch []byte) bool {
	if c.rc == nil {
		return false
	}
	gone := false
	err := c.rc.Read(func(fd uintptr) bool {
		n, err := syscall.Read(int(fd), scratch)
		gone = (n == 0 && err == nil) || (err != nil && !errors.Is(err, syscall.EAGAIN))
		return true
	})
	return gone || err != nil
}

// drop closes a stream and forgets it. Safe to call more than once.
func (h *Hub) drop(c *conn, reason string) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.pending = nil
	c.mu.Unlock()
	_ = c.nc.Close()
	h.forget(c, reason)
}

// forget takes a closed stream out of the hub.
func (h *Hub) forget(c *conn, reason string) {
	sh := h.shard(c.user)
	sh.mu.Lock()
	cs := sh.users[c.user]
	for i, x := range cs {
		if x == c {
			cs = append(cs[:i], cs[i+1:]...)
			break
		}
	}
	if len(cs) == 0 {
		delete(sh.users, c.user)
	} else {
		sh.users[c.user] = cs
	}
	sh.mu.Unlock()
	h.open.Add(-1)
	h.m.conns.Dec()
	h.m.closed.WithLabelValues(reason).Inc()
}
