// Package topic is the fan-out worker of topic events: an event to a topic is accepted
// as one event row and a job; a worker on any replica claims the job with a lease and
// works it page by page, each page ONE store transaction (the page's notifications with
// each subscriber's next seq, their deliveries, the `once` subscriptions ended, the
// cursor moved). After each commit it publishes the page to the live fan-out and wakes
// the delivery workers, as ingest does after an accept. A crash between pages costs one
// lease: another worker resumes at the cursor.
package topic

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/batchsize"
	"github.com/notifyd/notifyd/internal/fault"
	"github.com/notifyd/notifyd/internal/prefs"
	"github.com/notifyd/notifyd/internal/store"
)

// Store is what the worker needs of the store.
type Store interface {
	ClaimTopicJob(ctx context.Context, now time.Time, lease time.Duration) (*store.TopicJob, error)
	FanOutPage(ctx context.Context, job *store.TopicJob, in store.FanOutInput) (*store.FanOutResult, error)
}

// Publisher pushes committed notifications to live subscribers (internal/fanout).
type Publisher interface {
	Publish(ctx context.Context, ns []notify.Notification)
}

// Defaults of Options.
const (
	DefaultPage  = 500
	DefaultLease = 10 * time.Second
)

// Options configure a Worker.
type Options struct {
	Registry *notify.Registry // the event types, to prepare a job's event again
	Limits   notify.Limits
	Defaults prefs.Defaults // the delivery decision's defaults (zone, quiet hours)
	// Publisher gets each page once committed (nil: none).
	Publisher Publisher
	// Delivered is called after a page that queued deliveries (wakes the workers).
	Delivered func()
	// Page is the most subscribers one transaction takes (default DefaultPage).
	Page int
	// PageTime is how long a page's transaction should hold the store's one writer
	// (SQLite; default DefaultPageTime; negative: every page takes Page). Each page is
	// sized by how long the last one took (pagesize.go), so single events accepted
	// meanwhile, which the store lets in before the next page, wait at most about this
	// long. Where writers do not wait for each other (MariaDB, PostgreSQL) every page
	// takes Page.
	PageTime time.Duration
	// Lease is how long a claimed job is the worker's without a page (default
	// DefaultLease); each page renews it. After a crash another worker waits this long.
	Lease time.Duration
	// Poll is how often an idle worker looks for jobs (default 1s); Kick wakes it sooner.
	Poll    time.Duration
	Logger  *slog.Logger
	Metrics prometheus.Registerer
	Now     func() time.Time
}

// Worker claims and works fan-out jobs. Several workers (replicas) may share a store.
type Worker struct {
	st    Store
	o     Options
	kick  chan struct{}
	txCtx context.Context
	abort context.CancelFunc
	pages prometheus.Counter
	notes prometheus.Counter
	held  prometheus.Histogram
}

// New returns a Worker over st; Run runs it.
func New(st Store, o Options) *Worker {
	if o.Page <= 0 {
		o.Page = DefaultPage
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.PageTime == 0 {
		o.PageTime = DefaultPageTime
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
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
	if o.Limits == (notify.Limits{}) {
		o.Limits = notify.DefaultLimits
	}
	txCtx, abort := context.WithCancel(context.Background())
	w := &Worker{st: st, o: o, kick: make(chan struct{}, 1), txCtx: txCtx, abort: abort,
		pages: prometheus.NewCounter(prometheus.CounterOpts{Name: "notifyd_topic_pages_total", Help: "Topic fan-out pages committed."}),
		notes: prometheus.NewCounter(prometheus.CounterOpts{Name: "notifyd_topic_notifications_total", Help: "Notifications written by topic fan-out pages."}),
		held: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "notifyd_topic_page_seconds", Help: "How long one fan-out page's transaction held the store's one writer (SQLite only).",
			Buckets: prometheus.ExponentialBuckets(250e-6, 2, 14)}),
	}
	if o.Metrics != nil {
		o.Metrics.MustRegister(w.pages, w.notes, w.held)
	}
	return w
}

// Kick wakes the worker: a topic event was just accepted.
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Abort cancels the page transaction in flight and every later one (it rolls back; the
// job resumes after its lease): for a shutdown whose grace period is over.
func (w *Worker) Abort() { w.abort() }

// Run works jobs until ctx ends; a page in flight finishes first.
func (w *Worker) Run(ctx context.Context) error {
	t := time.NewTicker(w.o.Poll)
	defer t.Stop()
	for {
		if err := w.WorkNow(ctx); err != nil && w.txCtx.Err() == nil && ctx.Err() == nil {
			w.o.Logger.Warn("topic fan-out", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-w.kick:
		}
	}
}

// WorkNow claims and works jobs until none is due or ctx ends.
func (w *Worker) WorkNow(ctx context.Context) error {
	for ctx.Err() == nil {
		job, err := w.st.ClaimTopicJob(w.txCtx, w.o.Now(), w.o.Lease)
		if err != nil || job == nil {
			return err
		}
		if err := w.work(ctx, job); err != nil {
			return err
		}
	}
	return nil
}

// work runs a claimed job's pages until it is finished, the lease is lost (cancelled, or
// taken after a stall) or ctx ends (the job resumes after its lease, here or elsewhere).
func (w *Worker) work(ctx context.Context, job *store.TopicJob) error {
	p, err := w.prepare(job)
	if err != nil {
		// Not retryable by this process (the type left the configuration): the lease runs
		// out and a replica whose configuration knows the type takes it.
		w.o.Logger.Error("topic fan-out: cannot prepare the event again", "event", job.EventKey, "topic", job.Topic, "err", err)
		return nil
	}
	sizer := batchsize.New(w.o.Page, minPage, w.o.PageTime)
	for ctx.Err() == nil {
		size := sizer.Next()
		res, err := w.st.FanOutPage(w.txCtx, job, store.FanOutInput{Prepared: p, Defaults: w.o.Defaults, Size: size, Now: w.o.Now(), Lease: w.o.Lease})
		if errors.Is(err, store.ErrLeaseLost) {
			return nil
		}
		if err != nil {
			return err
		}
		fault.Hit("topic.after-page")
		if res.Held > 0 {
			w.held.Observe(res.Held.Seconds())
			if w.o.PageTime > 0 {
				sizer.Took(res.Page, res.Held)
			}
		}
		if len(res.Notifications) > 0 {
			if w.o.Publisher != nil {
				w.o.Publisher.Publish(ctx, res.Notifications)
			}
			if queuesDelivery(p.Topic) {
				w.o.Delivered()
			}
		}
		w.pages.Inc()
		w.notes.Add(float64(len(res.Notifications)))
		if res.Finished {
			w.o.Logger.Info("topic fan-out finished", "event", job.EventKey, "topic", job.Topic, "subscribers", res.Done)
			return nil
		}
	}
	return nil
}

// prepare decodes the stored event and prepares it as ingest did when it was accepted.
func (w *Worker) prepare(job *store.TopicJob) (*notify.Prepared, error) {
	ev, err := notify.DecodeEvent(job.Payload)
	if err != nil {
		return nil, err
	}
	p, err := w.o.Registry.Prepare(ev, w.o.Limits)
	if err != nil {
		return nil, err
	}
	if p.Topic == nil {
		return nil, errors.New("the stored event names no topic")
	}
	return p, nil
}

// queuesDelivery reports whether the topic's role is routed to a queued channel.
func queuesDelivery(t *notify.Target) bool {
	for _, c := range t.Channels {
		if !prefs.IsInbox(c) {
			return true
		}
	}
	return false
}
