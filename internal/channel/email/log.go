package email

import (
	"context"
	"log/slog"

	"github.com/notifyd/notifyd/internal/channel"
)

// Log is the default provider: it writes each email to the log instead of sending it: at
// INFO the masked address and subject, the bodies only at DEBUG.
type Log struct{ Logger *slog.Logger }

// Deliver implements Provider.
func (l Log) Deliver(ctx context.Context, m Mail) (channel.Receipt, error) {
	lg := l.Logger
	if lg == nil {
		lg = slog.Default()
	}
	lg.InfoContext(ctx, "email (log provider)", "to", MaskAddress(m.To), "subject", m.Subject, "message_id", m.MessageID)
	lg.DebugContext(ctx, "email (log provider) bodies", "message_id", m.MessageID, "text", m.Text, "html", m.HTML)
	return channel.Receipt{Provider: "log", ProviderID: m.MessageID}, nil
}
