package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// ApplyReport implements store.Store. The report row's unique key (provider, message,
// status) makes a replay a no-op; the delivery row is locked while it changes, so two
// replicas applying the same report (or a report and ApplyPendingReports) change it once.
func (s *Store) ApplyReport(ctx context.Context, r store.Report) (store.ReportResult, error) {
	if r.Status != notify.StatusDelivered && r.Status != notify.StatusUndelivered {
		return store.ReportResult{}, fmt.Errorf("report status %q: want delivered or undelivered", r.Status)
	}
	if r.At.IsZero() {
		r.At = time.Now()
	}
	var res store.ReportResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res = store.ReportResult{}
		ins, err := tx.ExecContext(ctx, s.d.InsertIgnore()+` provider_reports (provider, message_id, status, code, detail, refused, fallback, fallback_id, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`+s.d.IgnoreConflicts("provider, message_id, status"),
			r.Provider, r.MessageID, string(r.Status), r.Code, r.Detail, flag(r.Refused), r.Fallback, r.FallbackID, ms(r.At))
		if err != nil {
			return dbErr("insert report", err)
		}
		if n, _ := ins.RowsAffected(); n == 0 {
			res.Duplicate = true
			return nil
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM provider_reports WHERE provider = ? AND message_id = ? AND status = ?`,
			r.Provider, r.MessageID, string(r.Status)).Scan(&id); err != nil {
			return dbErr("select report", err)
		}
		res.DeliveryID, res.FallbackID, err = s.applyReport(ctx, tx, id, r)
		return err
	})
	return res, err
}

// ApplyPendingReports implements store.Store.
func (s *Store) ApplyPendingReports(ctx context.Context, now, dropBefore time.Time, limit int) (int, error) {
	var pending []int64
	err := queryEach(ctx, s.db.R, `SELECT p.id FROM provider_reports p JOIN deliveries d ON d.provider = p.provider AND d.provider_id = p.message_id
		WHERE p.applied_at IS NULL ORDER BY p.id LIMIT ?`, []any{limit}, func(r *sql.Rows) error {
		var id int64
		if err := r.Scan(&id); err != nil {
			return err
		}
		pending = append(pending, id)
		return nil
	})
	if err != nil {
		return 0, dbErr("select pending reports", err)
	}
	applied := 0
	for _, id := range pending {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			var r store.Report
			var refused int
			var status string
			err := tx.QueryRowContext(ctx, `SELECT provider, message_id, status, code, detail, refused, fallback, fallback_id FROM provider_reports WHERE id = ? AND applied_at IS NULL`+s.d.ForUpdate(), id).
				Scan(&r.Provider, &r.MessageID, &status, &r.Code, &r.Detail, &refused, &r.Fallback, &r.FallbackID)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // another replica applied it
			}
			if err != nil {
				return dbErr("select report", err)
			}
			r.Status, r.Refused, r.At = notify.DeliveryStatus(status), refused != 0, now
			d, _, err := s.applyReport(ctx, tx, id, r)
			if d != 0 {
				applied++
			}
			return err
		})
		if err != nil {
			return applied, err
		}
	}
	_, err = s.db.W.ExecContext(ctx, `DELETE FROM provider_reports WHERE applied_at IS NULL AND received_at < ?`, ms(dropBefore))
	return applied, dbErr("drop old reports", err)
}

// applyReport applies stored report id to its delivery, inside tx: nothing when the
// delivery is not known yet (the report stays pending); the report is marked applied
// once it found its delivery, whatever that delivery's status (a report for a delivery
// already final changes nothing).
func (s *Store) applyReport(ctx context.Context, tx *sql.Tx, id int64, r store.Report) (deliveryID, fallbackID int64, err error) {
	var d struct {
		id, note        int64
		attempts        int
		status, address string
		plan, text      string
	}
	err = tx.QueryRowContext(ctx, `SELECT id, notification_id, attempts, status, address, fallback_plan, fallback_text FROM deliveries
		WHERE provider = ? AND provider_id = ? ORDER BY id LIMIT 1`+s.d.ForUpdate(), r.Provider, r.MessageID).
		Scan(&d.id, &d.note, &d.attempts, &d.status, &d.address, &d.plan, &d.text)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, dbErr("select reported delivery", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE provider_reports SET applied_at = ? WHERE id = ?`, ms(r.At), id); err != nil {
		return 0, 0, dbErr("mark report applied", err)
	}
	if notify.DeliveryStatus(d.status) != notify.StatusSent {
		return d.id, 0, nil
	}
	fallback, fbID := r.Fallback, r.FallbackID
	if r.Status == notify.StatusUndelivered && r.Refused && fallback == "" && d.plan != "" {
		if fallbackID, err = s.createFallback(ctx, tx, d.note, d.address, d.text, r.At); err != nil {
			return 0, 0, err
		}
		if fallbackID != 0 {
			fallback = d.plan
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = ?, provider_code = ?, last_error = COALESCE(NULLIF(?, ''), last_error),
		fallback = ?, fallback_id = ?, updated_at = ? WHERE id = ?`,
		string(r.Status), r.Code, reportError(r), fallback, fbID, ms(r.At), d.id); err != nil {
		return 0, 0, dbErr("apply report", err)
	}
	// The report is kept beside the attempts (the timeline's report, the charts'
	// delivered/undelivered and fallbacks), under the attempt it reports on.
	report := store.Outcome{Status: r.Status, Provider: r.Provider, ProviderID: r.MessageID, Error: reportError(r), ProviderCode: r.Code}
	if err := s.recordAttempt(ctx, tx, d.id, d.attempts, report, fallback, r.At); err != nil {
		return 0, 0, err
	}
	if hooks := s.hooks.wanting(deliveryEvent(r.Status)); len(hooks) > 0 {
		o := store.Outcome{Status: r.Status, ProviderCode: r.Code, Error: reportError(r), ProviderID: r.MessageID}
		if err := s.outboxDelivery(ctx, tx, hooks, d.id, o, r.At); err != nil {
			return 0, 0, err
		}
	}
	return d.id, fallbackID, nil
}

func reportError(r store.Report) string {
	if r.Status == notify.StatusDelivered {
		return ""
	}
	return "the provider reported it undelivered: " + r.Code + " " + r.Detail
}

// createFallback inserts the fallback SMS delivery of notification note, once: the
// unique (notification, channel) key makes a second one (two replicas racing on one
// report, or a type that routes SMS anyway) a no-op, answered with 0.
func (s *Store) createFallback(ctx context.Context, tx *sql.Tx, note int64, address, text string, at time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, s.d.InsertIgnore()+` deliveries (notification_id, channel, address, status, next_attempt_at, updated_at, body)
		VALUES (?, ?, ?, ?, ?, ?, ?)`+s.d.IgnoreConflicts("notification_id, channel"),
		note, string(notify.ChannelSMS), address, string(notify.StatusPending), ms(at), ms(at), text)
	if err != nil {
		return 0, dbErr("insert fallback delivery", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, nil
	}
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM deliveries WHERE notification_id = ? AND channel = ?`, note, string(notify.ChannelSMS)).Scan(&id)
	return id, dbErr("select fallback delivery", err)
}

// AwaitingReport implements store.Store.
func (s *Store) AwaitingReport(ctx context.Context, provider string, sentBefore time.Time, limit int) ([]store.AwaitingDelivery, error) {
	var out []store.AwaitingDelivery
	err := queryEach(ctx, s.db.R, `SELECT id, provider_id, sent_at FROM deliveries WHERE provider = ? AND status = 'sent' AND provider_id <> '' AND sent_at < ?
		ORDER BY sent_at, id LIMIT ?`, []any{provider, ms(sentBefore), limit}, func(r *sql.Rows) error {
		var a store.AwaitingDelivery
		var sent int64
		if err := r.Scan(&a.ID, &a.ProviderID, &sent); err != nil {
			return err
		}
		a.SentAt = fromMS(sent)
		out = append(out, a)
		return nil
	})
	return out, dbErr("select deliveries awaiting a report", err)
}
