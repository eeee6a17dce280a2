package telemetry

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Scope is the instrumentation scope of notifyd's spans.
const Scope = "github.com/notifyd/notifyd"

// maxLinks bounds the links one span takes from a batch's traceparents (the SDK's
// default link limit).
const maxLinks = 128

// ContextWithTraceParent returns ctx carrying the remote span context a W3C traceparent
// ("00-<trace id>-<span id>-<flags>") names, so that spans started from it are its
// children. A missing or malformed traceparent leaves ctx as it is.
func ContextWithTraceParent(ctx context.Context, traceparent string) context.Context {
	if traceparent == "" {
		return ctx
	}
	return propagation.TraceContext{}.Extract(ctx, propagation.MapCarrier{"traceparent": traceparent})
}

// TraceParent returns the W3C traceparent of the span in ctx, or "" if there is none.
func TraceParent(ctx context.Context) string {
	c := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, c)
	return c["traceparent"]
}

// Start starts a span from the global TracerProvider. The first valid traceparent in
// traceparents is its parent (otherwise the span in ctx, if any); every other distinct
// one becomes a link, as when one transaction stores a batch of events from several
// producers' traces.
func Start(ctx context.Context, name string, traceparents []string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	var parent trace.SpanContext
	var links []trace.Link
	for _, tp := range traceparents {
		if tp == "" {
			continue
		}
		sc := trace.SpanContextFromContext(ContextWithTraceParent(context.Background(), tp))
		switch {
		case !sc.IsValid() || sc.Equal(parent):
		case !parent.IsValid():
			parent = sc
		case len(links) < maxLinks && !linked(links, sc):
			links = append(links, trace.Link{SpanContext: sc})
		}
	}
	if parent.IsValid() {
		ctx = trace.ContextWithRemoteSpanContext(ctx, parent)
	}
	if len(links) > 0 {
		opts = append(opts, trace.WithLinks(links...))
	}
	return otel.Tracer(Scope).Start(ctx, name, opts...)
}

func linked(links []trace.Link, sc trace.SpanContext) bool {
	for _, l := range links {
		if l.SpanContext.Equal(sc) {
			return true
		}
	}
	return false
}
