package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/notifyd/notifyd/internal/store"
)

// Subscribe implements store.Store. The user's recipients row is locked first (as an
// acceptor locks it), so two subscribes of one user at once count one after the other and
// the cap holds across replicas.
func (s *Store) Subscribe(ctx context.Context, sub store.Subscription, max int) (bool, error) {
	var created bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		created = false
		if _, err := s.lockSeqs(ctx, tx, []string{sub.UserID}); err != nil {
			return err
		}
		var once int
		err := tx.QueryRowContext(ctx, `SELECT once FROM topic_subscriptions WHERE topic = ? AND user_id = ?`, sub.Topic, sub.UserID).Scan(&once)
		if err == nil {
			if once != flag(sub.Once) {
				_, err = tx.ExecContext(ctx, `UPDATE topic_subscriptions SET once = ? WHERE topic = ? AND user_id = ?`, flag(sub.Once), sub.Topic, sub.UserID)
			}
			return dbErr("update subscription", err)
		}
		if err != sql.ErrNoRows {
			return dbErr("select subscription", err)
		}
		if max > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM topic_subscriptions WHERE user_id = ?`, sub.UserID).Scan(&n); err != nil {
				return dbErr("count subscriptions", err)
			}
			if n >= max {
				return store.ErrTooManyTopics
			}
		}
		at := sub.SubscribedAt
		if at.IsZero() {
			at = time.Now()
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO topic_subscriptions (topic, user_id, once, subscribed_at) VALUES (?, ?, ?, ?)`,
			sub.Topic, sub.UserID, flag(sub.Once), ms(at)); err != nil {
			return dbErr("insert subscription", err)
		}
		created = true
		return nil
	})
	return created, err
}

// Unsubscribe implements store.Store.
func (s *Store) Unsubscribe(ctx context.Context, topic, userID string) (bool, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM topic_subscriptions WHERE topic = ? AND user_id = ?`, topic, userID)
		if err != nil {
			return dbErr("delete subscription", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n > 0, err
}

const subscriptionCols = `topic, user_id, once, subscribed_at`

func (s *Store) querySubscriptions(ctx context.Context, query string, args ...any) ([]store.Subscription, error) {
	out := []store.Subscription{}
	err := queryEach(ctx, s.db.R, query, args, func(r *sql.Rows) error {
		var sub store.Subscription
		var once int
		var at int64
		if err := r.Scan(&sub.Topic, &sub.UserID, &once, &at); err != nil {
			return err
		}
		sub.Once, sub.SubscribedAt = once != 0, fromMS(at)
		out = append(out, sub)
		return nil
	})
	return out, dbErr("select subscriptions", err)
}

// UserTopics implements store.Store.
func (s *Store) UserTopics(ctx context.Context, userID string) ([]store.Subscription, error) {
	return s.querySubscriptions(ctx, `SELECT `+subscriptionCols+` FROM topic_subscriptions WHERE user_id = ? ORDER BY topic`, userID)
}

// TopicSubscribers implements store.Store.
func (s *Store) TopicSubscribers(ctx context.Context, topic, after string, limit int) ([]store.Subscription, int64, error) {
	subs, err := s.querySubscriptions(ctx, `SELECT `+subscriptionCols+` FROM topic_subscriptions WHERE topic = ? AND user_id > ? ORDER BY user_id LIMIT ?`, topic, after, limit)
	if err != nil {
		return nil, 0, err
	}
	var total int64
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM topic_subscriptions WHERE topic = ?`, topic).Scan(&total); err != nil {
		return nil, 0, dbErr("count subscribers", err)
	}
	return subs, total, nil
}

// CountSubscribers implements store.Store, on the read pool.
func (s *Store) CountSubscribers(ctx context.Context, topic string, at time.Time) (int64, error) {
	var n int64
	err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM topic_subscriptions WHERE topic = ? AND subscribed_at <= ?`, topic, ms(at)).Scan(&n)
	return n, dbErr("count subscribers", err)
}
