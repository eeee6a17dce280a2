package e2e

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/notifyd/notifyd/internal/channel/webpush"
	"github.com/notifyd/notifyd/internal/testenv"
)

// counter counts arrivals by key, for the SMTP relay, the push service and the webhook
// receiver of the channels test.
type counter struct {
	mu      sync.Mutex
	n       map[string]int
	changed chan struct{} // shared by the test's counters: something arrived
}

func (c *counter) add(k string) {
	c.mu.Lock()
	c.n[k]++
	c.mu.Unlock()
	select {
	case c.changed <- struct{}{}:
	default:
	}
}
func (c *counter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.n))
	for k, v := range c.n {
		out[k] = v
	}
	return out
}

type mailSink struct{ c *counter }

func (m mailSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{c: m.c}, nil }

type mailSession struct {
	c  *counter
	to string
}

func (s *mailSession) Reset()                                    {}
func (s *mailSession) Logout() error                             { return nil }
func (s *mailSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *mailSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	s.c.add(s.to)
	return err
}

// Two replicas over one MariaDB and one Redis: each event for a buyer routed to inbox, sms,
// email and webpush reaches the buyer's SSE stream (held by the other replica), the SMS
// gateway, the SMTP relay and the push service once each, and each delivery's outcome
// reaches the webhook receiver once.
func TestReplicasDeliverEveryChannelOnce(t *testing.T) {
	t.Parallel()
	const users = 6
	dbURL := testenv.MySQLURL(t)
	redis := testenv.StartRedis(t)
	prov := newProvider(t)

	changed := make(chan struct{}, 1)
	mails := &counter{n: map[string]int{}, changed: changed}
	srv := smtp.NewServer(mailSink{mails})
	srv.Domain = "relay.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	pushes := &counter{n: map[string]int{}, changed: changed}
	pushSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		pushes.add(r.URL.Path)
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(pushSrv.Close)
	hooks := &counter{n: map[string]int{}, changed: changed}
	hookSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		hooks.add(r.Header.Get("webhook-id"))
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(hookSrv.Close)

	cfg := filepath.Join(t.TempDir(), "notify.yaml")
	if err := os.WriteFile(cfg, []byte(`types:
  DELIVERY_STARTED:
    channels: {CUSTOMER: [inbox, sms, email, webpush]}
webhooks:
  - url: "`+hookSrv.URL+`/hooks"
    secret: "whsec_c2VjcmV0LWZvci10aGUtb3JkZXItc2VydmljZQ=="
    events: [delivery.sent, delivery.failed, delivery.skipped]
`), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, _ := webpush.GenerateVAPIDKeys()
	env := concat([]string{"NOTIFY_DATABASE_URL=" + dbURL, "NOTIFY_REDIS_URL=" + redis.URL, "NOTIFY_CONFIG=" + cfg,
		"NOTIFY_EMAIL_PROVIDER=smtp", "NOTIFY_SMTP_URL=smtp://" + ln.Addr().String(), "NOTIFY_EMAIL_FROM=no-reply@shop.example",
		"NOTIFY_VAPID_PUBLIC_KEY=" + keys.Public, "NOTIFY_VAPID_PRIVATE_KEY=" + keys.Private, "NOTIFY_VAPID_SUBJECT=mailto:ops@shop.example", "NOTIFY_WEBPUSH_ALLOW_PRIVATE=true", replicaLease}, smsEnv(prov))
	replicas := []*proc{startNotifyd(t, "replica-a", env...), startNotifyd(t, "replica-b", env...)}

	streams := make([]<-chan sseEvent, users+1)
	var ids []string
	for u := 1; u <= users; u++ {
		user := strconv.Itoa(u)
		streams[u] = openStream(t, replicas[u%2], user)
		ua, _ := ecdh.P256().GenerateKey(rand.Reader)
		sub := fmt.Sprintf(`{"endpoint":%q,"keys":{"p256dh":%q,"auth":%q}}`, pushSrv.URL+"/sub/"+user,
			base64.RawURLEncoding.EncodeToString(ua.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString([]byte("0123456789abcdef")))
		if st, body := call(t, "POST", replicas[u%2].URL+"/v1/push/subscriptions", []byte(sub), "X-User-Id", user); st != 201 {
			t.Fatalf("subscribe %s: %d %s", user, st, body)
		}
	}
	for u := 1; u <= users; u++ {
		id := fmt.Sprintf("channels-%d", u)
		ids = append(ids, id)
		ev := fmt.Sprintf(`{"whoToNotify":{"userId":%d,"role":"CUSTOMER","phoneNumber":%q,"email":"buyer%d@example.com"},
		  "publishInformation":{"notificationType":"DELIVERY_STARTED","message":"배송이 시작되었습니다. %s","url":"https://mypage/orders/%d","eventId":%q}}`,
			u, phone(strconv.Itoa(u)), u, id, u, id)
		if st, body := call(t, "POST", replicas[0].URL+"/v1/events", []byte(ev), "Content-Type", "application/json"); st != 202 {
			t.Fatalf("publish %s: %d %s", id, st, body)
		}
	}
	for u := 1; u <= users; u++ {
		select {
		case <-streams[u]:
		case <-time.After(waitLong):
			t.Fatalf("user %d: no SSE event", u)
		}
	}
	waitSent(t, replicas[1], ids, waitLong)
	timeout := time.After(waitLong)
	for {
		m, p, h := mails.snapshot(), pushes.snapshot(), hooks.snapshot()
		if len(m) == users && len(p) == users && len(h) == 3*users {
			break
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("in time: %d emails, %d pushes, %d webhooks", len(m), len(p), len(h))
		}
	}
	prov.checkOnce(t, ids, 1)
	for u := 1; u <= users; u++ {
		if n := mails.snapshot()[fmt.Sprintf("buyer%d@example.com", u)]; n != 1 {
			t.Errorf("user %d: %d emails", u, n)
		}
		if n := pushes.snapshot()["/sub/"+strconv.Itoa(u)]; n != 1 {
			t.Errorf("user %d: %d pushes", u, n)
		}
		select {
		case ev := <-streams[u]:
			t.Errorf("user %d: a second SSE event %+v", u, ev)
		default:
		}
	}
	for id, n := range hooks.snapshot() {
		if n != 1 {
			t.Errorf("webhook-id %s arrived %d times", id, n)
		}
	}
	for _, r := range replicas {
		r.Term()
	}
}
