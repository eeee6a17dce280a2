package publish

import (
	"context"
	"net/http"
)

// Option configures a sender.
type Option func(*options)

type options struct {
	groupID     func(NotificationData) string
	traceParent func(context.Context) string
	httpClient  *http.Client
	token       string
}

func buildOptions(opts []Option) options {
	o := options{groupID: firstRecipient, traceParent: TraceParentFromContext}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithGroupID sets how a FIFO queue or topic's MessageGroupId is chosen: events of one
// group are delivered in order. The default is the first recipient's user id, so each
// user's events keep their order while different users' events flow in parallel.
func WithGroupID(f func(NotificationData) string) Option {
	return func(o *options) { o.groupID = f }
}

// WithTraceParent sets how the W3C traceparent sent along with each event is read from
// the context (say, from OpenTelemetry's propagator). The default reads the value
// ContextWithTraceParent stored; an empty result sends none.
func WithTraceParent(f func(context.Context) string) Option {
	return func(o *options) { o.traceParent = f }
}

// WithHTTPClient sets the client the HTTP sender uses (default http.DefaultClient).
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) { o.httpClient = c }
}

// WithToken sets the bearer token the HTTP sender presents (notifyd's NOTIFY_INGEST_TOKEN).
func WithToken(token string) Option {
	return func(o *options) { o.token = token }
}

func firstRecipient(n NotificationData) string {
	if len(n.WhoToNotify) > 0 && n.WhoToNotify[0].UserID != "" {
		return n.WhoToNotify[0].UserID
	}
	return "notifyd"
}
