package fanout

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	notify "github.com/notifyd/notifyd"
)

// relay is the half that the Redis and PostgreSQL fan-outs share: this replica's streams
// get a batch at once, and a bounded queue hands it to one publisher goroutine that sends
// it to the other replicas in order, so that commits never wait for the broker.
type relay struct {
	hub    Hub
	log    *slog.Logger
	m      *metrics
	origin string // this replica's id in its messages, so that it skips its own
	broker string // "redis" or "postgres", for the logs
	queue  chan batch
	done   chan struct{} // closed by shut: ends a retry's wait

	mu     sync.Mutex // guards closed and queue sends after close; the fan-outs' connections too
	closed bool
}

// batch is one queued Publish or PublishState.
type batch struct {
	ns     []notify.Notification
	states []notify.StateChange
}

func newRelay(hub Hub, broker string, queue int, log *slog.Logger, reg prometheus.Registerer) (*relay, error) {
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	return &relay{
		hub:    hub,
		log:    log.With("component", "fanout"),
		m:      m,
		origin: hex.EncodeToString(id[:]),
		broker: broker,
		queue:  make(chan batch, queue),
		done:   make(chan struct{}),
	}, nil
}

// Publish implements ingest.Publisher: local streams get ns now, other replicas through
// the broker shortly after. It never blocks on the broker.
func (r *relay) Publish(_ context.Context, ns []notify.Notification) {
	if len(ns) == 0 {
		return
	}
	r.hub.Deliver(ns)
	r.enqueue(batch{ns: ns})
}

// PublishState tells this replica's streams of sc's user now, and the other replicas'
// through the broker. A state change lost between replicas (one whose receiver's
// subscription was down) has no sequence for a resync to find: instead, the resync that
// follows every re-subscription sends each stream of that replica {"refresh":true}, and
// the client lists again (sse.Hub.Resync).
func (r *relay) PublishState(_ context.Context, sc notify.StateChange) {
	r.hub.DeliverState(sc)
	r.enqueue(batch{states: []notify.StateChange{sc}})
}

// enqueue hands b to the publisher; when the queue is full (the broker far slower than
// commits) b is dropped for the other replicas, counted and logged: they heal at their
// next resync.
func (r *relay) enqueue(b batch) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	select {
	case r.queue <- b:
	default:
		r.m.publishErrors.Inc()
		r.log.Warn("fanout: publish queue full, batch not sent to other replicas", "notifications", len(b.ns), "states", len(b.states))
	}
}

// publishLoop sends the queued batches with send, in order, until shut closes the queue.
// A batch that fails is tried again (send reconnects first when its connection broke)
// with capped backoff until it goes or the relay is shut, so that a broker connection the
// server terminated costs the other replicas a short delay, not a lost message: nothing
// would resync them for it (their own connections may never have dropped). Batches
// queued meanwhile wait behind it, in order; once the queue is full they are dropped and
// counted, and heal at the other replicas' next resync.
func (r *relay) publishLoop(send func(batch) error) {
	for b := range r.queue {
		r.sendRetrying(b, send)
	}
}

// sendRetrying sends b, trying again while the relay is open; after shut, once more only.
func (r *relay) sendRetrying(b batch, send func(batch) error) {
	backoff := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := send(b)
		if err == nil {
			r.m.published.Add(float64(len(b.ns)))
			if attempt > 1 {
				r.log.Info("fanout: publish to "+r.broker+" went through after retrying", "attempts", attempt)
			}
			return
		}
		r.m.publishErrors.Inc()
		if r.isClosed() && attempt > 1 {
			r.log.Warn("fanout: publish to "+r.broker+" failed at shutdown; other replicas heal on resync", "notifications", len(b.ns), "states", len(b.states), "err", err)
			return
		}
		r.log.Warn("fanout: publish to "+r.broker+" failed; trying again", "notifications", len(b.ns), "states", len(b.states), "attempt", attempt, "err", err)
		select {
		case <-r.done:
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, publishMaxBackoff)
	}
}

// publishMaxBackoff caps the wait between attempts of one batch.
const publishMaxBackoff = 2 * time.Second

func (r *relay) isClosed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

// shut marks the relay closed and closes its queue (the publisher sends what is in it and
// returns), running also under the same lock; false when it was shut already.
func (r *relay) shut(also func()) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.closed = true
	close(r.queue)
	close(r.done)
	also()
	return true
}

// keepUp runs session until ctx ends, again after each drop, waiting a capped exponential
// backoff between attempts. session reports whether it got as far as receiving (then the
// backoff starts over) and gets whether an earlier session did (so that it counts a
// reconnect). what names the connection in the logs ("redis subscription").
func (r *relay) keepUp(ctx context.Context, what string, maxBackoff time.Duration, session func(reconnect bool) (up bool, err error)) {
	backoff := 50 * time.Millisecond
	established := false // once true, every later session is a reconnect
	failures := 0        // failed attempts since the connection was last up
	for ctx.Err() == nil {
		up, err := session(established)
		if ctx.Err() != nil {
			return
		}
		if up {
			established, failures = true, 0
			backoff = 50 * time.Millisecond
		}
		// Warn when the connection is lost and every 30th failed attempt after that
		// (about once a minute at the default backoff), not at every retry.
		if failures%30 == 0 {
			r.log.Warn("fanout: "+what+" down; live pushes from other replicas wait for it", "err", err, "attempts", failures+1)
		} else {
			r.log.Debug("fanout: "+what+" down", "err", err, "attempts", failures+1)
		}
		failures++
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}
