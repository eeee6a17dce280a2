package store

import (
	"context"
	"time"

	"github.com/notifyd/notifyd/internal/prefs"
)

// Recipients is what the store keeps about users beyond their notifications: profiles
// and preferences, which Accept reads (in its own transaction) to decide each delivery,
// and the erasure of everything about a user.
type Recipients interface {
	// GetProfile returns userID's profile; ErrNotFound when there is none.
	GetProfile(ctx context.Context, userID string) (prefs.Profile, error)
	// UpdateProfile sets the fields of patch that are not nil (an empty string clears one)
	// and returns the profile as stored. It creates the profile if needed.
	UpdateProfile(ctx context.Context, userID string, patch ProfilePatch, at time.Time) (prefs.Profile, error)
	// GetPreferences returns userID's preferences; found is false when the user never set any.
	GetPreferences(ctx context.Context, userID string) (p prefs.Preferences, found bool, err error)
	// PutPreferences replaces userID's preferences.
	PutPreferences(ctx context.Context, userID string, p prefs.Preferences, at time.Time) error
	// MergePreferences merges patch into userID's preferences in one transaction (two
	// merges at once both land) and returns the preferences as stored.
	MergePreferences(ctx context.Context, userID string, patch prefs.Patch, at time.Time) (prefs.Preferences, error)
	// EraseUser deletes, in one transaction, everything the store holds about userID:
	// profile, preferences, push subscriptions, mobile devices, notifications, their deliveries (pending
	// ones never go out) and the user's sequence. A user who comes back starts again at
	// seq 1 (a stream resuming from an older, higher Last-Event-ID is treated as at the
	// newest). The events stay (other recipients' notifications refer to them), the user taken out of
	// their stored payloads.
	EraseUser(ctx context.Context, userID string) (Erased, error)
}

// ProfilePatch is a partial profile: nil fields are left as they are.
type ProfilePatch struct {
	PhoneNumber *string `json:"phoneNumber"`
	Email       *string `json:"email"`
	TimeZone    *string `json:"timeZone"`
	Locale      *string `json:"locale"`

	AdConsent      *bool `json:"adConsent"`
	NightAdConsent *bool `json:"nightAdConsent"`
}

// Apply returns p with the patch's fields set. A consent whose value changes is stamped
// with at (the server's time of the change); one set again to the same value keeps the
// time it was first given.
func (pp ProfilePatch) Apply(p prefs.Profile, at time.Time) prefs.Profile {
	consent := func(dst *bool, when *time.Time, v *bool) {
		if v != nil && (*v != *dst || when.IsZero()) {
			*dst, *when = *v, at.UTC().Truncate(time.Millisecond)
		}
	}
	consent(&p.AdConsent, &p.AdConsentAt, pp.AdConsent)
	consent(&p.NightAdConsent, &p.NightAdConsentAt, pp.NightAdConsent)
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.PhoneNumber, pp.PhoneNumber)
	set(&p.Email, pp.Email)
	set(&p.TimeZone, pp.TimeZone)
	set(&p.Locale, pp.Locale)
	return p
}

// Erased counts what EraseUser deleted.
type Erased struct {
	Profile       bool  `json:"profile"`
	Preferences   bool  `json:"preferences"`
	Notifications int64 `json:"notifications"`
	Deliveries    int64 `json:"deliveries"`
	Subscriptions int64 `json:"pushSubscriptions"`
	Topics        int64 `json:"topicSubscriptions"`
	Devices       int64 `json:"devices"`
}
