// Package webpush is the Web Push channel: it encrypts a notification for each of the
// user's browser subscriptions (RFC 8291, aes128gcm) and POSTs it to the subscription's
// push service with VAPID authentication (RFC 8292). A push service answering 404 or 410
// has dropped the subscription: it is removed. 429 and 5xx are transient.
package webpush

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/store"
)

// Store is the part of store.Store the sender uses.
type Store interface {
	PushSubscriptions(ctx context.Context, userID string) ([]store.PushSubscription, error)
	DeletePushSubscription(ctx context.Context, userID, endpoint string) (bool, error)
}

// Options configure a Sender.
type Options struct {
	Keys    VAPIDKeys
	Subject string        // NOTIFY_VAPID_SUBJECT: mailto:ops@shop.example or https://shop.example
	TTL     time.Duration // how long a push service keeps an undelivered message (default 24h)
	Urgency string        // very-low, low, normal (default) or high
	Client  *http.Client  // default: 15 s timeout, public addresses only (guard.go)
	// AllowPrivate lets the default client push to any address (NOTIFY_WEBPUSH_ALLOW_PRIVATE).
	AllowPrivate bool
	Logger       *slog.Logger
	Now          func() time.Time
}

// Sender sends a message to every subscription of its user (internal/delivery.Sender).
type Sender struct {
	st Store
	o  Options
}

// NewSender returns a web push sender.
func NewSender(st Store, o Options) (*Sender, error) {
	if o.Keys.key == nil {
		return nil, fmt.Errorf("webpush: no VAPID keys")
	}
	if o.Subject == "" {
		return nil, fmt.Errorf("webpush: NOTIFY_VAPID_SUBJECT is required (mailto: or https: contact)")
	}
	if o.TTL <= 0 {
		o.TTL = 24 * time.Hour
	}
	if o.Urgency == "" {
		o.Urgency = "normal"
	}
	if o.Client == nil && o.AllowPrivate {
		o.Client = &http.Client{Timeout: 15 * time.Second}
	} else if o.Client == nil {
		o.Client = guardedClient()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Sender{st: st, o: o}, nil
}

// Payload is the JSON a subscription receives; the service worker (sw.js) shows it.
type Payload struct {
	Message    string `json:"message"`
	URL        string `json:"url,omitempty"`
	Type       string `json:"type"`
	EventID    string `json:"eventId,omitempty"`
	DeliveryID int64  `json:"deliveryId"`
}

// Send pushes m to all of m.UserID's subscriptions. It succeeds when one push service
// accepted it (the others are logged); it is a skip (no_subscription) when the user has
// none left; transient when no service accepted it and one may later.
func (s *Sender) Send(ctx context.Context, m notify.Message) (channel.Receipt, error) {
	subs, err := s.st.PushSubscriptions(ctx, m.UserID)
	if err != nil {
		return channel.Receipt{}, channel.Transient("store", err)
	}
	if len(subs) == 0 {
		return channel.Receipt{}, channel.Skip(notify.ReasonNoSubscription, errors.New("the user has no push subscription"))
	}
	body, err := json.Marshal(PayloadOf(m))
	if err != nil {
		return channel.Receipt{}, channel.Permanent("payload", err)
	}
	var rc channel.Receipt
	var sent, gone int
	var firstErr error
	transient := false
	for _, sub := range subs {
		id, err := s.push(ctx, sub, body)
		switch {
		case err == nil:
			if sent == 0 {
				rc = channel.Receipt{Provider: "vapid", ProviderID: id}
			}
			sent++
			continue
		case errors.Is(err, errGone):
			gone++
			if _, derr := s.st.DeletePushSubscription(ctx, sub.UserID, sub.Endpoint); derr != nil {
				s.o.Logger.WarnContext(ctx, "removing a dropped push subscription failed", "subscription", sub.ID, "err", derr)
			}
		case channel.KindOf(err) == channel.KindTransient:
			transient = true
		}
		s.o.Logger.InfoContext(ctx, "web push to one subscription failed", "delivery", m.DeliveryID, "subscription", sub.ID, "err", err)
		if firstErr == nil && !errors.Is(err, errGone) {
			firstErr = err
		}
	}
	switch {
	case sent > 0:
		return rc, nil
	case gone == len(subs):
		return channel.Receipt{}, channel.Skip(notify.ReasonNoSubscription, errors.New("every push subscription of the user is gone (404/410)"))
	case transient:
		return channel.Receipt{}, channel.Transient("", firstErr)
	}
	return channel.Receipt{}, firstErr
}

// PayloadOf is what the service worker receives for m: an advertisement's text carries its
// marks ("(광고) " and the NOTIFY_AD_FOOTER line) as SMS, email and mobile push do.
func PayloadOf(m notify.Message) Payload {
	return Payload{Message: m.AdText(m.Text), URL: m.URL, Type: m.Type, EventID: m.EventID, DeliveryID: m.DeliveryID}
}

var errGone = errors.New("webpush: subscription gone")

// push encrypts body for one subscription and POSTs it; it returns the push service's
// message location.
func (s *Sender) push(ctx context.Context, sub store.PushSubscription, body []byte) (string, error) {
	uaPublic, authSecret, err := parseSubscriptionKeys(sub.P256dh, sub.Auth)
	if err != nil {
		return "", errGone // a subscription whose keys cannot work is as good as gone
	}
	enc, err := encrypt(body, uaPublic, authSecret)
	if err != nil {
		return "", channel.Permanent("payload", err)
	}
	authz, err := s.o.Keys.vapidAuthorization(sub.Endpoint, s.o.Subject, s.o.Now())
	if err != nil {
		return "", errGone
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.Endpoint, bytes.NewReader(enc))
	if err != nil {
		return "", errGone
	}
	req.Header.Set("Authorization", authz)
	req.Header.Set("Content-Encoding", "aes128gcm")
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("TTL", strconv.Itoa(int(s.o.TTL.Seconds())))
	req.Header.Set("Urgency", s.o.Urgency)
	resp, err := s.o.Client.Do(req)
	if errors.Is(err, ErrPrivateAddress) {
		return "", errGone // never reachable: dropped like a subscription the service forgot
	}
	if err != nil {
		return "", channel.Transient("", fmt.Errorf("webpush: %w", err))
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	code := strconv.Itoa(resp.StatusCode)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return resp.Header.Get("Location"), nil
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return "", errGone
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return "", channel.Transient(code, fmt.Errorf("webpush: push service answered %s (Retry-After %q): %s", resp.Status, resp.Header.Get("Retry-After"), bytes.TrimSpace(msg)))
	}
	return "", channel.Permanent(code, fmt.Errorf("webpush: push service answered %s: %s", resp.Status, bytes.TrimSpace(msg)))
}
