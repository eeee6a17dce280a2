// Package mobile is the mobile push channel: each notification goes to every device its
// user registered, through Firebase Cloud Messaging's HTTP v1 API (fcm.go) or Apple's Push
// Notification service with token auth (apns.go). The push's title is the type's label in
// the user's language, its body the message, its badge the user's unread count when it
// is sent; the url and notification id ride along as data.
//
// A delivery is one notification for one user; the devices it reached are recorded one
// by one (store.MarkDeviceSent), so a retry, after another device failed or the process
// died, sends only to the devices not reached yet. A device can see a push twice only
// when the platform accepted it and notifyd died before recording that: the collapse id
// (the notification's collapse key) then makes the second replace the first.
package mobile

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/prefs"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/transport"
)

// Store is the part of store.Store the sender uses.
type Store interface {
	UserDevices(ctx context.Context, userID string) ([]store.Device, error)
	DeleteDevice(ctx context.Context, userID, token string) (bool, error)
	MarkDeviceSent(ctx context.Context, deliveryID int64, userID, token string, at time.Time) error
	DevicesSent(ctx context.Context, deliveryID int64) ([]string, error)
	ForgetDeviceSends(ctx context.Context, before time.Time) (int64, error)
	UnreadCount(ctx context.Context, userID string) (int, error)
	GetProfile(ctx context.Context, userID string) (prefs.Profile, error)
}

// Platform sends one push to one device (*FCM, *APNs).
type Platform interface {
	Push(ctx context.Context, p Push) (id string, err error)
}

// Options configure a Sender.
type Options struct {
	FCM  *FCM  // nil: FCM devices are passed over
	APNs *APNs // nil: APNs devices are passed over
	// Labels returns a type's labels by language (the registry's); nil or none: the type.
	Labels func(typ string) map[string]string
	Logger *slog.Logger
	Now    func() time.Time
}

// Sender sends a message to every device of its user (internal/delivery.Sender).
type Sender struct {
	st        Store
	o         Options
	platforms map[string]Platform
	forgotAt  atomic.Int64 // unix seconds of the last ForgetDeviceSends
}

// NewSender returns a mobile push sender over the configured platforms.
func NewSender(st Store, o Options) *Sender {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Sender{st: st, o: o, platforms: map[string]Platform{}}
	if o.FCM != nil {
		s.platforms[store.DeviceFCM] = o.FCM
	}
	if o.APNs != nil {
		s.platforms[store.DeviceAPNs] = o.APNs
	}
	return s
}

// Check is for /readyz: a platform refusing notifyd's credentials.
func (s *Sender) Check(context.Context) error {
	var errs []error
	if s.o.FCM != nil {
		errs = append(errs, s.o.FCM.auth.Check())
	}
	if s.o.APNs != nil {
		errs = append(errs, s.o.APNs.auth.Check())
	}
	return errors.Join(errs...)
}

// sendsKept is how long the record of the devices a delivery reached is kept: far longer
// than a delivery's retries take.
const sendsKept = 7 * 24 * time.Hour

// Send pushes m to each of its user's devices not reached yet. It succeeds when every
// device was reached (now or by an earlier attempt) or dropped as dead; it is transient
// while one may still be reached (the largest Retry-After asked), a skip (no_device) when
// the user has no device it can send to.
func (s *Sender) Send(ctx context.Context, m notify.Message) (channel.Receipt, error) {
	s.forgetOld(ctx)
	devices, err := s.st.UserDevices(ctx, m.UserID)
	if err != nil {
		return channel.Receipt{}, channel.Transient("store", err)
	}
	devices = slices.DeleteFunc(devices, func(d store.Device) bool { return s.platforms[d.Platform] == nil })
	if len(devices) == 0 {
		return channel.Receipt{}, channel.Skip(notify.ReasonNoDevice, errors.New("the user has no device on a configured platform (fcm, apns)"))
	}
	done, err := s.st.DevicesSent(ctx, m.DeliveryID)
	if err != nil {
		return channel.Receipt{}, channel.Transient("store", err)
	}
	base, err := s.compose(ctx, m)
	if err != nil {
		return channel.Receipt{}, channel.Transient("store", err)
	}
	var rc channel.Receipt
	reached := len(done)
	var retry, firstErr error
	var after time.Duration
	for _, d := range devices {
		if slices.Contains(done, d.Token) {
			continue
		}
		p := base
		p.Token, p.Title = d.Token, s.title(m.Type, d.Locale, base.Title)
		id, err := s.platforms[d.Platform].Push(ctx, p)
		switch {
		case err == nil:
			reached++
			if rc.Provider == "" {
				rc = channel.Receipt{Provider: d.Platform, ProviderID: id}
			} else if !strings.Contains(rc.Provider, d.Platform) {
				rc.Provider += "+" + d.Platform
			}
			if merr := s.st.MarkDeviceSent(ctx, m.DeliveryID, m.UserID, d.Token, s.o.Now()); merr != nil {
				s.o.Logger.WarnContext(ctx, "recording a mobile push failed: a retry may push this device again", "delivery", m.DeliveryID, "device", d.ID, "err", merr)
			}
			continue
		case errors.Is(err, errDead):
			s.o.Logger.InfoContext(ctx, "removing a dead mobile device", "delivery", m.DeliveryID, "device", d.ID, "platform", d.Platform, "err", err)
			if _, derr := s.st.DeleteDevice(ctx, d.UserID, d.Token); derr != nil {
				s.o.Logger.WarnContext(ctx, "removing a dead mobile device failed", "device", d.ID, "err", derr)
			}
			continue
		case channel.KindOf(err) == channel.KindTransient:
			retry = err
			after = max(after, channel.RetryAfterOf(err))
		}
		s.o.Logger.InfoContext(ctx, "mobile push to one device failed", "delivery", m.DeliveryID, "device", d.ID, "platform", d.Platform, "err", err)
		if firstErr == nil {
			firstErr = err
		}
	}
	switch {
	case retry != nil:
		e := channel.Error{Kind: channel.KindTransient, Err: retry}
		if ce := (*channel.Error)(nil); errors.As(retry, &ce) {
			e = *ce
		}
		e.RetryAfter = after // the longest any device asked for
		return channel.Receipt{}, &e
	case firstErr != nil && reached == 0:
		return channel.Receipt{}, firstErr
	case reached == 0:
		return channel.Receipt{}, channel.Skip(notify.ReasonNoDevice, errors.New("every device of the user is gone (unregistered or a bad token)"))
	}
	if rc.Provider == "" {
		rc.Provider = "mobile" // every device was reached by an earlier attempt
	}
	return rc, nil
}

// compose is the push every device of m's user gets: the badge is the unread count now,
// so a notification read on one device lowers the next push's badge.
func (s *Sender) compose(ctx context.Context, m notify.Message) (Push, error) {
	unread, err := s.st.UnreadCount(ctx, m.UserID)
	if err != nil {
		return Push{}, err
	}
	lang := ""
	if p, err := s.st.GetProfile(ctx, m.UserID); err == nil {
		lang = p.Locale
	} else if !errors.Is(err, store.ErrNotFound) {
		return Push{}, err
	}
	return Compose(m, s.title(m.Type, lang, ""), unread), nil
}

// Compose is the push of m titled title with badge: its body is the message, with the
// advertising marks when it is an advertisement (the console's preview shows it too).
func Compose(m notify.Message, title string, badge int) Push {
	return Push{Title: title, Body: m.AdText(m.Text), URL: m.URL, Type: m.Type,
		NotificationID: m.NotificationID, Badge: badge, CollapseKey: m.CollapseKey}
}

// title is the type's label in lang ("en-US" falls back to "en"), else fallback, else
// the label in Korean, then English, then the type itself.
func (s *Sender) title(typ, lang, fallback string) string {
	var labels map[string]string
	if s.o.Labels != nil {
		labels = s.o.Labels(typ)
	}
	return Title(labels, typ, lang, fallback)
}

// Title is a push's title from a type's labels: the one in lang ("en-US" falls back to
// "en"), else fallback, else the label in Korean, then English, then the type itself.
func Title(labels map[string]string, typ, lang, fallback string) string {
	base, _, _ := strings.Cut(lang, "-")
	for _, l := range []string{lang, base} {
		if v := labels[l]; l != "" && v != "" {
			return v
		}
	}
	if fallback != "" {
		return fallback
	}
	for _, l := range []string{"ko", "en"} {
		if v := labels[l]; v != "" {
			return v
		}
	}
	return typ
}

// forgetOld drops the records of devices reached, older than sendsKept, at most hourly.
func (s *Sender) forgetOld(ctx context.Context) {
	now := s.o.Now()
	last := s.forgotAt.Load()
	if now.Unix()-last < 3600 || !s.forgotAt.CompareAndSwap(last, now.Unix()) {
		return
	}
	if _, err := s.st.ForgetDeviceSends(ctx, now.Add(-sendsKept)); err != nil {
		s.o.Logger.WarnContext(ctx, "forgetting old mobile push records failed", "err", err)
	}
}

// Client is the HTTP client both platforms use by default: HTTP/2 (APNs speaks nothing
// else), the system's trusted roots (SSL_CERT_FILE adds one), a bound on every call.
func Client() *http.Client {
	t := transport.Base()
	t.ForceAttemptHTTP2 = true
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}
