package mobile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"unicode/utf8"
)

// Push is one notification for one device, as both platforms send it.
type Push struct {
	Token          string
	Title          string // the type's label in the user's language
	Body           string // the notification's message
	URL            string
	Type           string
	NotificationID int64
	Badge          int    // the user's unread count when the push is made
	CollapseKey    string // "" when the notification has none
}

// MaxPayload is the largest payload FCM and APNs accept for a notification (4 KiB).
const MaxPayload = 4096

// errTooLarge: the payload stays over MaxPayload even with an empty body.
var errTooLarge = errors.New("mobile: the push is over 4 KiB even without its message (a very long url?)")

// fit returns the encoding of p by enc, its body cut (at a character boundary, with an
// ellipsis) as much as needed to stay within MaxPayload. The title and the data are never
// cut: the app needs the url and the notification id to open the right screen.
func fit(p Push, enc func(Push) ([]byte, error)) ([]byte, error) {
	for {
		b, err := enc(p)
		if err != nil {
			return nil, err
		}
		over := len(b) - MaxPayload
		if over <= 0 {
			return b, nil
		}
		if p.Body == "" {
			return nil, errTooLarge
		}
		p.Body = cut(p.Body, len(p.Body)-over-len("…"))
	}
}

// cut shortens s to at most n bytes, not splitting a character, and marks the cut with an
// ellipsis (which may take the string a little over n; fit loops until it fits).
func cut(s string, n int) string {
	if n <= 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// collapseID is the notification's collapse key as a platform's collapse id, which APNs
// bounds at 64 bytes: a longer key is replaced by its SHA-256 in hex (64 characters), the
// same for every notification of that key.
func collapseID(key string) string {
	if len(key) <= 64 {
		return key
	}
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// data is what both platforms carry beside the alert, for the app to open the right page.
func (p Push) data() map[string]string {
	d := map[string]string{"notificationId": strconv.FormatInt(p.NotificationID, 10), "type": p.Type}
	if p.URL != "" {
		d["url"] = p.URL
	}
	return d
}
