package sms_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel/sms"
)

func TestLogSenderMasksNumber(t *testing.T) {
	var buf bytes.Buffer
	l := sms.Log{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	r, err := l.Send(context.Background(), notify.Message{DeliveryID: 9, To: "+821012345678", Text: "hi"})
	if err != nil || r.ProviderID != "log-9" || r.Provider != "log" {
		t.Fatalf("Send = %+v, %v; want log/log-9, nil", r, err)
	}
	if out := buf.String(); strings.Contains(out, "12345678") || !strings.Contains(out, "+8210******78") {
		t.Errorf("log line %s: want the masked number only", out)
	}
}
