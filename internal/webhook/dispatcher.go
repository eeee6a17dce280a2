// Package webhook dispatches the outbound webhook outbox: state changes that the store
// wrote as outbox rows in the transaction that made them (internal/store: delivery.sent,
// delivery.failed, delivery.skipped, notification.read). A dispatcher claims due rows with
// a lease, POSTs each to its endpoint signed as Standard Webhooks (webhook-id is the row
// id, the same on every retry; webhook-timestamp; webhook-signature v1,HMAC-SHA256) and
// records the outcome: delivered, pending again after an exponential backoff, or failed
// once the row is older than GiveUpAfter (default three days). Delivery is at least once:
// a receiver drops a repeated webhook-id.
package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// Store is the part of store.Store the dispatcher uses.
type Store interface {
	ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]store.OutboxRow, error)
	CompleteOutbox(ctx context.Context, id int64, attempt int, o store.OutboxOutcome) error
}

// Options configure a Dispatcher. Zero values take the defaults.
type Options struct {
	Webhooks    []notify.Webhook
	Client      *http.Client  // default: Timeout per request
	Timeout     time.Duration // one POST (default 10s)
	Lease       time.Duration // a claim's hold (default 1m; must exceed Timeout)
	Poll        time.Duration // look for due rows at least this often (default 1s)
	Batch       int           // rows per claim and POSTs in flight (default 16)
	BaseBackoff time.Duration // first retry delay (default 5s), doubling, with jitter
	MaxBackoff  time.Duration // longest retry delay (default 1h)
	GiveUpAfter time.Duration // a row older than this that fails is failed (default 72h)
	Logger      *slog.Logger
	Now         func() time.Time // the clock (tests move it instead of waiting)
}

// Dispatcher POSTs outbox rows to their endpoints.
type Dispatcher struct {
	st   Store
	o    Options
	keys map[string][]byte // endpoint → signing key
	kick chan struct{}
}

// New returns a dispatcher; Run starts it. Secrets are checked by notify.LoadRegistry.
func New(st Store, o Options) (*Dispatcher, error) {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: o.Timeout}
	}
	if o.Lease <= 0 {
		o.Lease = max(time.Minute, 2*o.Timeout)
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 16
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = 5 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Hour
	}
	if o.GiveUpAfter <= 0 {
		o.GiveUpAfter = 72 * time.Hour
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	d := &Dispatcher{st: st, o: o, keys: map[string][]byte{}, kick: make(chan struct{}, 1)}
	for _, h := range o.Webhooks {
		k, err := h.Key()
		if err != nil {
			return nil, fmt.Errorf("webhook %s: %w", h.URL, err)
		}
		d.keys[h.URL] = k
	}
	return d, nil
}

// Targets lists the endpoints and the events each wants, for store.SetWebhooks.
func Targets(hooks []notify.Webhook) []store.WebhookTarget {
	out := make([]store.WebhookTarget, 0, len(hooks))
	for _, h := range hooks {
		out = append(out, store.WebhookTarget{Endpoint: h.URL, Events: h.Events})
	}
	return out
}

// Kick wakes the dispatcher to look for due rows now.
func (d *Dispatcher) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Run dispatches until ctx ends; POSTs in flight finish and are recorded.
func (d *Dispatcher) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-d.kick:
		case <-timer.C:
		}
		for ctx.Err() == nil {
			n, err := d.Tick(context.WithoutCancel(ctx))
			if err != nil {
				d.o.Logger.Warn("claiming webhooks failed", "err", err)
				break
			}
			if n < d.o.Batch {
				break
			}
		}
		timer.Reset(d.o.Poll)
	}
}

// Tick claims one batch of due rows, POSTs them concurrently and records each outcome.
// It returns how many rows it claimed.
func (d *Dispatcher) Tick(ctx context.Context) (int, error) {
	rows, err := d.st.ClaimOutbox(ctx, d.o.Now(), d.o.Lease, d.o.Batch)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, row := range rows {
		wg.Go(func() { d.deliver(ctx, row) })
	}
	wg.Wait()
	return len(rows), nil
}

func (d *Dispatcher) deliver(ctx context.Context, row store.OutboxRow) {
	lg := d.o.Logger.With("webhook_id", row.ID, "event", row.Event, "endpoint", row.Endpoint, "attempt", row.Attempts)
	var o store.OutboxOutcome
	key, ok := d.keys[row.Endpoint]
	if !ok {
		o = store.OutboxOutcome{Status: store.OutboxFailed, Error: "the endpoint is no longer in NOTIFY_CONFIG webhooks"}
	} else if err := d.post(ctx, row, key); err != nil {
		o = d.retry(row, err)
	} else {
		o = store.OutboxOutcome{Status: store.OutboxDelivered}
	}
	o.At = d.o.Now()
	if err := d.st.CompleteOutbox(ctx, row.ID, row.Attempts, o); err != nil {
		lg.Warn("webhook outcome not recorded", "status", o.Status, "err", err)
		return
	}
	switch o.Status {
	case store.OutboxDelivered:
		lg.Debug("webhook delivered")
	case store.OutboxFailed:
		lg.Warn("webhook given up", "err", o.Error)
	default:
		lg.Info("webhook will be retried", "next", o.NextAttemptAt, "err", o.Error)
	}
}

// post sends one row. Any 2xx is success.
func (d *Dispatcher) post(ctx context.Context, row store.OutboxRow, key []byte) error {
	ctx, cancel := context.WithTimeout(ctx, d.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, row.Endpoint, bytes.NewReader(row.Payload))
	if err != nil {
		return err
	}
	id := strconv.FormatInt(row.ID, 10)
	ts := d.o.Now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "notifyd-webhooks")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set("webhook-signature", Sign(key, id, ts, row.Payload))
	resp, err := d.o.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the endpoint answered %s", resp.Status)
	}
	return nil
}

// retry is pending again after a backoff, or failed once the row is older than GiveUpAfter.
func (d *Dispatcher) retry(row store.OutboxRow, err error) store.OutboxOutcome {
	now := d.o.Now()
	if now.Sub(row.CreatedAt) >= d.o.GiveUpAfter {
		return store.OutboxOutcome{Status: store.OutboxFailed, Error: "gave up after " + strconv.Itoa(row.Attempts) + " attempts: " + err.Error()}
	}
	return store.OutboxOutcome{Status: store.OutboxPending, Error: err.Error(), NextAttemptAt: now.Add(d.backoff(row.Attempts))}
}

// backoff is exponential with jitter: uniform in [b·2^(n-1)/2, b·2^(n-1)], at most MaxBackoff.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	b := d.o.BaseBackoff
	for i := 1; i < attempt && b < d.o.MaxBackoff; i++ {
		b *= 2
	}
	b = min(b, d.o.MaxBackoff)
	return b/2 + rand.N(b/2+1)
}
