package app_test

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/channel/webpush"
)

// Any signed-in user can save a push endpoint, and notifyd POSTs to it: without
// NOTIFY_WEBPUSH_ALLOW_PRIVATE, endpoints on addresses only the server can reach are refused
// with the field named, and a public https one is taken.
func TestPushEndpointMustBePublic(t *testing.T) {
	keys, _ := webpush.GenerateVAPIDKeys()
	s := startApp(t, app.Config{VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private, VAPIDSubject: "mailto:ops@shop.example"})
	ua, _ := ecdh.P256().GenerateKey(rand.Reader)
	sub := func(endpoint string) []byte {
		return fmt.Appendf(nil, `{"endpoint":%q,"keys":{"p256dh":%q,"auth":%q}}`, endpoint,
			base64.RawURLEncoding.EncodeToString(ua.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString([]byte("0123456789abcdef")))
	}
	for _, endpoint := range []string{
		"https://169.254.169.254/latest/meta-data/", // a cloud metadata service
		"https://10.0.0.5:8443/admin",
		"https://[::1]:9000/x",
		"https://localhost/x",
		"http://127.0.0.1:9000/x",
	} {
		r := do(t, "POST", s.URL+"/v1/push/subscriptions", sub(endpoint), "X-User-Id", "7")
		if r.Status != 400 || !strings.Contains(string(r.Body), "endpoint") {
			t.Errorf("subscribe %s: %d %s, want 400 naming the endpoint", endpoint, r.Status, r.Body)
		}
	}
	if r := do(t, "POST", s.URL+"/v1/push/subscriptions", sub("https://fcm.googleapis.com/fcm/send/abc"), "X-User-Id", "7"); r.Status != 201 {
		t.Errorf("subscribe a public push service: %d %s, want 201", r.Status, r.Body)
	}
}
