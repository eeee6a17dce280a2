// Package retention deletes what notifyd no longer keeps: notifications older than their
// type's retention (NOTIFY_RETENTION, or a type's retain), their deliveries, events
// (payloads and idempotency keys) once none of their notifications is left and they are
// older than both their type's retention and the dedupe window (NOTIFY_DEDUPE_WINDOW), and
// delivered webhook outbox rows. A pass runs every minute on one replica at a time (a
// lease in the store), in small transactions paced so the writer is mostly free for the
// accept path between them.
package retention

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/notifyd/notifyd/internal/batchsize"
	"github.com/notifyd/notifyd/internal/store"
)

// DefaultDedupeWindow is how long idempotency keys are kept at least by default: 14
// days, the longest retention of an SQS queue, so no message a queue can still redeliver
// finds its key gone.
const DefaultDedupeWindow = 14 * 24 * time.Hour

// LeaseName is the store lease a purging replica holds.
const LeaseName = "retention"

// ErrBusy: another replica holds the purge lease.
var ErrBusy = errors.New("a purge is running on another replica")

// Options tune a Purger. Zero values take the defaults.
type Options struct {
	Default time.Duration            // notifications of types without their own retention
	Types   map[string]time.Duration // a type's own retention (retain in NOTIFY_CONFIG)
	// DedupeWindow is how long an event's idempotency key is kept at least, so that a
	// producer's redelivery within it is still recognized (default 14 days, the longest
	// an SQS queue keeps a message). An event goes at the later of it and its type's
	// retention, once none of its notifications is left.
	DedupeWindow time.Duration
	Interval     time.Duration // between passes (default one minute)
	// Batch is the most rows a transaction deletes (default 2,000). Batches are sized by
	// their time (internal/batchsize): one that takes longer than BatchTime makes the
	// next smaller, down to minBatch, and quicker ones let it grow back. On a large table
	// a row's delete touches many index pages, and a fixed 2,000 could hold the writer
	// (SQLite's one writer) for seconds, stalling accepts.
	Batch     int
	BatchTime time.Duration // the writer hold a batch aims at (default 100 ms)
	// Duty is the share of time a pass may hold the writer: after a batch that took d,
	// the pass waits d*(1-Duty)/Duty (at least MinPause) before the next. Default 0.2.
	Duty     float64
	MinPause time.Duration // default 10ms
	Logger   *slog.Logger
	Metrics  prometheus.Registerer
	Now      func() time.Time
}

// Purger runs the retention passes.
type Purger struct {
	st     store.Store
	o      Options
	holder string // this replica's lease holder id

	mu    sync.Mutex // guards sizer: a pass on the timer and one asked for may overlap
	sizer *batchsize.Sizer

	purged *prometheus.CounterVec
	oldest prometheus.Gauge
	passes prometheus.Counter
}

// New returns a Purger over st.
func New(st store.Store, o Options) *Purger {
	if o.Interval <= 0 {
		o.Interval = time.Minute
	}
	if o.Batch <= 0 {
		o.Batch = 2000
	}
	if o.BatchTime <= 0 {
		o.BatchTime = 100 * time.Millisecond
	}
	if o.DedupeWindow <= 0 {
		o.DedupeWindow = DefaultDedupeWindow
	}
	if o.Duty <= 0 || o.Duty > 1 {
		o.Duty = 0.2
	}
	if o.MinPause <= 0 {
		o.MinPause = 10 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	p := &Purger{st: st, o: o, holder: hex.EncodeToString(id[:]), sizer: batchsize.New(o.Batch, minBatch, o.BatchTime),
		purged: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "notifyd_retention_purged_rows_total", Help: "Rows deleted by the retention purge, by table."}, []string{"table"}),
		oldest: prometheus.NewGauge(prometheus.GaugeOpts{Name: "notifyd_retention_oldest_notification_age_seconds", Help: "Age of the oldest notification kept (0: none), as of the last pass."}),
		passes: prometheus.NewCounter(prometheus.CounterOpts{Name: "notifyd_retention_passes_total", Help: "Retention passes this replica ran (it held the lease)."}),
	}
	for _, table := range []string{"notifications", "deliveries", "scheduled_notifications", "webhook_outbox", "events"} {
		p.purged.WithLabelValues(table)
	}
	if o.Metrics != nil {
		o.Metrics.MustRegister(p.purged, p.oldest, p.passes)
	}
	return p
}

// Run purges every Interval, the first time one Interval after it starts (not while the
// replica starts up), until ctx ends. A pass in flight stops between batches.
func (p *Purger) Run(ctx context.Context) error {
	t := time.NewTicker(p.o.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if _, err := p.Purge(ctx); err != nil && !errors.Is(err, ErrBusy) && ctx.Err() == nil {
			p.o.Logger.Warn("retention purge", "err", err)
		}
	}
}

// Cutoffs are the creation times before which rows go, now: each stored type's
// notifications at its retention, its events at the later of that and the dedupe window,
// delivered outbox rows at the default retention.
func (p *Purger) Cutoffs(ctx context.Context) (store.PurgeCutoffs, error) {
	types, err := p.st.StoredTypes(ctx)
	if err != nil {
		return store.PurgeCutoffs{}, err
	}
	evTypes, err := p.st.EventTypes(ctx)
	if err != nil {
		return store.PurgeCutoffs{}, err
	}
	now := p.o.Now()
	c := store.PurgeCutoffs{Types: make(map[string]time.Time, len(types)), Events: make(map[string]time.Time, len(evTypes)),
		Outbox: now.Add(-p.o.Default)}
	for _, typ := range types {
		c.Types[typ] = now.Add(-p.keep(typ))
	}
	for _, typ := range evTypes {
		c.Events[typ] = now.Add(-max(p.keep(typ), p.o.DedupeWindow))
	}
	return c, nil
}

// keep is how long typ's notifications are kept.
func (p *Purger) keep(typ string) time.Duration {
	if d := p.o.Types[typ]; d > 0 {
		return d
	}
	return p.o.Default
}

// DryRun counts what a pass would delete now.
func (p *Purger) DryRun(ctx context.Context) (store.PurgeCutoffs, store.Purged, error) {
	c, err := p.Cutoffs(ctx)
	if err != nil {
		return c, store.Purged{}, err
	}
	n, err := p.st.CountPurgeable(ctx, c)
	return c, n, err
}

// Purge runs one pass if this replica gets the lease (ErrBusy if another holds it): each
// type's old notifications batch by batch, then each type's events nothing needs any
// more, then delivered outbox rows. It renews the
// lease before every batch, stops if it lost it, and gives it up when the pass ends.
func (p *Purger) Purge(ctx context.Context) (store.Purged, error) {
	var total store.Purged
	if err := p.lease(ctx); err != nil {
		return total, err
	}
	defer p.release(ctx)
	p.passes.Inc()
	defer p.observeOldest(ctx)
	c, err := p.Cutoffs(ctx)
	if err != nil {
		return total, err
	}
	for typ, before := range c.Types {
		err := p.batches(ctx, func(limit int) (int64, error) {
			n, err := p.st.PurgeNotifications(ctx, typ, before, limit)
			total = total.Add(n)
			p.count(n)
			return n.Notifications, err
		})
		if err != nil {
			return total, err
		}
	}
	for typ, before := range c.Events {
		err := p.batches(ctx, func(limit int) (int64, error) {
			n, err := p.st.PurgeEvents(ctx, typ, before, limit)
			total.Events += n
			p.count(store.Purged{Events: n})
			return n, err
		})
		if err != nil {
			return total, err
		}
	}
	err = p.batches(ctx, func(limit int) (int64, error) {
		n, err := p.st.PurgeOutbox(ctx, c.Outbox, limit)
		total.Outbox += n
		p.count(store.Purged{Outbox: n})
		return n, err
	})
	if total != (store.Purged{}) {
		p.o.Logger.Info("retention purge", "notifications", total.Notifications, "deliveries", total.Deliveries, "events", total.Events, "outbox", total.Outbox)
	}
	return total, err
}

// batches runs one, a batch at a time, until a batch deletes fewer rows than it asked
// for, pacing between them. The sizes follow the time each batch took (batchsize); the
// sizer lives as long as the Purger, so a pass starts at the size the last one reached.
func (p *Purger) batches(ctx context.Context, one func(limit int) (int64, error)) error {
	for {
		p.mu.Lock()
		limit := p.sizer.Next()
		p.mu.Unlock()
		start := time.Now()
		n, err := one(limit)
		took := time.Since(start)
		p.o.Logger.Debug("retention batch", "rows", n, "limit", limit, "took", took)
		if err != nil || n < int64(limit) {
			return err
		}
		p.mu.Lock()
		p.sizer.Took(int(n), took)
		p.mu.Unlock()
		pause := max(p.o.MinPause, time.Duration(float64(took)*(1-p.o.Duty)/p.o.Duty))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		if err := p.lease(ctx); err != nil {
			return err
		}
	}
}

// minBatch is the fewest rows a batch asks for, however slow the deletes: below it the
// transaction's own cost outweighs the rows.
const minBatch = 20

func (p *Purger) lease(ctx context.Context) error {
	ok, err := p.st.TakeLease(ctx, LeaseName, p.holder, p.o.Now(), 2*p.o.Interval)
	if err != nil {
		return err
	}
	if !ok {
		return ErrBusy
	}
	return nil
}

// release gives the lease up when a pass ends, stopped or not, so another replica (or
// this one after a restart) need not wait out its ttl: without it a rolling restart held
// every purge back for two intervals.
func (p *Purger) release(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := p.st.ReleaseLease(ctx, LeaseName, p.holder); err != nil {
		p.o.Logger.Warn("retention: releasing the lease", "err", err)
	}
}

func (p *Purger) count(n store.Purged) {
	p.purged.WithLabelValues("notifications").Add(float64(n.Notifications))
	p.purged.WithLabelValues("deliveries").Add(float64(n.Deliveries))
	p.purged.WithLabelValues("scheduled_notifications").Add(float64(n.Scheduled))
	p.purged.WithLabelValues("webhook_outbox").Add(float64(n.Outbox))
	p.purged.WithLabelValues("events").Add(float64(n.Events))
}

func (p *Purger) observeOldest(ctx context.Context) {
	at, ok, err := p.st.OldestNotification(ctx)
	switch {
	case err != nil:
		p.o.Logger.Warn("retention: oldest notification", "err", err)
	case !ok:
		p.oldest.Set(0)
	default:
		p.oldest.Set(p.o.Now().Sub(at).Seconds())
	}
}
