// Package mobiletest fakes the two mobile push services for tests, from their public
// documentation: FCM's OAuth2 token endpoint and HTTP v1 send endpoint, and APNs over
// HTTP/2 with TLS. Each checks what the real one checks (the JWT assertion's RS256
// signature and claims, the bearer token, the provider token's ES256 signature, kid, iss
// and age, the headers, the 4 KiB limit) and answers with the real error bodies.
package mobiletest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Received is one push a fake accepted.
type Received struct {
	Token   string
	At      time.Time
	Header  http.Header
	Payload map[string]any // FCM: the message object; APNs: the payload
}

// Reply scripts a fake's answer to the next push to a token: an FCM errorCode
// (UNREGISTERED, QUOTA_EXCEEDED, …, "BAD_TOKEN" for an invalid-token INVALID_ARGUMENT) or
// an APNs reason (Unregistered, BadDeviceToken, TooManyRequests, …), with a Retry-After.
type Reply struct {
	Code       string
	RetryAfter string
}

// base is what both fakes share: the log of pushes and attempts and the scripts.
type base struct {
	// Delay holds each accepted push this long before answering, so a test can stop
	// notifyd with answers in flight.
	Delay time.Duration

	mu       sync.Mutex
	received []Received
	attempts map[string][]time.Time // every request per device token, answered or not
	script   map[string][]Reply
}

func (b *base) init() {
	b.attempts, b.script = map[string][]time.Time{}, map[string][]Reply{}
}

// Script queues replies for token's next pushes; after them, pushes succeed.
func (b *base) Script(token string, r ...Reply) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.script[token] = append(b.script[token], r...)
}

// next records an attempt on token and pops its scripted reply (ok false: none).
func (b *base) next(token string) (Reply, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.attempts[token] = append(b.attempts[token], time.Now())
	q := b.script[token]
	if len(q) == 0 {
		return Reply{}, false
	}
	b.script[token] = q[1:]
	return q[0], true
}

// accept records r, then holds the answer for Delay.
func (b *base) accept(r Received) {
	b.mu.Lock()
	b.received = append(b.received, r)
	b.mu.Unlock()
	time.Sleep(b.Delay)
}

// Received returns the pushes accepted so far, those to token when it is not "".
func (b *base) Received(token string) []Received {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Received
	for _, r := range b.received {
		if token == "" || r.Token == token {
			out = append(out, r)
		}
	}
	return out
}

// Attempts returns the times of every request to token.
func (b *base) Attempts(token string) []time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]time.Time(nil), b.attempts[token]...)
}

// FCM fakes Google's token endpoint and FCM's HTTP v1 send endpoint.
type FCM struct {
	base
	*httptest.Server
	Project     string
	Credentials string // the service-account file (its token_uri is this server's)
	ClientEmail string
	key         *rsa.PrivateKey

	// Unauthorized makes every send a 401, as a key whose FCM permission was taken away.
	Unauthorized atomic.Bool

	tmu    sync.Mutex
	tokens map[string]time.Time // access token → expiry
	made   int
}

// NewFCM starts an FCM fake and writes its service-account file into a temp dir.
func NewFCM(t testing.TB) *FCM {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &FCM{Project: "shop-app", ClientEmail: "notifyd@shop-app.iam.gserviceaccount.com", key: key, tokens: map[string]time.Time{}}
	f.init()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("POST /v1/projects/{project}/messages:send", f.send)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	sa := map[string]string{"type": "service_account", "project_id": f.Project, "private_key_id": "k1",
		"private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "client_email": f.ClientEmail,
		"client_id": "1", "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": f.URL + "/token"}
	b, _ := json.Marshal(sa)
	f.Credentials = filepath.Join(t.TempDir(), "service-account.json")
	if err := os.WriteFile(f.Credentials, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// TokensMade is how many access tokens the token endpoint issued.
func (f *FCM) TokensMade() int {
	f.tmu.Lock()
	defer f.tmu.Unlock()
	return f.made
}

// RevokeTokens makes every access token issued so far invalid (a 401 on the next send).
func (f *FCM) RevokeTokens() {
	f.tmu.Lock()
	defer f.tmu.Unlock()
	clear(f.tokens)
}

// token is the JWT bearer grant (RFC 7523): the assertion must be signed RS256 by the
// service account's key, issued by its client_email, for this token_uri and FCM's scope.
func (f *FCM) token(w http.ResponseWriter, r *http.Request) {
	oauthErr := func(code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":%q,"error_description":%q}`, code, desc)
	}
	if r.FormValue("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		oauthErr("unsupported_grant_type", "Invalid grant_type: "+r.FormValue("grant_type"))
		return
	}
	var claims struct {
		jwt.RegisteredClaims
		Scope string `json:"scope"`
	}
	_, err := jwt.ParseWithClaims(r.FormValue("assertion"), &claims, func(*jwt.Token) (any, error) { return &f.key.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(f.URL+"/token"), jwt.WithIssuer(f.ClientEmail), jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	if err != nil {
		oauthErr("invalid_grant", "Invalid JWT Signature or claims: "+err.Error())
		return
	}
	if claims.Scope != "https://www.googleapis.com/auth/firebase.messaging" {
		oauthErr("invalid_scope", "scope "+claims.Scope)
		return
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := "ya29." + hex.EncodeToString(b)
	f.tmu.Lock()
	f.tokens[tok], f.made = time.Now().Add(time.Hour), f.made+1
	f.tmu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":%q,"expires_in":3599,"token_type":"Bearer"}`, tok)
}

func fcmError(w http.ResponseWriter, status int, rpcStatus, code, msg string, extra ...string) {
	details := []string{}
	if code != "" {
		details = append(details, fmt.Sprintf(`{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":%q}`, code))
	}
	details = append(details, extra...)
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"code":%d,"message":%q,"status":%q,"details":[%s]}}`, status, msg, rpcStatus, strings.Join(details, ","))
}

func (f *FCM) send(w http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.tmu.Lock()
	exp, ok := f.tokens[tok]
	f.tmu.Unlock()
	if !ok || time.Now().After(exp) || f.Unauthorized.Load() {
		fcmError(w, 401, "UNAUTHENTICATED", "", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.")
		return
	}
	if r.PathValue("project") != f.Project {
		fcmError(w, 403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "Permission denied.")
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var in struct {
		Message struct {
			Token        string                        `json:"token"`
			Notification *struct{ Title, Body string } `json:"notification"`
			Data         map[string]string             `json:"data"` // FCM refuses data values that are not strings
		} `json:"message"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Message.Token == "" || in.Message.Notification == nil {
		fcmError(w, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", fmt.Sprintf("Invalid JSON payload received: %v", err))
		return
	}
	if len(body) > 4096 {
		fcmError(w, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Request contains an invalid argument: message is too big")
		return
	}
	rep, scripted := f.next(in.Message.Token)
	if scripted {
		if rep.RetryAfter != "" {
			w.Header().Set("Retry-After", rep.RetryAfter)
		}
		switch rep.Code {
		case "UNREGISTERED":
			fcmError(w, 404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.")
		case "BAD_TOKEN":
			fcmError(w, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token",
				`{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.token","description":"The registration token is not a valid FCM registration token"}]}`)
		case "QUOTA_EXCEEDED":
			fcmError(w, 429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded for quota metric 'Messages'.")
		case "UNAVAILABLE":
			fcmError(w, 503, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable.")
		case "INTERNAL":
			fcmError(w, 500, "INTERNAL", "INTERNAL", "Internal error encountered.")
		default:
			fcmError(w, 400, "INVALID_ARGUMENT", rep.Code, "scripted")
		}
		return
	}
	var msg map[string]any
	_ = json.Unmarshal(body, &struct {
		Message *map[string]any `json:"message"`
	}{&msg})
	f.accept(Received{Token: in.Message.Token, At: time.Now(), Header: r.Header.Clone(), Payload: msg})
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	fmt.Fprintf(w, `{"name":"projects/%s/messages/%d"}`, f.Project, time.Now().UnixNano())
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
}
