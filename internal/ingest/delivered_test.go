package ingest_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/ingest"
)

// The delivery workers are woken after a commit only when it queued a delivery: an
// inbox-only event (OWNER) is served by the live push and must not cost each worker a
// claim query; a CUSTOMER's SMS must wake them.
func TestDeliveredOnlyWhenADeliveryIsQueued(t *testing.T) {
	st := openStore(t)
	for _, tc := range []struct {
		role string
		want int64
	}{{"OWNER", 0}, {"CUSTOMER", 1}} {
		var woken atomic.Int64
		svc := ingest.New(st, ingest.Options{Registry: notify.DefaultRegistry(), Delivered: func() { woken.Add(1) }})
		evs, err := notify.DecodeEvents([]byte(`{"whoToNotify":{"userId":"u1","role":"` + tc.role + `","phoneNumber":"+821012345678"},` +
			`"publishInformation":{"notificationType":"DELIVERY_STARTED","eventId":"e-` + tc.role + `","message":"m","data":{"orderId":1}}}`))
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.Accept(context.Background(), []ingest.Input{{Event: evs[0], Source: "http"}})
		if err != nil || res[0].Err != nil || res[0].Duplicate {
			t.Fatalf("%s: accept: %v %+v", tc.role, err, res)
		}
		svc.Close() // runs every commit's after-work
		if got := woken.Load(); got != tc.want {
			t.Errorf("%s: workers woken %d times, want %d", tc.role, got, tc.want)
		}
	}
}

// Each stage between submit and the streams is timed once per batch or transaction, so
// that the bench can break publish→SSE latency down.
func TestStageHistograms(t *testing.T) {
	st := openStore(t)
	reg := prometheus.NewRegistry()
	svc := ingest.New(st, ingest.Options{Registry: notify.DefaultRegistry(), Metrics: reg})
	evs, err := notify.DecodeEvents([]byte(`{"whoToNotify":{"userId":"u1","role":"OWNER"},"publishInformation":{"notificationType":"DELIVERY_STARTED","eventId":"e1","message":"m","data":{"orderId":1}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Accept(context.Background(), []ingest.Input{{Event: evs[0], Source: "http"}}); err != nil {
		t.Fatal(err)
	}
	svc.Close()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	for _, mf := range mfs {
		if h := mf.GetMetric()[0].GetHistogram(); h != nil {
			got[mf.GetName()] = h.GetSampleCount()
		}
	}
	for _, name := range []string{"notifyd_commit_wait_seconds", "notifyd_commit_seconds", "notifyd_publish_lag_seconds", "notifyd_publish_seconds"} {
		if got[name] != 1 {
			t.Errorf("%s: %d observations, want 1", name, got[name])
		}
	}
}
