// Package delivery is the delivery engine for every queued channel (sms, email, webpush):
// a Worker claims due rows of its channel from the store with a short lease, applies the
// rate limit and the per-recipient cap, sends through the channel's Sender, and records
// the outcome, retrying transient failures with exponential backoff and jitter. It knows
// channels only through Sender and the classification of internal/channel.
//
// A row is sent at most once while its lease holds: the claim is atomic across processes,
// the lease is renewed while the provider call (and the recording) is in flight, and every
// write is fenced on the attempt number. The one window for a second send is a process
// that dies after the provider accepted a message and before the outcome was recorded:
// its lease runs out within seconds and another worker sends again, with the same
// delivery id. Providers that take an idempotency key (the webhook provider sends the
// delivery id) close that window.
package delivery

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/store"
)

// Store is the part of store.Store a worker uses.
type Store interface {
	ClaimDeliveries(ctx context.Context, channel notify.Channel, now time.Time, lease time.Duration, limit int) ([]notify.Message, error)
	CompleteDelivery(ctx context.Context, deliveryID int64, attempt int, o store.Outcome) error
	RenewDelivery(ctx context.Context, deliveryID int64, attempt int, until time.Time) error
	CountSent(ctx context.Context, channel notify.Channel, address string, since time.Time) (int, error)
}

// Sender sends one message on one channel (internal/channel/<kind>). Its errors are
// classified with internal/channel: permanent fails the delivery, skip records it skipped
// with the error's reason, anything else is retried.
type Sender interface {
	Send(ctx context.Context, m notify.Message) (channel.Receipt, error)
}

// DefaultLease is how long a claim holds unless renewed (Options.Lease).
const DefaultLease = 15 * time.Second

// storeTimeout bounds each store call of the worker (claim, cap count, outcome record),
// so a hung database cannot hold a send slot, or shutdown, forever; a record that times
// out is retried within RecordFor like any other failure.
const storeTimeout = 10 * time.Second

// Options configure a Worker. Zero values take the defaults.
type Options struct {
	Channel     notify.Channel // default sms
	Sender      Sender
	Provider    string // provider name for metrics and logs
	Concurrency int    // sends in flight (default 8)
	// Lease is how long a claim holds without renewal (default 15s): what a crashed
	// process costs its deliveries. It is renewed every Lease/3 while a send and its
	// recording are in flight, so it need not exceed SendTimeout.
	Lease       time.Duration
	SendTimeout time.Duration // one provider call (default 30s)
	// RecordFor is how long a worker keeps trying to record an outcome while the store
	// fails, renewing the lease meanwhile (default 1m).
	RecordFor   time.Duration
	Poll        time.Duration // look for due rows at least this often (default 1s)
	MaxAttempts int           // attempts before a transient failure becomes failed (default 8)
	BaseBackoff time.Duration // first retry delay (default 2s), doubling, with full jitter
	MaxBackoff  time.Duration // longest retry delay (default 10m)
	// RatePerSecond caps provider calls per second across this process (0 = no cap).
	RatePerSecond float64
	// CapPerRecipient deliveries to one address per CapWindow; more are skipped with the
	// reason (0 = no cap). Default 10 per hour.
	CapPerRecipient int
	CapWindow       time.Duration
	Logger          *slog.Logger
	Metrics         prometheus.Registerer
	Now             func() time.Time // for tests
	// Advertising reports whether an event type is advertising; its messages go to the
	// sender marked, with AdFooter (NOTIFY_AD_FOOTER) as their opt-out line. nil: none is.
	Advertising func(typ string) bool
	AdFooter    string
}

// Worker sends the queued deliveries of one channel.
type Worker struct {
	st      Store
	o       Options
	log     *slog.Logger
	limiter *rate.Limiter
	kick    chan struct{}
	m       *metrics

	abortOnce sync.Once
	aborted   chan struct{} // closed by Abort
}

// New returns a worker; Run starts it.
func New(st Store, o Options) *Worker {
	if o.Channel == "" {
		o.Channel = notify.ChannelSMS
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 30 * time.Second
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.RecordFor <= 0 {
		o.RecordFor = time.Minute
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = 2 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Minute
	}
	if o.CapWindow <= 0 {
		o.CapWindow = time.Hour
	}
	if o.CapPerRecipient == 0 {
		o.CapPerRecipient = 10
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Provider == "" {
		o.Provider = "unknown"
	}
	w := &Worker{st: st, o: o, log: o.Logger, kick: make(chan struct{}, 1), m: newMetrics(o.Metrics), aborted: make(chan struct{})}
	if o.RatePerSecond > 0 {
		w.limiter = rate.NewLimiter(rate.Limit(o.RatePerSecond), max(1, int(o.RatePerSecond)))
	}
	return w
}

// Abort gives up recording outcomes that the store does not take now: a shutdown calls it
// when its grace period is over, so a hung database cannot hold the process (see record).
func (w *Worker) Abort() { w.abortOnce.Do(func() { close(w.aborted) }) }

// Kick wakes the worker to look for due rows now (after a commit queued some).
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run claims and sends until ctx ends, then waits for the sends in flight to finish and be
// recorded (they are not cancelled: an SMS half-sent is worse than a slower shutdown).
func (w *Worker) Run(ctx context.Context) error {
	slots := make(chan struct{}, w.o.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-w.kick:
		case <-timer.C:
		}
		for ctx.Err() == nil {
			free := cap(slots) - len(slots)
			if free == 0 {
				// Wait for a slot; a finished send kicks.
				break
			}
			cctx, cancel := context.WithTimeout(ctx, storeTimeout)
			msgs, err := w.st.ClaimDeliveries(cctx, w.o.Channel, w.o.Now(), w.o.Lease, free)
			cancel()
			if err != nil {
				if ctx.Err() == nil {
					w.log.Warn("claiming deliveries failed", "channel", w.o.Channel, "err", err)
				}
				break
			}
			for _, m := range msgs {
				slots <- struct{}{}
				wg.Go(func() {
					defer func() { <-slots; w.Kick() }()
					w.deliver(ctx, m)
				})
			}
			if len(msgs) < free {
				break
			}
		}
		timer.Reset(w.o.Poll)
	}
}
