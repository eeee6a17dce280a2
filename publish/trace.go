package publish

import "context"

type traceParentKey struct{}

// ContextWithTraceParent returns a context carrying a W3C traceparent header value
// ("00-<trace-id>-<span-id>-<flags>"), which senders pass along as the "traceparent"
// message attribute or HTTP header.
func ContextWithTraceParent(ctx context.Context, traceParent string) context.Context {
	return context.WithValue(ctx, traceParentKey{}, traceParent)
}

// TraceParentFromContext returns the traceparent ContextWithTraceParent stored, if any.
func TraceParentFromContext(ctx context.Context) string {
	s, _ := ctx.Value(traceParentKey{}).(string)
	return s
}

// TraceParentAttribute is the message attribute (and HTTP header) name that carries the
// trace context.
const TraceParentAttribute = "traceparent"
