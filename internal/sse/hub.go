// Package sse serves live notifications over server-sent events.
//
// A stream costs the server little: after the response headers the connection is taken
// over from net/http (hijacked) and the request goroutine returns, so an idle stream holds
// no goroutine and no buffer, only a small conn record in the hub. Live notifications are
// written from the publisher's goroutine with non-blocking writes; a client whose socket is
// full gets a short-lived drain goroutine with a write deadline, and is disconnected if it
// falls further behind (it catches up by replay when it reconnects). One watch goroutine
// walks every stream (vanished clients, heartbeats); a small pool replays from the store.
//
// Ordering: each user's notifications carry a gap-free sequence number (the SSE id). A
// stream writes seq n+1 only after n; an event that arrives ahead of a gap, and a new
// stream's replay after Last-Event-ID, are served from the store by the catch-up pool,
// while live events that arrive meanwhile are only noted. So no notification is skipped
// or sent twice at the replay/live boundary, and a lost fan-out message heals itself.
package sse

import (
	"context"
	"hash/maphash"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	notify "github.com/notifyd/notifyd"
)

// Store is what the hub reads: a user's notifications after a sequence number, and users'
// newest sequence numbers.
type Store interface {
	NotificationsAfter(ctx context.Context, userID string, after int64, limit int) ([]notify.Notification, error)
	LastSeqs(ctx context.Context, userIDs []string) (map[string]int64, error)
}

// Options tune a Hub. Zero values take the defaults.
type Options struct {
	Heartbeat      time.Duration // comment line to every stream this often (default 25s)
	Sweep          time.Duration // probe every stream for a vanished client this often (default 2s)
	WriteTimeout   time.Duration // a slow client has this long to take queued bytes (default 10s)
	MaxPending     int           // bytes queued for a slow client before it is dropped (default 64 KiB)
	MaxPerUser     int           // concurrent streams per user, the oldest makes room (default 8; <0 = no limit)
	Retry          time.Duration // reconnection delay advised to clients (default 2s)
	ReplayPage     int           // notifications read from the store per query (default 500)
	CatchupWorkers int           // concurrent store reads for replay (default 4)
	// Resync re-checks every stream against the store this often, a safety net for
	// fan-out messages lost between replicas (default 0: only when Resync is called).
	Resync  time.Duration
	Logger  *slog.Logger
	Metrics prometheus.Registerer
}

// DefaultHeartbeat is the heartbeat interval when Options.Heartbeat is zero.
const DefaultHeartbeat = 25 * time.Second

const shardCount = 64

// Hub holds every open stream of this process.
type Hub struct {
	st     Store
	o      Options
	log    *slog.Logger
	seed   maphash.Seed
	shards [shardCount]shard
	queue  chan *conn
	m      *metrics
	resync chan struct{} // a pending Resync request (resync.go)

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed atomic.Bool
	open   atomic.Int64
}

type shard struct {
	mu    sync.RWMutex
	users map[string][]*conn
}

// NewHub starts a hub. Close stops it and closes every stream.
func NewHub(st Store, o Options) *Hub {
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	if o.Sweep <= 0 {
		o.Sweep = 2 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.MaxPending <= 0 {
		o.MaxPending = 64 << 10
	}
	if o.MaxPerUser == 0 {
		o.MaxPerUser = 8
	}
	if o.Retry <= 0 {
		o.Retry = 2 * time.Second
	}
	if o.ReplayPage <= 0 {
		o.ReplayPage = 500
	}
	if o.CatchupWorkers <= 0 {
		o.CatchupWorkers = 4
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	h := &Hub{st: st, o: o, log: o.Logger, seed: maphash.MakeSeed(), queue: make(chan *conn, 1<<16), m: newMetrics(o.Metrics), resync: make(chan struct{}, 1)}
	for i := range h.shards {
		h.shards[i].users = map[string][]*conn{}
	}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	for range o.CatchupWorkers {
		h.wg.Go(h.catchupWorker)
	}
	h.wg.Go(h.watch)
	h.wg.Go(h.resyncLoop)
	return h
}

func (h *Hub) shard(user string) *shard {
	return &h.shards[maphash.String(h.seed, user)%shardCount]
}

// Conns returns the number of open streams.
func (h *Hub) Conns() int { return int(h.open.Load()) }

// Deliver writes committed notifications to their users' open streams. It never blocks on
// a client. Notifications of one user must come in sequence order within one call.
func (h *Hub) Deliver(ns []notify.Notification) {
	var local [4]*conn
	for i := range ns {
		n := &ns[i]
		sh := h.shard(n.UserID)
		sh.mu.RLock()
		cs := append(local[:0], sh.users[n.UserID]...)
		sh.mu.RUnlock()
		if len(cs) == 0 {
			continue
		}
		frame := EncodeNotification(n)
		for _, c := range cs {
			h.offer(c, n.Seq, frame)
		}
	}
}

// offer gives one live notification to one stream.
func (h *Hub) offer(c *conn, seq int64, frame []byte) {
	c.mu.Lock()
	switch {
	case c.closed || seq <= c.last:
		c.mu.Unlock()
		return
	case c.catching:
		c.want = max(c.want, seq)
		c.mu.Unlock()
		return
	case seq != c.last+1:
		// A gap: something between was lost or is still in flight; the store has it.
		c.catching, c.want = true, seq
		c.mu.Unlock()
		h.m.gaps.Inc()
		h.enqueue(c)
		return
	}
	ok := c.writeLocked(h, frame)
	c.last = seq
	c.mu.Unlock()
	if ok {
		h.m.sent.Inc()
	} else {
		h.drop(c, "slow client")
	}
}

// CloseUser closes every stream of user on this replica (the user was erased) and says
// how many there were. A client that reconnects starts over from the user's new
// sequence: a Last-Event-ID beyond the newest counts as the newest.
func (h *Hub) CloseUser(user string) int {
	sh := h.shard(user)
	sh.mu.RLock()
	cs := append([]*conn(nil), sh.users[user]...)
	sh.mu.RUnlock()
	for _, c := range cs {
		h.drop(c, "user erased")
	}
	return len(cs)
}

// Close closes every stream and stops the hub's goroutines. Clients reconnect (to this
// replica once it is back, or to another) and replay from their Last-Event-ID.
func (h *Hub) Close() {
	if h.closed.Swap(true) {
		return
	}
	h.cancel()
	for i := range h.shards {
		sh := &h.shards[i]
		sh.mu.RLock()
		var all []*conn
		for _, cs := range sh.users {
			all = append(all, cs...)
		}
		sh.mu.RUnlock()
		for _, c := range all {
			h.drop(c, "shutdown")
		}
	}
	h.wg.Wait()
}
