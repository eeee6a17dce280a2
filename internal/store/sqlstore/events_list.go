package sqlstore

import (
	"context"
	"strings"

	"github.com/notifyd/notifyd/internal/store"
)

// ListEvents implements store.Store. Each filter walks an index newest first: the primary
// key, events_type (type, id) or notifications_user_event (user_id, event_id). A status
// filter checks each event's deliveries, so it reads at most store.EventScanWindow events
// below the cursor; each check walks the event's notifications and their deliveries, never
// deliveries_due by status (every sent delivery: the plan SQLite took without it).
func (s *Store) ListEvents(ctx context.Context, f store.EventFilter) (*store.EventPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	const cols = `e.id, e.idem_key, e.type, e.source, e.created_at`
	var q strings.Builder
	var args []any
	low := int64(0) // the window's lowest id, for a status filter
	if f.UserID != "" {
		q.WriteString(`SELECT ` + cols + ` FROM notifications n JOIN events e ON e.id = n.event_id WHERE n.user_id = ?`)
		args = append(args, f.UserID)
		if f.Before > 0 {
			q.WriteString(` AND n.event_id < ?`)
			args = append(args, f.Before)
		}
	} else {
		q.WriteString(`SELECT ` + cols + ` FROM events e WHERE 1 = 1`)
		if f.Before > 0 {
			q.WriteString(` AND e.id < ?`)
			args = append(args, f.Before)
		}
	}
	if f.Type != "" {
		q.WriteString(` AND e.type = ?`)
		args = append(args, f.Type)
	}
	if f.Status != "" {
		if f.UserID == "" {
			top := f.Before
			if top <= 0 {
				if err := s.db.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM events`).Scan(&top); err != nil {
					return nil, dbErr("select newest event", err)
				}
			}
			low = max(top-store.EventScanWindow, 0)
			q.WriteString(` AND e.id >= ?`)
			args = append(args, low)
		}
		q.WriteString(` AND EXISTS (SELECT 1 FROM notifications sn JOIN deliveries sd ON sd.notification_id = sn.id WHERE sn.event_id = e.id AND ` + s.d.Unindexed("sd.status") + ` = ?)`)
		args = append(args, f.Status)
	}
	if f.UserID != "" {
		q.WriteString(` ORDER BY n.event_id DESC LIMIT ?`)
	} else {
		q.WriteString(` ORDER BY e.id DESC LIMIT ?`)
	}
	args = append(args, limit+1)

	r, err := s.db.R.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, dbErr("select events", err)
	}
	page := &store.EventPage{Events: []store.EventSummary{}}
	seen := map[int64]bool{}
	for r.Next() {
		var e store.EventSummary
		var created int64
		if err := r.Scan(&e.ID, &e.Key, &e.Type, &e.Source, &created); err != nil {
			r.Close()
			return nil, dbErr("scan events", err)
		}
		if seen[e.ID] { // a user with two notifications of one event (a digest)
			continue
		}
		seen[e.ID] = true
		e.ReceivedAt, e.Users, e.Outcomes = fromMS(created), []string{}, []store.ChannelOutcome{}
		page.Events = append(page.Events, e)
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, dbErr("select events", err)
	}
	switch {
	case len(page.Events) > limit:
		page.Events = page.Events[:limit]
		page.Next = page.Events[limit-1].ID
	case low > 1:
		page.Next = low // nothing more in this window: go on below it
	}
	return page, s.summarize(ctx, page.Events)
}

// summarize fills each event's recipients (a count and the first user) and its delivery
// outcomes counted by channel, status and reason.
func (s *Store) summarize(ctx context.Context, events []store.EventSummary) error {
	if len(events) == 0 {
		return nil
	}
	index := make(map[int64]*store.EventSummary, len(events))
	ids := make([]any, len(events))
	for i := range events {
		index[events[i].ID], ids[i] = &events[i], events[i].ID
	}
	in := placeholders(len(ids))
	r, err := s.db.R.QueryContext(ctx, `SELECT event_id, COUNT(*), MIN(user_id) FROM notifications WHERE event_id IN (`+in+`) GROUP BY event_id`, ids...)
	if err != nil {
		return dbErr("count recipients", err)
	}
	for r.Next() {
		var id int64
		var n int
		var first string
		if err := r.Scan(&id, &n, &first); err != nil {
			r.Close()
			return dbErr("scan recipients", err)
		}
		index[id].Recipients, index[id].Users = n, []string{first}
	}
	r.Close()
	if err := r.Err(); err != nil {
		return dbErr("count recipients", err)
	}
	r, err = s.db.R.QueryContext(ctx, `SELECT n.event_id, d.channel, d.status, d.reason, d.fallback, COUNT(*) FROM deliveries d JOIN notifications n ON n.id = d.notification_id
		WHERE n.event_id IN (`+in+`) GROUP BY n.event_id, d.channel, d.status, d.reason, d.fallback ORDER BY n.event_id, d.channel, d.status, d.reason, d.fallback`, ids...)
	if err != nil {
		return dbErr("count outcomes", err)
	}
	defer r.Close()
	for r.Next() {
		var id int64
		var o store.ChannelOutcome
		if err := r.Scan(&id, &o.Channel, &o.Status, &o.Reason, &o.Fallback, &o.Count); err != nil {
			return dbErr("scan outcomes", err)
		}
		index[id].Outcomes = append(index[id].Outcomes, o)
	}
	return dbErr("count outcomes", r.Err())
}
