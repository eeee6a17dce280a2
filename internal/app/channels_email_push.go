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
	"github.com/notifyd/notifyd/internal/webhook"
)

// emailChannel builds the email channel: the configured provider and the renderer of the
// registry's email templates. It runs on the same engine path as SMS (caps, retries and,
// as they land, preferences and quiet hours).
func (a *App) emailChannel(ctx context.Context) (*delivery.Options, error) {
	var p email.Provider
	name, from := a.cfg.EmailProvider, a.cfg.EmailFrom
	switch name {
	case "", "log":
		name, p = "log", email.Log{Logger: a.log}
		if from == "" {
			from = "notifyd@localhost"
		}
	case "smtp":
		s, err := email.NewSMTP(email.SMTPOptions{URL: a.cfg.SMTPURL})
		if err != nil {
			return nil, err
		}
		p = s
	case "ses":
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("ses provider: aws config: %w", err)
		}
		p = email.NewSES(cfg, a.cfg.SESConfigurationSet)
	default:
		return nil, fmt.Errorf("NOTIFY_EMAIL_PROVIDER: %q is not log, smtp or ses", name)
	}
	if from == "" {
		return nil, fmt.Errorf("NOTIFY_EMAIL_PROVIDER=%s needs NOTIFY_EMAIL_FROM", name)
	}
	r, err := email.NewRenderer(a.registry)
	if err != nil {
		return nil, err
	}
	s, err := email.NewSender(p, r, from)
	if err != nil {
		return nil, fmt.Errorf("NOTIFY_EMAIL_FROM: %w", err)
	}
	return &delivery.Options{Sender: s, Provider: name}, nil
}

// webpushOff records web push deliveries skipped when no VAPID keys are configured.
type webpushOff struct{}

func (webpushOff) Send(context.Context, notify.Message) (channel.Receipt, error) {
	return channel.Receipt{}, channel.Skip("webpush_not_configured", errors.New("NOTIFY_VAPID_* keys are not set"))
}

// webpushChannel builds the web push channel, or one that skips without keys.
func (a *App) webpushChannel(context.Context) (*delivery.Options, error) {
	if a.cfg.VAPIDPublicKey == "" && a.cfg.VAPIDPrivateKey == "" {
		return &delivery.Options{Sender: webpushOff{}, Provider: "off"}, nil
	}
	keys, err := webpush.ParseVAPIDKeys(a.cfg.VAPIDPublicKey, a.cfg.VAPIDPrivateKey)
	if err != nil {
		return nil, err
	}
	s, err := webpush.NewSender(a.Store, webpush.Options{Keys: keys, Subject: a.cfg.VAPIDSubject, AllowPrivate: a.cfg.WebPushAllowPrivate, Logger: a.log})
	if err != nil {
		return nil, err
	}
	return &delivery.Options{Sender: s, Provider: "vapid"}, nil
}

// webhookDispatcher sets up the outbound webhooks of reg, if it names any.
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

func (a *App) kickWebhooks() {
	if a.Webhooks != nil {
		a.Webhooks.Kick()
	}
}
