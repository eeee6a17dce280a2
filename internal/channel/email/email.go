// Package email is the email channel: a Sender that renders a message from its type's
// template (or the default layout) and hands it to a provider: Log (writes it to the log),
// SMTP (github.com/wneessen/go-mail) or SES (AWS SES v2). Failures come back classified
// (internal/channel): 4xx SMTP replies and throttling are transient, 5xx replies
// permanent, a missing or malformed address a skip.
package email

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
)

// Mail is one rendered email for a provider.
type Mail struct {
	From, To  string
	MessageID string // stable per delivery (notifyd.D@host, no angle brackets), so a receiver can tell a resend
	Content
}

// Provider hands a rendered email to a mail service.
type Provider interface {
	Deliver(ctx context.Context, m Mail) (channel.Receipt, error)
}

// Sender is the email channel's sender (internal/delivery.Sender).
type Sender struct {
	provider Provider
	render   *Renderer
	from     string
	domain   string
}

// NewSender returns a sender that mails from the address from (NOTIFY_EMAIL_FROM).
func NewSender(p Provider, r *Renderer, from string) (*Sender, error) {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("email: sender address %q: %w", from, err)
	}
	_, domain, _ := strings.Cut(a.Address, "@")
	from = a.Address
	if a.Name != "" {
		from = a.String()
	}
	return &Sender{provider: p, render: r, from: from, domain: domain}, nil
}

// Send renders m and delivers it to m.To.
func (s *Sender) Send(ctx context.Context, m notify.Message) (channel.Receipt, error) {
	if strings.TrimSpace(m.To) == "" {
		return channel.Receipt{}, channel.Skip(notify.ReasonNoEmail, fmt.Errorf("the recipient has no email address"))
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		// The address itself stays out of the error: errors are stored and logged.
		return channel.Receipt{}, channel.Skip("invalid_email", fmt.Errorf("the recipient's email address does not parse"))
	}
	c, err := s.render.Render(m)
	if err != nil {
		return channel.Receipt{}, err
	}
	return s.provider.Deliver(ctx, Mail{From: s.from, To: to.Address, MessageID: fmt.Sprintf("notifyd.%d@%s", m.DeliveryID, s.domain), Content: c})
}

// MaskAddress keeps an address's first letter and domain: k***@example.com.
func MaskAddress(a string) string {
	local, domain, ok := strings.Cut(a, "@")
	if !ok || local == "" {
		return "***"
	}
	return local[:1] + "***@" + domain
}
