package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/fault"
	"github.com/notifyd/notifyd/internal/store"
)

// CancelEvent implements store.Store. Its updates take the same row locks the releaser
// and the delivery workers take, so a cancel racing a release ends in one of two states:
// the pending row cancelled (nothing visible), or the notification visible and its unsent
// deliveries cancelled; never a visible notification whose pending row says cancelled.
func (s *Store) CancelEvent(ctx context.Context, key string, at time.Time) (*store.CancelResult, error) {
	var res *store.CancelResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var eventID int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM events WHERE idem_key = ?`, key).Scan(&eventID); err != nil {
			return dbErr("select event", err)
		}
		if err := s.cancelTopicJob(ctx, tx, eventID, at); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE scheduled_notifications SET status = ?, updated_at = ? WHERE event_id = ? AND status IN (?, ?)`,
			store.PendingCancelled, ms(at), eventID, store.PendingWaiting, store.PendingDigested); err != nil {
			return dbErr("cancel scheduled", err)
		}
		noteIDs, err := s.visibleOf(ctx, tx, eventID)
		if err != nil {
			return err
		}
		// Only the event's own notifications: a digest released already carries other
		// events too, and goes out as it is.
		own, err := s.ownNotifications(ctx, tx, eventID)
		if err != nil {
			return err
		}
		// In chunks: a topic's event may have a million notifications, more than one
		// statement may name.
		if err := chunks(len(own), maxRowsPerInsert, func(lo, hi int) error {
			_, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = ?, reason = 'cancelled', updated_at = ? WHERE status IN (?, ?) AND notification_id IN (`+placeholders(hi-lo)+`)`,
				append([]any{string(notify.StatusCancelled), ms(at), string(notify.StatusPending), string(notify.StatusScheduled)}, anys(own[lo:hi])...)...)
			return dbErr("cancel deliveries", err)
		}); err != nil {
			return err
		}
		fault.Hit("schedule.cancel")
		res, err = s.cancelState(ctx, tx, key, eventID, noteIDs)
		return err
	})
	return res, err
}

// visibleOf returns the ids of the notifications an event has made visible: its own, and
// the digests its pending rows were released into.
func (s *Store) visibleOf(ctx context.Context, tx *sql.Tx, eventID int64) ([]int64, error) {
	ids, err := queryIDs(ctx, tx, `SELECT id FROM notifications WHERE event_id = ?
		UNION SELECT notification_id FROM scheduled_notifications WHERE event_id = ? AND status = ? AND notification_id IS NOT NULL`,
		eventID, eventID, store.PendingReleased)
	return ids, dbErr("select visible", err)
}

// ownNotifications returns the ids of an event's own notifications (not digests).
func (s *Store) ownNotifications(ctx context.Context, tx *sql.Tx, eventID int64) ([]int64, error) {
	ids, err := queryIDs(ctx, tx, `SELECT id FROM notifications WHERE event_id = ? AND data IS NULL`, eventID)
	return ids, dbErr("select notifications", err)
}

// cancelState reads what the event's cancel left: cancelled pending rows and deliveries,
// and what went out before; of each list the first store.MaxListed by id, and its count
// (a topic's event may have a million notifications).
func (s *Store) cancelState(ctx context.Context, tx *sql.Tx, key string, eventID int64, noteIDs []int64) (*store.CancelResult, error) {
	res := &store.CancelResult{EventID: key,
		Cancelled: store.CancelledSet{Notifications: []store.Pending{}, Deliveries: []notify.Delivery{}},
		GoneOut:   store.GoneOutSet{Notifications: []notify.Notification{}, Deliveries: []notify.Delivery{}}}
	pending, err := s.pendingOfEvents(ctx, tx, []int64{eventID})
	if err != nil {
		return nil, err
	}
	for _, p := range pending[eventID] {
		if p.Status == store.PendingCancelled {
			res.Cancelled.NotificationCount++
			if len(res.Cancelled.Notifications) < store.MaxListed {
				res.Cancelled.Notifications = append(res.Cancelled.Notifications, p)
			}
		}
	}
	if len(noteIDs) == 0 {
		return res, nil
	}
	slices.Sort(noteIDs) // chunk by chunk, the notifications still come in id order
	res.GoneOut.NotificationCount = int64(len(noteIDs))
	listed := noteIDs[:min(len(noteIDs), store.MaxListed)]
	if err := chunks(len(listed), maxRowsPerInsert, func(lo, hi int) error {
		err := queryEach(ctx, tx, `SELECT `+notificationCols+` FROM notifications n JOIN events e ON e.id = n.event_id WHERE n.id IN (`+placeholders(hi-lo)+`) ORDER BY n.id`, anys(listed[lo:hi]), func(r *sql.Rows) error {
			var n notify.Notification
			if err := scanNotification(r, &n); err != nil {
				return err
			}
			res.GoneOut.Notifications = append(res.GoneOut.Notifications, n)
			return nil
		})
		return dbErr("select notifications", err)
	}); err != nil {
		return nil, err
	}
	err = chunks(len(noteIDs), maxRowsPerInsert, func(lo, hi int) error {
		ids := anys(noteIDs[lo:hi])
		if err := queryEach(ctx, tx, `SELECT status, COUNT(*) FROM deliveries WHERE notification_id IN (`+placeholders(hi-lo)+`) GROUP BY status`, ids, func(r *sql.Rows) error {
			var status string
			var n int64
			if err := r.Scan(&status, &n); err != nil {
				return err
			}
			if status == string(notify.StatusCancelled) {
				res.Cancelled.DeliveryCount += n
			} else {
				res.GoneOut.DeliveryCount += n
			}
			return nil
		}); err != nil {
			return dbErr("count deliveries", err)
		}
		if len(res.Cancelled.Deliveries) >= store.MaxListed && len(res.GoneOut.Deliveries) >= store.MaxListed {
			return nil // both lists are full: only counting from here
		}
		err := queryEach(ctx, tx, `SELECT id, notification_id, channel, status, attempts, reason, sent_at, updated_at FROM deliveries WHERE notification_id IN (`+placeholders(hi-lo)+`) ORDER BY id`, ids, func(r *sql.Rows) error {
			var d notify.Delivery
			var sent *int64
			var updated int64
			if err := r.Scan(&d.ID, &d.NotificationID, &d.Channel, &d.Status, &d.Attempts, &d.Reason, &sent, &updated); err != nil {
				return err
			}
			d.SentAt, d.UpdatedAt = fromNullMS(sent), fromMS(updated)
			if d.Status == notify.StatusCancelled {
				if len(res.Cancelled.Deliveries) < store.MaxListed {
					res.Cancelled.Deliveries = append(res.Cancelled.Deliveries, d)
				}
			} else if len(res.GoneOut.Deliveries) < store.MaxListed {
				res.GoneOut.Deliveries = append(res.GoneOut.Deliveries, d)
			}
			return nil
		})
		return dbErr("select deliveries", err)
	})
	return res, err
}
