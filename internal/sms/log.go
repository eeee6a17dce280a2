package sms

import (
	"context"
	"fmt"
	"log/slog"

	notify "github.com/notifyd/notifyd"
)

// Log is the default provider: it writes each SMS to the log instead of sending it: at
// INFO the delivery id, masked number and type; the text only at DEBUG, since message
// bodies stay out of production logs.
type Log struct{ Logger *slog.Logger }

// Send implements Sender.
func (l Log) Send(ctx context.Context, m notify.Message) (string, error) {
	lg := l.Logger
	if lg == nil {
		lg = slog.Default()
	}
	lg.InfoContext(ctx, "sms (log provider)", "delivery", m.DeliveryID, "to", MaskPhone(m.To), "type", m.Type)
	lg.DebugContext(ctx, "sms (log provider) text", "delivery", m.DeliveryID, "text", Text(m))
	return fmt.Sprintf("log-%d", m.DeliveryID), nil
}

// MaskPhone keeps a number's country prefix and last two digits: +8210******78. At least
// half of it is always masked, so a short number never shows whole: +1***56.
func MaskPhone(p string) string {
	if len(p) <= 6 {
		return "***"
	}
	keep := 5
	if len(p)-keep-2 < len(p)/2 {
		keep = len(p) - 2 - len(p)/2
	}
	b := []byte(p)
	for i := keep; i < len(b)-2; i++ {
		b[i] = '*'
	}
	return string(b)
}
