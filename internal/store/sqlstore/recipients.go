package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
	"github.com/notifyd/notifyd/internal/store"
)

// GetProfile implements store.Store.
func (s *Store) GetProfile(ctx context.Context, userID string) (prefs.Profile, error) {
	p, err := scanProfile(s.db.R.QueryRowContext(ctx, `SELECT `+profileColumns+` FROM user_profiles WHERE user_id = ?`, userID))
	return p, dbErr("select profile", err)
}

// profileColumns are the columns of user_profiles scanProfile reads, in its order.
const profileColumns = `phone, email, time_zone, locale, ad_consent, ad_consent_at, night_ad_consent, night_ad_consent_at`

// scanProfile reads one row of profileColumns.
func scanProfile(r interface{ Scan(...any) error }) (prefs.Profile, error) {
	var p prefs.Profile
	var ad, night int
	var adAt, nightAt int64
	if err := r.Scan(&p.PhoneNumber, &p.Email, &p.TimeZone, &p.Locale, &ad, &adAt, &night, &nightAt); err != nil {
		return prefs.Profile{}, err
	}
	p.AdConsent, p.NightAdConsent = ad != 0, night != 0
	if adAt != 0 {
		p.AdConsentAt = fromMS(adAt)
	}
	if nightAt != 0 {
		p.NightAdConsentAt = fromMS(nightAt)
	}
	return p, nil
}

// msOrZero is t in Unix ms, 0 for the zero time (a consent never given).
func msOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}

// UpdateProfile implements store.Store.
func (s *Store) UpdateProfile(ctx context.Context, userID string, patch store.ProfilePatch, at time.Time) (prefs.Profile, error) {
	var out prefs.Profile
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		p, err := scanProfile(tx.QueryRowContext(ctx, `SELECT `+profileColumns+` FROM user_profiles WHERE user_id = ?`+s.d.ForUpdate(), userID))
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return dbErr("select profile", err)
		}
		out = patch.Apply(p, at)
		vals := []any{out.PhoneNumber, out.Email, out.TimeZone, out.Locale, flag(out.AdConsent), msOrZero(out.AdConsentAt),
			flag(out.NightAdConsent), msOrZero(out.NightAdConsentAt), ms(at), userID}
		if exists {
			_, err = tx.ExecContext(ctx, `UPDATE user_profiles SET phone = ?, email = ?, time_zone = ?, locale = ?, ad_consent = ?, ad_consent_at = ?,
				night_ad_consent = ?, night_ad_consent_at = ?, updated_at = ? WHERE user_id = ?`, vals...)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO user_profiles (phone, email, time_zone, locale, ad_consent, ad_consent_at,
				night_ad_consent, night_ad_consent_at, updated_at, user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, vals...)
		}
		return dbErr("write profile", err)
	})
	return out, err
}

// GetPreferences implements store.Store.
func (s *Store) GetPreferences(ctx context.Context, userID string) (prefs.Preferences, bool, error) {
	var doc string
	err := s.db.R.QueryRowContext(ctx, `SELECT prefs FROM user_preferences WHERE user_id = ?`, userID).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return prefs.Preferences{}, false, nil
	}
	if err != nil {
		return prefs.Preferences{}, false, dbErr("select preferences", err)
	}
	var p prefs.Preferences
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return prefs.Preferences{}, false, store.Unavailable(err)
	}
	return p, true, nil
}

// PutPreferences implements store.Store.
func (s *Store) PutPreferences(ctx context.Context, userID string, p prefs.Preferences, at time.Time) error {
	doc, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE user_preferences SET prefs = ?, updated_at = ? WHERE user_id = ?`, string(doc), ms(at), userID)
		if err != nil {
			return dbErr("update preferences", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		// MySQL counts an UPDATE that changes nothing as 0 rows: insert only if absent.
		_, err = tx.ExecContext(ctx, s.d.InsertIgnore()+` user_preferences (user_id, prefs, updated_at) VALUES (?, ?, ?)`+s.d.IgnoreConflicts("user_id"), userID, string(doc), ms(at))
		return dbErr("insert preferences", err)
	})
}

// MergePreferences implements store.Store: the row is read locked, merged and written in
// one transaction. Two first merges of a user can both find no row; the one whose insert
// loses starts over and merges into the winner's.
func (s *Store) MergePreferences(ctx context.Context, userID string, patch prefs.Patch, at time.Time) (prefs.Preferences, error) {
	for {
		var out prefs.Preferences
		lost := false
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			var doc string
			err := tx.QueryRowContext(ctx, `SELECT prefs FROM user_preferences WHERE user_id = ?`+s.d.ForUpdate(), userID).Scan(&doc)
			found := err == nil
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return dbErr("select preferences", err)
			}
			var old prefs.Preferences
			if found {
				if err := json.Unmarshal([]byte(doc), &old); err != nil {
					return store.Unavailable(err)
				}
			}
			out = patch.Apply(old)
			b, err := json.Marshal(out)
			if err != nil {
				return err
			}
			if found {
				_, err = tx.ExecContext(ctx, `UPDATE user_preferences SET prefs = ?, updated_at = ? WHERE user_id = ?`, string(b), ms(at), userID)
				return dbErr("update preferences", err)
			}
			res, err := tx.ExecContext(ctx, s.d.InsertIgnore()+` user_preferences (user_id, prefs, updated_at) VALUES (?, ?, ?)`+s.d.IgnoreConflicts("user_id"), userID, string(b), ms(at))
			if err != nil {
				return dbErr("insert preferences", err)
			}
			n, _ := res.RowsAffected()
			lost = n == 0
			return nil
		})
		if err != nil || !lost {
			return out, err
		}
		if err := ctx.Err(); err != nil {
			return prefs.Preferences{}, err
		}
	}
}

// scrubEvents removes userID from the recipients of every stored event that named them,
// so the payloads kept for the other recipients hold no contact of the erased user. The
// payload hash stays: a producer's retry of the same event is still a duplicate.
func (s *Store) scrubEvents(ctx context.Context, tx *sql.Tx, userID string) error {
	ids, err := queryIDs(ctx, tx, `SELECT DISTINCT event_id FROM notifications WHERE user_id = ?`, userID)
	if err != nil {
		return dbErr("select the user's events", err)
	}
	for _, id := range ids {
		var payload string
		if err := tx.QueryRowContext(ctx, `SELECT payload FROM events WHERE id = ?`+s.d.ForUpdate(), id).Scan(&payload); err != nil {
			return dbErr("select event", err)
		}
		ev, err := notify.DecodeEvent([]byte(payload))
		if err != nil || ev.Topic != "" {
			continue // not a payload this version wrote, or a topic's (it names no user): leave it
		}
		ev.Recipients = slices.DeleteFunc(ev.Recipients, func(r notify.Recipient) bool { return r.UserID == userID })
		out, err := ev.MarshalJSON()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET payload = ? WHERE id = ?`, string(out), id); err != nil {
			return dbErr("scrub event", err)
		}
	}
	return nil
}

// EraseUser implements store.Store. Deliveries go first (they refer to notifications);
// a worker holding one of them in flight finds it gone when it records the outcome.
func (s *Store) EraseUser(ctx context.Context, userID string) (store.Erased, error) {
	var e store.Erased
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		e = store.Erased{}
		if err := s.scrubEvents(ctx, tx, userID); err != nil {
			return err
		}
		steps := []struct {
			what, query string
			count       func(n int64)
		}{
			// Notifications still waiting (sendAt, digest windows) never show.
			{"scheduled", `DELETE FROM scheduled_notifications WHERE user_id = ?`, func(int64) {}},
			{"digests", `DELETE FROM digests WHERE user_id = ?`, func(int64) {}},
			{"delivery attempts", `DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT d.id FROM deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.user_id = ?)`, func(int64) {}},
			{"deliveries", `DELETE FROM deliveries WHERE notification_id IN (SELECT id FROM notifications WHERE user_id = ?)`, func(n int64) { e.Deliveries = n }},
			{"notifications", `DELETE FROM notifications WHERE user_id = ?`, func(n int64) { e.Notifications = n }},
			{"sequence", `DELETE FROM recipients WHERE user_id = ?`, func(int64) {}},
			{"profile", `DELETE FROM user_profiles WHERE user_id = ?`, func(n int64) { e.Profile = n > 0 }},
			{"preferences", `DELETE FROM user_preferences WHERE user_id = ?`, func(n int64) { e.Preferences = n > 0 }},
			{"push subscriptions", `DELETE FROM push_subscriptions WHERE user_id = ?`, func(n int64) { e.Subscriptions = n }},
			{"topic subscriptions", `DELETE FROM topic_subscriptions WHERE user_id = ?`, func(n int64) { e.Topics = n }},
			{"throttle windows", `DELETE FROM throttle_windows WHERE user_id = ?`, func(int64) {}},
			{"throttled", `DELETE FROM throttled WHERE user_id = ?`, func(int64) {}},
			{"mobile devices", `DELETE FROM push_devices WHERE user_id = ?`, func(n int64) { e.Devices = n }},
			{"mobile sends", `DELETE FROM push_device_sends WHERE user_id = ?`, func(int64) {}},
		}
		for _, st := range steps {
			res, err := tx.ExecContext(ctx, st.query, userID)
			if err != nil {
				return dbErr("erase "+st.what, err)
			}
			n, _ := res.RowsAffected()
			st.count(n)
		}
		return nil
	})
	return e, err
}
