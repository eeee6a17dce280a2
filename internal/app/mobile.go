package app

import (
	"context"
	"errors"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/channel/mobile"
	"github.com/notifyd/notifyd/internal/delivery"
)

// mobileOff records mobile deliveries skipped when neither FCM nor APNs is configured.
type mobileOff struct{}

func (mobileOff) Send(context.Context, notify.Message) (channel.Receipt, error) {
	return channel.Receipt{}, channel.Skip("mobile_not_configured", errors.New("neither NOTIFY_FCM_CREDENTIALS nor NOTIFY_APNS_KEY_FILE is set"))
}

// mobileChannel builds the mobile push channel over the platforms configured (a file
// that cannot work stops start-up with its reason), or one that skips without any.
func (a *App) mobileChannel(context.Context) (*delivery.Options, error) {
	c := a.cfg
	if c.FCMCredentials == "" && c.APNsKeyFile == "" {
		return &delivery.Options{Sender: mobileOff{}, Provider: "off"}, nil
	}
	client := c.MobileClient
	if client == nil {
		client = mobile.Client()
	}
	o := mobile.Options{Logger: a.log, Labels: func(typ string) map[string]string {
		if t, ok := a.registry.Lookup(typ); ok {
			return t.Labels
		}
		return nil
	}}
	var err error
	if c.FCMCredentials != "" {
		if o.FCM, err = mobile.NewFCM(c.FCMCredentials, or(c.FCMURL, "https://fcm.googleapis.com"), client, time.Now); err != nil {
			return nil, err
		}
	}
	if c.APNsKeyFile != "" {
		if o.APNs, err = mobile.NewAPNs(mobile.APNsConfig{KeyFile: c.APNsKeyFile, KeyID: c.APNsKeyID, TeamID: c.APNsTeamID, Topic: c.APNsTopic,
			URL: or(c.APNsURL, "https://api.push.apple.com")}, client, time.Now); err != nil {
			return nil, err
		}
	}
	a.mobile = mobile.NewSender(a.Store, o)
	return &delivery.Options{Sender: a.mobile, Provider: "mobile"}, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
