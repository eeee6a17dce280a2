package retention_test

import (
	"context"
	"errors"
	"path/filepath"
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
// seven notifications go (in batches of two), ORDER_CREATED's stay; the dry run counted
// what went, the metrics count it, and a second replica finds the lease taken.
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
	if err != nil || got != dry {
		t.Fatalf("Purge = %+v, %v; want what the dry run counted, %+v", got, err, dry)
	}
	left, err := s.NotificationsAfter(ctx, "u1", 0, 100)
	if err != nil || len(left) != 1 || left[0].Type != "ORDER_CREATED" {
		t.Fatalf("left %+v, %v; want ORDER_CREATED's alone", left, err)
	}
	if n := (metric(t, reg, "notifyd_retention_purged_rows_total", `table="notifications"`)); n != 7 {
		t.Errorf("purged rows metric = %v, want 7", n)
	}
	if age := (metric(t, reg, "notifyd_retention_oldest_notification_age_seconds", "")); age < (40*24*time.Hour - time.Hour).Seconds() {
		t.Errorf("oldest age = %vs, want about 40 days", age)
	}

	other := retention.New(s, retention.Options{Default: time.Hour, Now: later})
	if _, err := other.Purge(ctx); !errors.Is(err, retention.ErrBusy) {
		t.Fatalf("a second replica's pass = %v, want ErrBusy while the first holds the lease", err)
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
