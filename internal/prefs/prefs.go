// Package prefs decides, for one notification on one channel, whether a delivery goes out
// now, waits (quiet hours, escalation) or is skipped, and why. The decision is one pure
// function of the recipient, the event type's rules, the user's profile and preferences,
// the time and the service's defaults: the store calls it inside the transaction that
// writes the delivery rows, so the recorded status explains every message not sent.
package prefs

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	notify "github.com/notifyd/notifyd"
)

// The channels preferences speak of. inbox is always on; the others can be switched off.
const (
	ChannelInbox   = notify.ChannelInbox
	ChannelSMS     = notify.ChannelSMS
	ChannelEmail   = notify.ChannelEmail
	ChannelWebPush = notify.ChannelWebPush
	ChannelMobile  = notify.ChannelMobile
	ChannelKakao   = notify.ChannelKakao
)

// OptionalChannels are the channels a user may turn off, in display order.
var OptionalChannels = []notify.Channel{ChannelSMS, ChannelEmail, ChannelWebPush, ChannelMobile, ChannelKakao}

// IsInbox reports whether c is the inbox (the stored notification and its live push;
// "sse" is its round-one name).
func IsInbox(c notify.Channel) bool { return c == ChannelInbox || c == "sse" }

// The reasons a delivery is skipped at decision time (README: channels, statuses and reasons).
const (
	ReasonOptedOut    = notify.ReasonOptedOut
	ReasonNoPhone     = notify.ReasonNoPhone
	ReasonNoEmail     = notify.ReasonNoEmail
	ReasonReadInTime  = notify.ReasonReadBeforeEscalation
	ReasonNoAdConsent = notify.ReasonNoAdConsent
)

// Profile is what notifyd knows of a user beyond the events: contacts, zone and language.
// Empty fields are unknown.
type Profile struct {
	PhoneNumber string `json:"phoneNumber,omitempty"`
	Email       string `json:"email,omitempty"`
	TimeZone    string `json:"timeZone,omitempty"`
	Locale      string `json:"locale,omitempty"`

	// Advertising consent (Korean Network Act §50): AdConsent lets advertising types reach
	// the user, NightAdConsent lets them through between 21:00 and 08:00 in the user's zone.
	// The times are when the server recorded the value (zero: never given).
	AdConsent        bool      `json:"adConsent"`
	AdConsentAt      time.Time `json:"adConsentAt,omitzero"`
	NightAdConsent   bool      `json:"nightAdConsent"`
	NightAdConsentAt time.Time `json:"nightAdConsentAt,omitzero"`
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// Validate checks every set field: an E.164 phone number, an address net/mail accepts
// (a bare address, no display name), an IANA zone time.LoadLocation knows, ko or en.
func (p Profile) Validate() error {
	if p.PhoneNumber != "" && !e164.MatchString(p.PhoneNumber) {
		return notify.FieldErrorf(notify.CodeInvalidEvent, "phoneNumber", "is not an E.164 number such as +821012345678")
	}
	if p.Email != "" {
		if err := notify.CheckEmail(p.Email); err != nil {
			return notify.FieldErrorf(notify.CodeInvalidEvent, "email", "%s", err.Error())
		}
	}
	if p.TimeZone != "" {
		if _, err := LoadZone(p.TimeZone); err != nil {
			return notify.FieldErrorf(notify.CodeInvalidEvent, "timeZone", "%q is not an IANA time zone such as Asia/Seoul", p.TimeZone)
		}
	}
	if p.Locale != "" && p.Locale != "ko" && p.Locale != "en" {
		return notify.FieldErrorf(notify.CodeInvalidEvent, "locale", "must be ko or en")
	}
	return nil
}

var zones sync.Map // name → *time.Location: time.LoadLocation reads the zone database each call

// LoadZone loads an IANA zone by name. "Local" and "" are refused: a zone must be named.
func LoadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	if name == "" || strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("prefs: %q is not an IANA time zone", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

// Preferences are one user's settings. A channel or type×channel absent from the maps is
// on. QuietHours nil: the user has no window of their own.
type Preferences struct {
	Channels   map[notify.Channel]bool            `json:"channels"`
	Types      map[string]map[notify.Channel]bool `json:"types"`
	QuietHours *Window                            `json:"quietHours"`
}

// Validate checks the channels named (inbox cannot be turned off) and the window.
// Type names are checked by the caller, which knows the registry.
func (p Preferences) Validate() error {
	for c, on := range p.Channels {
		if err := checkChannel(c, on, "channels."+string(c)); err != nil {
			return err
		}
	}
	for t, cs := range p.Types {
		for c, on := range cs {
			if err := checkChannel(c, on, "types."+t+"."+string(c)); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkChannel(c notify.Channel, on bool, field string) error {
	switch {
	case IsInbox(c):
		if !on {
			return notify.FieldErrorf(notify.CodeInvalidEvent, field, "the inbox cannot be turned off")
		}
	case c == ChannelSMS || c == ChannelEmail || c == ChannelWebPush || c == ChannelMobile || c == ChannelKakao:
	default:
		return notify.FieldErrorf(notify.CodeInvalidEvent, field, "%q is not a channel (sms, email, webpush, mobile, kakao)", string(c))
	}
	return nil
}

// Allows reports whether the user lets typ reach them on c: both the channel and the
// type×channel switch must be on (absent = on). The inbox is always allowed.
func (p *Preferences) Allows(typ string, c notify.Channel) bool {
	if p == nil || IsInbox(c) {
		return true
	}
	if on, ok := p.Channels[c]; ok && !on {
		return false
	}
	if on, ok := p.Types[typ][c]; ok && !on {
		return false
	}
	return true
}

// Patch is a partial Preferences (PATCH /v1/preferences): the channels and type×channel
// switches it names are set and the others kept; the quiet hours change only when
// SetQuietHours (nil then clears them).
type Patch struct {
	Preferences
	SetQuietHours bool
}

// Apply returns old with the patch merged in; old is not modified.
func (p Patch) Apply(old Preferences) Preferences {
	out := Preferences{QuietHours: old.QuietHours}
	if p.SetQuietHours {
		out.QuietHours = p.QuietHours
	}
	for _, src := range []map[notify.Channel]bool{old.Channels, p.Channels} {
		for c, on := range src {
			if out.Channels == nil {
				out.Channels = map[notify.Channel]bool{}
			}
			out.Channels[c] = on
		}
	}
	for _, src := range []map[string]map[notify.Channel]bool{old.Types, p.Types} {
		for t, cs := range src {
			for c, on := range cs {
				if out.Types == nil {
					out.Types = map[string]map[notify.Channel]bool{}
				}
				if out.Types[t] == nil {
					out.Types[t] = map[notify.Channel]bool{}
				}
				out.Types[t][c] = on
			}
		}
	}
	return out
}
