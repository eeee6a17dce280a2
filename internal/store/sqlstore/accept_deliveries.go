package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
)

type deliveryRow struct {
	note            int64
	channel         notify.Channel
	address, reason string
	detail          string // the human side of reason, in last_error
	status          notify.DeliveryStatus
	next            time.Time
	unlessRead      bool
}

// insertDeliveries writes one delivery per note and queued channel (every channel but the
// inbox, which is the stored notification itself, replayable by seq). Each is decided by
// prefs.Decide over the recipient's profile and preferences, read here, in the
// transaction that makes the notification visible (accepting or releasing), for all its
// recipients at once: the status and reason recorded say why a message waits or will
// never go out.
func (s *Store) insertDeliveries(ctx context.Context, tx *sql.Tx, notes []newNote, out []notify.Notification, now time.Time) error {
	var users []string
	for _, n := range notes {
		if slices.ContainsFunc(n.target.Channels, func(c notify.Channel) bool { return !prefs.IsInbox(c) }) {
			users = append(users, n.target.UserID)
		}
	}
	if len(users) == 0 {
		return nil
	}
	slices.Sort(users)
	users = slices.Compact(users)
	profiles, settings, err := s.recipientSettings(ctx, tx, users)
	if err != nil {
		return err
	}
	var rows []deliveryRow
	for k, n := range notes {
		for _, c := range n.target.Channels {
			if prefs.IsInbox(c) {
				continue
			}
			d := prefs.Decide(prefs.Input{Recipient: n.target.Recipient, Type: n.typ, Rules: n.rules,
				Channel: c, Profile: profiles[n.target.UserID], Prefs: settings[n.target.UserID], Now: now, Defaults: n.defaults})
			rows = append(rows, deliveryRow{note: out[k].ID, channel: c, address: d.Address, status: d.Status, reason: d.Reason, detail: d.Detail, next: d.NextAttemptAt, unlessRead: d.UnlessRead})
		}
	}
	created := ms(now)
	return chunks(len(rows), maxRowsPerInsert, func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*9)
		for _, d := range rows[lo:hi] {
			args = append(args, d.note, string(d.channel), d.address, string(d.status), d.reason, d.detail, ms(d.next), created, flag(d.unlessRead))
		}
		_, err := s.exec(ctx, tx, `INSERT INTO deliveries (notification_id, channel, address, status, reason, last_error, next_attempt_at, updated_at, unless_read) VALUES `+rowsOf(hi-lo, 9), args...)
		return dbErr("insert deliveries", err)
	})
}

// rowWithKey scans a leading key column, then the rest as the wrapped scanner's caller asks.
type rowWithKey struct {
	r   *sql.Rows
	key *string
}

func (k rowWithKey) Scan(dest ...any) error { return k.r.Scan(append([]any{k.key}, dest...)...) }

// recipientSettings reads the profiles and preferences of users (those who have them).
func (s *Store) recipientSettings(ctx context.Context, q queryer, users []string) (map[string]*prefs.Profile, map[string]*prefs.Preferences, error) {
	profiles := map[string]*prefs.Profile{}
	settings := map[string]*prefs.Preferences{}
	err := chunks(len(users), maxRowsPerInsert, func(lo, hi int) error {
		if err := queryEach(ctx, q, `SELECT user_id, `+profileColumns+` FROM user_profiles WHERE user_id IN (`+placeholders(hi-lo)+`)`, anys(users[lo:hi]), func(r *sql.Rows) error {
			var u string
			p, err := scanProfile(rowWithKey{r, &u})
			if err != nil {
				return err
			}
			profiles[u] = &p
			return nil
		}); err != nil {
			return dbErr("select profiles", err)
		}
		err := queryEach(ctx, q, `SELECT user_id, prefs FROM user_preferences WHERE user_id IN (`+placeholders(hi-lo)+`)`, anys(users[lo:hi]), func(r *sql.Rows) error {
			var u, doc string
			if err := r.Scan(&u, &doc); err != nil {
				return err
			}
			var p prefs.Preferences
			if err := json.Unmarshal([]byte(doc), &p); err != nil {
				return err
			}
			settings[u] = &p
			return nil
		})
		return dbErr("select preferences", err)
	})
	return profiles, settings, err
}

// queryEach runs a query and calls fn on every row.
func queryEach(ctx context.Context, q queryer, query string, args []any, fn func(r *sql.Rows) error) error {
	r, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer r.Close()
	for r.Next() {
		if err := fn(r); err != nil {
			return err
		}
	}
	return r.Err()
}
