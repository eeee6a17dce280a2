package fanout

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	notify "github.com/notifyd/notifyd"
)

// listenLoop keeps a listening connection until Close, reconnecting with capped
// exponential backoff after a drop.
func (p *Postgres) listenLoop() {
	defer p.wg.Done()
	p.keepUp(p.ctx, "postgres listener", p.o.MaxBackoff, p.listen)
}

// listen connects, LISTENs, resyncs the hub once listening, and delivers notifications
// until the connection fails. up reports whether it got as far as listening.
func (p *Postgres) listen(reconnect bool) (up bool, err error) {
	cctx, cancel := context.WithTimeout(p.ctx, p.o.PublishTimeout)
	conn, err := pgx.ConnectConfig(cctx, p.listenCfg)
	cancel()
	if err != nil {
		return false, err
	}
	p.mu.Lock()
	p.listener = conn
	p.mu.Unlock()
	defer func() {
		p.listening.Store(false)
		p.mu.Lock()
		p.listener = nil
		p.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), p.o.PublishTimeout)
		defer cancel()
		_ = conn.Close(ctx)
	}()
	if _, err := conn.Exec(p.ctx, "LISTEN "+pgx.Identifier{p.o.Channel}.Sanitize()); err != nil {
		return false, err
	}
	// Listening: from here on nothing notified is missed, so what the store has beyond
	// each stream's last seq is exactly what was missed while down.
	up = true
	p.listening.Store(true)
	if reconnect {
		p.m.reconnects.Inc()
		p.log.Info("fanout: postgres listener re-established; resyncing streams")
	}
	p.m.resyncs.Inc()
	p.hub.Resync(p.ctx)

	for {
		wctx, cancel := context.WithTimeout(p.ctx, p.o.HealthInterval)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if err != nil {
			if p.ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) || conn.IsClosed() {
				return up, err
			}
			// Quiet for a while: make sure the connection still answers.
			pctx, cancel := context.WithTimeout(p.ctx, p.o.HealthInterval)
			err = conn.Ping(pctx)
			cancel()
			if err != nil {
				return up, err
			}
			continue
		}
		p.receive(n.Payload)
	}
}

// receive delivers one message of another replica to the local hub, reading referenced
// notifications from the store.
func (p *Postgres) receive(payload string) {
	msg, err := decodeMessage(payload)
	var refs []wireRef
	if err == nil {
		refs, err = decodeRefs(payload)
	}
	if err != nil {
		p.m.decodeErrors.Inc()
		p.log.Warn("fanout: dropping undecodable message", "err", err)
		return
	}
	if msg.Origin == p.origin {
		return
	}
	for _, u := range msg.Close {
		p.hub.CloseUser(u)
	}
	for _, sc := range msg.states {
		p.hub.DeliverState(sc)
	}
	ns := msg.ns
	if len(ns)+len(refs) == 0 {
		return
	}
	if len(refs) > 0 {
		ns = append(ns, p.load(refs)...)
		// The hub wants each user's notifications in sequence order.
		slices.SortStableFunc(ns, func(a, b notify.Notification) int {
			if c := strings.Compare(a.UserID, b.UserID); c != 0 {
				return c
			}
			return int(a.Seq - b.Seq)
		})
	}
	p.m.received.Add(float64(len(ns)))
	p.hub.Deliver(ns)
}

// load reads referenced notifications from the store. One that cannot be read now is
// left to the hub's next resync (or the user's next notification, which shows the gap).
func (p *Postgres) load(refs []wireRef) []notify.Notification {
	ctx, cancel := context.WithTimeout(p.ctx, p.o.PublishTimeout)
	defer cancel()
	var out []notify.Notification
	for _, r := range refs {
		got, err := p.st.NotificationsAfter(ctx, r.User, r.Seq-1, 1)
		if err != nil || len(got) == 0 || got[0].Seq != r.Seq {
			p.log.Warn("fanout: reading a referenced notification failed; the stream heals on resync", "seq", r.Seq, "err", err)
			continue
		}
		out = append(out, got[0])
	}
	return out
}

// listenerPID is the server process of the listening connection (0 when down), for
// tests that terminate it.
func (p *Postgres) listenerPID() uint32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.listener == nil || !p.listening.Load() {
		return 0
	}
	return p.listener.PgConn().PID()
}
