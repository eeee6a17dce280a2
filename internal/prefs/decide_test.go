package prefs

import (
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustWindow(t *testing.T, s string) *Window {
	t.Helper()
	w, err := ParseWindow(s)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestDecide(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	ny := mustZone(t, "America/New_York")
	at := func(loc *time.Location, y int, mo time.Month, d, h, m int) time.Time {
		return time.Date(y, mo, d, h, m, 0, 0, loc)
	}
	buyer := notify.Recipient{UserID: "7", Role: notify.RoleCustomer, Phone: "+821012345678"}
	noPhone := notify.Recipient{UserID: "7", Role: notify.RoleCustomer}
	night := mustWindow(t, "21:00-08:00")
	defaults := Defaults{Zone: seoul, QuietHours: night}
	noon := at(seoul, 2026, 6, 1, 12, 0)
	off := func(c notify.Channel) *Preferences { return &Preferences{Channels: map[notify.Channel]bool{c: false}} }
	typeOff := &Preferences{Types: map[string]map[notify.Channel]bool{"ANSWER_REGISTERED": {ChannelSMS: false}}}

	cases := []struct {
		name string
		in   Input
		want Decision
	}{
		{"sms goes now", Input{Recipient: buyer, Type: "ANSWER_REGISTERED", Channel: ChannelSMS, Now: noon, Defaults: defaults},
			Decision{Status: notify.StatusPending, NextAttemptAt: noon, Address: buyer.Phone}},
		{"inbox is always on", Input{Recipient: buyer, Type: "X", Channel: ChannelInbox, Prefs: off(ChannelInbox), Now: noon},
			Decision{Status: notify.StatusPending, NextAttemptAt: noon}},
		{"channel opt-out", Input{Recipient: buyer, Type: "ANSWER_REGISTERED", Channel: ChannelSMS, Prefs: off(ChannelSMS), Now: noon},
			Decision{Status: notify.StatusSkipped, NextAttemptAt: noon, Reason: ReasonOptedOut, Address: buyer.Phone}},
		{"type×channel opt-out", Input{Recipient: buyer, Type: "ANSWER_REGISTERED", Channel: ChannelSMS, Prefs: typeOff, Now: noon},
			Decision{Status: notify.StatusSkipped, NextAttemptAt: noon, Reason: ReasonOptedOut, Address: buyer.Phone}},
		{"type×channel opt-out leaves other types", Input{Recipient: buyer, Type: "DELIVERY_STARTED", Channel: ChannelSMS, Prefs: typeOff, Now: noon},
			Decision{Status: notify.StatusPending, NextAttemptAt: noon, Address: buyer.Phone}},
		{"a type switched on does not override the channel switched off", Input{Recipient: buyer, Type: "T", Channel: ChannelSMS,
			Prefs: &Preferences{Channels: map[notify.Channel]bool{ChannelSMS: false}, Types: map[string]map[notify.Channel]bool{"T": {ChannelSMS: true}}}, Now: noon},
			Decision{Status: notify.StatusSkipped, NextAttemptAt: noon, Reason: ReasonOptedOut, Address: buyer.Phone}},
		{"required ignores opt-out", Input{Recipient: buyer, Type: "PAYMENT_FAILED", Rules: Rules{Required: true}, Channel: ChannelSMS, Prefs: off(ChannelSMS), Now: noon},
			Decision{Status: notify.StatusPending, NextAttemptAt: noon, Address: buyer.Phone}},
		{"no phone", Input{Recipient: noPhone, Type: "T", Channel: ChannelSMS, Now: noon},
			Decision{Status: notify.StatusSkipped, NextAttemptAt: noon, Reason: ReasonNoPhone}},
		{"profile phone", Input{Recipient: noPhone, Type: "T", Channel: ChannelSMS, Profile: &Profile{PhoneNumber: "+821099998888"}, Now: noon},
			Decision{Status: notify.StatusPending, NextAttemptAt: noon, Address: "+821099998888"}},
		{"event phone wins over profile", Input{Recipient: buyer, Type: "T", Channel: ChannelSMS, Profile: &Profile{PhoneNumber: "+821099998888"}, Now: noon},
			Decision{Status: notify.StatusPending, NextAttemptAt: noon, Address: buyer.Phone}},
		{"no email", Input{Recipient: buyer, Type: "T", Channel: ChannelEmail, Now: noon},
			Decision{Status: notify.StatusSkipped, NextAttemptAt: noon, Reason: ReasonNoEmail}},
		{"event email wins over profile", Input{Recipient: notify.Recipient{UserID: "7", Email: "a@example.com"}, Type: "T", Channel: ChannelEmail,
			Profile: &Profile{Email: "b@example.com"}, Now: noon},
			Decision{Status: notify.StatusPending, NextAttemptAt: noon, Address: "a@example.com"}},
		{"opt-out is decided before the missing contact", Input{Recipient: noPhone, Type: "T", Channel: ChannelSMS, Prefs: off(ChannelSMS), Now: noon},
			Decision{Status: notify.StatusSkipped, NextAttemptAt: noon, Reason: ReasonOptedOut}},
		{"escalation waits unless read", Input{Recipient: buyer, Type: "ANSWER_REGISTERED", Rules: Rules{Escalate: map[notify.Channel]time.Duration{ChannelSMS: 5 * time.Minute}}, Channel: ChannelSMS, Now: noon},
			Decision{Status: notify.StatusScheduled, NextAttemptAt: noon.Add(5 * time.Minute), UnlessRead: true, Address: buyer.Phone}},
		{"escalation of another channel does not delay sms", Input{Recipient: buyer, Type: "T", Rules: Rules{Escalate: map[notify.Channel]time.Duration{ChannelEmail: time.Hour}}, Channel: ChannelSMS, Now: noon},
			Decision{Status: notify.StatusPending, NextAttemptAt: noon, Address: buyer.Phone}},
		{"type quiet hours at night: until 08:00 in Seoul", Input{Recipient: buyer, Type: "EVENT_PROMOTION", Rules: Rules{QuietHours: true}, Channel: ChannelSMS,
			Now: at(seoul, 2026, 6, 1, 23, 10), Defaults: defaults},
			Decision{Status: notify.StatusScheduled, NextAttemptAt: at(seoul, 2026, 6, 2, 8, 0), Address: buyer.Phone}},
		{"type quiet hours after midnight: until 08:00 the same day", Input{Recipient: buyer, Type: "EVENT_PROMOTION", Rules: Rules{QuietHours: true}, Channel: ChannelSMS,
			Now: at(seoul, 2026, 6, 2, 3, 0), Defaults: defaults},
			Decision{Status: notify.StatusScheduled, NextAttemptAt: at(seoul, 2026, 6, 2, 8, 0), Address: buyer.Phone}},
		{"type quiet hours: 08:00 sharp is outside", Input{Recipient: buyer, Type: "EVENT_PROMOTION", Rules: Rules{QuietHours: true}, Channel: ChannelSMS,
			Now: at(seoul, 2026, 6, 2, 8, 0), Defaults: defaults},
			Decision{Status: notify.StatusPending, NextAttemptAt: at(seoul, 2026, 6, 2, 8, 0), Address: buyer.Phone}},
		{"type quiet hours: 21:00 sharp is inside", Input{Recipient: buyer, Type: "EVENT_PROMOTION", Rules: Rules{QuietHours: true}, Channel: ChannelSMS,
			Now: at(seoul, 2026, 6, 1, 21, 0), Defaults: defaults},
			Decision{Status: notify.StatusScheduled, NextAttemptAt: at(seoul, 2026, 6, 2, 8, 0), Address: buyer.Phone}},
		{"no default window: types with quietHours go now", Input{Recipient: buyer, Type: "EVENT_PROMOTION", Rules: Rules{QuietHours: true}, Channel: ChannelSMS,
			Now: at(seoul, 2026, 6, 1, 23, 0), Defaults: Defaults{Zone: seoul}},
			Decision{Status: notify.StatusPending, NextAttemptAt: at(seoul, 2026, 6, 1, 23, 0), Address: buyer.Phone}},
		{"type without quietHours ignores the default window", Input{Recipient: buyer, Type: "DELIVERY_STARTED", Channel: ChannelSMS,
			Now: at(seoul, 2026, 6, 1, 23, 0), Defaults: defaults},
			Decision{Status: notify.StatusPending, NextAttemptAt: at(seoul, 2026, 6, 1, 23, 0), Address: buyer.Phone}},
		{"the user's own window applies to every type, in their zone", Input{Recipient: buyer, Type: "DELIVERY_STARTED", Channel: ChannelSMS,
			Profile: &Profile{TimeZone: "America/New_York"}, Prefs: &Preferences{QuietHours: mustWindow(t, "22:00-07:00")},
			Now: at(ny, 2026, 6, 1, 22, 30), Defaults: defaults},
			Decision{Status: notify.StatusScheduled, NextAttemptAt: at(ny, 2026, 6, 2, 7, 0), Address: buyer.Phone}},
		{"the user's window replaces the default one", Input{Recipient: buyer, Type: "EVENT_PROMOTION", Rules: Rules{QuietHours: true}, Channel: ChannelSMS,
			Prefs: &Preferences{QuietHours: mustWindow(t, "23:00-06:00")}, Now: at(seoul, 2026, 6, 1, 22, 0), Defaults: defaults},
			Decision{Status: notify.StatusPending, NextAttemptAt: at(seoul, 2026, 6, 1, 22, 0), Address: buyer.Phone}},
		{"required ignores quiet hours", Input{Recipient: buyer, Type: "PAYMENT_FAILED", Rules: Rules{Required: true, QuietHours: true}, Channel: ChannelSMS,
			Prefs: &Preferences{QuietHours: night}, Now: at(seoul, 2026, 6, 1, 23, 0), Defaults: defaults},
			Decision{Status: notify.StatusPending, NextAttemptAt: at(seoul, 2026, 6, 1, 23, 0), Address: buyer.Phone}},
		{"escalation landing in quiet hours waits for their end", Input{Recipient: buyer, Type: "ANSWER_REGISTERED",
			Rules: Rules{Escalate: map[notify.Channel]time.Duration{ChannelSMS: 5 * time.Minute}}, Channel: ChannelSMS,
			Prefs: &Preferences{QuietHours: night}, Now: at(seoul, 2026, 6, 1, 20, 58), Defaults: defaults},
			Decision{Status: notify.StatusScheduled, NextAttemptAt: at(seoul, 2026, 6, 2, 8, 0), UnlessRead: true, Address: buyer.Phone}},
		{"same-day window", Input{Recipient: buyer, Type: "T", Channel: ChannelSMS, Prefs: &Preferences{QuietHours: mustWindow(t, "12:00-14:30")},
			Now: noon.Add(time.Minute), Defaults: defaults},
			Decision{Status: notify.StatusScheduled, NextAttemptAt: at(seoul, 2026, 6, 1, 14, 30), Address: buyer.Phone}},
		{"default zone when the profile has none", Input{Recipient: buyer, Type: "T", Channel: ChannelSMS, Prefs: &Preferences{QuietHours: night},
			Now: at(time.UTC, 2026, 6, 1, 13, 0), Defaults: defaults}, // 22:00 in Seoul
			Decision{Status: notify.StatusScheduled, NextAttemptAt: at(seoul, 2026, 6, 2, 8, 0), Address: buyer.Phone}},
		// DST in New York: spring forward on 2026-03-08 (02:00 → 03:00), fall back on 2026-11-01 (02:00 → 01:00).
		{"spring-forward night: 08:00 EDT is 8 real hours after midnight", Input{Recipient: buyer, Type: "T", Channel: ChannelSMS,
			Profile: &Profile{TimeZone: "America/New_York"}, Prefs: &Preferences{QuietHours: night}, Now: at(ny, 2026, 3, 7, 23, 0)},
			Decision{Status: notify.StatusScheduled, NextAttemptAt: time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC), Address: buyer.Phone}},
		{"fall-back night: 08:00 EST", Input{Recipient: buyer, Type: "T", Channel: ChannelSMS,
			Profile: &Profile{TimeZone: "America/New_York"}, Prefs: &Preferences{QuietHours: night}, Now: at(ny, 2026, 10, 31, 23, 0)},
			Decision{Status: notify.StatusScheduled, NextAttemptAt: time.Date(2026, 11, 1, 13, 0, 0, 0, time.UTC), Address: buyer.Phone}},
		{"a window ending inside the spring-forward gap ends when the gap does (02:30 → 03:30 EDT)", Input{Recipient: buyer, Type: "T", Channel: ChannelSMS,
			Profile: &Profile{TimeZone: "America/New_York"}, Prefs: &Preferences{QuietHours: mustWindow(t, "01:00-02:30")}, Now: at(ny, 2026, 3, 8, 1, 30)},
			Decision{Status: notify.StatusScheduled, NextAttemptAt: time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC), Address: buyer.Phone}},
		{"fall-back: 01:30 happens twice; the second one is still inside 01:00-02:00", Input{Recipient: buyer, Type: "T", Channel: ChannelSMS,
			Profile: &Profile{TimeZone: "America/New_York"}, Prefs: &Preferences{QuietHours: mustWindow(t, "01:00-02:00")},
			Now: time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC)}, // 01:30 EST, the second 01:30
			Decision{Status: notify.StatusScheduled, NextAttemptAt: time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC), Address: buyer.Phone}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Decide(c.in)
			if got.Status != c.want.Status || !got.NextAttemptAt.Equal(c.want.NextAttemptAt) || got.Reason != c.want.Reason ||
				got.UnlessRead != c.want.UnlessRead || got.Address != c.want.Address {
				t.Errorf("got %+v (next %s)\nwant %+v (next %s)", got, got.NextAttemptAt.UTC(), c.want, c.want.NextAttemptAt.UTC())
			}
		})
	}
}

func TestParseWindow(t *testing.T) {
	for _, s := range []string{"21:00", "25:00-08:00", "21:00-21:00", "9pm-8am"} {
		if _, err := ParseWindow(s); err == nil {
			t.Errorf("ParseWindow(%q): no error", s)
		}
	}
	w, err := ParseWindow(" 21:00-08:00 ")
	if err != nil || w.String() != "21:00-08:00" {
		t.Fatalf("got %v, %v", w, err)
	}
	if w, err := ParseWindow(""); w != nil || err != nil {
		t.Fatalf("empty: got %v, %v", w, err)
	}
}

func TestProfileValidate(t *testing.T) {
	bad := map[string]Profile{
		"phoneNumber": {PhoneNumber: "010-1234-5678"},
		"email":       {Email: "Buyer <b@example.com>"},
		"timeZone":    {TimeZone: "Mars/Olympus"},
		"locale":      {Locale: "fr"},
	}
	for field, p := range bad {
		err := p.Validate()
		e, ok := err.(*notify.Error)
		if !ok || e.Field != field {
			t.Errorf("%+v: got %v, want an error on %s", p, err, field)
		}
	}
	if err := (Profile{PhoneNumber: "+821012345678", Email: "b@example.com", TimeZone: "America/New_York", Locale: "ko"}).Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (Profile{TimeZone: "Local"}).Validate(); err == nil {
		t.Fatal("Local accepted as a zone")
	}
}

func TestPreferencesValidate(t *testing.T) {
	if err := (Preferences{Channels: map[notify.Channel]bool{ChannelInbox: false}}).Validate(); err == nil {
		t.Error("inbox turned off")
	}
	if err := (Preferences{Types: map[string]map[notify.Channel]bool{"T": {"fax": false}}}).Validate(); err == nil {
		t.Error("unknown channel accepted")
	}
	if err := (Preferences{Channels: map[notify.Channel]bool{ChannelInbox: true, ChannelSMS: false}}).Validate(); err != nil {
		t.Error(err)
	}
}

func TestWindowSeconds(t *testing.T) {
	w := mustWindow(t, "10:00:00-10:00:03")
	if w.String() != "10:00-10:00:03" {
		t.Errorf("got %s", w)
	}
	now := time.Date(2026, 6, 1, 10, 0, 1, 0, time.UTC)
	if end, ok := w.Ends(now, time.UTC); !ok || !end.Equal(now.Add(2*time.Second)) {
		t.Errorf("got %s %v", end, ok)
	}
}
