package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/notifyd/notifyd/internal/channel/nhn"
	"github.com/notifyd/notifyd/internal/channel/sms"
	"github.com/notifyd/notifyd/internal/channel/solapi"
	"github.com/notifyd/notifyd/internal/delivery"
)

// smsChannel builds the sms channel: the configured provider, or with a comma list
// (NOTIFY_SMS_PROVIDER=sns,webhook) a failover over them in that order.
func (a *App) smsChannel(ctx context.Context) (*delivery.Options, error) {
	var names []string
	var chain sms.Failover
	for _, name := range strings.Split(a.cfg.SMSProvider, ",") {
		name = strings.TrimSpace(name)
		names = append(names, name)
		p, err := a.smsProvider(ctx, name)
		if err != nil {
			return nil, err
		}
		for _, n := range chain {
			if n.Name == name {
				return nil, fmt.Errorf("NOTIFY_SMS_PROVIDER: %q names %s twice", a.cfg.SMSProvider, name)
			}
		}
		chain = append(chain, sms.Named{Name: name, Provider: p})
	}
	var sender delivery.Sender = chain
	if len(chain) == 1 {
		sender = chain[0].Provider
	}
	a.sms = &providerHealth{Sender: sender, name: strings.Join(names, ",")}
	sender = a.sms
	return &delivery.Options{Sender: sender, Provider: strings.Join(names, ","), Concurrency: a.cfg.SMSConcurrency,
		RatePerSecond: a.cfg.SMSRate, CapPerRecipient: a.cfg.SMSCapPerRecipient, CapWindow: a.cfg.SMSCapWindow}, nil
}

// smsProvider builds one SMS provider by name.
func (a *App) smsProvider(ctx context.Context, name string) (sms.Provider, error) {
	switch name {
	case "log":
		return sms.Log{Logger: a.log}, nil
	case "webhook":
		if a.cfg.SMSWebhookURL == "" {
			return nil, fmt.Errorf("NOTIFY_SMS_PROVIDER=webhook needs NOTIFY_SMS_WEBHOOK_URL")
		}
		return sms.Webhook{URL: a.cfg.SMSWebhookURL}, nil
	case "sns":
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("sns provider: aws config: %w", err)
		}
		s, err := sms.NewSNS(cfg, sms.SNSOptions{SMSType: a.cfg.SMSSNSType, SenderID: a.cfg.SMSSNSSenderID})
		if err != nil {
			return nil, fmt.Errorf("sns provider: %w", err)
		}
		return s, nil
	case "solapi":
		c, err := a.solapiClient("NOTIFY_SMS_PROVIDER")
		if err != nil {
			return nil, err
		}
		return solapi.SMS{Client: c}, nil
	case "nhn":
		c, err := a.nhnClient("NOTIFY_SMS_PROVIDER")
		if err != nil {
			return nil, err
		}
		return nhn.SMS{Client: c}, nil
	default:
		return nil, fmt.Errorf("NOTIFY_SMS_PROVIDER: %q is not log, webhook, sns, solapi or nhn (or a comma list of them)", name)
	}
}
