package channel

import (
	"context"
	"fmt"
	"strings"
)

// Sender sends one message of type M (a notify.Message for SMS, an AlimTalk for kakao).
type Sender[M any] interface {
	Send(ctx context.Context, m M) (Receipt, error)
}

// Named is a provider with the name it is configured by (NOTIFY_SMS_PROVIDER,
// NOTIFY_KAKAO_PROVIDER).
type Named[M any] struct {
	Name     string
	Provider Sender[M]
}

// Failover sends through its providers in order (NOTIFY_SMS_PROVIDER=sns,webhook): a
// provider that is down — a network error, a 5xx, throttling after its own retries, any
// transient failure — hands the message to the next one. Any other failure is the
// message's or the person's, not the provider's, and is returned at once: a permanent
// failure (an invalid number) or a skip the next provider would meet too, a refusal for
// this person (not a KakaoTalk user) that falls back instead, and an unknown outcome (the
// message may have gone out: a second provider would send it twice). Every attempt starts
// again with the first provider.
//
// The receipt names the provider that sent and lists, in FailedOver, those that failed
// before it. A provider that failed with a timeout may still have sent: the next one then
// sends a second text (providers do not share idempotency keys); providers that can tell
// a timeout after sending from one before answer KindUnknown instead.
type Failover[M any] []Named[M]

// Send implements Sender.
func (f Failover[M]) Send(ctx context.Context, m M) (Receipt, error) {
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
		if KindOf(err) != KindTransient {
			if len(failed) > 0 {
				err = fmt.Errorf("%s: %w (after %s)", p.Name, err, strings.Join(failed, "; "))
			}
			return Receipt{}, err
		}
		failed = append(failed, p.Name+": "+err.Error())
		last = err
		if ctx.Err() != nil {
			break // the attempt's time is up: the engine retries it later, from the first
		}
	}
	if len(failed) == 1 {
		return Receipt{}, last
	}
	return Receipt{}, fmt.Errorf("every provider failed: %s: %w", strings.Join(failed, "; "), last)
}
