package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// throttleWindow is one user's count for one type and throttle key.
type throttleWindow struct {
	started int64
	used    int
	changed bool
}

// throttle counts, inside the accepting transaction, each target's notification against
// its window of the type and rendered key, and returns the targets still under the limit
// and the users over it (recorded in throttled, for the event's status). A window starts
// with the first notification after the previous one ended and lasts th.Window. The
// window rows are locked in key order (as lockSeqs locks recipients), so replicas
// accepting at once count one after the other: the limit is exact across them.
func (s *Store) throttle(ctx context.Context, tx *sql.Tx, eventID int64, typ string, th *notify.ThrottleOf, targets []notify.Target, now time.Time) ([]notify.Target, []string, error) {
	keyOf := make(map[string]string, len(targets))
	owner := make(map[string]string, len(targets))
	for _, t := range targets {
		k := openKey(t.UserID, typ, "throttle\x00"+th.Key)
		keyOf[t.UserID], owner[k] = k, t.UserID
	}
	keys := make([]string, 0, len(owner))
	for k := range owner {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	wins, err := s.lockThrottles(ctx, tx, keys)
	if err != nil {
		return nil, nil, err
	}
	if len(wins) < len(keys) {
		var missing []string
		for _, k := range keys {
			if _, ok := wins[k]; !ok {
				missing = append(missing, k)
			}
		}
		if err := chunks(len(missing), maxRowsPerInsert, func(lo, hi int) error {
			args := make([]any, 0, (hi-lo)*4)
			for _, k := range missing[lo:hi] {
				args = append(args, k, owner[k], ms(now), 0)
			}
			_, err := s.exec(ctx, tx, s.d.InsertIgnore()+` throttle_windows (window_key, user_id, started_at, used) VALUES `+rowsOf(hi-lo, 4)+s.d.IgnoreConflicts("window_key"), args...)
			return dbErr("insert throttle windows", err)
		}); err != nil {
			return nil, nil, err
		}
		added, err := s.lockThrottles(ctx, tx, missing)
		if err != nil {
			return nil, nil, err
		}
		for k, w := range added {
			wins[k] = w
		}
	}
	kept := targets[:0:0]
	var dropped []string
	window := th.Window.Milliseconds()
	for _, t := range targets {
		w := wins[keyOf[t.UserID]]
		if w == nil {
			return nil, nil, store.Unavailable(fmt.Errorf("throttle window of user %q vanished inside its transaction", t.UserID))
		}
		if ms(now)-w.started >= window {
			w.started, w.used = ms(now), 0
		}
		if w.used >= th.Limit {
			dropped = append(dropped, t.UserID)
			continue
		}
		w.used++
		w.changed = true
		kept = append(kept, t)
	}
	for _, k := range keys {
		w := wins[k]
		if !w.changed {
			continue
		}
		if _, err := s.exec(ctx, tx, `UPDATE throttle_windows SET started_at = ?, used = ? WHERE window_key = ?`, w.started, w.used, k); err != nil {
			return nil, nil, dbErr("update throttle window", err)
		}
	}
	if err := chunks(len(dropped), maxRowsPerInsert, func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*3)
		for _, u := range dropped[lo:hi] {
			args = append(args, eventID, u, ms(now))
		}
		_, err := s.exec(ctx, tx, s.d.InsertIgnore()+` throttled (event_id, user_id, created_at) VALUES `+rowsOf(hi-lo, 3)+s.d.IgnoreConflicts("event_id, user_id"), args...)
		return dbErr("insert throttled", err)
	}); err != nil {
		return nil, nil, err
	}
	return kept, dropped, nil
}

// lockThrottles locks and reads the throttle windows of keys that exist.
func (s *Store) lockThrottles(ctx context.Context, tx *sql.Tx, keys []string) (map[string]*throttleWindow, error) {
	wins := make(map[string]*throttleWindow, len(keys))
	err := chunks(len(keys), maxRowsPerInsert, func(lo, hi int) error {
		err := queryEach(ctx, tx, `SELECT window_key, started_at, used FROM throttle_windows WHERE window_key IN (`+placeholders(hi-lo)+`) ORDER BY window_key`+s.d.ForUpdate(), anys(keys[lo:hi]), func(r *sql.Rows) error {
			var k string
			w := &throttleWindow{}
			if err := r.Scan(&k, &w.started, &w.used); err != nil {
				return err
			}
			wins[k] = w
			return nil
		})
		return dbErr("lock throttle windows", err)
	})
	return wins, err
}

// throttledOf lists the users an event's throttle dropped.
func (s *Store) throttledOf(ctx context.Context, q queryer, eventID int64) ([]string, error) {
	var users []string
	err := queryEach(ctx, q, `SELECT user_id FROM throttled WHERE event_id = ? ORDER BY user_id`, []any{eventID}, func(r *sql.Rows) error {
		var u string
		err := r.Scan(&u)
		users = append(users, u)
		return err
	})
	return users, dbErr("select throttled", err)
}
