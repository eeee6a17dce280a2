package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/notifyd/notifyd/internal/channel"
)

// SMTPOptions configure the SMTP provider.
type SMTPOptions struct {
	// URL is NOTIFY_SMTP_URL: smtp://user:pass@host:587 (STARTTLS: required when
	// credentials are given, used whenever offered; a relay without credentials that offers
	// none is spoken to in plain text) or smtps://user:pass@host:465 (implicit TLS).
	URL       string
	TLSConfig *tls.Config   // nil: system roots, ServerName from the URL (tests pass their CA)
	Timeout   time.Duration // one connection and send (default 30s)
	HELO      string        // default "localhost" (go-mail's default)
}

// SMTP sends through an SMTP server, one connection per message, with go-mail building
// the MIME (multipart/alternative: text and HTML, RFC 2047 encoded subject) and speaking
// SMTP (STARTTLS, implicit TLS, AUTH PLAIN).
type SMTP struct {
	host string
	opts []gomail.Option
}

// NewSMTP checks the URL and returns the provider.
func NewSMTP(o SMTPOptions) (*SMTP, error) {
	u, err := url.Parse(o.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("NOTIFY_SMTP_URL: not a URL such as smtp://user:pass@host:587")
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithTimeout(timeout)}
	user := u.User.Username()
	pass, _ := u.User.Password()
	defPort := 25
	switch u.Scheme {
	case "smtps":
		defPort = 465
		opts = append(opts, gomail.WithSSL())
	case "smtp":
		if user != "" {
			// Never send credentials in the clear: STARTTLS or no connection.
			defPort = 587
			opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		} else {
			opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
		}
	default:
		return nil, fmt.Errorf("NOTIFY_SMTP_URL: scheme %q is not smtp or smtps", u.Scheme)
	}
	port := defPort
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("NOTIFY_SMTP_URL: bad port %q", p)
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(user), gomail.WithPassword(pass))
	}
	tc := o.TLSConfig
	if tc == nil {
		tc = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tc = tc.Clone()
	if tc.ServerName == "" {
		tc.ServerName = u.Hostname()
	}
	opts = append(opts, gomail.WithTLSConfig(tc))
	if o.HELO != "" {
		opts = append(opts, gomail.WithHELO(o.HELO))
	}
	s := &SMTP{host: u.Hostname(), opts: opts}
	if _, err := gomail.NewClient(s.host, s.opts...); err != nil {
		return nil, fmt.Errorf("NOTIFY_SMTP_URL: %w", err)
	}
	return s, nil
}

// Deliver implements Provider.
func (s *SMTP) Deliver(ctx context.Context, m Mail) (channel.Receipt, error) {
	msg := gomail.NewMsg()
	if err := msg.From(m.From); err != nil {
		return channel.Receipt{}, channel.Permanent("from", err)
	}
	if err := msg.To(m.To); err != nil {
		return channel.Receipt{}, channel.Skip("invalid_email", fmt.Errorf("the recipient's email address is refused"))
	}
	msg.SetGenHeaderPreformatted(gomail.HeaderSubject, subjectValue(m.Subject))
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return channel.Receipt{}, channel.Permanent("config", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return channel.Receipt{}, classifySMTP(err)
	}
	return channel.Receipt{Provider: "smtp", ProviderID: m.MessageID}, nil
}

// classifySMTP maps a server reply to a kind: 4xx is worth retrying, 5xx is not. Errors
// without a reply (connection, TLS, timeouts) are transient.
func classifySMTP(err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		switch {
		case code >= 500:
			return channel.Permanent(strconv.Itoa(code), err)
		case code >= 400:
			return channel.Transient(strconv.Itoa(code), err)
		}
	}
	return channel.Transient("", err)
}
