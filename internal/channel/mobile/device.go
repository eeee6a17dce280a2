package mobile

import (
	"regexp"
	"strings"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// An FCM registration token is an opaque string of URL-safe base64 characters, colons and
// the odd dot, usually 150 to 250 long; an APNs device token is the hex of 32 bytes or
// more (Apple says not to assume the length: it may grow). Both are bounded here so a
// client cannot store a megabyte as a "token".
var (
	fcmToken  = regexp.MustCompile(`^[A-Za-z0-9_:.\-]+$`) // 32 to 4096 long, checked apart
	apnsToken = regexp.MustCompile(`^(?:[0-9a-fA-F]{2}){32,200}$`)
	locale    = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// CheckDevice validates a device a client registers and returns it normalised (an APNs
// token in lower case). Its errors are invalid_event on the field at fault.
func CheckDevice(d store.Device) (store.Device, error) {
	switch d.Platform {
	case store.DeviceFCM:
		if len(d.Token) < 32 || len(d.Token) > 4096 || !fcmToken.MatchString(d.Token) {
			return d, notify.FieldErrorf(notify.CodeInvalidEvent, "token", "is not an FCM registration token (32 to 4096 of A-Z a-z 0-9 _ - : .)")
		}
	case store.DeviceAPNs:
		if !apnsToken.MatchString(d.Token) {
			return d, notify.FieldErrorf(notify.CodeInvalidEvent, "token", "is not an APNs device token (hex, 64 characters or more, an even number)")
		}
		d.Token = strings.ToLower(d.Token)
	default:
		return d, notify.FieldErrorf(notify.CodeInvalidEvent, "platform", "%q is not a platform (fcm or apns)", d.Platform)
	}
	if d.Locale != "" && (len(d.Locale) > 35 || !locale.MatchString(d.Locale)) {
		return d, notify.FieldErrorf(notify.CodeInvalidEvent, "locale", "is not a language such as ko, en or en-US")
	}
	return d, nil
}
