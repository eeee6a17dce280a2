package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"strings"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
	"github.com/notifyd/notifyd/internal/store"
)

// storeFresh writes what the new events of a batch become: notifications visible at once,
// or pending rows (a sendAt in the future, a digest type) that the releaser makes visible
// when they are due. An event to a topic becomes a fan-out job instead (topics_fanout.go),
// whose pages go through planEvent as the events here do.
func (s *Store) storeFresh(ctx context.Context, tx *sql.Tx, in []store.AcceptInput, fresh []int, rows map[string]eventRow, results []store.AcceptResult, now time.Time) error {
	var notes []newNote
	var noteInput []int // index into in of each note
	for _, i := range fresh {
		p := in[i].Prepared
		eventID := rows[in[i].Key].id
		if p.Topic != nil {
			tp, err := s.openTopicJob(ctx, tx, eventID, p.Event.Topic, in[i].Subscribers, now)
			if err != nil {
				return err
			}
			results[i].Topic = tp
			continue
		}
		plan, err := s.planEvent(ctx, tx, eventID, in[i].Key, p, p.Targets, in[i].Defaults, now)
		if err != nil {
			return err
		}
		results[i].Scheduled, results[i].Throttled = plan.scheduled, plan.throttled
		for _, n := range plan.notes {
			notes = append(notes, n)
			noteInput = append(noteInput, i)
		}
	}
	if len(notes) == 0 {
		return nil
	}
	out, err := s.writeNotes(ctx, tx, notes, now)
	if err != nil {
		return err
	}
	for k, n := range out {
		i := noteInput[k]
		results[i].Notifications = append(results[i].Notifications, n)
	}
	return nil
}

// eventPlan is what one event becomes for some of its targets.
type eventPlan struct {
	notes     []newNote       // visible at once: the caller writes them (writeNotes)
	scheduled []store.Pending // written here: waiting for a sendAt or in a digest window
	throttled []string        // users the type's throttle dropped
}

// planEvent decides, inside the caller's transaction, what event p becomes for targets:
// the type's throttle drops the users over their limit, then the rest join digest
// windows, wait for the sendAt, or become notes to write. Accept calls it with the
// event's recipients, a topic fan-out with one page of subscribers.
func (s *Store) planEvent(ctx context.Context, tx *sql.Tx, eventID int64, key string, p *notify.Prepared, targets []notify.Target, defaults prefs.Defaults, now time.Time) (eventPlan, error) {
	var plan eventPlan
	if p.Throttle != nil {
		var err error
		if targets, plan.throttled, err = s.throttle(ctx, tx, eventID, p.Event.Type, p.Throttle, targets, now); err != nil {
			return plan, err
		}
	}
	ev := &p.Event
	switch {
	case len(targets) == 0:
	case p.Digest != nil:
		for _, t := range targets {
			pd, err := s.attachDigest(ctx, tx, eventID, ev, t, p.Digest, now)
			if err != nil {
				return plan, err
			}
			plan.scheduled = append(plan.scheduled, pd)
		}
	case ev.SendAt != nil && ev.SendAt.After(now):
		some := *p
		some.Targets = targets
		pds, err := s.schedule(ctx, tx, eventID, &some, *ev.SendAt, now)
		if err != nil {
			return plan, err
		}
		plan.scheduled = pds
	default:
		for _, t := range targets {
			plan.notes = append(plan.notes, newNote{eventID: eventID, eventKey: key, target: t, typ: ev.Type, message: ev.Message, url: ev.URL, collapseKey: ev.CollapseKey,
				rules: prefs.RulesOf(p.Type), defaults: defaults})
		}
	}
	return plan, nil
}

const scheduledInsert = `INSERT INTO scheduled_notifications (event_id, user_id, role, channels, phone, type, message, url, collapse_key, digest_id, status, due_at, created_at, updated_at) VALUES `

// schedule writes one pending row per target of an event with a sendAt in the future.
func (s *Store) schedule(ctx context.Context, tx *sql.Tx, eventID int64, p *notify.Prepared, at, now time.Time) ([]store.Pending, error) {
	out := make([]store.Pending, len(p.Targets))
	err := chunks(len(p.Targets), maxRowsPerInsert, func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*14)
		for k, t := range p.Targets[lo:hi] {
			ev := &p.Event
			args = append(args, eventID, t.UserID, string(t.Role), joinChannels(t.Channels), t.Phone, ev.Type, ev.Message, ev.URL, nullString(ev.CollapseKey), nil, store.PendingWaiting, ms(at), ms(now), ms(now))
			out[lo+k] = store.Pending{UserID: t.UserID, Status: store.PendingWaiting, DueAt: fromMS(ms(at))}
		}
		_, err := tx.ExecContext(ctx, scheduledInsert+rowsOf(hi-lo, 14), args...)
		return dbErr("insert scheduled", err)
	})
	return out, err
}

// attachDigest adds one target of an event to the user's open window of the event's
// type and digest key, opening the window (due now + window) when there is none. Two
// writers opening the same window meet on digests.open_key's unique index.
func (s *Store) attachDigest(ctx context.Context, tx *sql.Tx, eventID int64, ev *notify.Event, t notify.Target, d *notify.DigestOf, now time.Time) (store.Pending, error) {
	key := openKey(t.UserID, ev.Type, d.Key)
	id, due, err := s.lockOpenDigest(ctx, tx, key)
	if err == sql.ErrNoRows {
		due = ms(now.Add(d.Window))
		var data any
		if len(ev.Data) > 0 {
			data = string(ev.Data)
		}
		if _, err := tx.ExecContext(ctx, s.d.InsertIgnore()+` digests (open_key, user_id, type, digest_key, event_id, role, channels, phone, url, message, data, status, due_at, created_at, updated_at) VALUES `+rowsOf(1, 15)+s.d.IgnoreConflicts("open_key"),
			key, t.UserID, ev.Type, d.Key, eventID, string(t.Role), joinChannels(t.Channels), t.Phone, ev.URL, d.Message, data, "open", due, ms(now), ms(now)); err != nil {
			return store.Pending{}, dbErr("open digest", err)
		}
		id, due, err = s.lockOpenDigest(ctx, tx, key)
	}
	if err != nil {
		return store.Pending{}, dbErr("lock digest", err)
	}
	if _, err := tx.ExecContext(ctx, scheduledInsert+rowsOf(1, 14),
		eventID, t.UserID, string(t.Role), joinChannels(t.Channels), t.Phone, ev.Type, ev.Message, ev.URL, nil, id, store.PendingDigested, due, ms(now), ms(now)); err != nil {
		return store.Pending{}, dbErr("attach to digest", err)
	}
	return store.Pending{UserID: t.UserID, Status: store.PendingDigested, DueAt: fromMS(due), Digest: true}, nil
}

// lockOpenDigest locks the open window of key; sql.ErrNoRows when there is none.
func (s *Store) lockOpenDigest(ctx context.Context, tx *sql.Tx, key string) (id, due int64, err error) {
	err = tx.QueryRowContext(ctx, `SELECT id, due_at FROM digests WHERE open_key = ?`+s.d.ForUpdate(), key).Scan(&id, &due)
	return id, due, err
}

// openKey names a user's window of one type and rendered digest key, in fixed length.
func openKey(user, typ, key string) string {
	sum := sha256.Sum256([]byte(user + "\x00" + typ + "\x00" + key))
	return hex.EncodeToString(sum[:])
}

// pendingOfEvents returns the pending rows of each event id.
func (s *Store) pendingOfEvents(ctx context.Context, q queryer, eventIDs []int64) (map[int64][]store.Pending, error) {
	out := make(map[int64][]store.Pending, len(eventIDs))
	err := chunks(len(eventIDs), maxRowsPerInsert, func(lo, hi int) error {
		r, err := q.QueryContext(ctx, `SELECT event_id, user_id, status, due_at, digest_id, notification_id FROM scheduled_notifications WHERE event_id IN (`+placeholders(hi-lo)+`) ORDER BY id`, anys(eventIDs[lo:hi])...)
		if err != nil {
			return dbErr("select scheduled", err)
		}
		defer r.Close()
		for r.Next() {
			var eid, due int64
			var digest, note *int64
			var p store.Pending
			if err := r.Scan(&eid, &p.UserID, &p.Status, &due, &digest, &note); err != nil {
				return dbErr("scan scheduled", err)
			}
			p.DueAt, p.Digest = fromMS(due), digest != nil
			if note != nil {
				p.NotificationID = *note
			}
			out[eid] = append(out[eid], p)
		}
		return dbErr("select scheduled", r.Err())
	})
	return out, err
}

func joinChannels(cs []notify.Channel) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = string(c)
	}
	return strings.Join(names, ",")
}

func splitChannels(s string) []notify.Channel {
	var out []notify.Channel
	for _, name := range strings.Split(s, ",") {
		if c, ok := notify.ParseChannel(name); ok {
			out = append(out, c)
		}
	}
	return out
}
