package webpush

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/store"
)

// browser is one user agent's subscription with the private half a browser keeps.
type browser struct {
	priv *ecdh.PrivateKey
	auth []byte
	sub  store.PushSubscription
}

func newBrowser(t *testing.T, user, endpoint string) *browser {
	t.Helper()
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	return &browser{priv: priv, auth: auth, sub: store.PushSubscription{UserID: user, Endpoint: endpoint,
		P256dh: b64.EncodeToString(priv.PublicKey().Bytes()), Auth: b64.EncodeToString(auth)}}
}

// decrypt opens an aes128gcm push body as a browser does (RFC 8291 §3.4 from the user
// agent's side: its private key, the sender's key id from the header).
func (b *browser) decrypt(body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, fmt.Errorf("short body")
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if idlen != 65 || len(body) < 21+idlen {
		return nil, fmt.Errorf("key id length %d", idlen)
	}
	asPublic, err := ecdh.P256().NewPublicKey(body[21 : 21+idlen])
	if err != nil {
		return nil, err
	}
	ciphertext := body[21+idlen:]
	if uint32(len(ciphertext)) > rs {
		return nil, fmt.Errorf("one record of %d bytes exceeds rs %d", len(ciphertext), rs)
	}
	shared, err := b.priv.ECDH(asPublic)
	if err != nil {
		return nil, err
	}
	info := "WebPush: info\x00" + string(b.priv.PublicKey().Bytes()) + string(asPublic.Bytes())
	prkKey, _ := hkdf.Extract(sha256.New, shared, b.auth)
	ikm, _ := hkdf.Expand(sha256.New, prkKey, info, 32)
	prk, _ := hkdf.Extract(sha256.New, ikm, salt)
	cek, _ := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	nonce, _ := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	block, _ := aes.NewCipher(cek)
	gcm, _ := cipher.NewGCM(block)
	plain, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	// Strip the padding: trailing zeros, then the last-record delimiter 0x02.
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 || plain[i] != 2 {
		return nil, fmt.Errorf("no last-record delimiter")
	}
	return plain[:i], nil
}

// pushService is a push service in the test: it checks each request's VAPID JWT against
// the key in the header and the expected audience, decrypts the body with the browser
// the endpoint belongs to, and answers per path.
type pushService struct {
	t        *testing.T
	srv      *httptest.Server
	vapidPub string
	mu       sync.Mutex
	browsers map[string]*browser // path → browser
	status   map[string]int      // path → answer (default 201)
	got      map[string][]Payload
}

func newPushService(t *testing.T, vapidPub string) *pushService {
	p := &pushService{t: t, vapidPub: vapidPub, browsers: map[string]*browser{}, status: map[string]int{}, got: map[string][]Payload{}}
	p.srv = httptest.NewServer(p)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *pushService) subscribe(t *testing.T, user, path string, status int) *browser {
	b := newBrowser(t, user, p.srv.URL+path)
	p.mu.Lock()
	p.browsers[path], p.status[path] = b, status
	p.mu.Unlock()
	return b
}

func (p *pushService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := p.t
	authz := r.Header.Get("Authorization")
	tok, k, ok := strings.Cut(strings.TrimPrefix(authz, "vapid t="), ", k=")
	if !strings.HasPrefix(authz, "vapid t=") || !ok || k != p.vapidPub {
		t.Errorf("Authorization = %q, want vapid t=…, k=%s", authz, p.vapidPub)
		w.WriteHeader(401)
		return
	}
	raw, _ := b64.DecodeString(k)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		t.Errorf("k: %v", err)
	}
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithAudience(p.srv.URL), jwt.WithExpirationRequired())
	if err != nil {
		t.Errorf("VAPID JWT: %v", err)
		w.WriteHeader(403)
		return
	}
	if exp, _ := claims.GetExpirationTime(); exp.After(time.Now().Add(24 * time.Hour)) {
		t.Errorf("exp %v is more than 24 hours ahead", exp)
	}
	if claims["sub"] != "mailto:ops@shop.example" {
		t.Errorf("sub = %v", claims["sub"])
	}
	if r.Header.Get("Content-Encoding") != "aes128gcm" || r.Header.Get("TTL") != "3600" || r.Header.Get("Urgency") != "high" {
		t.Errorf("headers: %v", r.Header)
	}
	p.mu.Lock()
	b, status := p.browsers[r.URL.Path], p.status[r.URL.Path]
	p.mu.Unlock()
	if b == nil {
		w.WriteHeader(404)
		return
	}
	body, _ := io.ReadAll(r.Body)
	if len(body) > 4096 {
		t.Errorf("body of %d bytes", len(body))
	}
	plain, err := b.decrypt(body)
	if err != nil {
		t.Errorf("%s: %v", r.URL.Path, err)
		w.WriteHeader(400)
		return
	}
	var pl Payload
	if err := json.Unmarshal(plain, &pl); err != nil {
		t.Errorf("payload %q: %v", plain, err)
	}
	p.mu.Lock()
	p.got[r.URL.Path] = append(p.got[r.URL.Path], pl)
	p.mu.Unlock()
	if status == 0 {
		status = 201
	}
	w.Header().Set("Location", p.srv.URL+"/m"+r.URL.Path)
	w.WriteHeader(status)
}

// memStore keeps subscriptions for the sender test (the SQL store has its own suite).
type memStore struct {
	mu   sync.Mutex
	subs []store.PushSubscription
}

func (m *memStore) PushSubscriptions(_ context.Context, user string) ([]store.PushSubscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.PushSubscription
	for _, s := range m.subs {
		if s.UserID == user {
			out = append(out, s)
		}
	}
	return out, nil
}

func (m *memStore) DeletePushSubscription(_ context.Context, user, endpoint string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.subs)
	m.subs = slices.DeleteFunc(m.subs, func(s store.PushSubscription) bool { return s.UserID == user && s.Endpoint == endpoint })
	return len(m.subs) < n, nil
}

func TestSendEncryptsSignsAndHandlesPushServiceAnswers(t *testing.T) {
	keys, err := GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	if again, err := ParseVAPIDKeys(keys.Public, keys.Private); err != nil || again.Public != keys.Public {
		t.Fatalf("the generated keys do not parse back: %v", err)
	}
	ps := newPushService(t, keys.Public)
	st := &memStore{}
	for _, b := range []*browser{
		ps.subscribe(t, "u1", "/sub/laptop", 201),
		ps.subscribe(t, "u1", "/sub/old-phone", 410),
		ps.subscribe(t, "u2", "/sub/busy", 429),
		ps.subscribe(t, "u3", "/sub/gone", 404),
		ps.subscribe(t, "u4", "/sub/down", 503),
		ps.subscribe(t, "u5", "/sub/refused", 400),
	} {
		st.subs = append(st.subs, b.sub)
	}
	s, err := NewSender(st, Options{Keys: keys, Subject: "mailto:ops@shop.example", TTL: time.Hour, Urgency: "high", AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	msg := notify.Message{DeliveryID: 7, Channel: notify.ChannelWebPush, UserID: "u1", To: "u1", Type: "EVENT_PROMOTION",
		Text: "봄 기획전이 시작되었습니다. <b>", URL: "https://shop.example/events/12", EventID: "ev-1"}

	rc, err := s.Send(context.Background(), msg)
	if err != nil || rc.Provider != "vapid" || rc.ProviderID != ps.srv.URL+"/m/sub/laptop" {
		t.Fatalf("u1: %+v, %v", rc, err)
	}
	want := Payload{Message: msg.Text, URL: msg.URL, Type: msg.Type, EventID: "ev-1", DeliveryID: 7}
	if got := ps.got["/sub/laptop"]; len(got) != 1 || got[0] != want {
		t.Fatalf("the laptop decrypted %+v, want %+v", got, want)
	}
	if left, _ := st.PushSubscriptions(context.Background(), "u1"); len(left) != 1 || !strings.HasSuffix(left[0].Endpoint, "/sub/laptop") {
		t.Fatalf("after a 410: %+v", left)
	}

	// An advertisement carries the marks the law asks of every advertising text.
	ad := msg
	ad.DeliveryID, ad.Advertising, ad.AdFooter = 8, true, "notifyd 샵 무료수신거부 080-000-0000"
	if _, err := s.Send(context.Background(), ad); err != nil {
		t.Fatalf("advertisement: %v", err)
	}
	wantAd := Payload{Message: "(광고) " + msg.Text + "\nnotifyd 샵 무료수신거부 080-000-0000", URL: msg.URL, Type: msg.Type, EventID: "ev-1", DeliveryID: 8}
	if got := ps.got["/sub/laptop"]; len(got) != 2 || got[1] != wantAd {
		t.Fatalf("the laptop decrypted %+v, want the advertisement %+v", got, wantAd)
	}

	for _, tc := range []struct {
		user   string
		kind   channel.Kind
		reason string
		left   int
	}{
		{"u2", channel.KindTransient, "", 1},
		{"u3", channel.KindSkip, "no_subscription", 0},
		{"u4", channel.KindTransient, "", 1},
		{"u5", channel.KindPermanent, "", 1},
		{"nobody", channel.KindSkip, "no_subscription", 0},
	} {
		m := msg
		m.UserID = tc.user
		_, err := s.Send(context.Background(), m)
		if err == nil || channel.KindOf(err) != tc.kind || channel.SkipReason(err) != tc.reason {
			t.Errorf("%s: err = %v, want kind %d %s", tc.user, err, tc.kind, tc.reason)
		}
		if left, _ := st.PushSubscriptions(context.Background(), tc.user); len(left) != tc.left {
			t.Errorf("%s: %d subscriptions left, want %d", tc.user, len(left), tc.left)
		}
	}
}

func TestEncryptRejectsOversizedPayload(t *testing.T) {
	b := newBrowser(t, "u", "https://push.example/x")
	pub, auth, err := parseSubscriptionKeys(b.sub.P256dh, b.sub.Auth)
	if err != nil {
		t.Fatal(err)
	}
	body, err := encrypt(make([]byte, MaxPayload), pub, auth)
	if err != nil || len(body) != 4096 {
		t.Fatalf("max payload: %d bytes, %v", len(body), err)
	}
	if plain, err := b.decrypt(body); err != nil || len(plain) != MaxPayload {
		t.Fatalf("decrypt max: %d, %v", len(plain), err)
	}
	if _, err := encrypt(make([]byte, MaxPayload+1), pub, auth); err == nil {
		t.Fatal("an oversized payload was encrypted")
	}
}

func TestParseVAPIDKeysRefusesMismatch(t *testing.T) {
	a, _ := GenerateVAPIDKeys()
	b, _ := GenerateVAPIDKeys()
	if _, err := ParseVAPIDKeys(a.Public, b.Private); err == nil {
		t.Fatal("a mismatched pair parsed")
	}
}
