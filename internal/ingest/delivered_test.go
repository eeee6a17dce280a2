package ingest_test

import (
	"context"
	"sync/atomic"
	"testing"

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
