package ingest_test

import (
	"context"
	"sync"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/ingest"
)

// A sendAt up to the horizon is accepted as scheduled (nothing published, no notification
// yet); one beyond it is an invalid_event on publishInformation.sendAt.
func TestSendAtHorizon(t *testing.T) {
	pub := &published{}
	svc := ingest.New(openStore(t), ingest.Options{Horizon: time.Hour, Publisher: pub})
	t.Cleanup(svc.Close)
	now := time.Now()
	ev := func(id string, at time.Time) notify.Event {
		return notify.Event{Type: "DELIVERY_STARTED", Message: "m", URL: "https://mypage/orders/1", EventID: id, SendAt: &at,
			Recipients: []notify.Recipient{{UserID: "7", Role: notify.RoleCustomer}}}
	}
	res, err := svc.Accept(context.Background(), []ingest.Input{
		{Event: ev("in", now.Add(59*time.Minute)), ReceivedAt: now},
		{Event: ev("out", now.Add(61*time.Minute)), ReceivedAt: now},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || len(res[0].Notifications) != 0 || len(res[0].Scheduled) != 1 {
		t.Fatalf("within the horizon: %+v", res[0])
	}
	e, ok := res[1].Err.(*notify.Error)
	if !ok || e.Code != notify.CodeInvalidEvent || e.Field != "publishInformation.sendAt" {
		t.Fatalf("beyond the horizon: %v", res[1].Err)
	}
	if n := pub.count(); n != 0 {
		t.Errorf("published %d notifications of a scheduled event", n)
	}
}

type published struct {
	mu sync.Mutex
	ns []notify.Notification
}

func (p *published) Publish(_ context.Context, ns []notify.Notification) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ns = append(p.ns, ns...)
}

func (p *published) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.ns)
}
