package sms_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/sms"
)

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+821012345678", "+8210******78"},
		{"+14155550100", "+141******00"},
		{"+2901234", "+2****34"},
		{"+123456", "+1***56"},
		{"+12345", "***"},
		{"", "***"},
	}
	for _, tt := range tests {
		if got := sms.MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Whatever its length, at least half of a number is masked and its middle never shows.
func TestMaskPhoneHidesHalf(t *testing.T) {
	for n := 7; n <= 16; n++ {
		p := "+" + "1234567890123456"[:n-1]
		got := sms.MaskPhone(p)
		if len(got) != len(p) {
			t.Errorf("MaskPhone(%q) = %q: length changed", p, got)
		}
		if stars := strings.Count(got, "*"); stars < len(p)/2 {
			t.Errorf("MaskPhone(%q) = %q: %d masked, want at least %d", p, got, stars, len(p)/2)
		}
		if !strings.HasSuffix(got, p[len(p)-2:]) {
			t.Errorf("MaskPhone(%q) = %q: last two digits lost", p, got)
		}
	}
}

func TestLogSenderMasksNumber(t *testing.T) {
	var buf bytes.Buffer
	l := sms.Log{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	id, err := l.Send(context.Background(), notify.Message{DeliveryID: 9, To: "+821012345678", Text: "hi"})
	if err != nil || id != "log-9" {
		t.Fatalf("Send = %q, %v; want log-9, nil", id, err)
	}
	if out := buf.String(); strings.Contains(out, "12345678") || !strings.Contains(out, "+8210******78") {
		t.Errorf("log line %s: want the masked number only", out)
	}
}
