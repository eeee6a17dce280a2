package app

import (
	"context"
	"sync"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/delivery"
)

// channelBuilders build each queued channel's sender and its channel-specific worker
// settings from the Config. A builder answering nil options leaves its channel off (no
// worker; its deliveries wait). Email and web push slot in with an entry each.
var channelBuilders = map[notify.Channel]func(a *App, ctx context.Context) (*delivery.Options, error){
	notify.ChannelSMS:     (*App).smsChannel,
	notify.ChannelEmail:   (*App).emailChannel,
	notify.ChannelWebPush: (*App).webpushChannel,
	notify.ChannelKakao:   (*App).kakaoChannel,
	notify.ChannelMobile:  (*App).mobileChannel,
}

// buildWorkers makes one delivery worker per configured channel; the engine settings
// (poll, backoff, lease) are common to all.
func (a *App) buildWorkers(ctx context.Context) error {
	a.Workers = map[notify.Channel]*delivery.Worker{}
	for _, c := range notify.Channels {
		build, ok := channelBuilders[c]
		if !ok {
			continue
		}
		o, err := build(a, ctx)
		if err != nil {
			return err
		}
		if o == nil {
			continue
		}
		o.Channel, o.Poll, o.BaseBackoff, o.Lease = c, a.cfg.DeliveryPoll, a.cfg.DeliveryBackoff, a.cfg.DeliveryLease
		o.MaxBackoff, o.MaxAttempts, o.SendTimeout = a.cfg.DeliveryMaxDelay, a.cfg.DeliveryAttempts, a.cfg.DeliveryTimeout
		o.Logger, o.Metrics = a.log, a.reg
		o.Advertising, o.AdFooter = a.isAdvertising, a.cfg.AdFooter
		a.Workers[c] = delivery.New(a.Store, *o)
	}
	return nil
}

// kickWorkers wakes every worker after a commit queued deliveries.
func (a *App) kickWorkers() {
	for _, w := range a.Workers {
		w.Kick()
	}
}

// runWorkers runs every worker (and the webhook dispatcher) until ctx ends; the returned
// wait blocks until they have finished their sends in flight.
func (a *App) runWorkers(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	for _, w := range a.Workers {
		wg.Go(func() { _ = w.Run(ctx) })
	}
	if a.Webhooks != nil {
		wg.Go(func() { _ = a.Webhooks.Run(ctx) })
	}
	wg.Go(func() { a.runReports(ctx) })
	return wg.Wait
}

// isAdvertising reports whether the event type named typ is advertising (its messages
// carry the "(광고)" prefix and the NOTIFY_AD_FOOTER line).
func (a *App) isAdvertising(typ string) bool {
	t, ok := a.registry.Lookup(typ)
	return ok && t.Advertising
}
