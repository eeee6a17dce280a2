package notify

import (
	"encoding/base64"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"slices"
	"strings"
	"text/template"
)

// EmailTemplate is a type's email: text/template for the subject and the text part,
// html/template (contextual escaping) for the HTML part, each over the event's data
// fields plus message, url and type. An empty field falls back to the default layout.
type EmailTemplate struct {
	Subject string `yaml:"subject"`
	Text    string `yaml:"text"`
	HTML    string `yaml:"html"`
}

// check parses the templates so a typo fails at start-up, not at the first send.
func (e *EmailTemplate) check(typ string) error {
	for what, s := range map[string]string{"subject": e.Subject, "text": e.Text} {
		if _, err := template.New(what).Parse(s); err != nil {
			return fmt.Errorf("config: template %s.email.%s: %w", typ, what, err)
		}
	}
	if _, err := htmltemplate.New("html").Parse(e.HTML); err != nil {
		return fmt.Errorf("config: template %s.email.html: %w", typ, err)
	}
	return nil
}

// Webhook is one outbound webhook endpoint (NOTIFY_CONFIG `webhooks:`): the state
// changes named in Events are POSTed to URL, signed with Secret (Standard Webhooks,
// "whsec_" + base64 key).
type Webhook struct {
	URL    string   `yaml:"url"`
	Secret string   `yaml:"secret"`
	Events []string `yaml:"events"`
}

// The outbound webhook event names.
const (
	WebhookDeliverySent     = "delivery.sent"
	WebhookDeliveryFailed   = "delivery.failed"
	WebhookDeliverySkipped  = "delivery.skipped"
	WebhookNotificationRead = "notification.read"
	// WebhookDeliveryDelivered and WebhookDeliveryUndelivered follow a provider's report.
	WebhookDeliveryDelivered   = "delivery.delivered"
	WebhookDeliveryUndelivered = "delivery.undelivered"
)

// WebhookEvents lists the event names a webhook may subscribe to.
var WebhookEvents = []string{WebhookDeliverySent, WebhookDeliveryFailed, WebhookDeliverySkipped, WebhookNotificationRead,
	WebhookDeliveryDelivered, WebhookDeliveryUndelivered}

// Key decodes the webhook's signing key from its "whsec_<base64>" secret.
func (w Webhook) Key() ([]byte, error) {
	b64, ok := strings.CutPrefix(w.Secret, "whsec_")
	if !ok {
		return nil, fmt.Errorf("secret must start with whsec_")
	}
	k, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(k) < 16 {
		return nil, fmt.Errorf("secret must be whsec_ and at least 16 bytes in base64")
	}
	return k, nil
}

// Wants reports whether the webhook subscribes to the event name.
func (w Webhook) Wants(event string) bool { return slices.Contains(w.Events, event) }

func checkWebhooks(hooks []Webhook) error {
	for i, h := range hooks {
		u, err := url.Parse(h.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("config: webhooks[%d].url: %q is not an absolute http(s) URL", i, h.URL)
		}
		if _, err := h.Key(); err != nil {
			return fmt.Errorf("config: webhooks[%d].secret: %w", i, err)
		}
		if len(h.Events) == 0 {
			return fmt.Errorf("config: webhooks[%d].events: is empty (known: %s)", i, strings.Join(WebhookEvents, ", "))
		}
		for _, e := range h.Events {
			if !slices.Contains(WebhookEvents, e) {
				return fmt.Errorf("config: webhooks[%d].events: unknown event %q (known: %s)", i, e, strings.Join(WebhookEvents, ", "))
			}
		}
	}
	return nil
}

// Webhooks returns the outbound webhooks NOTIFY_CONFIG names (none for the defaults).
func (r *Registry) Webhooks() []Webhook { return r.webhooks }
