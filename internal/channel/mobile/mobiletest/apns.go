package mobiletest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// APNs fakes Apple's push service: HTTP/2 over TLS, token auth.
type APNs struct {
	base
	*httptest.Server
	KeyFile, KeyID, TeamID, Topic string
	CAFile                        string // the server's certificate, for SSL_CERT_FILE
	// Now is the fake's clock for the provider token's age (default time.Now).
	Now func() time.Time
	key *ecdsa.PrivateKey

	tmu    sync.Mutex
	tokens map[string]bool // provider tokens seen
}

// NewAPNs starts an APNs fake and writes its .p8 key and CA certificate into a temp dir.
func NewAPNs(t testing.TB) *APNs {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a := &APNs{KeyID: "ABC123DEFG", TeamID: "DEF123GHIJ", Topic: "com.shop.app", key: key, Now: time.Now, tokens: map[string]bool{}}
	a.init()
	a.Server = httptest.NewUnstartedServer(http.HandlerFunc(a.serve))
	a.EnableHTTP2 = true
	a.StartTLS()
	t.Cleanup(a.Close)
	dir := t.TempDir()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	a.KeyFile, a.CAFile = filepath.Join(dir, "AuthKey_"+a.KeyID+".p8"), filepath.Join(dir, "apns-ca.pem")
	if err := os.WriteFile(a.KeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(a.CAFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return a
}

// ProviderTokens is how many distinct provider tokens the fake has seen.
func (a *APNs) ProviderTokens() int {
	a.tmu.Lock()
	defer a.tmu.Unlock()
	return len(a.tokens)
}

var hexToken = regexp.MustCompile(`^[0-9a-f]{64,}$`)

func apnsError(w http.ResponseWriter, status int, reason string) {
	w.Header().Set("apns-id", "00000000-0000-0000-0000-000000000000")
	w.WriteHeader(status)
	if status == http.StatusGone {
		fmt.Fprintf(w, `{"reason":%q,"timestamp":%d}`, reason, time.Now().UnixMilli())
		return
	}
	fmt.Fprintf(w, `{"reason":%q}`, reason)
}

func (a *APNs) serve(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor != 2 {
		http.Error(w, "APNs speaks HTTP/2 only", http.StatusHTTPVersionNotSupported)
		return
	}
	token, ok := strings.CutPrefix(r.URL.Path, "/3/device/")
	if r.Method != http.MethodPost || !ok {
		apnsError(w, 405, "MethodNotAllowed")
		return
	}
	if reason := a.checkAuth(r.Header.Get("authorization")); reason != "" {
		apnsError(w, 403, reason)
		return
	}
	h := r.Header
	exp, expErr := strconv.ParseInt(h.Get("apns-expiration"), 10, 64)
	switch {
	case h.Get("apns-topic") != a.Topic:
		apnsError(w, 400, "TopicDisallowed")
		return
	case h.Get("apns-push-type") != "alert":
		apnsError(w, 400, "InvalidPushType")
		return
	case h.Get("apns-priority") != "10" && h.Get("apns-priority") != "5":
		apnsError(w, 400, "BadPriority")
		return
	case expErr != nil || exp < 0:
		apnsError(w, 400, "BadExpirationDate")
		return
	case len(h.Get("apns-collapse-id")) > 64:
		apnsError(w, 400, "BadCollapseId")
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if len(body) > 4096 {
		apnsError(w, 413, "PayloadTooLarge")
		return
	}
	var payload map[string]any
	if err := json.Unmarshal(body, &payload); err != nil || payload["aps"] == nil {
		apnsError(w, 400, "PayloadEmpty")
		return
	}
	if !hexToken.MatchString(token) {
		apnsError(w, 400, "BadDeviceToken")
		return
	}
	if rep, ok := a.next(token); ok {
		if rep.RetryAfter != "" {
			w.Header().Set("Retry-After", rep.RetryAfter)
		}
		status := map[string]int{"Unregistered": 410, "BadDeviceToken": 400, "DeviceTokenNotForTopic": 400, "TooManyRequests": 429,
			"InternalServerError": 500, "ServiceUnavailable": 503, "ExpiredProviderToken": 403}[rep.Code]
		apnsError(w, status, rep.Code)
		return
	}
	a.accept(Received{Token: token, At: time.Now(), Header: h.Clone(), Payload: payload})
	w.Header().Set("apns-id", fmt.Sprintf("%08X-0000-0000-0000-%012X", len(token), time.Now().UnixNano()&0xffffffffffff))
	w.WriteHeader(http.StatusOK)
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
}

// checkAuth checks the provider token: ES256 by the key, kid and iss, and an iat neither
// in the future nor over an hour old. It returns APNs's reason, "" when the token is good.
func (a *APNs) checkAuth(authz string) string {
	s, ok := strings.CutPrefix(authz, "bearer ")
	if !ok {
		return "MissingProviderToken"
	}
	var c jwt.MapClaims
	t, err := jwt.ParseWithClaims(s, &c, func(*jwt.Token) (any, error) { return &a.key.PublicKey, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(a.TeamID), jwt.WithoutClaimsValidation())
	if err != nil || t.Header["kid"] != a.KeyID {
		return "InvalidProviderToken"
	}
	iat, err := c.GetIssuedAt()
	if err != nil || iat == nil || iat.After(a.Now().Add(time.Minute)) {
		return "InvalidProviderToken"
	}
	if a.Now().Sub(iat.Time) > time.Hour {
		return "ExpiredProviderToken"
	}
	a.tmu.Lock()
	a.tokens[s] = true
	a.tmu.Unlock()
	return ""
}
