package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"time"

	"github.com/notifyd/notifyd/internal/store"
)

// keyHash is the unique key of a long string (a push endpoint, a device token): its
// SHA-256 in hex, as MariaDB cannot index a long text as unique.
func keyHash(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// SavePushSubscription implements store.Store: delete and insert in one transaction, the
// same SQL on every backend (an upsert is spelled differently in each), then drop the
// user's oldest beyond store.MaxPushSubscriptions (replaceByKey).
func (s *Store) SavePushSubscription(ctx context.Context, sub store.PushSubscription) error {
	at := sub.CreatedAt
	if at.IsZero() {
		at = time.Now()
	}
	h := keyHash(sub.Endpoint)
	return s.replaceByKey(ctx, "push_subscriptions", "endpoint_hash", h, `INSERT INTO push_subscriptions (user_id, endpoint_hash, endpoint, p256dh, auth, user_agent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		[]any{sub.UserID, h, sub.Endpoint, sub.P256dh, sub.Auth, sub.UserAgent, ms(at)}, sub.UserID, store.MaxPushSubscriptions)
}

// replaceByKey writes a row of table (push subscriptions, devices) that is unique by the
// hash in column: whatever row had it is deleted and insert run with args, in one
// transaction, then the user's rows beyond the newest keep are dropped.
func (s *Store) replaceByKey(ctx context.Context, table, column, hash, insert string, args []any, userID string, keep int) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+column+` = ?`, hash); err != nil {
			return dbErr("replace in "+table, err)
		}
		if _, err := tx.ExecContext(ctx, insert, args...); err != nil {
			return dbErr("insert into "+table, err)
		}
		return dropOldest(ctx, tx, table, userID, keep)
	})
}

// dropOldest deletes userID's rows of table (push subscriptions, devices) beyond the
// newest keep. The ids are read first: MySQL refuses a LIMIT inside an IN subquery.
func dropOldest(ctx context.Context, tx *sql.Tx, table, userID string, keep int) error {
	ids, err := queryIDs(ctx, tx, `SELECT id FROM `+table+` WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil || len(ids) <= keep {
		return dbErr("count "+table, err)
	}
	old := anys(ids[keep:])
	_, err = tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE id IN (`+placeholders(len(old))+`)`, old...)
	return dbErr("drop oldest "+table, err)
}

// PushSubscriptions implements store.Store.
func (s *Store) PushSubscriptions(ctx context.Context, userID string) ([]store.PushSubscription, error) {
	r, err := s.db.R.QueryContext(ctx, `SELECT id, user_id, endpoint, p256dh, auth, user_agent, created_at FROM push_subscriptions WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, dbErr("select push subscriptions", err)
	}
	defer r.Close()
	var out []store.PushSubscription
	for r.Next() {
		var p store.PushSubscription
		var created int64
		if err := r.Scan(&p.ID, &p.UserID, &p.Endpoint, &p.P256dh, &p.Auth, &p.UserAgent, &created); err != nil {
			return nil, dbErr("scan push subscriptions", err)
		}
		p.CreatedAt = fromMS(created)
		out = append(out, p)
	}
	return out, dbErr("select push subscriptions", r.Err())
}

// DeletePushSubscription implements store.Store.
func (s *Store) DeletePushSubscription(ctx context.Context, userID, endpoint string) (bool, error) {
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE endpoint_hash = ? AND user_id = ?`, keyHash(endpoint), userID)
	if err != nil {
		return false, dbErr("delete push subscription", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
