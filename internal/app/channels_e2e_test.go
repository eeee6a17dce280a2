package app_test

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
	"github.com/notifyd/notifyd/internal/channel/webpush"
)

// relay is a plain SMTP relay in process that keeps each message's recipient and data.
type relay struct {
	mu   sync.Mutex
	msgs map[string]string // rcpt → data
}

func (r *relay) NewSession(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }

type relaySession struct {
	r  *relay
	to string
}

func (s *relaySession) Reset()                                    {}
func (s *relaySession) Logout() error                             { return nil }
func (s *relaySession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *relaySession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.r.mu.Lock()
	s.r.msgs[s.to] = string(b)
	s.r.mu.Unlock()
	return err
}

// TestEmailWebPushAndWebhooksEndToEnd: one event for a buyer routed to inbox, email and
// web push reaches an SMTP relay and a push service, and each delivery's outcome reaches
// the webhook receiver, signed.
func TestEmailWebPushAndWebhooksEndToEnd(t *testing.T) {
	rl := &relay{msgs: map[string]string{}}
	srv := smtp.NewServer(rl)
	srv.Domain = "relay.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()

	var mu sync.Mutex
	var pushes []http.Header
	push := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		pushes = append(pushes, r.Header.Clone())
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer push.Close()
	hooks := map[string]string{} // webhook-id → event type
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct{ Type string }
		json.NewDecoder(r.Body).Decode(&p)
		if !strings.HasPrefix(r.Header.Get("webhook-signature"), "v1,") {
			t.Errorf("unsigned webhook: %v", r.Header)
		}
		mu.Lock()
		hooks[r.Header.Get("webhook-id")] = p.Type
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer recv.Close()

	cfg := filepath.Join(t.TempDir(), "notify.yaml")
	os.WriteFile(cfg, []byte(`types:
  PAYMENT_FAILED:
    message: "결제에 실패했습니다."
    url: "https://mypage/orders/{{.orderId}}/payment"
    channels: {CUSTOMER: [inbox, email, webpush]}
    email:
      subject: "[주문 {{.orderId}}] 결제 실패 안내"
webhooks:
  - url: "`+recv.URL+`/hooks"
    secret: "whsec_c2VjcmV0LWZvci10aGUtb3JkZXItc2VydmljZQ=="
    events: [delivery.sent, delivery.failed, delivery.skipped]
`), 0o600)
	keys, _ := webpush.GenerateVAPIDKeys()
	s := startApp(t, app.Config{ConfigFile: cfg, DeliveryPoll: 20e6, EmailProvider: "smtp", SMTPURL: "smtp://" + ln.Addr().String(),
		EmailFrom: "Shop <no-reply@shop.example>", VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private, VAPIDSubject: "mailto:ops@shop.example", WebPushAllowPrivate: true})

	r := do(t, "GET", s.URL+"/v1/push/vapid-public-key", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), keys.Public) {
		t.Fatalf("vapid key: %d %s", r.Status, r.Body)
	}
	ua, _ := ecdh.P256().GenerateKey(rand.Reader)
	sub := fmt.Sprintf(`{"endpoint":%q,"expirationTime":null,"keys":{"p256dh":%q,"auth":%q}}`, push.URL+"/sub/1",
		base64.RawURLEncoding.EncodeToString(ua.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString([]byte("0123456789abcdef")))
	if r := do(t, "POST", s.URL+"/v1/push/subscriptions", []byte(sub), "X-User-Id", "7"); r.Status != 201 {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	if r := do(t, "POST", s.URL+"/v1/push/subscriptions", []byte(`{"endpoint":"https://push.example/x","keys":{"p256dh":"nope","auth":"x"}}`), "X-User-Id", "7"); r.Status != 400 {
		t.Fatalf("bad keys: %d %s", r.Status, r.Body)
	}

	ev := `{"whoToNotify":[{"userId":7,"role":"CUSTOMER","email":"buyer@example.com"}],
	  "publishInformation":{"notificationType":"PAYMENT_FAILED","eventId":"pay-1","data":{"orderId":1001}}}`
	if r := do(t, "POST", s.URL+"/v1/events", []byte(ev), "Content-Type", "application/json"); r.Status/100 != 2 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	apptest.Eventually(t, "the email, the push and both webhooks", func() bool {
		mu.Lock()
		defer mu.Unlock()
		rl.mu.Lock()
		defer rl.mu.Unlock()
		return len(rl.msgs) == 1 && len(pushes) == 1 && len(hooks) == 2
	})
	m := rl.msgs["buyer@example.com"]
	msg, err := mail.ReadMessage(strings.NewReader(m))
	if err != nil {
		t.Fatalf("email does not parse: %v\n%s", err, m)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || !strings.HasPrefix(subject, "[주문 1001]") || !strings.Contains(m, "multipart/alternative") {
		t.Errorf("email subject %q (%v):\n%s", subject, err, m)
	}
	if a := pushes[0].Get("Authorization"); !strings.HasPrefix(a, "vapid t=") || pushes[0].Get("Content-Encoding") != "aes128gcm" {
		t.Errorf("push headers: %v", pushes[0])
	}
	for id, typ := range hooks {
		if typ != "delivery.sent" {
			t.Errorf("webhook %s: %s", id, typ)
		}
	}
	if r := do(t, "DELETE", s.URL+"/v1/push/subscriptions", []byte(`{"endpoint":"`+push.URL+`/sub/1"}`), "X-User-Id", "8"); r.Status != 404 {
		t.Fatalf("another user's delete: %d", r.Status)
	}
	if r := do(t, "DELETE", s.URL+"/v1/push/subscriptions", []byte(`{"endpoint":"`+push.URL+`/sub/1"}`), "X-User-Id", "7"); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
}
