package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
	"github.com/notifyd/notifyd/internal/store"
)

// testMergePreferences: a merge keeps what it does not name (other switches, the quiet
// hours), sets or clears quiet hours only when asked, and merges that run at once, for a
// user who has no row yet, all land.
func testMergePreferences(t *testing.T, s store.Store) {
	ctx := context.Background()
	w, _ := prefs.ParseWindow("22:00-07:00")
	if err := s.PutPreferences(ctx, "m1", prefs.Preferences{Channels: map[notify.Channel]bool{"sms": false}, QuietHours: w}, time.Now()); err != nil {
		t.Fatal(err)
	}
	got, err := s.MergePreferences(ctx, "m1", prefs.Patch{Preferences: prefs.Preferences{Types: map[string]map[notify.Channel]bool{"ORDER_CREATED": {"email": false}}}}, time.Now())
	if err != nil || got.Channels["sms"] || len(got.Channels) != 1 || got.QuietHours == nil || got.Types["ORDER_CREATED"]["email"] {
		t.Fatalf("merge of one type switch = %+v, %v; want sms off and the quiet hours kept beside it", got, err)
	}
	got, err = s.MergePreferences(ctx, "m1", prefs.Patch{Preferences: prefs.Preferences{Channels: map[notify.Channel]bool{"sms": true}}, SetQuietHours: true}, time.Now())
	if err != nil || !got.Channels["sms"] || got.QuietHours != nil || got.Types["ORDER_CREATED"]["email"] {
		t.Fatalf("merge turning sms on and clearing quiet hours = %+v, %v", got, err)
	}
	if stored, _, _ := s.GetPreferences(ctx, "m1"); !stored.Channels["sms"] || stored.QuietHours != nil || len(stored.Types) != 1 {
		t.Fatalf("stored after merges = %+v", stored)
	}

	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			typ := fmt.Sprintf("T%d", i)
			_, err := s.MergePreferences(ctx, "m2", prefs.Patch{Preferences: prefs.Preferences{Types: map[string]map[notify.Channel]bool{typ: {"sms": false}}}}, time.Now())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if stored, _, _ := s.GetPreferences(ctx, "m2"); len(stored.Types) != n {
		t.Fatalf("%d merges at once for a new user kept %d types (%v): one overwrote another", n, len(stored.Types), stored.Types)
	}
}
