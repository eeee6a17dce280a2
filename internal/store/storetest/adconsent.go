package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
	"github.com/notifyd/notifyd/internal/store"
)

// testAdConsent: the two advertising consents are stored with the time they were given
// (a value set again keeps its time, a change takes the new one), and an advertising type
// is decided on them when it is accepted.
func testAdConsent(t *testing.T, s store.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 3, 0, 0, 123e6, time.UTC)
	p, err := s.UpdateProfile(ctx, "ad", store.ProfilePatch{AdConsent: ptr(true)}, t0)
	if err != nil || !p.AdConsent || !p.AdConsentAt.Equal(t0) || p.NightAdConsent || !p.NightAdConsentAt.IsZero() {
		t.Fatalf("consent given at %s: %+v, %v", t0, p, err)
	}
	t1 := t0.Add(time.Hour)
	p, err = s.UpdateProfile(ctx, "ad", store.ProfilePatch{AdConsent: ptr(true), NightAdConsent: ptr(true), Email: ptr("ad@example.com")}, t1)
	if err != nil || !p.AdConsentAt.Equal(t0) || !p.NightAdConsent || !p.NightAdConsentAt.Equal(t1) || p.Email != "ad@example.com" {
		t.Fatalf("adConsent again and night consent at %s: %+v, %v; want adConsentAt kept at %s", t1, p, err, t0)
	}
	t2 := t1.Add(time.Hour)
	p, err = s.UpdateProfile(ctx, "ad", store.ProfilePatch{NightAdConsent: ptr(false)}, t2)
	if err != nil || !p.AdConsent || p.NightAdConsent || !p.NightAdConsentAt.Equal(t2) {
		t.Fatalf("night consent withdrawn at %s: %+v, %v", t2, p, err)
	}
	if got, err := s.GetProfile(ctx, "ad"); err != nil || got != p {
		t.Fatalf("GetProfile = %+v, %v; want %+v", got, err, p)
	}

	// The decision at accept: a zone where it is now about 01:00 (night), one where it is
	// about 13:00 (day); the clock of the machine decides which Etc/GMT zones those are.
	now := time.Now().UTC()
	night, day := ZoneAt(now, 1), ZoneAt(now, 13)
	for user, patch := range map[string]store.ProfilePatch{
		"night":        {TimeZone: ptr(night), AdConsent: ptr(true)},
		"nightconsent": {TimeZone: ptr(night), AdConsent: ptr(true), NightAdConsent: ptr(true)},
		"day":          {TimeZone: ptr(day), AdConsent: ptr(true)},
		"none":         {TimeZone: ptr(day), NightAdConsent: ptr(true)},
	} {
		if _, err := s.UpdateProfile(ctx, user, patch, now); err != nil {
			t.Fatal(err)
		}
	}
	sale := &notify.EventType{Name: "SALE", Advertising: true}
	sms := notify.ChannelSMS
	res := accept(t, s, TypedInput("ad1", sale,
		Recipient("night", "+821011112222", "", notify.ChannelInbox, sms),
		Recipient("nightconsent", "+821011112222", "", notify.ChannelInbox, sms),
		Recipient("day", "+821011112222", "", notify.ChannelInbox, sms),
		Recipient("none", "+821011112222", "", notify.ChannelInbox, sms),
		Recipient("noprofile", "+821011112222", "", notify.ChannelInbox, sms)))
	created := res[0].Notifications[0].CreatedAt
	loc, _ := prefs.LoadZone(night)
	local := created.In(loc)
	eight := time.Date(local.Year(), local.Month(), local.Day(), 8, 0, 0, 0, loc)
	got := deliveriesOf(t, s, "ad1")
	if d := got["night"][sms]; d.Status != notify.StatusScheduled || d.NextAttemptAt == nil || !d.NextAttemptAt.Equal(eight) {
		t.Errorf("at %s local without night consent: %s at %v, want scheduled at %s", local.Format("15:04"), d.Status, d.NextAttemptAt, eight)
	}
	for user, want := range map[string]notify.DeliveryStatus{"nightconsent": notify.StatusPending, "day": notify.StatusPending} {
		if d := got[user][sms]; d.Status != want {
			t.Errorf("%s: %s %q, want %s", user, d.Status, d.Reason, want)
		}
	}
	for _, user := range []string{"none", "noprofile"} {
		if d := got[user][sms]; d.Status != notify.StatusSkipped || d.Reason != notify.ReasonNoAdConsent {
			t.Errorf("%s: %s %q, want skipped %s", user, d.Status, d.Reason, notify.ReasonNoAdConsent)
		}
	}
}

// ZoneAt names a fixed-offset zone whose local hour at now is hour (Etc/GMT-9 is UTC+9).
func ZoneAt(now time.Time, hour int) string {
	off := (hour - now.Hour() + 24) % 24 // 0..23
	if off > 14 {
		off -= 24 // -9..14: every Etc/GMT zone exists from -12 to +14
	}
	return fmt.Sprintf("Etc/GMT%+d", -off)
}
