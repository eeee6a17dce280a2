package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/notifyd/notifyd/internal/store"
)

// SaveDevice implements store.Store as SavePushSubscription does: delete and insert in one
// transaction, then drop the user's oldest beyond store.MaxDevices.
func (s *Store) SaveDevice(ctx context.Context, d store.Device) error {
	at := d.CreatedAt
	if at.IsZero() {
		at = time.Now()
	}
	h := keyHash(d.Token)
	return s.replaceByKey(ctx, "push_devices", "token_hash", h, `INSERT INTO push_devices (user_id, platform, token_hash, token, locale, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		[]any{d.UserID, d.Platform, h, d.Token, d.Locale, ms(at)}, d.UserID, store.MaxDevices)
}

// UserDevices implements store.Store.
func (s *Store) UserDevices(ctx context.Context, userID string) ([]store.Device, error) {
	var out []store.Device
	err := queryEach(ctx, s.db.R, `SELECT id, user_id, platform, token, locale, created_at FROM push_devices WHERE user_id = ? ORDER BY id`, []any{userID}, func(r *sql.Rows) error {
		var d store.Device
		var created int64
		if err := r.Scan(&d.ID, &d.UserID, &d.Platform, &d.Token, &d.Locale, &created); err != nil {
			return err
		}
		d.CreatedAt = fromMS(created)
		out = append(out, d)
		return nil
	})
	return out, dbErr("select devices", err)
}

// DeleteDevice implements store.Store.
func (s *Store) DeleteDevice(ctx context.Context, userID, token string) (bool, error) {
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM push_devices WHERE token_hash = ? AND user_id = ?`, keyHash(token), userID)
	if err != nil {
		return false, dbErr("delete device", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// MarkDeviceSent implements store.Store; recording the same device twice is one record.
func (s *Store) MarkDeviceSent(ctx context.Context, deliveryID int64, userID, token string, at time.Time) error {
	_, err := s.db.W.ExecContext(ctx, s.d.InsertIgnore()+` push_device_sends (delivery_id, token_hash, user_id, created_at) VALUES (?, ?, ?, ?)`+s.d.IgnoreConflicts("delivery_id, token_hash"),
		deliveryID, keyHash(token), userID, ms(at))
	return dbErr("record device send", err)
}

// DevicesSent implements store.Store: the tokens of the devices still registered.
func (s *Store) DevicesSent(ctx context.Context, deliveryID int64) ([]string, error) {
	var out []string
	err := queryEach(ctx, s.db.W, `SELECT d.token FROM push_device_sends x JOIN push_devices d ON d.token_hash = x.token_hash WHERE x.delivery_id = ?`, []any{deliveryID}, func(r *sql.Rows) error {
		var t string
		if err := r.Scan(&t); err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	return out, dbErr("select device sends", err)
}

// ForgetDeviceSends implements store.Store.
func (s *Store) ForgetDeviceSends(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM push_device_sends WHERE created_at < ?`, ms(before))
	if err != nil {
		return 0, dbErr("forget device sends", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
