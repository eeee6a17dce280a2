package sqs

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/sqlite"
)

const priceDrop = `{"whoToNotify":{"userId":7,"role":"CUSTOMER"},"publishInformation":{"notificationType":"PRICE_DROP","data":{"productId":3}}}`

// A kept message that came in an SNS envelope without an eventId is replayed under the
// SNS message id, as it would have been accepted the first time.
func TestReplayRejectedEnvelopeUsesSNSMessageID(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	inner := priceDrop
	body := `{"Type":"Notification","MessageId":"sns-42","Message":` + quote(inner) + `}`
	id := saveRejected(t, st, "sqs-m-9", body)
	results, err := ReplayRejected(ctx, newService(t, st, priceDropRegistry(t)), id)
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Key != "sns-42" {
		t.Errorf("key = %q, want the SNS message id", results[0].Key)
	}
	status, err := st.EventStatus(ctx, "sns-42")
	if err != nil {
		t.Fatal(err)
	}
	if status.Source != "sqs:orders" {
		t.Errorf("source = %q, want sqs:orders", status.Source)
	}
}

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "notify.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newService(t *testing.T, st store.Store, reg *notify.Registry) *ingest.Service {
	t.Helper()
	svc := ingest.New(st, ingest.Options{Registry: reg, Logger: quietLogger()})
	t.Cleanup(svc.Close)
	return svc
}

func priceDropRegistry(t *testing.T) *notify.Registry {
	t.Helper()
	reg, err := notify.LoadRegistry(strings.NewReader("types:\n  PRICE_DROP:\n    message: \"가격이 내려갔습니다.\"\n    url: \"https://shop/products/{{.productId}}\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func saveRejected(t *testing.T, st store.Store, msgID, body string) int64 {
	t.Helper()
	id, err := st.SaveRejected(context.Background(), store.Rejected{Source: SourceName, Queue: "orders", MessageID: msgID, Body: body, Code: string(notify.CodeUnknownType), Reason: "unknown type"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
