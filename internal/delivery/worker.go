// Package delivery works the queued deliveries (SMS): it claims due rows from the store
// with a lease, applies the provider rate limit and the per-recipient cap, sends, and
// records the outcome, retrying transient failures with exponential backoff and jitter.
//
// A row is sent at most once while its lease holds: the claim is atomic across processes
// and the outcome is fenced on the attempt number. The one window for a second send is a
// process that dies after the provider accepted a message and before the outcome was
// recorded: the lease runs out and another worker sends again. Providers that take an
// idempotency key (the webhook provider sends the delivery id) close that window.
package delivery

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/time/rate"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/fault"
	"github.com/notifyd/notifyd/internal/sms"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/telemetry"
)

// Store is the part of store.Store a worker uses.
type Store interface {
	ClaimDeliveries(ctx context.Context, channel notify.Channel, now time.Time, lease time.Duration, limit int) ([]notify.Message, error)
	CompleteDelivery(ctx context.Context, deliveryID int64, attempt int, o store.Outcome) error
	CountSent(ctx context.Context, channel notify.Channel, address string, since time.Time) (int, error)
}

// Sender sends one message (internal/sms providers).
type Sender interface {
	Send(ctx context.Context, m notify.Message) (providerID string, err error)
}

// Options configure a Worker. Zero values take the defaults.
type Options struct {
	Channel     notify.Channel // default sms
	Sender      Sender
	Provider    string        // provider name for metrics and logs
	Concurrency int           // sends in flight (default 8)
	Lease       time.Duration // how long a claim holds (default 2m; must exceed SendTimeout)
	SendTimeout time.Duration // one provider call (default 30s)
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
}

// Worker sends queued deliveries of one channel.
type Worker struct {
	st      Store
	o       Options
	log     *slog.Logger
	limiter *rate.Limiter
	kick    chan struct{}
	m       *metrics
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
		o.Lease = max(2*time.Minute, 2*o.SendTimeout)
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
	w := &Worker{st: st, o: o, log: o.Logger, kick: make(chan struct{}, 1), m: newMetrics(o.Metrics)}
	if o.RatePerSecond > 0 {
		w.limiter = rate.NewLimiter(rate.Limit(o.RatePerSecond), max(1, int(o.RatePerSecond)))
	}
	return w
}

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
			msgs, err := w.st.ClaimDeliveries(ctx, w.o.Channel, w.o.Now(), w.o.Lease, free)
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

// deliver sends one claimed message and records the outcome, in a span that is a child
// of the event's traceparent, so the provider call and the logs carry its trace id.
func (w *Worker) deliver(runCtx context.Context, m notify.Message) {
	ctx, span := telemetry.Start(context.WithoutCancel(runCtx), "notifyd.deliver", []string{m.TraceParent}, trace.WithAttributes(
		attribute.String("notifyd.channel", string(w.o.Channel)), attribute.String("notifyd.provider", w.o.Provider),
		attribute.Int("notifyd.attempt", m.Attempt), attribute.Int64("notifyd.delivery_id", m.DeliveryID), attribute.String("notifyd.event_id", m.EventID)))
	defer span.End()
	lg := w.log.With("delivery", m.DeliveryID, "attempt", m.Attempt, "event", m.EventID, "to", sms.MaskPhone(m.To))

	if w.o.CapPerRecipient > 0 {
		n, err := w.st.CountSent(ctx, w.o.Channel, m.To, w.o.Now().Add(-w.o.CapWindow))
		if err != nil {
			w.record(ctx, lg, m, w.retry(m, err))
			return
		}
		if n > w.o.CapPerRecipient { // n counts this delivery too
			w.record(ctx, lg, m, store.Outcome{Status: notify.StatusSkipped,
				Reason: "per-recipient cap: " + itoa(w.o.CapPerRecipient) + " per " + w.o.CapWindow.String() + " reached"})
			return
		}
	}
	if w.limiter != nil {
		if err := w.limiter.Wait(runCtx); err != nil {
			// Shutting down before our turn: hand the row back for the next worker now.
			w.record(ctx, lg, m, store.Outcome{Status: notify.StatusPending, Error: "released at shutdown before sending", NextAttemptAt: w.o.Now()})
			return
		}
	}
	sendCtx, cancel := context.WithTimeout(ctx, w.o.SendTimeout)
	start := time.Now()
	fault.Hit("delivery.before-send")
	id, err := w.o.Sender.Send(sendCtx, m)
	cancel()
	w.m.latency.WithLabelValues(w.o.Provider).Observe(time.Since(start).Seconds())
	switch {
	case err == nil:
		fault.Hit("delivery.after-send")
		w.record(ctx, lg, m, store.Outcome{Status: notify.StatusSent, ProviderID: id})
	case sms.IsPermanent(err):
		w.record(ctx, lg, m, store.Outcome{Status: notify.StatusFailed, Error: err.Error()})
	default:
		w.record(ctx, lg, m, w.retry(m, err))
	}
}

// retry is the outcome of a transient failure: pending again after a backoff, or failed
// once the attempts are used up.
func (w *Worker) retry(m notify.Message, err error) store.Outcome {
	if m.Attempt >= w.o.MaxAttempts {
		return store.Outcome{Status: notify.StatusFailed, Error: "gave up after " + itoa(m.Attempt) + " attempts: " + err.Error()}
	}
	return store.Outcome{Status: notify.StatusPending, Error: err.Error(), NextAttemptAt: w.o.Now().Add(w.backoff(m.Attempt))}
}

// backoff is exponential with full jitter: uniform in [base·2^(n-1)/2, base·2^(n-1)].
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.o.BaseBackoff
	for i := 1; i < attempt && d < w.o.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, w.o.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

// record stores an outcome, retrying a failing store for a while: a sent message whose
// record is lost would be sent again when its lease runs out.
func (w *Worker) record(ctx context.Context, lg *slog.Logger, m notify.Message, o store.Outcome) {
	o.At = w.o.Now()
	w.m.outcomes.WithLabelValues(string(w.o.Channel), string(o.Status)).Inc()
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(attribute.String("notifyd.outcome", string(o.Status)))
	level := slog.LevelInfo
	if o.Status == notify.StatusFailed {
		level = slog.LevelWarn
	}
	if o.Error != "" {
		span.SetStatus(codes.Error, o.Error)
	}
	delay := 100 * time.Millisecond
	deadline := time.Now().Add(w.o.Lease / 2)
	for {
		err := w.st.CompleteDelivery(ctx, m.DeliveryID, m.Attempt, o)
		switch {
		case err == nil:
			lg.Log(ctx, level, "delivery recorded", "status", o.Status, "provider_id", o.ProviderID, "err", o.Error, "reason", o.Reason)
			return
		case errors.Is(err, store.ErrLeaseLost):
			lg.WarnContext(ctx, "delivery outcome not recorded: the lease was lost to another claim", "status", o.Status)
			return
		case time.Now().After(deadline):
			lg.ErrorContext(ctx, "delivery outcome could not be recorded", "status", o.Status, "err", err)
			return
		}
		time.Sleep(delay)
		delay = min(2*delay, 5*time.Second)
	}
}
