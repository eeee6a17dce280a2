package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store/postgres"
)

// Loader reads committed notifications: the PostgreSQL fan-out reads those that were too
// big for a NOTIFY payload.
type Loader interface {
	NotificationsAfter(ctx context.Context, userID string, after int64, limit int) ([]notify.Notification, error)
}

// PostgresOptions tune the PostgreSQL fan-out. Zero values take the defaults.
type PostgresOptions struct {
	// Channel is the LISTEN/NOTIFY channel (default "notifyd_notifications"). Replicas of
	// one deployment must agree on it; channels are per database, so deployments on
	// different databases never meet.
	Channel string
	// Queue is how many Publish calls may wait for the publisher goroutine (default 1024);
	// when it is full a batch is dropped for the other replicas, counted and logged.
	Queue int
	// PublishTimeout bounds one publish round trip, and connecting (default 2s).
	PublishTimeout time.Duration
	// HealthInterval: the listener pings the server when it has been quiet this long and
	// reconnects when the ping fails (default 5s).
	HealthInterval time.Duration
	// MaxBackoff caps the wait between attempts to reconnect the listener (default 2s).
	MaxBackoff time.Duration
	Logger     *slog.Logger
	Metrics    prometheus.Registerer // nil: not registered
}

func (o PostgresOptions) withDefaults() PostgresOptions {
	if o.Channel == "" {
		o.Channel = "notifyd_notifications"
	}
	if o.Queue <= 0 {
		o.Queue = 1024
	}
	if o.PublishTimeout <= 0 {
		o.PublishTimeout = 2 * time.Second
	}
	if o.HealthInterval <= 0 {
		o.HealthInterval = 5 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Postgres fans committed notifications out to every replica through PostgreSQL's
// LISTEN/NOTIFY, so that a deployment on PostgreSQL needs nothing else for replicas.
//
// It works as Redis does: Publish delivers to this replica's streams at once and queues
// the batch for a publisher goroutine, which sends it with pg_notify on a connection of
// its own (one round trip per batch, in as many payloads as the 8000-byte limit needs; a
// notification too big for one goes as a reference the receivers read from the store).
// A listener goroutine holds a dedicated connection that LISTENs, delivers the other
// replicas' messages to the local hub, and calls the hub's Resync each time it is
// (re)established; it reconnects with backoff when the connection drops. PostgreSQL
// keeps a notification for a session that is listening, but a session that is not
// connected misses it: that, like a dropped publish, heals on Resync.
type Postgres struct {
	*relay
	listenCfg *pgx.ConnConfig
	pubCfg    *pgx.ConnConfig
	st        Loader
	o         PostgresOptions
	listening atomic.Bool

	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	listener *pgx.Conn // guarded by the relay's mu
	pub      *pgx.Conn // the publisher goroutine's own
}

// NewPostgres starts the fan-out on the database of rawURL (the store's
// NOTIFY_DATABASE_URL). It does not wait for the server: the listener keeps trying, and
// Ping tells readiness.
func NewPostgres(rawURL string, hub Hub, st Loader, o PostgresOptions) (*Postgres, error) {
	cfg, _, err := postgres.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("fanout: %w", err)
	}
	o = o.withDefaults()
	rl, err := newRelay(hub, "postgres", o.Queue, o.Logger, o.Metrics)
	if err != nil {
		return nil, err
	}
	cfg.ConnectTimeout = min(cfg.ConnectTimeout, o.PublishTimeout)
	listenCfg, pubCfg := cfg.Copy(), cfg.Copy()
	// Named so an operator can find (or a test terminate) them in pg_stat_activity.
	listenCfg.RuntimeParams["application_name"] = "notifyd-fanout-listen"
	pubCfg.RuntimeParams["application_name"] = "notifyd-fanout-publish"
	p := &Postgres{relay: rl, listenCfg: listenCfg, pubCfg: pubCfg, st: st, o: o}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.wg.Add(2)
	go func() {
		defer p.wg.Done()
		defer p.closePub()
		p.publishLoop(p.publish)
	}()
	go p.listenLoop()
	return p, nil
}

// CloseUsers closes the users' streams here and, through NOTIFY, on every other replica
// (the users were erased). Unlike Publish it waits for the server, up to PublishTimeout,
// on a connection of its own (erasures are rare).
func (p *Postgres) CloseUsers(ctx context.Context, users []string) error {
	for _, u := range users {
		p.hub.CloseUser(u)
	}
	ctx, cancel := context.WithTimeout(ctx, p.o.PublishTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, p.pubCfg)
	if err != nil {
		return fmt.Errorf("fanout: close streams on other replicas: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var b pgx.Batch
	const perMessage = 50 // user ids are at most 128 bytes: 50 fit a payload
	for lo := 0; lo < len(users); lo += perMessage {
		payload, err := json.Marshal(message{Origin: p.origin, N: []wireNotification{}, Close: users[lo:min(lo+perMessage, len(users))]})
		if err != nil {
			return err
		}
		b.Queue(`SELECT pg_notify($1, $2)`, p.o.Channel, string(payload))
	}
	if err := conn.SendBatch(ctx, &b).Close(); err != nil {
		return fmt.Errorf("fanout: close streams on other replicas: %w", err)
	}
	return nil
}

// errNotListening: readiness while the listener connection is down.
var errNotListening = errors.New("fanout: postgres listener not connected")

// Ping reports whether the listener is connected and listening (readiness): while it is
// not, this replica's streams miss the other replicas' notifications until it is back.
func (p *Postgres) Ping(context.Context) error {
	if !p.listening.Load() {
		return errNotListening
	}
	return nil
}

// Close sends what is queued (each batch within PublishTimeout), stops the listener,
// waits for both goroutines and closes the connections.
func (p *Postgres) Close() error {
	if !p.shut(p.cancel) { // the cancel ends the listener's wait
		return nil
	}
	p.wg.Wait()
	return nil
}

// closePub closes the publisher's connection once its loop has returned.
func (p *Postgres) closePub() {
	if p.pub == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.o.PublishTimeout)
	defer cancel()
	_ = p.pub.Close(ctx)
}

// publish sends one batch: a pg_notify per payload, pipelined pipelinePayloads to a round
// trip (each one implicit transaction, so other replicas get them in order).
func (p *Postgres) publish(bt batch) error {
	payloads, refs, err := pack(p.origin, bt.ns, pgMaxPayload)
	if err != nil {
		return err
	}
	if len(bt.states) > 0 { // a state change is a few hundred bytes: one payload each
		for _, sc := range bt.states {
			b, err := encode(p.origin, nil, []notify.StateChange{sc})
			if err != nil {
				return err
			}
			payloads = append(payloads, string(b))
		}
	}
	p.m.referenced.Add(float64(refs))
	for lo := 0; lo < len(payloads); lo += pipelinePayloads {
		if err := p.send(payloads[lo:min(lo+pipelinePayloads, len(payloads))]); err != nil {
			return err
		}
	}
	return nil
}

// pipelinePayloads is how many pg_notify calls go in one round trip (and one
// PublishTimeout): 64 full payloads are about 512 KB. A broadcast to 95,000 users is
// thousands of payloads, which one deadline for the whole batch cut off.
const pipelinePayloads = 64

// send delivers payloads in one pipelined round trip, in order, reconnecting first if the
// publishing connection is gone; a failed one is closed for the next call to reopen.
func (p *Postgres) send(payloads []string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(p.ctx), p.o.PublishTimeout)
	defer cancel()
	if p.pub == nil || p.pub.IsClosed() {
		var err error
		if p.pub, err = pgx.ConnectConfig(ctx, p.pubCfg); err != nil {
			p.pub = nil
			return err
		}
	}
	var b pgx.Batch
	for _, pl := range payloads {
		b.Queue(`SELECT pg_notify($1, $2)`, p.o.Channel, pl)
	}
	if err := p.pub.SendBatch(ctx, &b).Close(); err != nil {
		_ = p.pub.Close(ctx)
		p.pub = nil
		return err
	}
	return nil
}
