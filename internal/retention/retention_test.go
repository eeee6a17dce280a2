package retention_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/retention"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/sqlite"
	"github.com/notifyd/notifyd/internal/store/storetest"
)

func openStore(t *testing.T) store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "notify.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func acceptTyped(t *testing.T, s store.Store, key, typ string) {
	t.Helper()
	in := storetest.Input(key, "u1")
	in.Prepared.Event.Type = typ
	in.Prepared.Targets[0].Channels = []notify.Channel{notify.ChannelInbox}
	if _, err := s.Accept(context.Background(), []store.AcceptInput{in}); err != nil {
		t.Fatal(err)
	}
}

// Forty days on, with a 30-day default and ORDER_CREATED kept a year: the other type's
// seven notifications go (in batches of two), then their events, none of whose
// notifications is left; ORDER_CREATED's stay. The dry run counted the notifications (the
// events still had theirs), the metrics count both, and the pass gives its lease up
// when it ends: a second replica is held back only while another holds it.
func TestPurgeByTypeInBatches(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		acceptTyped(t, s, "ds-"+k, "DELIVERY_STARTED")
	}
	acceptTyped(t, s, "oc", "ORDER_CREATED")
	later := func() time.Time { return time.Now().Add(40 * 24 * time.Hour) }
	reg := prometheus.NewRegistry()
	p := retention.New(s, retention.Options{Default: 30 * 24 * time.Hour, Types: map[string]time.Duration{"ORDER_CREATED": 365 * 24 * time.Hour},
		Batch: 2, MinPause: time.Millisecond, Metrics: reg, Now: later})

	_, dry, err := p.DryRun(ctx)
	if err != nil || dry != (store.Purged{Notifications: 7}) {
		t.Fatalf("DryRun = %+v, %v; want 7 notifications", dry, err)
	}
	got, err := p.Purge(ctx)
	if want := (store.Purged{Notifications: 7, Events: 7}); err != nil || got != want {
		t.Fatalf("Purge = %+v, %v; want %+v: the dry run's and then their events", got, err, want)
	}
	left, err := s.NotificationsAfter(ctx, "u1", 0, 100)
	if err != nil || len(left) != 1 || left[0].Type != "ORDER_CREATED" {
		t.Fatalf("left %+v, %v; want ORDER_CREATED's alone", left, err)
	}
	if n := (metric(t, reg, "notifyd_retention_purged_rows_total", `table="notifications"`)); n != 7 {
		t.Errorf("purged rows metric = %v, want 7", n)
	}
	if n := (metric(t, reg, "notifyd_retention_purged_rows_total", `table="events"`)); n != 7 {
		t.Errorf("purged events metric = %v, want 7", n)
	}
	if age := (metric(t, reg, "notifyd_retention_oldest_notification_age_seconds", "")); age < (40*24*time.Hour - time.Hour).Seconds() {
		t.Errorf("oldest age = %vs, want about 40 days", age)
	}

	// A replica whose lease has not expired holds every other's pass back ...
	if ok, err := s.TakeLease(ctx, retention.LeaseName, "elsewhere", later(), time.Minute); err != nil || !ok {
		t.Fatalf("the first pass kept the lease after it ended: TakeLease = %v, %v", ok, err)
	}
	other := retention.New(s, retention.Options{Default: time.Hour, Now: later})
	if _, err := other.Purge(ctx); !errors.Is(err, retention.ErrBusy) {
		t.Fatalf("a second replica's pass = %v, want ErrBusy while another holds the lease", err)
	}
	// ... until it gives it up: the next pass runs at once, not two intervals later.
	if err := s.ReleaseLease(ctx, retention.LeaseName, "elsewhere"); err != nil {
		t.Fatal(err)
	}
	if got, err := other.Purge(ctx); err != nil || got != (store.Purged{Notifications: 1, Events: 1}) {
		t.Fatalf("the second replica's pass after the release = %+v, %v; want ORDER_CREATED's notification and event", got, err)
	}
}

// metric is the value of one series of name (whose labels contain label) in reg.
func metric(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+`="`+l.GetValue()+`"`)
			}
			if strings.Contains(strings.Join(labels, ","), label) {
				return m.GetCounter().GetValue() + m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("no %s{%s} in the registry", name, label)
	return 0
}

// A type kept one day loses its notifications after a day, and its events (the
// idempotency keys) only after the dedupe window: a redelivery within it is still a
// duplicate.
func TestEventsKeptForTheDedupeWindow(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	acceptTyped(t, s, "pd", "PRICE_DROP")
	at := func(days int) func() time.Time {
		return func() time.Time { return time.Now().Add(time.Duration(days) * 24 * time.Hour) }
	}
	o := retention.Options{Default: 30 * 24 * time.Hour, Types: map[string]time.Duration{"PRICE_DROP": 24 * time.Hour},
		DedupeWindow: 14 * 24 * time.Hour, MinPause: time.Millisecond}
	o.Now = at(5)
	if got, err := retention.New(s, o).Purge(ctx); err != nil || got != (store.Purged{Notifications: 1}) {
		t.Fatalf("5 days on: Purge = %+v, %v; want the notification alone", got, err)
	}
	res, err := s.Accept(ctx, []store.AcceptInput{storetest.Input("pd", "u1")})
	if err != nil || !res[0].Duplicate {
		t.Fatalf("pd again within the dedupe window = %+v, %v; want a duplicate", res, err)
	}
	o.Now = at(15)
	if got, err := retention.New(s, o).Purge(ctx); err != nil || got != (store.Purged{Events: 1}) {
		t.Fatalf("15 days on: Purge = %+v, %v; want the event", got, err)
	}
}

// slowStore deletes notifications at 1 ms a row, as a table of ten million with its
// indexes can, and records each batch's limit.
type slowStore struct {
	store.Store
	limits []int
}

func (s *slowStore) PurgeNotifications(ctx context.Context, typ string, before time.Time, limit int) (store.Purged, error) {
	s.limits = append(s.limits, limit)
	n, err := s.Store.PurgeNotifications(ctx, typ, before, limit)
	time.Sleep(time.Duration(n.Notifications) * time.Millisecond)
	return n, err
}

// Batches follow their time: a first batch of 200 that takes 200 ms makes the next ones
// smaller, towards 20 ms' worth (BatchTime: 20 rows at 1 ms a row), and every old
// notification still goes.
func TestBatchesShrinkToTheirTime(t *testing.T) {
	ctx := context.Background()
	s := &slowStore{Store: openStore(t)}
	var in []store.AcceptInput
	for i := range 600 {
		a := storetest.Input(fmt.Sprintf("slow-%d", i), "u1")
		a.Prepared.Targets[0].Channels = []notify.Channel{notify.ChannelInbox}
		in = append(in, a)
	}
	if _, err := s.Accept(ctx, in); err != nil {
		t.Fatal(err)
	}
	later := func() time.Time { return time.Now().Add(40 * 24 * time.Hour) }
	p := retention.New(s, retention.Options{Default: 30 * 24 * time.Hour, Batch: 200, BatchTime: 20 * time.Millisecond,
		MinPause: time.Millisecond, Now: later})
	got, err := p.Purge(ctx)
	if err != nil || got.Notifications != 600 {
		t.Fatalf("Purge = %+v, %v; want all 600 notifications", got, err)
	}
	if len(s.limits) < 5 || s.limits[0] != 200 || !slices.IsSortedFunc(s.limits, func(a, b int) int { return b - a }) || slices.Min(s.limits) > 40 {
		t.Fatalf("batch limits %v: want 200 first, then shrinking to about 20 (20 ms at 1 ms a row)", s.limits)
	}
}
