// Package ingest is the one way into notifyd for every source (HTTP, SQS): a source hands
// it decoded events and gets results back. It prepares each event (validate, render,
// route), stores a batch idempotently in one transaction through the group committer, and
// only after the commit hands the new notifications to the fan-out and wakes the delivery
// workers. Messages a source can never accept are kept through it too (Reject, Replay);
// how a source's raw body becomes events stays with the source.
package ingest

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/telemetry"
)

// Input is one decoded event and where it came from.
type Input struct {
	Event notify.Event
	// FallbackKey is the idempotency key when the event has no eventId: the HTTP
	// Idempotency-Key header, or the SQS/SNS message id.
	FallbackKey string
	Source      string
	TraceParent string
	ReceivedAt  time.Time
}

// Result is what became of one Input.
type Result struct {
	Key           string
	Duplicate     bool
	Notifications []notify.Notification
	// Scheduled are the notifications that wait (sendAt in the future, digest window).
	Scheduled []store.Pending
	// Topic is the fan-out job of an event to a topic (subscribers counted at accept).
	Topic *store.TopicProgress
	// Throttled lists the recipients the type's throttle dropped.
	Throttled []string
	// Err is a per-input failure that retrying cannot fix (notify.Permanent): invalid
	// input, unknown type, a key reused with another payload.
	Err error
}

// Publisher pushes committed notifications to live subscribers (internal/fanout).
type Publisher interface {
	Publish(ctx context.Context, ns []notify.Notification)
}

// Options configure a Service.
type Options struct {
	Registry *notify.Registry
	Limits   notify.Limits
	// Horizon bounds how far ahead a sendAt may be (default DefaultHorizon); further is a
	// 400 invalid_event.
	Horizon time.Duration
	// Recipients are the defaults of the delivery decision: the zone of users without
	// one (NOTIFY_DEFAULT_TZ) and the quiet hours of types that follow them.
	Recipients prefs.Defaults
	// Linger is how long a busy committer waits for more events before it commits
	// (0: never; it still batches whatever queued during the previous commit). It only
	// applies while commits follow each other closely and some batch is on its way
	// (Announce; Accept announces its own); otherwise the committer commits at once.
	Linger time.Duration
	// MaxBatch bounds the events one transaction takes (default 512).
	MaxBatch int
	// Committers is how many transactions may run at once (default 1; SQLite has one
	// writer anyway, MySQL gains from a few).
	Committers int
	Publisher  Publisher
	// Delivered is called after every commit that queued deliveries (wakes the workers).
	Delivered func()
	// TopicAccepted is called after every commit that opened a topic fan-out job with
	// subscribers (wakes the topic worker).
	TopicAccepted func()
	Logger        *slog.Logger
	Metrics       prometheus.Registerer
}

// Service accepts events.
type Service struct {
	st        store.Store
	reg       *notify.Registry
	defaults  prefs.Defaults
	limits    notify.Limits
	horizon   time.Duration
	pub       Publisher
	delivered func()
	topics    func()
	log       *slog.Logger
	gc        *committer
	m         *metrics
}

// New starts a Service over st. Close stops it.
func New(st store.Store, o Options) *Service {
	if o.Registry == nil {
		o.Registry = notify.DefaultRegistry()
	}
	if o.Limits == (notify.Limits{}) {
		o.Limits = notify.DefaultLimits
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Delivered == nil {
		o.Delivered = func() {}
	}
	if o.TopicAccepted == nil {
		o.TopicAccepted = func() {}
	}
	if o.Horizon <= 0 {
		o.Horizon = DefaultHorizon
	}
	s := &Service{st: st, reg: o.Registry, defaults: o.Recipients, limits: o.Limits, horizon: o.Horizon, pub: o.Publisher, delivered: o.Delivered, topics: o.TopicAccepted, log: o.Logger, m: newMetrics(o.Metrics)}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 512
	}
	s.gc = newCommitter(st, o.MaxBatch, max(o.Committers, 1), o.Linger, s.afterCommit, s.m)
	return s
}

// Close stops taking events and waits until every queued batch is committed and published.
func (s *Service) Close() { s.gc.close() }

// Defaults returns the recipient defaults the service decides deliveries with.
func (s *Service) Defaults() prefs.Defaults { return s.defaults }

// Abort cancels the transactions running now and any started later: they roll back,
// their callers get errors and their sources retry. A shutdown calls it when its grace
// period is over, so a hung database cannot hold it (Close then returns at once).
func (s *Service) Abort() { s.gc.abort() }

// Registry returns the event types the service accepts.
func (s *Service) Registry() *notify.Registry { return s.reg }

// DefaultHorizon is how far ahead a sendAt may be unless configured otherwise.
const DefaultHorizon = 30 * 24 * time.Hour

// errClosed is returned by Accept after Close.
var errClosed = &notify.Error{Code: notify.CodeUnavailable, Message: "notifyd is shutting down"}

// Prepare validates one input and builds its store input, without storing anything.
func (s *Service) Prepare(in Input) (store.AcceptInput, error) {
	p, err := s.reg.Prepare(in.Event, s.limits)
	if err != nil {
		return store.AcceptInput{}, err
	}
	received := in.ReceivedAt
	if received.IsZero() {
		received = time.Now()
	}
	if at := p.Event.SendAt; at != nil && at.Sub(received) > s.horizon {
		return store.AcceptInput{}, notify.FieldErrorf(notify.CodeInvalidEvent, "publishInformation.sendAt", "is more than %s ahead; the limit is NOTIFY_SCHEDULE_HORIZON", s.horizon)
	}
	payload, err := p.Event.MarshalJSON()
	if err != nil {
		return store.AcceptInput{}, notify.Errorf(notify.CodeInvalidEvent, "cannot encode event: %v", err)
	}
	sum := sha256.Sum256(payload)
	key := in.Event.EventID
	if key == "" {
		key = in.FallbackKey
	}
	if key == "" {
		key = newKey()
	}
	return store.AcceptInput{Key: key, PayloadHash: hex.EncodeToString(sum[:]), Source: in.Source, TraceParent: in.TraceParent, Prepared: p, ReceivedAt: received, Payload: payload, Defaults: s.defaults}, nil
}

// Accept prepares and stores inputs. Per-input failures are in the results; a non-nil
// error means nothing was stored (the store is unavailable, ctx ended, or the service is
// closing) and the caller should let its source retry.
//
// Each call is one notifyd.accept span, a child of the first input's traceparent and
// linked to the others'.
func (s *Service) Accept(ctx context.Context, ins []Input) ([]Result, error) {
	tps, source := make([]string, len(ins)), ""
	for i, in := range ins {
		tps[i], source = in.TraceParent, cmp.Or(source, in.Source)
	}
	ctx, span := startAccept(ctx, source, len(ins), tps)
	results, err := s.accept(ctx, ins)
	s.endAccept(ctx, span, results, err)
	return results, err
}

func (s *Service) accept(ctx context.Context, ins []Input) ([]Result, error) {
	withdraw := s.gc.announce() // a lingering commit waits for this batch while it is prepared
	defer withdraw()
	results := make([]Result, len(ins))
	batch := make([]store.AcceptInput, 0, len(ins))
	index := make([]int, 0, len(ins))
	for i, in := range ins {
		a, err := s.Prepare(in)
		if err != nil {
			results[i].Err = err
			s.m.rejected.WithLabelValues(string(notify.ErrorCode(err))).Inc()
			continue
		}
		results[i].Key = a.Key
		batch = append(batch, a)
		index = append(index, i)
	}
	if len(batch) == 0 {
		return results, nil
	}
	stored, err := s.submit(ctx, batch, withdraw)
	if err != nil {
		return nil, err
	}
	for k, r := range stored {
		results[index[k]] = r
	}
	return results, nil
}

// Announce tells the group committer that a batch is on its way: the caller is reading
// or preparing it and will hand it to AcceptAnnounced. A busy committer lingers only for
// announced batches (Options.Linger). The caller calls withdraw if it gives up first;
// calling it again after AcceptAnnounced is harmless.
func (s *Service) Announce() (withdraw func()) { return s.gc.announce() }

// AcceptPrepared stores inputs that Prepare built, as one group-committed unit, in one
// notifyd.accept span as Accept does.
func (s *Service) AcceptPrepared(ctx context.Context, batch []store.AcceptInput) ([]Result, error) {
	return s.AcceptAnnounced(ctx, batch, nil)
}

// AcceptAnnounced is AcceptPrepared for a batch announced with Announce: the
// announcement is withdrawn as the batch is queued.
func (s *Service) AcceptAnnounced(ctx context.Context, batch []store.AcceptInput, withdraw func()) ([]Result, error) {
	tps, source := make([]string, len(batch)), ""
	for i, a := range batch {
		tps[i], source = a.TraceParent, cmp.Or(source, a.Source)
	}
	ctx, span := startAccept(ctx, source, len(batch), tps)
	results, err := s.submit(ctx, batch, withdraw)
	s.endAccept(ctx, span, results, err)
	return results, err
}

// submit hands batch to the group committer (withdrawing the caller's announcement, if
// any, as it is queued) and counts the outcomes.
func (s *Service) submit(ctx context.Context, batch []store.AcceptInput, withdraw func()) ([]Result, error) {
	// A topic's subscribers are counted here, before the group commit, on the store's
	// read side: a million would hold the one transaction every caller shares.
	for i := range batch {
		if p := batch[i].Prepared; p != nil && p.Topic != nil && batch[i].Subscribers == 0 {
			n, err := s.st.CountSubscribers(ctx, p.Event.Topic, time.Now())
			if err != nil {
				return nil, err
			}
			batch[i].Subscribers = n
		}
	}
	stored, err := s.gc.submit(ctx, batch, withdraw)
	if err != nil {
		return nil, err
	}
	results := make([]Result, len(stored))
	for i, r := range stored {
		results[i] = Result{Key: r.Key, Duplicate: r.Duplicate, Notifications: r.Notifications, Scheduled: r.Scheduled, Topic: r.Topic, Throttled: r.Throttled, Err: r.Err}
		switch {
		case r.Err != nil:
			s.m.rejected.WithLabelValues(string(notify.ErrorCode(r.Err))).Inc()
		case r.Duplicate:
			s.m.duplicates.Inc()
		default:
			s.m.accepted.Inc()
		}
	}
	return results, nil
}

// afterCommit runs on the committer's publishing goroutine after each commit, in commit
// order: live push first, then the delivery workers, woken only when the commit queued a
// delivery (a channel other than the inbox): a wake-up costs each worker a claim query on
// the store, and the inbox is served by the push itself. The workers' poll still finds
// anything a wake-up would have.
func (s *Service) afterCommit(in []store.AcceptInput, results []store.AcceptResult) {
	var fresh []notify.Notification
	queued, topics := false, false
	for i, r := range results {
		if r.Duplicate || r.Err != nil {
			continue
		}
		topics = topics || (r.Topic != nil && !r.Topic.Finished)
		fresh = append(fresh, r.Notifications...)
		queued = queued || (len(r.Notifications) > 0 && queuesDelivery(in[i]))
	}
	if len(fresh) > 0 && s.pub != nil {
		s.pub.Publish(context.Background(), fresh)
	}
	if queued {
		s.delivered()
	}
	if topics {
		s.topics()
	}
}

// queuesDelivery reports whether storing a routes a recipient to a queued channel (the
// store writes a delivery row for every channel but the inbox).
func queuesDelivery(a store.AcceptInput) bool {
	if a.Prepared == nil {
		return true // unknown: wake the workers
	}
	for _, t := range a.Prepared.Targets {
		if slices.ContainsFunc(t.Channels, func(c notify.Channel) bool { return !prefs.IsInbox(c) }) {
			return true
		}
	}
	return false
}

// startAccept starts the span of one Accept or AcceptPrepared call.
func startAccept(ctx context.Context, source string, events int, traceparents []string) (context.Context, trace.Span) {
	return telemetry.Start(ctx, "notifyd.accept", traceparents, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String("notifyd.source", source), attribute.Int("notifyd.events", events)))
}

// endAccept records a batch's outcome on its span, logs it (at DEBUG: one line per batch
// is too many for production) and ends the span.
func (s *Service) endAccept(ctx context.Context, span trace.Span, results []Result, err error) {
	defer span.End()
	if err != nil {
		span.SetStatus(codes.Error, err.Error()) // the caller reports it
		return
	}
	var accepted, duplicates, rejected int
	for _, r := range results {
		switch {
		case r.Err != nil:
			rejected++
		case r.Duplicate:
			duplicates++
		default:
			accepted++
		}
	}
	span.SetAttributes(attribute.Int("notifyd.accepted", accepted), attribute.Int("notifyd.duplicates", duplicates), attribute.Int("notifyd.rejected", rejected))
	s.log.DebugContext(ctx, "events accepted", "events", len(results), "accepted", accepted, "duplicates", duplicates, "rejected", rejected)
}

// newKey returns a random idempotency key for an event that came with none.
func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "gen-" + hex.EncodeToString(b[:])
}
