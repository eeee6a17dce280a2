package sqlstore

import (
	"context"
	"encoding/json"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// EventStatus implements store.Store.
func (s *Store) EventStatus(ctx context.Context, key string) (*store.EventStatus, error) {
	return s.EventStatusPage(ctx, key, store.StatusPage{})
}

// EventStatusPage implements store.Store.
func (s *Store) EventStatusPage(ctx context.Context, key string, page store.StatusPage) (*store.EventStatus, error) {
	var st store.EventStatus
	var id, received int64
	var payload string
	err := s.db.R.QueryRowContext(ctx, `SELECT id, idem_key, type, source, payload, created_at FROM events WHERE idem_key = ?`, key).
		Scan(&id, &st.Key, &st.Type, &st.Source, &payload, &received)
	if err != nil {
		return nil, dbErr("select event", err)
	}
	st.ReceivedAt, st.Payload = fromMS(received), []byte(payload)

	query, args := `SELECT n.role, `+notificationCols+` FROM notifications n JOIN events e ON e.id = n.event_id WHERE n.event_id = ? AND n.id > ? ORDER BY n.id`, []any{id, page.After}
	if page.Limit > 0 {
		query, args = query+` LIMIT ?`, append(args, page.Limit+1) // one more: is there a next page?
	}
	r, err := s.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, dbErr("select notifications", err)
	}
	index := map[int64]int{}
	for r.Next() {
		var rs store.RecipientStatus
		n := &rs.Notification
		if err := scanNotification(r, n, &rs.Role); err != nil {
			r.Close()
			return nil, dbErr("scan notifications", err)
		}
		rs.UserID = n.UserID
		rs.Deliveries = []notify.Delivery{}
		index[n.ID] = len(st.Recipients)
		st.Recipients = append(st.Recipients, rs)
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, dbErr("select notifications", err)
	}
	if page.Limit > 0 && len(st.Recipients) > page.Limit {
		delete(index, st.Recipients[page.Limit].Notification.ID)
		st.Recipients = st.Recipients[:page.Limit]
		st.NextAfter = st.Recipients[page.Limit-1].Notification.ID
	}
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE event_id = ?`, id).Scan(&st.RecipientCount); err != nil {
		return nil, dbErr("count notifications", err)
	}
	if err := s.statusLists(ctx, id, page.Limit, &st); err != nil {
		return nil, err
	}
	if len(st.Recipients) == 0 {
		return &st, nil
	}
	// The deliveries of this page's notifications only.
	r, err = s.db.R.QueryContext(ctx, `SELECT d.id, d.notification_id, d.channel, d.status, d.attempts, d.last_error, d.reason, d.provider, d.provider_id, d.failed_over, d.next_attempt_at, d.sent_at, d.updated_at,
		d.provider_code, d.truncated, d.fallback, d.fallback_id
		FROM deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.event_id = ? AND n.id > ? AND n.id <= ? ORDER BY d.id`,
		id, page.After, st.Recipients[len(st.Recipients)-1].Notification.ID)
	if err != nil {
		return nil, dbErr("select deliveries", err)
	}
	defer r.Close()
	for r.Next() {
		var d notify.Delivery
		var next, updated int64
		var sent *int64
		var failedOver string
		var truncated int
		if err := r.Scan(&d.ID, &d.NotificationID, &d.Channel, &d.Status, &d.Attempts, &d.LastError, &d.Reason, &d.Provider, &d.ProviderID, &failedOver, &next, &sent, &updated,
			&d.ProviderCode, &truncated, &d.Fallback, &d.FallbackProviderID); err != nil {
			return nil, dbErr("scan deliveries", err)
		}
		if failedOver != "" {
			_ = json.Unmarshal([]byte(failedOver), &d.FailedOver)
		}
		if !d.Status.Final() {
			t := fromMS(next)
			d.NextAttemptAt = &t
		}
		d.SentAt, d.UpdatedAt, d.Truncated = fromNullMS(sent), fromMS(updated), truncated != 0
		if k, ok := index[d.NotificationID]; ok {
			st.Recipients[k].Deliveries = append(st.Recipients[k].Deliveries, d)
		}
	}
	if err := r.Err(); err != nil {
		return nil, dbErr("select deliveries", err)
	}
	for k := range st.Recipients {
		fallbackIDs(st.Recipients[k].Deliveries)
	}
	return &st, nil
}

// statusLists fills an event status's pending and throttled lists, at most limit of each
// (0: all), and their counts.
func (s *Store) statusLists(ctx context.Context, id int64, limit int, st *store.EventStatus) error {
	pending, err := s.pendingOfEvents(ctx, s.db.R, []int64{id})
	if err != nil {
		return err
	}
	st.Scheduled, st.ScheduledCount = capped(pending[id], limit)
	if st.Topic, err = s.topicOf(ctx, s.db.R, id); err != nil {
		return err
	}
	throttled, err := s.throttledOf(ctx, s.db.R, id)
	if err != nil {
		return err
	}
	st.Throttled, st.ThrottledCount = capped(throttled, limit)
	return nil
}

// capped returns at most limit of xs (0: all) and how many there are.
func capped[T any](xs []T, limit int) ([]T, int64) {
	if limit > 0 && len(xs) > limit {
		return xs[:limit], int64(len(xs))
	}
	return xs, int64(len(xs))
}

// fallbackIDs fills, on a delivery that fell back through notifyd's own SMS channel, the
// provider message id of that SMS (a provider's own fallback brought its id itself).
func fallbackIDs(ds []notify.Delivery) {
	for i := range ds {
		if ds[i].Fallback == "" || ds[i].FallbackProviderID != "" {
			continue
		}
		for _, o := range ds {
			if o.Channel == notify.ChannelSMS {
				ds[i].FallbackProviderID = o.ProviderID
			}
		}
	}
}
