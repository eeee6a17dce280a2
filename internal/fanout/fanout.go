// Package fanout hands committed notifications to the SSE streams that should show them:
// in-process with Local when notifyd runs as one replica, and across replicas through
// Redis pub/sub with Redis or PostgreSQL's LISTEN/NOTIFY with Postgres. All implement
// ingest.Publisher.
//
// Both transports are fire-and-forget: a message published while a replica's
// subscription (or listener connection) is down is lost to it. That is healed, not
// prevented: streams carry gap-free per-user sequence numbers, a hub that sees a gap reads
// the missing range from the store, and after every (re)subscription the fan-out asks the
// local hub to Resync every connected user against the store.
package fanout

import (
	"context"

	notify "github.com/notifyd/notifyd"
)

// Deliverer is this process's hub of live streams (internal/sse.Hub). Deliver must not
// block on clients; a user's notifications come in sequence order within one call.
type Deliverer interface {
	Deliver(ns []notify.Notification)
}

// StateDeliverer tells a user's open streams that notifications changed state (read,
// seen, archived) on another tab or device. Like Deliver it must not block on clients.
type StateDeliverer interface {
	DeliverState(sc notify.StateChange)
}

// Hub is a Deliverer that can also re-check its streams against the store, which Redis
// calls whenever its subscription is (re)established, pass on state changes and close a
// user's streams.
type Hub interface {
	Deliverer
	StateDeliverer
	Resync(ctx context.Context)
	CloseUser(user string) int
}

// Local delivers straight to the in-process hub: the fan-out of a single replica.
type Local struct {
	Hub interface {
		Deliverer
		StateDeliverer
	}
}

// PublishState hands a state change to the in-process hub.
func (l Local) PublishState(_ context.Context, sc notify.StateChange) {
	l.Hub.DeliverState(sc)
}

// CloseUsers closes the users' streams (they were erased).
func (l Local) CloseUsers(_ context.Context, users []string) error {
	if c, ok := l.Hub.(interface{ CloseUser(string) int }); ok {
		for _, u := range users {
			c.CloseUser(u)
		}
	}
	return nil
}

// Publish implements ingest.Publisher.
func (l Local) Publish(_ context.Context, ns []notify.Notification) {
	if len(ns) > 0 {
		l.Hub.Deliver(ns)
	}
}
