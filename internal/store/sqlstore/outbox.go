package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"sync/atomic"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// webhookTargets holds the endpoints SetWebhooks named; read on every state change.
type webhookTargets struct {
	p atomic.Pointer[[]store.WebhookTarget]
}

// wanting returns the endpoints that want event.
func (w *webhookTargets) wanting(event string) []string {
	ts := w.p.Load()
	if ts == nil {
		return nil
	}
	var out []string
	for _, t := range *ts {
		if slices.Contains(t.Events, event) {
			out = append(out, t.Endpoint)
		}
	}
	return out
}

// SetWebhooks implements store.Store.
func (s *Store) SetWebhooks(targets []store.WebhookTarget) {
	ts := slices.Clone(targets)
	s.hooks.p.Store(&ts)
}

// deliveryEvent names the webhook event of a final delivery status ("" for pending).
func deliveryEvent(st notify.DeliveryStatus) string {
	switch st {
	case notify.StatusSent:
		return notify.WebhookDeliverySent
	case notify.StatusFailed:
		return notify.WebhookDeliveryFailed
	case notify.StatusSkipped:
		return notify.WebhookDeliverySkipped
	case notify.StatusDelivered:
		return notify.WebhookDeliveryDelivered
	case notify.StatusUndelivered:
		return notify.WebhookDeliveryUndelivered
	}
	return ""
}

// webhookPayload is the body every webhook gets (the Standard Webhooks shape).
type webhookPayload struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      any       `json:"data"`
}

// writeOutbox inserts one row per endpoint for a state change, inside tx.
func writeOutbox(ctx context.Context, tx *sql.Tx, endpoints []string, event string, at time.Time, data any) error {
	body, err := json.Marshal(webhookPayload{Type: event, Timestamp: at.UTC(), Data: data})
	if err != nil {
		return err
	}
	args := make([]any, 0, len(endpoints)*7)
	for _, ep := range endpoints {
		args = append(args, ep, event, string(body), store.OutboxPending, ms(at), ms(at), ms(at))
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO webhook_outbox (endpoint, event, payload, status, next_attempt_at, created_at, updated_at) VALUES `+rowsOf(len(endpoints), 7), args...)
	return dbErr("insert webhook outbox", err)
}

// deliveryWebhook is the data of delivery.* webhooks.
type deliveryWebhook struct {
	DeliveryID     int64  `json:"deliveryId"`
	NotificationID int64  `json:"notificationId"`
	EventID        string `json:"eventId"`
	UserID         string `json:"userId"`
	Channel        string `json:"channel"`
	Status         string `json:"status"`
	Attempts       int    `json:"attempts"`
	Reason         string `json:"reason,omitempty"`
	Error          string `json:"error,omitempty"`
	ProviderID     string `json:"providerMessageId,omitempty"`
	ProviderCode   string `json:"providerCode,omitempty"`
}

// outboxDelivery writes the delivery.* rows for a delivery that just reached status.
func (s *Store) outboxDelivery(ctx context.Context, tx *sql.Tx, endpoints []string, id int64, o store.Outcome, at time.Time) error {
	d := deliveryWebhook{DeliveryID: id, Status: string(o.Status), Reason: o.Reason, Error: o.Error, ProviderID: o.ProviderID, ProviderCode: o.ProviderCode}
	err := tx.QueryRowContext(ctx, `SELECT d.notification_id, d.channel, d.attempts, n.user_id, e.idem_key
		FROM deliveries d JOIN notifications n ON n.id = d.notification_id JOIN events e ON e.id = n.event_id WHERE d.id = ?`, id).
		Scan(&d.NotificationID, &d.Channel, &d.Attempts, &d.UserID, &d.EventID)
	if err != nil {
		return dbErr("select delivery for webhook", err)
	}
	return writeOutbox(ctx, tx, endpoints, deliveryEvent(o.Status), at, d)
}

// readWebhook is the data of notification.read webhooks.
type readWebhook struct {
	NotificationID int64     `json:"notificationId"`
	EventID        string    `json:"eventId"`
	UserID         string    `json:"userId"`
	Type           string    `json:"type"`
	ReadAt         time.Time `json:"readAt"`
}

// outboxReads writes the notification.read rows, inside tx, for userID's notification id
// (just marked read) or, with id 0, for every one still unread (about to be marked): a
// no-op when no webhook wants notification.read.
func (s *Store) outboxReads(ctx context.Context, tx *sql.Tx, userID, which string, args []any, at time.Time) error {
	endpoints := s.hooks.wanting(notify.WebhookNotificationRead)
	if len(endpoints) == 0 {
		return nil
	}
	q := `SELECT n.id, e.idem_key, n.type FROM notifications n JOIN events e ON e.id = n.event_id WHERE n.id IN (SELECT id FROM notifications WHERE ` + which + `)`
	r, err := tx.QueryContext(ctx, q+` ORDER BY n.id`, args...)
	if err != nil {
		return dbErr("select read notifications", err)
	}
	var reads []readWebhook
	for r.Next() {
		rw := readWebhook{UserID: userID, ReadAt: at.UTC()}
		if err := r.Scan(&rw.NotificationID, &rw.EventID, &rw.Type); err != nil {
			r.Close()
			return dbErr("scan read notifications", err)
		}
		reads = append(reads, rw)
	}
	r.Close()
	if err := r.Err(); err != nil {
		return dbErr("select read notifications", err)
	}
	for _, rw := range reads {
		if err := writeOutbox(ctx, tx, endpoints, notify.WebhookNotificationRead, at, rw); err != nil {
			return err
		}
	}
	return nil
}
