// Package sms is the sms channel: providers that send a text message (log, sns, webhook)
// and Failover, which tries them in order. Each returns a channel.Receipt and classifies its
// errors with internal/channel; the delivery engine (internal/delivery) owns leasing,
// retries, caps and recording.
package sms

import (
	"context"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
)

// Provider sends one SMS. m.DeliveryID is stable across attempts of the same delivery:
// providers that take an idempotency key get it.
type Provider interface {
	Send(ctx context.Context, m notify.Message) (channel.Receipt, error)
}

// Text is the SMS body for a message: its text and, when there is one, its link, with the
// advertising marks when it is an advertisement.
func Text(m notify.Message) string {
	if m.URL == "" {
		return m.AdText(m.Text)
	}
	return m.AdText(m.Text + " " + m.URL)
}
