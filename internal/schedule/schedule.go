// Package schedule is the releaser: it makes scheduled (sendAt) notifications and digest
// windows visible when they are due (docs/timing.md). Each round releases a batch in one
// store transaction (the notification with the user's next seq, its deliveries, the
// pending rows marked released), then, after the commit, publishes the new notifications
// to the fan-out and wakes the delivery workers: the same publish-after-commit path
// ingest takes.
package schedule

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/fault"
	"github.com/notifyd/notifyd/internal/store"
)

// Publisher pushes released notifications to live subscribers (internal/fanout).
type Publisher interface {
	Publish(ctx context.Context, ns []notify.Notification)
}

// Options configure a Releaser.
type Options struct {
	Publisher Publisher
	// Delivered is called after a release that queued deliveries (wakes the workers).
	Delivered func()
	// Poll is how often the releaser looks for due rows (default 1s): a notification
	// becomes visible at most about Poll after its time, when the store keeps up.
	Poll time.Duration
	// Decide gives the delivery decision of released notifications their type's rules
	// and the service's defaults.
	Decide store.Decide
	// Batch bounds the notifications one release transaction takes (default 500).
	Batch   int
	Logger  *slog.Logger
	Metrics prometheus.Registerer
	// Now is the clock (default time.Now); tests move it.
	Now func() time.Time
}

// Releaser releases due notifications. Several releasers (replicas) may run on one store:
// the store's transaction hands each row to one of them.
type Releaser struct {
	st       store.Scheduler
	o        Options
	txCtx    context.Context // transactions run in it; Abort cancels it
	abort    context.CancelFunc
	released prometheus.Counter
	rounds   prometheus.Counter
}

// New returns a Releaser over st; Run runs it.
func New(st store.Scheduler, o Options) *Releaser {
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Delivered == nil {
		o.Delivered = func() {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	txCtx, abort := context.WithCancel(context.Background())
	r := &Releaser{st: st, o: o, txCtx: txCtx, abort: abort,
		released: prometheus.NewCounter(prometheus.CounterOpts{Name: "notifyd_schedule_released_total", Help: "Scheduled and digest notifications made visible."}),
		rounds:   prometheus.NewCounter(prometheus.CounterOpts{Name: "notifyd_schedule_release_batches_total", Help: "Release transactions that released something."}),
	}
	if o.Metrics != nil {
		o.Metrics.MustRegister(r.released, r.rounds)
	}
	return r
}

// Run releases due notifications every Poll until ctx ends. It returns nil then; a
// release in flight finishes (its transaction is not cut off by ctx, only by Abort).
func (r *Releaser) Run(ctx context.Context) error {
	t := time.NewTicker(r.o.Poll)
	defer t.Stop()
	for {
		if _, err := r.ReleaseNow(r.txCtx); err != nil && r.txCtx.Err() == nil {
			r.o.Logger.Warn("release due notifications", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Abort cancels the release transaction in flight, if any (it rolls back: the rows are
// due again), and every later one: for a shutdown whose grace period is over, so a hung
// database cannot hold it.
func (r *Releaser) Abort() { r.abort() }

// ReleaseNow releases everything due at this moment, batch after batch, and returns how
// many notifications became visible.
func (r *Releaser) ReleaseNow(ctx context.Context) (int, error) {
	total := 0
	for {
		out, more, err := r.st.ReleaseDue(ctx, r.o.Now(), r.o.Batch, r.o.Decide)
		if err != nil {
			return total, err
		}
		if len(out) > 0 {
			fault.Hit("schedule.after-release")
			if r.o.Publisher != nil {
				r.o.Publisher.Publish(ctx, out)
			}
			r.o.Delivered()
			r.released.Add(float64(len(out)))
			r.rounds.Inc()
			total += len(out)
		}
		if !more {
			return total, nil
		}
	}
}
