package app

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/notifyd/notifyd/internal/delivery"
	"github.com/notifyd/notifyd/internal/sms"
)

// smsSender builds the configured SMS provider.
func (a *App) smsSender(ctx context.Context) (delivery.Sender, string, error) {
	switch a.cfg.SMSProvider {
	case "log":
		return sms.Log{Logger: a.log}, "log", nil
	case "webhook":
		if a.cfg.SMSWebhookURL == "" {
			return nil, "", fmt.Errorf("NOTIFY_SMS_PROVIDER=webhook needs NOTIFY_SMS_WEBHOOK_URL")
		}
		return sms.Webhook{URL: a.cfg.SMSWebhookURL}, "webhook", nil
	case "sns":
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("sns provider: aws config: %w", err)
		}
		s, err := sms.NewSNS(cfg, sms.SNSOptions{SMSType: a.cfg.SMSSNSType, SenderID: a.cfg.SMSSNSSenderID})
		if err != nil {
			return nil, "", fmt.Errorf("sns provider: %w", err)
		}
		return s, "sns", nil
	default:
		return nil, "", fmt.Errorf("NOTIFY_SMS_PROVIDER: %q is not log, webhook or sns", a.cfg.SMSProvider)
	}
}
