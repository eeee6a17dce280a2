package sms

import (
	"context"
	"fmt"
	"log/slog"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
)

// Log is the default provider: it writes each SMS to the log instead of sending it: at
// INFO the delivery id, masked number and type; the text only at DEBUG, since message
// bodies stay out of production logs.
type Log struct{ Logger *slog.Logger }

// Send implements Provider.
func (l Log) Send(ctx context.Context, m notify.Message) (channel.Receipt, error) {
	lg := l.Logger
	if lg == nil {
		lg = slog.Default()
	}
	lg.InfoContext(ctx, "sms (log provider)", "delivery", m.DeliveryID, "to", notify.MaskPhone(m.To), "type", m.Type)
	lg.DebugContext(ctx, "sms (log provider) text", "delivery", m.DeliveryID, "text", Text(m))
	return channel.Receipt{Provider: "log", ProviderID: fmt.Sprintf("log-%d", m.DeliveryID)}, nil
}
