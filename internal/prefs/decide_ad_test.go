package prefs

import (
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
)

// TestDecideAdvertising is the Korean Network Act §50 rule: no adConsent, skipped; at night
// (21:00–08:00 in the user's zone) only with nightAdConsent, else scheduled for 08:00.
func TestDecideAdvertising(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	ny := mustZone(t, "America/New_York")
	at := func(loc *time.Location, d, h, m int) time.Time { return time.Date(2026, 6, d, h, m, 0, 0, loc) }
	buyer := notify.Recipient{UserID: "7", Role: notify.RoleCustomer, Phone: "+821012345678"}
	ad := Rules{Advertising: true}
	day := &Profile{TimeZone: "Asia/Seoul", AdConsent: true}
	night := &Profile{TimeZone: "Asia/Seoul", AdConsent: true, NightAdConsent: true}
	in := func(p *Profile, now time.Time) Input {
		return Input{Recipient: buyer, Type: "SALE", Rules: ad, Channel: ChannelSMS, Profile: p, Now: now, Defaults: Defaults{Zone: seoul}}
	}
	pending := func(now time.Time) Decision {
		return Decision{Status: notify.StatusPending, NextAttemptAt: now, Address: buyer.Phone}
	}
	scheduled := func(_, next time.Time) Decision {
		return Decision{Status: notify.StatusScheduled, NextAttemptAt: next, Address: buyer.Phone}
	}
	noon := at(seoul, 1, 12, 0)
	cases := []struct {
		name string
		in   Input
		want Decision
	}{
		{"no profile: no consent", in(nil, noon),
			Decision{Status: notify.StatusSkipped, NextAttemptAt: noon, Reason: ReasonNoAdConsent, Address: buyer.Phone}},
		{"profile without consent", in(&Profile{TimeZone: "Asia/Seoul", NightAdConsent: true}, noon),
			Decision{Status: notify.StatusSkipped, NextAttemptAt: noon, Reason: ReasonNoAdConsent, Address: buyer.Phone}},
		{"no consent on email too", Input{Recipient: buyer, Type: "SALE", Rules: ad, Channel: ChannelEmail, Profile: &Profile{Email: "a@example.com"}, Now: noon},
			Decision{Status: notify.StatusSkipped, NextAttemptAt: noon, Reason: ReasonNoAdConsent, Address: "a@example.com"}},
		{"a type not advertising needs no consent", Input{Recipient: buyer, Type: "SHIPPED", Channel: ChannelSMS, Now: at(seoul, 1, 23, 0)},
			pending(at(seoul, 1, 23, 0))},
		{"consent, day", in(day, noon), pending(noon)},
		{"consent, 23:00 without night consent → 08:00 next day", in(day, at(seoul, 1, 23, 0)),
			scheduled(at(seoul, 1, 23, 0), at(seoul, 2, 8, 0))},
		{"consent, 03:00 without night consent → 08:00 the same day", in(day, at(seoul, 2, 3, 0)),
			scheduled(at(seoul, 2, 3, 0), at(seoul, 2, 8, 0))},
		{"night consent at 23:00", in(night, at(seoul, 1, 23, 0)), pending(at(seoul, 1, 23, 0))},
		{"edge: 21:00 is night", in(day, at(seoul, 1, 21, 0)), scheduled(at(seoul, 1, 21, 0), at(seoul, 2, 8, 0))},
		{"edge: 20:59 is day", in(day, at(seoul, 1, 20, 59)), pending(at(seoul, 1, 20, 59))},
		{"edge: 08:00 is day", in(day, at(seoul, 2, 8, 0)), pending(at(seoul, 2, 8, 0))},
		{"edge: 07:59 waits a minute", in(day, at(seoul, 2, 7, 59)), scheduled(at(seoul, 2, 7, 59), at(seoul, 2, 8, 0))},
		// 12:00 in Seoul is 23:00 in New York: night there, so 08:00 New York time.
		{"zone other than Seoul", in(&Profile{TimeZone: "America/New_York", AdConsent: true}, noon),
			scheduled(noon, at(ny, 1, 8, 0))},
		{"no zone: the default zone", in(&Profile{AdConsent: true}, at(seoul, 1, 22, 0)),
			scheduled(at(seoul, 1, 22, 0), at(seoul, 2, 8, 0))},
		{"quiet hours end at 07:00, advertising still waits for 08:00",
			Input{Recipient: buyer, Type: "SALE", Rules: Rules{Advertising: true, QuietHours: true}, Channel: ChannelSMS, Profile: day,
				Now: at(seoul, 1, 23, 0), Defaults: Defaults{Zone: seoul, QuietHours: mustWindow(t, "22:00-07:00")}},
			scheduled(at(seoul, 1, 23, 0), at(seoul, 2, 8, 0))},
		{"opted out wins over consent", Input{Recipient: buyer, Type: "SALE", Rules: ad, Channel: ChannelSMS, Profile: night, Now: noon,
			Prefs: &Preferences{Channels: map[notify.Channel]bool{ChannelSMS: false}}},
			Decision{Status: notify.StatusSkipped, NextAttemptAt: noon, Reason: ReasonOptedOut, Address: buyer.Phone}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Decide(c.in)
			if got.Status != c.want.Status || !got.NextAttemptAt.Equal(c.want.NextAttemptAt) || got.Reason != c.want.Reason || got.Address != c.want.Address {
				t.Errorf("got %+v (next %s)\nwant %+v (next %s)", got, got.NextAttemptAt.UTC(), c.want, c.want.NextAttemptAt.UTC())
			}
		})
	}
}
