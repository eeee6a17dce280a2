package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	notify "github.com/notifyd/notifyd"
)

// jwksServer serves a JWK Set that tests can change, and counts the fetches.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	keys    []map[string]string
	fetches atomic.Int32
	fetched chan struct{} // one value per fetch, dropped when nobody listens
}

func newJWKSServer(t *testing.T, keys ...map[string]string) *jwksServer {
	s := &jwksServer{keys: keys, fetched: make(chan struct{}, 1)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		body, _ := json.Marshal(map[string]any{"keys": s.keys})
		s.mu.Unlock()
		s.fetches.Add(1)
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(body)
		select {
		case s.fetched <- struct{}{}:
		default:
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(keys ...map[string]string) {
	s.mu.Lock()
	s.keys = keys
	s.mu.Unlock()
}

func newJWKS(t *testing.T, url string, o JWTOptions) *JWT {
	t.Helper()
	o.JWKSURL = url
	return newJWT(t, o)
}

func b64u(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func rsaJWK(kid string, k *rsa.PublicKey) map[string]string {
	return map[string]string{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": b64u(k.N.Bytes()), "e": b64u(big.NewInt(int64(k.E)).Bytes())}
}

func ecJWK(t *testing.T, kid string, k *ecdsa.PublicKey) map[string]string {
	t.Helper()
	p, err := k.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	n := (len(p) - 1) / 2
	return map[string]string{"kty": "EC", "kid": kid, "crv": k.Curve.Params().Name,
		"x": b64u(p[1 : 1+n]), "y": b64u(p[1+n:])}
}

func edJWK(kid string, k ed25519.PublicKey) map[string]string {
	return map[string]string{"kty": "OKP", "kid": kid, "crv": "Ed25519", "x": b64u(k)}
}

func TestJWTJWKS(t *testing.T) {
	rk := rsaKeys()[0]
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ek384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	srv := newJWKSServer(t, rsaJWK("rsa-1", &rk.PublicKey), ecJWK(t, "ec-1", &ek.PublicKey),
		ecJWK(t, "ec-384", &ek384.PublicKey), edJWK("ed-1", edPub))
	j := newJWKS(t, srv.URL, JWTOptions{Audience: []string{"notifyd"}})
	c := claims(jwt.MapClaims{"aud": "notifyd"})

	ok := map[string]string{
		"RS256":        sign(t, jwt.SigningMethodRS256, "rsa-1", rk, c),
		"ES256":        sign(t, jwt.SigningMethodES256, "ec-1", ek, c),
		"ES384":        sign(t, jwt.SigningMethodES384, "ec-384", ek384, c),
		"EdDSA":        sign(t, jwt.SigningMethodEdDSA, "ed-1", edPriv, c),
		"ES256 no kid": sign(t, jwt.SigningMethodES256, "", ek, c), // the only P-256 key
	}
	for name, tok := range ok {
		if got, err := j.Authenticate(bearer(tok)); err != nil || got != "42" {
			t.Errorf("%s: Authenticate = %q, %v; want 42", name, got, err)
		}
	}

	otherEC, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	bad := map[string]string{
		"wrong audience":             sign(t, jwt.SigningMethodRS256, "rsa-1", rk, claims(jwt.MapClaims{"aud": "other"})),
		"expired":                    sign(t, jwt.SigningMethodES256, "ec-1", ek, claims(jwt.MapClaims{"aud": "notifyd", "exp": testNow.Add(-time.Hour).Unix()})),
		"signed by another key":      sign(t, jwt.SigningMethodES256, "ec-1", otherEC, c),
		"RS384 but key says RS256":   sign(t, jwt.SigningMethodRS384, "rsa-1", rk, c),
		"ES256 on the P-384 kid":     sign(t, jwt.SigningMethodES256, "ec-384", ek, c),
		"RS256 on the EC kid":        sign(t, jwt.SigningMethodRS256, "ec-1", rk, c),
		"HS256 without a secret":     sign(t, jwt.SigningMethodHS256, "", testSecret, c),
		"PS256 on an RS256-only key": sign(t, jwt.SigningMethodPS256, "", rk, c),
	}
	for name, tok := range bad {
		got, err := j.Authenticate(bearer(tok))
		if got != "" {
			t.Errorf("%s: user %q, want none", name, got)
		}
		wantUnauthorized(t, err, tok)
	}
}

// An HS256 token whose HMAC key is the RSA public key (in any of the forms an attacker
// may guess) must not verify, whether or not a shared secret is configured.
func TestJWTAlgorithmConfusion(t *testing.T) {
	rk := rsaKeys()[0]
	srv := newJWKSServer(t, rsaJWK("rsa-1", &rk.PublicKey))
	der, _ := x509.MarshalPKIXPublicKey(&rk.PublicKey)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	withSecret, err := NewJWT(t.Context(), JWTOptions{JWKSURL: srv.URL, Secret: testSecret, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer withSecret.Close()
	for name, j := range map[string]*JWT{"jwks only": newJWKS(t, srv.URL, JWTOptions{}), "jwks and secret": withSecret} {
		for form, key := range map[string][]byte{"der": der, "pem": pemKey, "n": rk.N.Bytes()} {
			tok := sign(t, jwt.SigningMethodHS256, "rsa-1", key, claims(nil))
			got, err := j.Authenticate(bearer(tok))
			if got != "" {
				t.Fatalf("%s, %s: HS256 signed with the RSA public key accepted as %q", name, form, got)
			}
			wantUnauthorized(t, err, tok)
		}
	}
}

func TestJWTKeyRotation(t *testing.T) {
	ks := rsaKeys()
	srv := newJWKSServer(t, rsaJWK("k1", &ks[0].PublicKey))
	j := newJWKS(t, srv.URL, JWTOptions{})
	if got, err := j.Authenticate(bearer(sign(t, jwt.SigningMethodRS256, "k1", ks[0], claims(nil)))); err != nil {
		t.Fatalf("k1: %q, %v", got, err)
	}

	srv.set(rsaJWK("k1", &ks[0].PublicKey), rsaJWK("k2", &ks[1].PublicKey))
	got, err := j.Authenticate(bearer(sign(t, jwt.SigningMethodRS256, "k2", ks[1], claims(nil))))
	if err != nil || got != "42" {
		t.Fatalf("k2 after rotation: %q, %v; want 42", got, err)
	}
	if n := srv.fetches.Load(); n != 2 {
		t.Fatalf("fetches = %d, want 2 (startup, then the unknown kid)", n)
	}

	// k1 retired: still cached until the next refresh, then gone.
	srv.set(rsaJWK("k2", &ks[1].PublicKey))
	if err := j.keys.load(t.Context()); err != nil {
		t.Fatal(err)
	}
	tok := sign(t, jwt.SigningMethodRS256, "k1", ks[0], claims(nil))
	_, err = j.Authenticate(bearer(tok))
	wantUnauthorized(t, err, tok)
	if !errors.Is(err, errUnknownKey) {
		t.Fatalf("err = %v, want unknown key", err)
	}
}

func TestJWTUnknownKidNoRefetchStorm(t *testing.T) {
	rk := rsaKeys()[0]
	srv := newJWKSServer(t, rsaJWK("k1", &rk.PublicKey))
	j := newJWKS(t, srv.URL, JWTOptions{})

	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			tok := sign(t, jwt.SigningMethodRS256, "made-up-"+string(rune('a'+i%26)), rk, claims(nil))
			got, err := j.Authenticate(bearer(tok))
			if got != "" || notify.ErrorCode(err) != notify.CodeUnauthorized {
				t.Errorf("unknown kid: Authenticate = %q, %v; want a 401", got, err)
			}
		})
	}
	wg.Wait()
	if n := srv.fetches.Load(); n != 2 {
		t.Fatalf("fetches = %d, want 2: startup and one rate-limited refresh", n)
	}
	// Known keys keep working while refreshes are rate-limited.
	if got, err := j.Authenticate(bearer(sign(t, jwt.SigningMethodRS256, "k1", rk, claims(nil)))); err != nil || got != "42" {
		t.Fatalf("known kid: %q, %v", got, err)
	}
}

func TestJWTPeriodicRefresh(t *testing.T) {
	ks := rsaKeys()
	srv := newJWKSServer(t, rsaJWK("k1", &ks[0].PublicKey))
	// A long MinRefreshInterval rules out the on-demand path: only the ticker can fetch k2.
	j := newJWKS(t, srv.URL, JWTOptions{RefreshInterval: 5 * time.Millisecond, MinRefreshInterval: time.Hour})
	tok := sign(t, jwt.SigningMethodRS256, "k2", ks[1], claims(nil))
	if _, err := j.Authenticate(bearer(tok)); err == nil { // uses up the on-demand refresh
		t.Fatal("k2 accepted before it was published")
	}
	srv.set(rsaJWK("k2", &ks[1].PublicKey))
	deadline := time.After(10 * time.Second)
	for {
		if got, err := j.Authenticate(bearer(tok)); err == nil && got == "42" {
			break
		}
		select {
		case <-deadline:
			t.Fatal("k2 never accepted after periodic refreshes")
		case <-srv.fetched:
		}
	}
	j.Close()
	j.Close() // idempotent
	select {
	case <-j.keys.done:
	default:
		t.Fatal("the refresh goroutine is still running after Close")
	}
}

func TestJWTContextCancelDoesNotBreakRefresh(t *testing.T) {
	ks := rsaKeys()
	srv := newJWKSServer(t, rsaJWK("k1", &ks[0].PublicKey))
	j := newJWKS(t, srv.URL, JWTOptions{})
	srv.set(rsaJWK("k2", &ks[1].PublicKey))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := bearer(sign(t, jwt.SigningMethodRS256, "k2", ks[1], claims(nil))).WithContext(ctx)
	if got, err := j.Authenticate(r); err != nil || got != "42" {
		t.Fatalf("Authenticate with a cancelled request context = %q, %v; want 42", got, err)
	}
}
