package kakao

import (
	"context"
	"log/slog"
	"strconv"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
)

// Log is the development provider: it logs each AlimTalk (number masked) and accepts it.
type Log struct{ Logger *slog.Logger }

// Send implements Provider.
func (l Log) Send(ctx context.Context, m Message) (channel.Receipt, error) {
	l.Logger.InfoContext(ctx, "alimtalk (log provider)", "to", notify.MaskPhone(m.To), "template", m.AlimTalk.Template, "text", m.AlimTalk.Text, "buttons", len(m.AlimTalk.Buttons))
	return channel.Receipt{Provider: "log", ProviderID: "log-" + strconv.FormatInt(m.DeliveryID, 10)}, nil
}
