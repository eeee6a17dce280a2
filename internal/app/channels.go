package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/config"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/channel/email"
	"github.com/notifyd/notifyd/internal/channel/webpush"
	"github.com/notifyd/notifyd/internal/delivery"
	"github.com/notifyd/notifyd/internal/sms"
	"github.com/notifyd/notifyd/internal/webhook"
)

// channelSender is what every channel's sender implements (internal/channel/...).
type channelSender interface {
	Send(ctx context.Context, m notify.Message) (channel.Receipt, error)
}

// legacySender adapts a channel sender to the delivery worker's round-one Sender
// (provider id, sms-classified error). The channel-agnostic engine takes channel senders
// as they are; this goes when it lands.
type legacySender struct{ s channelSender }

func (l legacySender) Send(ctx context.Context, m notify.Message) (string, error) {
	rc, err := l.s.Send(ctx, m)
	if err != nil && channel.KindOf(err) != channel.KindTransient {
		return "", sms.Permanent("", err)
	}
	return rc.ProviderID, err
}

// emailSender builds the configured email provider and the renderer of reg's templates.
func (a *App) emailSender(ctx context.Context, reg *notify.Registry) (channelSender, string, error) {
	var p email.Provider
	from := a.cfg.EmailFrom
	switch a.cfg.EmailProvider {
	case "", "log":
		p = email.Log{Logger: a.log}
		if from == "" {
			from = "notifyd@localhost"
		}
	case "smtp":
		s, err := email.NewSMTP(email.SMTPOptions{URL: a.cfg.SMTPURL})
		if err != nil {
			return nil, "", err
		}
		p = s
	case "ses":
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("ses provider: aws config: %w", err)
		}
		p = email.NewSES(cfg, a.cfg.SESConfigurationSet)
	default:
		return nil, "", fmt.Errorf("NOTIFY_EMAIL_PROVIDER: %q is not log, smtp or ses", a.cfg.EmailProvider)
	}
	if from == "" {
		return nil, "", fmt.Errorf("NOTIFY_EMAIL_PROVIDER=%s needs NOTIFY_EMAIL_FROM", a.cfg.EmailProvider)
	}
	r, err := email.NewRenderer(reg)
	if err != nil {
		return nil, "", err
	}
	s, err := email.NewSender(p, r, from)
	if err != nil {
		return nil, "", fmt.Errorf("NOTIFY_EMAIL_FROM: %w", err)
	}
	name := a.cfg.EmailProvider
	if name == "" {
		name = "log"
	}
	return s, name, nil
}

// webpushOff records web push deliveries skipped when no VAPID keys are configured.
type webpushOff struct{}

func (webpushOff) Send(context.Context, notify.Message) (channel.Receipt, error) {
	return channel.Receipt{}, channel.Skip("webpush_not_configured", errors.New("NOTIFY_VAPID_* keys are not set"))
}

// webpushSender builds the web push sender, or webpushOff without keys.
func (a *App) webpushSender() (channelSender, error) {
	if a.cfg.VAPIDPublicKey == "" && a.cfg.VAPIDPrivateKey == "" {
		return webpushOff{}, nil
	}
	keys, err := webpush.ParseVAPIDKeys(a.cfg.VAPIDPublicKey, a.cfg.VAPIDPrivateKey)
	if err != nil {
		return nil, err
	}
	return webpush.NewSender(a.Store, webpush.Options{Keys: keys, Subject: a.cfg.VAPIDSubject, Logger: a.log})
}

// channelWorkers builds one delivery worker per queued channel besides SMS (email, web
// push): the same engine path, so caps, retries and (later) preferences and quiet hours
// apply to them exactly as to SMS.
func (a *App) channelWorkers(ctx context.Context, reg *notify.Registry) error {
	es, provider, err := a.emailSender(ctx, reg)
	if err != nil {
		return err
	}
	ws, err := a.webpushSender()
	if err != nil {
		return err
	}
	for _, c := range []struct {
		ch       notify.Channel
		s        channelSender
		provider string
	}{{notify.ChannelEmail, es, provider}, {notify.ChannelWebPush, ws, "vapid"}} {
		a.Workers = append(a.Workers, delivery.New(a.Store, delivery.Options{Channel: c.ch, Sender: legacySender{c.s}, Provider: c.provider,
			Poll: a.cfg.DeliveryPoll, BaseBackoff: a.cfg.DeliveryBackoff, Lease: a.cfg.DeliveryLease, Logger: a.log, Metrics: a.reg}))
	}
	return nil
}

// webhookDispatcher starts the outbound webhooks of reg, if it names any.
func (a *App) webhookDispatcher(reg *notify.Registry) error {
	hooks := reg.Webhooks()
	if len(hooks) == 0 {
		return nil
	}
	d, err := webhook.New(a.Store, webhook.Options{Webhooks: hooks, Logger: a.log})
	if err != nil {
		return err
	}
	a.Store.SetWebhooks(webhook.Targets(hooks))
	a.Webhooks = d
	return nil
}
