package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

var deviceTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"Devices", testDevices},
	{"DeviceSends", testDeviceSends},
	{"MobileDeliveries", testMobileDeliveries},
}

// A mobile delivery's message carries its notification's id and collapse key, and the
// user id as its address.
func testMobileDeliveries(t *testing.T, s store.Store) {
	in := Input("m1", "u1")
	in.Prepared.Event.CollapseKey = "order-1001"
	in.Prepared.Targets[0].Channels = []notify.Channel{notify.ChannelInbox, notify.ChannelMobile}
	res := accept(t, s, in)
	got, err := s.ClaimDeliveries(context.Background(), notify.ChannelMobile, time.Now(), time.Minute, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("mobile claims = %+v, %v", got, err)
	}
	m := got[0]
	if m.Channel != notify.ChannelMobile || m.To != "u1" || m.NotificationID != res[0].Notifications[0].ID || m.CollapseKey != "order-1001" {
		t.Fatalf("mobile message = %+v; want notification %d, collapse key order-1001", m, res[0].Notifications[0].ID)
	}
}

func testDevices(t *testing.T, s store.Store) {
	ctx := context.Background()
	fcm := "fcm-token:" + strings.Repeat("A1_-", 40)
	apns := strings.Repeat("ab", 32)
	for _, d := range []store.Device{
		{UserID: "u1", Platform: store.DeviceFCM, Token: fcm, Locale: "ko"},
		{UserID: "u1", Platform: store.DeviceAPNs, Token: apns},
		{UserID: "u2", Platform: store.DeviceAPNs, Token: strings.Repeat("cd", 32)},
	} {
		if err := s.SaveDevice(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.UserDevices(ctx, "u1")
	if err != nil || len(got) != 2 || got[0].Token != fcm || got[0].Platform != store.DeviceFCM || got[0].Locale != "ko" || got[1].Token != apns || got[1].CreatedAt.IsZero() {
		t.Fatalf("u1's devices = %+v, %v", got, err)
	}
	// The same token registered twice is one device (its locale updated).
	if err := s.SaveDevice(ctx, store.Device{UserID: "u1", Platform: store.DeviceFCM, Token: fcm, Locale: "en"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.UserDevices(ctx, "u1"); len(got) != 2 || got[1].Token != fcm || got[1].Locale != "en" {
		t.Fatalf("u1 after registering the same token again = %+v", got)
	}
	// A token moving to another user leaves the first.
	if err := s.SaveDevice(ctx, store.Device{UserID: "u2", Platform: store.DeviceAPNs, Token: apns}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.UserDevices(ctx, "u1"); len(got) != 1 || got[0].Token != fcm {
		t.Fatalf("u1 after its iPhone moved to u2 = %+v", got)
	}
	if got, _ := s.UserDevices(ctx, "u2"); len(got) != 2 || got[1].Token != apns {
		t.Fatalf("u2 after the move = %+v", got)
	}
	// Only the owner deletes.
	if ok, err := s.DeleteDevice(ctx, "u1", apns); ok || err != nil {
		t.Fatalf("u1 deleted u2's device: %v %v", ok, err)
	}
	if ok, err := s.DeleteDevice(ctx, "u2", apns); !ok || err != nil {
		t.Fatalf("delete = %v %v", ok, err)
	}
	// A user keeps the newest MaxDevices: what was tried is 25 registrations for one user.
	for i := range store.MaxDevices + 5 {
		if err := s.SaveDevice(ctx, store.Device{UserID: "many", Platform: store.DeviceFCM, Token: fmt.Sprintf("tok-%02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err = s.UserDevices(ctx, "many")
	if err != nil || len(got) != store.MaxDevices || got[0].Token != "tok-05" || got[len(got)-1].Token != fmt.Sprintf("tok-%02d", store.MaxDevices+4) {
		t.Fatalf("after %d registrations: %d devices (%v): %+v", store.MaxDevices+5, len(got), err, got)
	}
	// Erasure removes them.
	e, err := s.EraseUser(ctx, "many")
	if err != nil || e.Devices != store.MaxDevices {
		t.Fatalf("erase = %+v, %v", e, err)
	}
	if got, _ := s.UserDevices(ctx, "many"); len(got) != 0 {
		t.Fatalf("devices after erasure = %+v", got)
	}
}

func testDeviceSends(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	a, b := strings.Repeat("a1", 32), "fcm:"+strings.Repeat("b", 60)
	for _, tok := range []string{a, b} {
		if err := s.SaveDevice(ctx, store.Device{UserID: "u1", Platform: store.DeviceFCM, Token: tok}); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.DevicesSent(ctx, 7); err != nil || len(got) != 0 {
		t.Fatalf("sends before any = %v, %v", got, err)
	}
	for range 2 { // recording twice is one record
		if err := s.MarkDeviceSent(ctx, 7, "u1", a, now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.MarkDeviceSent(ctx, 8, "u1", b, now); err != nil {
		t.Fatal(err)
	}
	if got, err := s.DevicesSent(ctx, 7); err != nil || !slices.Equal(got, []string{a}) {
		t.Fatalf("delivery 7 reached %v, %v; want only %s", got, err, a)
	}
	if n, err := s.ForgetDeviceSends(ctx, now.Add(-time.Minute)); err != nil || n != 1 {
		t.Fatalf("forget = %d, %v", n, err)
	}
	if got, _ := s.DevicesSent(ctx, 7); len(got) != 0 {
		t.Fatalf("delivery 7 after forgetting = %v", got)
	}
	if _, err := s.EraseUser(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.DevicesSent(ctx, 8); len(got) != 0 {
		t.Fatalf("delivery 8 after erasure = %v", got)
	}
}
