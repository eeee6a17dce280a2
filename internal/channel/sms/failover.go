package sms

import (
	"context"
	"fmt"
	"strings"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
)

// Named is a provider with the name it is configured by (NOTIFY_SMS_PROVIDER).
type Named struct {
	Name     string
	Provider Provider
}

// Failover sends through its providers in order (NOTIFY_SMS_PROVIDER=sns,webhook): a
// provider that is down — a network error, a 5xx, throttling after its own retries, any
// transient failure — hands the message to the next one. A permanent failure (an invalid
// number) or a skip is the number's, not the provider's, and is returned at once: the
// next provider would refuse it too. Every attempt starts again with the first provider.
//
// The receipt names the provider that sent and lists, in FailedOver, those that failed
// before it. A provider that failed with a timeout may still have sent: the next one then
// sends a second text (providers do not share idempotency keys).
type Failover []Named

// Send implements Provider.
func (f Failover) Send(ctx context.Context, m notify.Message) (channel.Receipt, error) {
	var failed []string
	var last error
	for _, p := range f {
		r, err := p.Provider.Send(ctx, m)
		if err == nil {
			if r.Provider == "" {
				r.Provider = p.Name
			}
			r.FailedOver = append(failed, r.FailedOver...)
			return r, nil
		}
		if channel.KindOf(err) != channel.KindTransient {
			if len(failed) > 0 {
				err = fmt.Errorf("%s: %w (after %s)", p.Name, err, strings.Join(failed, "; "))
			}
			return channel.Receipt{}, err
		}
		failed = append(failed, p.Name+": "+err.Error())
		last = err
		if ctx.Err() != nil {
			break // the attempt's time is up: the engine retries it later, from the first
		}
	}
	if len(failed) == 1 {
		return channel.Receipt{}, last
	}
	return channel.Receipt{}, fmt.Errorf("every sms provider failed: %s: %w", strings.Join(failed, "; "), last)
}
