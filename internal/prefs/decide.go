package prefs

import (
	"time"

	notify "github.com/notifyd/notifyd"
)

// Rules are what an event type's configuration says about timing and opt-outs.
type Rules struct {
	Required   bool                             // ignores opt-outs and quiet hours (payments, security)
	QuietHours bool                             // follows the service's default quiet hours
	Escalate   map[notify.Channel]time.Duration // send on the channel only if still unread after the delay
	// Advertising: only with the user's adConsent, and between 21:00 and 08:00 in their zone
	// only with nightAdConsent (Korean Network Act §50).
	Advertising bool
}

// RulesOf reads the rules of an event type (nil: none).
func RulesOf(t *notify.EventType) Rules {
	if t == nil {
		return Rules{}
	}
	return Rules{Required: t.Required, QuietHours: t.QuietHours, Escalate: t.Escalate, Advertising: t.Advertising}
}

// Defaults are the service-wide settings the decision falls back on.
type Defaults struct {
	Zone       *time.Location // a user without a zone of their own (NOTIFY_DEFAULT_TZ); nil = UTC
	QuietHours *Window        // the window of types with quietHours: true (NOTIFY_QUIET_HOURS); nil = none
}

// Input is everything one decision depends on.
type Input struct {
	Recipient notify.Recipient // as the event names them: a contact here wins over the profile
	Type      string
	Rules     Rules
	Channel   notify.Channel
	Profile   *Profile     // nil: no profile
	Prefs     *Preferences // nil: no preferences (everything on, no window)
	Now       time.Time    // when the notification is created
	Defaults  Defaults
}

// Decision is what becomes of one delivery.
type Decision struct {
	Status        notify.DeliveryStatus // pending, scheduled or skipped
	NextAttemptAt time.Time             // when it is due (Now for pending)
	Reason        string                // why it was skipped (a contract code)
	Detail        string                // the reason in words, for the status view
	UnlessRead    bool                  // skip it if the notification is read before it is due
	Address       string                // the phone number or email address it goes to
}

// Decide takes the decision for one delivery:
//
//  1. an opted-out channel or type×channel is skipped/opted_out, unless the type is required;
//  2. an advertising type to a user without adConsent is skipped/no_ad_consent;
//  3. SMS without a phone number is skipped/no_phone, email without an address skipped/no_email;
//  4. an escalated channel waits for Now + delay and is sent only if still unread;
//  5. a due time inside quiet hours (the user's own window, else the default window for
//     types with quietHours: true; never for required types), read in the user's zone
//     (else the default zone), waits until the window ends;
//  6. an advertising type due between 21:00 and 08:00 in that zone, to a user without
//     nightAdConsent, waits until 08:00.
//
// Due later than Now is scheduled, else pending.
func Decide(in Input) Decision {
	d := Decision{Status: notify.StatusPending, NextAttemptAt: in.Now, Address: contact(in)}
	if IsInbox(in.Channel) {
		return d
	}
	if !in.Rules.Required && !in.Prefs.Allows(in.Type, in.Channel) {
		return skipped(d, ReasonOptedOut, "the user turned "+string(in.Channel)+" off for "+in.Type)
	}
	if in.Rules.Advertising && (in.Profile == nil || !in.Profile.AdConsent) {
		return skipped(d, ReasonNoAdConsent, "the user has not consented to advertising")
	}
	switch {
	case (in.Channel == ChannelSMS || in.Channel == ChannelKakao) && d.Address == "":
		return skipped(d, ReasonNoPhone, "no phone number")
	case in.Channel == ChannelEmail && d.Address == "":
		return skipped(d, ReasonNoEmail, "no email address")
	}
	at := in.Now
	if delay := in.Rules.Escalate[in.Channel]; delay > 0 {
		at, d.UnlessRead = at.Add(delay), true
	}
	if w := quietWindow(in); w != nil {
		if end, ok := w.Ends(at, zone(in)); ok {
			at = end
		}
	}
	if in.Rules.Advertising && !in.Profile.NightAdConsent {
		if end, ok := AdNight.Ends(at, zone(in)); ok {
			at = end
		}
	}
	if at.After(in.Now) {
		d.Status, d.NextAttemptAt = notify.StatusScheduled, at
	}
	return d
}

// AdNight is when advertising needs the user's night consent: 21:00 to 08:00 in their zone.
var AdNight = Window{Start: 21 * 3600, End: 8 * 3600}

func skipped(d Decision, reason, detail string) Decision {
	d.Status, d.Reason, d.Detail = notify.StatusSkipped, reason, detail
	return d
}

// contact is the address of the recipient on the channel: the event's, else the profile's.
func contact(in Input) string {
	var p Profile
	if in.Profile != nil {
		p = *in.Profile
	}
	switch in.Channel {
	case ChannelSMS, ChannelKakao: // an AlimTalk goes to the KakaoTalk account of a phone number
		return first(in.Recipient.Phone, p.PhoneNumber)
	case ChannelEmail:
		return first(in.Recipient.Email, p.Email)
	case ChannelWebPush, ChannelMobile:
		// The sender finds the user's subscriptions (or devices); the user id keeps per-recipient caps
		// per user rather than one cap shared by every push.
		return in.Recipient.UserID
	}
	return ""
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func quietWindow(in Input) *Window {
	switch {
	case in.Rules.Required:
		return nil
	case in.Prefs != nil && in.Prefs.QuietHours != nil:
		return in.Prefs.QuietHours
	case in.Rules.QuietHours:
		return in.Defaults.QuietHours
	}
	return nil
}

// zone is the user's zone, else the default, else UTC.
func zone(in Input) *time.Location {
	if in.Profile != nil && in.Profile.TimeZone != "" {
		if loc, err := LoadZone(in.Profile.TimeZone); err == nil {
			return loc
		}
	}
	if in.Defaults.Zone != nil {
		return in.Defaults.Zone
	}
	return time.UTC
}
