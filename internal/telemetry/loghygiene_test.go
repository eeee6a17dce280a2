package telemetry_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel/sms"
	"github.com/notifyd/notifyd/internal/delivery"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/telemetry"
)

const (
	phone       = "+821012345678"
	maskedPhone = "+8210******78"
	secretText  = "주문 1001번 배송이 시작되었습니다"
)

// syncBuffer is a log sink that tests read while the code under test writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// oneShotStore hands its messages to the first claim and reports each recorded outcome.
type oneShotStore struct {
	mu       sync.Mutex
	msgs     []notify.Message
	outcomes chan store.Outcome
}

func (s *oneShotStore) ClaimDeliveries(context.Context, notify.Channel, time.Time, time.Duration, int) ([]notify.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs
	s.msgs = nil
	return m, nil
}

func (s *oneShotStore) CompleteDelivery(_ context.Context, _ int64, _ int, o store.Outcome) error {
	s.outcomes <- o
	return nil
}

func (s *oneShotStore) RenewDelivery(context.Context, int64, int, time.Time) error { return nil }

func (s *oneShotStore) CountSent(context.Context, notify.Channel, string, time.Time) (int, error) {
	return 1, nil
}

// deliverOnce runs a delivery worker over sender until it recorded one outcome per
// message, logging JSON at level into the returned buffer.
func deliverOnce(t *testing.T, sender func(*slog.Logger) delivery.Sender, level slog.Level, msgs ...notify.Message) (*syncBuffer, []store.Outcome) {
	t.Helper()
	logs := &syncBuffer{}
	lg := slog.New(telemetry.LogHandler(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level})))
	st := &oneShotStore{msgs: msgs, outcomes: make(chan store.Outcome, len(msgs))}
	w := delivery.New(st, delivery.Options{Sender: sender(lg), Provider: "test", Logger: lg, Poll: 10 * time.Millisecond, MaxAttempts: 1})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var got []store.Outcome
	for range msgs {
		select {
		case o := <-st.outcomes:
			got = append(got, o)
		case <-time.After(10 * time.Second):
			t.Fatal("no outcome recorded within 10s")
		}
	}
	cancel()
	<-done
	return logs, got
}

func message(id int64) notify.Message {
	return notify.Message{DeliveryID: id, Attempt: 1, UserID: "7", To: phone, Type: "DELIVERY_STARTED",
		Text: secretText, URL: "https://mypage/orders/1001", EventID: fmt.Sprint("order-", id), TraceParent: parentA}
}

// No log line of the log provider or the worker holds a whole phone number, at any
// level; the message text shows only at DEBUG; the lines carry the event's trace id.
func TestLogsMaskPhoneNumbers(t *testing.T) {
	logProvider := func(lg *slog.Logger) delivery.Sender { return sms.Log{Logger: lg} }
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo} {
		t.Run(level.String(), func(t *testing.T) {
			logs, outcomes := deliverOnce(t, logProvider, level, message(1), message(2))
			for _, o := range outcomes {
				if o.Status != notify.StatusSent {
					t.Errorf("outcome %+v, want sent", o)
				}
			}
			out := logs.String()
			checkMasked(t, out)
			lines := logLines(t, bytes.NewBufferString(out))
			var provider, recorded int
			for _, l := range lines {
				switch l["msg"] {
				case "sms (log provider)":
					provider++
					if l["to"] != maskedPhone || l["type"] != "DELIVERY_STARTED" || l["delivery"] == nil {
						t.Errorf("provider line %v: want delivery id, masked number and type", l)
					}
				case "delivery recorded":
					recorded++
					if l["level"] != "INFO" || l["to"] != maskedPhone || l["status"] != "sent" {
						t.Errorf("worker line %v: want INFO, masked number, status sent", l)
					}
				default:
					continue
				}
				if l["trace_id"] != traceA {
					t.Errorf("line %v: trace_id %v, want the event's %s", l, l["trace_id"], traceA)
				}
			}
			if provider != 2 || recorded != 2 {
				t.Errorf("%d provider and %d worker lines, want 2 each:\n%s", provider, recorded, out)
			}
			if strings.Contains(out, secretText) != (level == slog.LevelDebug) {
				t.Errorf("at %s the message text shows: %v; want it only at DEBUG:\n%s", level, strings.Contains(out, secretText), out)
			}
		})
	}
}

// A gateway that echoes the number in its error: the worker logs (and stores) the
// masked form only.
func TestLogsMaskNumbersInProviderErrors(t *testing.T) {
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"number `+phone+` is blocked"}`, http.StatusBadRequest)
	}))
	defer gw.Close()
	logs, outcomes := deliverOnce(t, func(*slog.Logger) delivery.Sender { return sms.Webhook{URL: gw.URL} }, slog.LevelDebug, message(3))
	out := logs.String()
	checkMasked(t, out)
	if outcomes[0].Status != notify.StatusFailed || strings.Contains(outcomes[0].Error, phone) {
		t.Errorf("outcome %+v: want failed with the number masked", outcomes[0])
	}
	if !strings.Contains(out, `"level":"WARN","msg":"delivery recorded"`) || !strings.Contains(out, maskedPhone+" is blocked") {
		t.Errorf("want a WARN delivery line with the gateway's masked answer:\n%s", out)
	}
}

func checkMasked(t *testing.T, logs string) {
	t.Helper()
	if strings.Contains(logs, phone) || strings.Contains(logs, phone[1:]) || strings.Contains(logs, "12345678") {
		t.Errorf("a full phone number in the logs:\n%s", logs)
	}
}
