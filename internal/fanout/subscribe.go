package fanout

import (
	"context"
	"errors"
	"net"

	"github.com/redis/go-redis/v9"
)

// errNoPong: the subscription's connection stopped answering.
var errNoPong = errors.New("redis did not answer a ping")

// subscribeLoop keeps a subscription to every shard channel until Close, re-subscribing
// with capped exponential backoff after a drop.
func (r *Redis) subscribeLoop() {
	defer r.wg.Done()
	r.keepUp(r.ctx, "redis subscription", r.o.MaxBackoff, r.session)
}

// session subscribes once, resyncs the hub when the subscription is confirmed, and
// delivers messages until the connection fails. up reports whether it got that far.
func (r *Redis) session(reconnect bool) (up bool, err error) {
	ps := r.client.Subscribe(r.ctx) // no channels yet: connects lazily
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		ps.Close()
		return false, context.Canceled
	}
	r.ps = ps
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.ps = nil
		r.mu.Unlock()
		ps.Close()
	}()

	if err := ps.Subscribe(r.ctx, r.channels...); err != nil {
		return false, err
	}
	pending := len(r.channels) // confirmations still to come
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(r.ctx, r.o.HealthInterval)
		if err != nil {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				return up, err
			}
			if pinged {
				return up, errNoPong
			}
			if err := ps.Ping(r.ctx); err != nil {
				return up, err
			}
			pinged = true
			continue
		}
		pinged = false
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind != "subscribe" || up {
				continue
			}
			if pending--; pending > 0 {
				continue
			}
			// Subscribed to every channel: from here on nothing published is missed, so
			// what the store has beyond each stream's last seq is exactly what was
			// missed while down.
			up = true
			if reconnect {
				r.m.reconnects.Inc()
				r.log.Info("fanout: redis subscription re-established; resyncing streams")
			}
			r.m.resyncs.Inc()
			r.hub.Resync(r.ctx)
		case *redis.Message:
			msg, err := decodeMessage(m.Payload)
			if err != nil {
				r.m.decodeErrors.Inc()
				r.log.Warn("fanout: dropping undecodable message", "channel", m.Channel, "err", err)
				continue
			}
			if msg.Origin == r.origin {
				continue
			}
			for _, u := range msg.Close {
				r.hub.CloseUser(u)
			}
			if len(msg.ns) > 0 {
				r.m.received.Add(float64(len(msg.ns)))
				r.hub.Deliver(msg.ns)
			}
			for _, sc := range msg.states {
				r.hub.DeliverState(sc)
			}
		}
	}
}
