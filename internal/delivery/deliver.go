package delivery

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/fault"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/telemetry"
)

// deliver sends one claimed message and records the outcome, in a span that is a child
// of the event's traceparent, so the provider call and the logs carry its trace id. The
// lease is renewed from the claim until the outcome is recorded.
func (w *Worker) deliver(runCtx context.Context, m notify.Message) {
	ctx, span := telemetry.Start(context.WithoutCancel(runCtx), "notifyd.deliver", []string{m.TraceParent}, trace.WithAttributes(
		attribute.String("notifyd.channel", string(w.o.Channel)), attribute.String("notifyd.provider", w.o.Provider),
		attribute.Int("notifyd.attempt", m.Attempt), attribute.Int64("notifyd.delivery_id", m.DeliveryID), attribute.String("notifyd.event_id", m.EventID)))
	defer span.End()
	lg := w.log.With("channel", w.o.Channel, "delivery", m.DeliveryID, "attempt", m.Attempt, "event", m.EventID, "to", maskAddress(m))
	l := w.keepLease(ctx, lg, m)
	defer l.stop()

	if w.o.CapPerRecipient > 0 {
		cctx, cancel := context.WithTimeout(ctx, storeTimeout)
		n, err := w.st.CountSent(cctx, w.o.Channel, m.To, w.o.Now().Add(-w.o.CapWindow))
		cancel()
		if err != nil {
			w.record(ctx, lg, l, m, w.retry(m, err))
			return
		}
		if n > w.o.CapPerRecipient { // n counts this delivery too
			w.record(ctx, lg, l, m, store.Outcome{Status: notify.StatusSkipped, Reason: notify.ReasonCapped,
				Error: "per-recipient cap: " + itoa(w.o.CapPerRecipient) + " per " + w.o.CapWindow.String() + " reached"})
			return
		}
	}
	if w.limiter != nil {
		if err := w.limiter.Wait(runCtx); err != nil {
			// Shutting down before our turn: hand the row back for the next worker now.
			w.record(ctx, lg, l, m, store.Outcome{Status: notify.StatusPending, Error: "released at shutdown before sending", NextAttemptAt: w.o.Now()})
			return
		}
	}
	if w.o.Advertising != nil && w.o.Advertising(m.Type) {
		m.Advertising, m.AdFooter = true, w.o.AdFooter
	}
	sendCtx, cancel := context.WithTimeout(ctx, w.o.SendTimeout)
	start := time.Now()
	fault.Hit("delivery.before-send")
	r, err := w.o.Sender.Send(sendCtx, m)
	cancel()
	w.m.latency.WithLabelValues(w.o.Provider).Observe(time.Since(start).Seconds())
	if err == nil {
		fault.Hit("delivery.after-send")
		w.record(ctx, lg, l, m, sentOutcome(r, ""))
		return
	}
	e := channel.AsError(err)
	switch channel.KindOf(err) {
	case channel.KindPermanent:
		w.record(ctx, lg, l, m, store.Outcome{Status: notify.StatusFailed, Error: err.Error(), Reason: e.Reason, ProviderCode: e.Code})
	case channel.KindRefused:
		o := sentOutcome(e.Receipt, err.Error())
		o.Status, o.Refused, o.ProviderCode, o.Reason = notify.StatusFailed, true, e.Code, e.Reason
		w.record(ctx, lg, l, m, o)
	case channel.KindUnknown:
		// It may have gone out: recorded sent under the id reports will name, it waits for
		// the provider's word (delivered, or undelivered and then the fallback).
		w.record(ctx, lg, l, m, sentOutcome(e.Receipt, "outcome unknown, waiting for the provider's report: "+err.Error()))
	case channel.KindSkip:
		w.record(ctx, lg, l, m, store.Outcome{Status: notify.StatusSkipped, Reason: channel.SkipReason(err), Error: err.Error()})
	default:
		w.record(ctx, lg, l, m, w.retry(m, err))
	}
}

// sentOutcome is the record of a receipt: sent, by whom, with the fallback it plans.
func sentOutcome(r channel.Receipt, detail string) store.Outcome {
	return store.Outcome{Status: notify.StatusSent, Provider: r.Provider, ProviderID: r.ProviderID, FailedOver: r.FailedOver, Error: detail,
		Truncated: r.Truncated, FallbackPlan: r.FallbackPlan, FallbackText: r.FallbackText}
}

// retry is the outcome of a transient failure: pending again after a backoff, or failed
// once the attempts are used up.
func (w *Worker) retry(m notify.Message, err error) store.Outcome {
	if m.Attempt >= w.o.MaxAttempts {
		return store.Outcome{Status: notify.StatusFailed, Error: "gave up after " + itoa(m.Attempt) + " attempts: " + err.Error()}
	}
	// A provider's Retry-After is a floor under the backoff, never a shortcut past it.
	wait := max(w.backoff(m.Attempt), channel.RetryAfterOf(err))
	return store.Outcome{Status: notify.StatusPending, Error: err.Error(), NextAttemptAt: w.o.Now().Add(wait)}
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

// record stores an outcome. While the store fails it keeps trying (for RecordFor, or until
// Abort), the lease still being renewed, because a sent message whose record is lost would
// be sent again once the lease ran out. It stops at once when the lease is lost to another claim:
// the row is that claim's now, and nothing may be written over it.
func (w *Worker) record(ctx context.Context, lg *slog.Logger, l *lease, m notify.Message, o store.Outcome) {
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
	deadline := time.Now().Add(w.o.RecordFor)
	l.finish()
	for {
		if l.lost() {
			lg.WarnContext(ctx, "delivery outcome not recorded: the lease was lost to another claim", "status", o.Status)
			return
		}
		cctx, cancel := context.WithTimeout(ctx, storeTimeout)
		err := w.st.CompleteDelivery(cctx, m.DeliveryID, m.Attempt, o)
		cancel()
		switch {
		case err == nil:
			lg.Log(ctx, level, "delivery recorded", "status", o.Status, "provider", o.Provider, "provider_id", o.ProviderID, "err", o.Error, "reason", o.Reason)
			return
		case errors.Is(err, store.ErrLeaseLost):
			lg.WarnContext(ctx, "delivery outcome not recorded: the lease was lost to another claim", "status", o.Status)
			return
		case time.Now().After(deadline):
			lg.ErrorContext(ctx, "delivery outcome could not be recorded", "status", o.Status, "err", err)
			return
		}
		lg.WarnContext(ctx, "recording delivery outcome failed; retrying", "status", o.Status, "err", err)
		select {
		case <-w.aborted:
			// Shutdown's grace period is over: the row stays claimed, its lease runs out and
			// it is sent again (the documented resend window, closed by an idempotency key).
			lg.ErrorContext(ctx, "delivery outcome not recorded: shutting down while the store fails", "status", o.Status, "err", err)
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}

// maskAddress shows a message's address as logs may: phone numbers masked, other
// addresses reduced to their kind.
func maskAddress(m notify.Message) string {
	switch {
	case m.Channel == notify.ChannelSMS || strings.HasPrefix(m.To, "+"):
		return notify.MaskPhone(m.To)
	case m.To == "":
		return ""
	default:
		return "(" + string(m.Channel) + " address)"
	}
}
