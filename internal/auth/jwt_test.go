package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	notify "github.com/notifyd/notifyd"
)

var (
	testSecret = []byte("0123456789abcdef0123456789abcdef")
	testNow    = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	// One RSA key per test binary: generating them is slow under -race.
	rsaKeys = sync.OnceValue(func() [2]*rsa.PrivateKey {
		var ks [2]*rsa.PrivateKey
		for i := range ks {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			ks[i] = k
		}
		return ks
	})
)

func clock() time.Time { return testNow }

// claims returns valid claims for user 42 at testNow; set a value to nil to drop it.
func claims(over jwt.MapClaims) jwt.MapClaims {
	c := jwt.MapClaims{
		"sub": "42",
		"iat": testNow.Add(-time.Minute).Unix(),
		"exp": testNow.Add(time.Hour).Unix(),
	}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func sign(t *testing.T, m jwt.SigningMethod, kid string, key any, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

func bearer(tok string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/v1/notifications", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	return r
}

func newHS(t *testing.T, o JWTOptions) *JWT {
	t.Helper()
	o.Secret = testSecret
	return newJWT(t, o)
}

// newJWT is NewJWT on the test clock, closed when the test ends.
func newJWT(t *testing.T, o JWTOptions) *JWT {
	t.Helper()
	o.Now = clock
	j, err := NewJWT(t.Context(), o)
	if err != nil {
		t.Fatalf("NewJWT: %v", err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// wantUnauthorized checks err is a 401 *notify.Error that does not echo the token.
func wantUnauthorized(t *testing.T, err error, tok string) {
	t.Helper()
	var ne *notify.Error
	if !errors.As(err, &ne) || ne.Code != notify.CodeUnauthorized {
		t.Fatalf("err = %v (%T), want a *notify.Error with code unauthorized", err, err)
	}
	t.Logf("401: %v", err)
	if tok != "" && strings.Contains(err.Error(), tok) {
		t.Fatalf("error %q echoes the token", err)
	}
	if len(tok) > 20 && strings.Contains(err.Error(), tok[len(tok)-20:]) {
		t.Fatalf("error %q echoes part of the token", err)
	}
}

func TestJWTHS256(t *testing.T) {
	hs := jwt.SigningMethodHS256
	tests := []struct {
		name   string
		opts   JWTOptions
		token  func(t *testing.T) string
		user   string // "" = want 401
		target error  // the jwt sentinel the 401 wraps, when there is one
	}{
		{name: "ok", token: func(t *testing.T) string { return sign(t, hs, "", testSecret, claims(nil)) }, user: "42"},
		{name: "expired", token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"exp": testNow.Add(-time.Hour).Unix()}))
		}, target: jwt.ErrTokenExpired},
		{name: "expired within leeway", token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"exp": testNow.Add(-10 * time.Second).Unix()}))
		}, user: "42"},
		{name: "no exp", token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"exp": nil}))
		}, target: jwt.ErrTokenRequiredClaimMissing},
		{name: "not before in the future", token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"nbf": testNow.Add(time.Hour).Unix()}))
		}, target: jwt.ErrTokenNotValidYet},
		{name: "issued in the future", token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"iat": testNow.Add(time.Hour).Unix()}))
		}, target: jwt.ErrTokenUsedBeforeIssued},
		{name: "bad signature", token: func(t *testing.T) string {
			return sign(t, hs, "", []byte("another secret of at least 32 bytes!"), claims(nil))
		}, target: jwt.ErrTokenSignatureInvalid},
		{name: "tampered payload", token: func(t *testing.T) string {
			good := strings.Split(sign(t, hs, "", testSecret, claims(nil)), ".")
			other := strings.Split(sign(t, hs, "", testSecret, claims(jwt.MapClaims{"sub": "43"})), ".")
			return good[0] + "." + other[1] + "." + good[2]
		}, target: jwt.ErrTokenSignatureInvalid},
		{name: "alg none", token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodNone, "", jwt.UnsafeAllowNoneSignatureType, claims(nil))
		}, target: jwt.ErrTokenSignatureInvalid},
		{name: "alg none hand-made", token: func(t *testing.T) string {
			enc := base64.RawURLEncoding.EncodeToString
			body, _ := json.Marshal(claims(nil))
			return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(body) + "."
		}},
		{name: "missing sub", token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"sub": nil}))
		}},
		{name: "empty sub", token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"sub": "  "}))
		}},
		{name: "sub with a control character", token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"sub": "4\n2"}))
		}, target: nil},
		{name: "garbage", token: func(*testing.T) string { return "not.a.jwt" }, target: jwt.ErrTokenMalformed},
		{name: "audience ok", opts: JWTOptions{Audience: []string{"notifyd"}}, token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"aud": "notifyd"}))
		}, user: "42"},
		{name: "audience in array", opts: JWTOptions{Audience: []string{"notifyd"}}, token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"aud": []string{"shop", "notifyd"}}))
		}, user: "42"},
		{name: "wrong audience", opts: JWTOptions{Audience: []string{"notifyd"}}, token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"aud": []string{"shop"}}))
		}, target: jwt.ErrTokenInvalidAudience},
		{name: "missing audience", opts: JWTOptions{Audience: []string{"notifyd"}}, token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(nil))
		}, target: jwt.ErrTokenRequiredClaimMissing},
		{name: "issuer ok", opts: JWTOptions{Issuer: "https://id.example"}, token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"iss": "https://id.example"}))
		}, user: "42"},
		{name: "wrong issuer", opts: JWTOptions{Issuer: "https://id.example"}, token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"iss": "https://evil.example"}))
		}, target: jwt.ErrTokenInvalidIssuer},
		{name: "numeric sub", token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"sub": 7}))
		}, user: "7"},
		{name: "user claim", opts: JWTOptions{UserClaim: "user_id"}, token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"user_id": 9007199254740993}))
		}, user: "9007199254740993"},
		{name: "user claim string", opts: JWTOptions{UserClaim: "user_id"}, token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"user_id": " u-1 "}))
		}, user: "u-1"},
		{name: "user claim missing, sub present", opts: JWTOptions{UserClaim: "user_id"}, token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(nil))
		}},
		{name: "fractional user id", token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"sub": 7.5}))
		}},
		{name: "object user id", token: func(t *testing.T) string {
			return sign(t, hs, "", testSecret, claims(jwt.MapClaims{"sub": map[string]any{"id": 1}}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newHS(t, tt.opts)
			tok := tt.token(t)
			got, err := j.Authenticate(bearer(tok))
			if tt.user != "" {
				if err != nil || got != tt.user {
					t.Fatalf("Authenticate = %q, %v; want %q", got, err, tt.user)
				}
				return
			}
			if got != "" {
				t.Fatalf("Authenticate = %q, want no user", got)
			}
			wantUnauthorized(t, err, tok)
			if tt.target != nil && !errors.Is(err, tt.target) {
				t.Fatalf("err = %v, want it to wrap %v", err, tt.target)
			}
		})
	}
}

func TestJWTTokenSources(t *testing.T) {
	j := newHS(t, JWTOptions{Cookie: "sess"})
	tok := sign(t, jwt.SigningMethodHS256, "", testSecret, claims(nil))
	other := sign(t, jwt.SigningMethodHS256, "", testSecret, claims(jwt.MapClaims{"sub": "99"}))

	query := httptest.NewRequest(http.MethodGet, "/v1/notifications/stream?access_token="+tok, nil)
	cookie := httptest.NewRequest(http.MethodGet, "/v1/notifications/stream", nil)
	cookie.AddCookie(&http.Cookie{Name: "sess", Value: tok})
	headerWins := bearer(tok)
	headerWins.URL.RawQuery = "access_token=" + other
	headerWins.AddCookie(&http.Cookie{Name: "sess", Value: other})
	lowerScheme := httptest.NewRequest(http.MethodGet, "/", nil)
	lowerScheme.Header.Set("Authorization", "bearer "+tok)

	for name, r := range map[string]*http.Request{
		"header": bearer(tok), "query": query, "cookie": cookie, "header wins": headerWins, "lower-case scheme": lowerScheme,
	} {
		if got, err := j.Authenticate(r); err != nil || got != "42" {
			t.Errorf("%s: Authenticate = %q, %v; want 42", name, got, err)
		}
	}

	defaultCookie := httptest.NewRequest(http.MethodGet, "/", nil)
	defaultCookie.AddCookie(&http.Cookie{Name: DefaultTokenCookie, Value: tok})
	basic := httptest.NewRequest(http.MethodGet, "/", nil)
	basic.SetBasicAuth("u", "p")
	for name, r := range map[string]*http.Request{
		"none":                       httptest.NewRequest(http.MethodGet, "/", nil),
		"empty bearer":               bearer(""),
		"basic auth":                 basic,
		"cookie of another name":     defaultCookie,
		"oversized":                  bearer(strings.Repeat("a", maxTokenBytes+1)),
		"empty query and no cookie":  httptest.NewRequest(http.MethodGet, "/?access_token=", nil),
		"bearer with a stray header": bearer("x." + tok),
	} {
		got, err := j.Authenticate(r)
		if got != "" {
			t.Errorf("%s: user %q, want none", name, got)
		}
		wantUnauthorized(t, err, tok)
	}
}

func TestNewJWTErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer srv.Close()
	for name, o := range map[string]JWTOptions{
		"nothing":          {},
		"short secret":     {Secret: []byte("secret")},
		"http jwks":        {JWKSURL: "http://id.example/jwks.json"},
		"relative jwks":    {JWKSURL: "/jwks.json"},
		"file jwks":        {JWKSURL: "file:///etc/jwks.json"},
		"jwks down":        {JWKSURL: srv.URL},
		"jwks unreachable": {JWKSURL: "http://127.0.0.1:1/jwks.json"},
	} {
		if j, err := NewJWT(t.Context(), o); err == nil {
			j.Close()
			t.Errorf("%s: NewJWT succeeded, want an error", name)
		}
	}
}
