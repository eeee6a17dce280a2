package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/delivery"
)

// providerHealth passes sends through to the SMS provider and remembers whether its last
// call failed for a reason worth retrying (unreachable, timeout, 5xx), for /readyz. A
// provider has no health endpoint to probe; its own answers are the evidence. A permanent
// failure (say an invalid number) or a skip is an answer, so the provider counts as up.
// With a failover chain it reports the chain: down only when no provider of it answered.
type providerHealth struct {
	delivery.Sender
	name string

	mu      sync.Mutex
	since   time.Time // first failure of the current run of failures
	lastErr error     // nil while the last call succeeded (or none was made)
}

func (h *providerHealth) Send(ctx context.Context, m notify.Message) (channel.Receipt, error) {
	r, err := h.Sender.Send(ctx, m)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil || channel.KindOf(err) != channel.KindTransient {
		h.since, h.lastErr = time.Time{}, nil
		return r, err
	}
	if h.lastErr == nil {
		h.since = time.Now()
	}
	h.lastErr = err
	return r, err
}

// Check reports the provider down while its calls keep failing: from the first failed
// call until the next one that gets an answer.
func (h *providerHealth) Check(context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lastErr == nil {
		return nil
	}
	return fmt.Errorf("sms provider %s failing since %s: %w", h.name, h.since.UTC().Format(time.RFC3339), h.lastErr)
}
