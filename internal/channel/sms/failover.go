package sms

import (
	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
)

// Named is an SMS provider with the name it is configured by (NOTIFY_SMS_PROVIDER).
type Named = channel.Named[notify.Message]

// Failover sends through its SMS providers in order (NOTIFY_SMS_PROVIDER=sns,webhook); see
// channel.Failover.
type Failover = channel.Failover[notify.Message]
