package app_test

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/testenv"
)

// Who may call a route.
const (
	anyone    = "anyone"    // no credential
	signedIn  = "signed-in" // a signed-in user (X-User-Id in dev, a JWT in jwt mode)
	producers = "producers" // the ingest token, the admin token or an ADMIN JWT
	operators = "operators" // the admin token or an ADMIN JWT
)

// routeAccess is the expectation for every route the server registers. A route missing
// here fails TestEveryRouteByCredential: say who may call a new route when adding it.
var routeAccess = map[string]string{
	"POST /v1/events":                                producers,
	"GET /v1/events/{eventId}":                       producers,
	"DELETE /v1/events/{eventId}":                    operators,
	"GET /v1/notifications":                          signedIn,
	"GET /v1/notifications/unread-count":             signedIn,
	"POST /v1/notifications/{id}/read":               signedIn,
	"POST /v1/notifications/read-all":                signedIn,
	"POST /v1/notifications/seen":                    signedIn,
	"POST /v1/notifications/{id}/archive":            signedIn,
	"POST /v1/notifications/{id}/unarchive":          signedIn,
	"GET /v1/notifications/stream":                   signedIn,
	"GET /v1/admin/rejected":                         operators,
	"POST /v1/admin/rejected/{id}/replay":            operators,
	"GET /v1/push/vapid-public-key":                  anyone,
	"POST /v1/push/subscriptions":                    signedIn,
	"DELETE /v1/push/subscriptions":                  signedIn,
	"GET /v1/admin/webhooks":                         operators,
	"POST /v1/admin/webhooks/{id}/replay":            operators,
	"GET /v1/users/{userId}":                         operators,
	"PUT /v1/users/{userId}":                         operators,
	"DELETE /v1/users/{userId}":                      operators,
	"GET /v1/users/{userId}/preferences":             operators,
	"PUT /v1/users/{userId}/preferences":             operators,
	"PATCH /v1/users/{userId}/preferences":           operators,
	"GET /v1/preferences":                            signedIn,
	"PUT /v1/preferences":                            signedIn,
	"PATCH /v1/preferences":                          signedIn,
	"GET /healthz":                                   anyone,
	"GET /readyz":                                    anyone,
	"GET /metrics":                                   anyone,
	"GET /{$}":                                       anyone,
	"GET /embed.js":                                  anyone,
	"GET /openapi.yaml":                              anyone,
	"GET /sw.js":                                     anyone,
	"GET /static/":                                   anyone, // every GET /static/<file>
	"GET /console":                                   anyone, // the page holds no data: its screens call the admin API
	"GET /console/{asset}":                           anyone,
	"GET /v1/events":                                 operators,
	"GET /v1/events/{eventId}/timeline":              operators,
	"GET /v1/admin/stats":                            operators,
	"POST /v1/admin/preview":                         operators,
	"GET /v1/admin/types":                            operators,
	"GET /v1/users/{userId}/notifications":           operators,
	"GET /v1/users/{userId}/push-subscriptions":      operators,
	"GET /v1/users/{userId}/subscriptions":           operators,
	"GET /v1/users/{userId}/devices":                 operators,
	"POST /v1/users/{userId}/devices":                operators,
	"DELETE /v1/users/{userId}/devices":              operators,
	"GET /v1/push/devices":                           signedIn,
	"POST /v1/push/devices":                          signedIn,
	"DELETE /v1/push/devices":                        signedIn,
	"PUT /v1/topics/{topic}/subscribers/{userId}":    operators,
	"DELETE /v1/topics/{topic}/subscribers/{userId}": operators,
	"GET /v1/topics/{topic}/subscribers":             operators,
	"PUT /v1/subscriptions/{topic}":                  signedIn,
	"DELETE /v1/subscriptions/{topic}":               signedIn,
	"GET /v1/subscriptions":                          signedIn,
	"GET /v1/consents":                               signedIn,
	"PUT /v1/consents":                               signedIn,
	"GET /v1/admin/retention":                        operators,
	"POST /v1/admin/retention/purge":                 operators,
	// A provider's delivery report carries no notifyd credential: the provider's own
	// signature is its guard (401 unsigned, TestKakaoNHNEndToEnd; here no provider is
	// configured, so 404 whatever the credential).
	"POST /v1/providers/{provider}/reports": anyone,
}

const (
	ingestTok = "ingest-old,ingest-new" // a rotation: both work
	adminTok  = "admin-a, admin-b"
)

// credential is one way of calling: the request headers it sets.
type credential struct {
	name   string
	header func(t *testing.T) []string
}

var credentials = []credential{
	{"none", func(*testing.T) []string { return nil }},
	{"user", func(t *testing.T) []string { return nil }}, // filled per mode below
	{"ingest token", func(*testing.T) []string { return []string{"Authorization", "Bearer ingest-new"} }},
	{"admin token", func(*testing.T) []string { return []string{"Authorization", "Bearer admin-b"} }},
	{"ADMIN JWT", func(t *testing.T) []string {
		return []string{"Authorization", "Bearer " + roleToken(t, "ops", "ADMIN")}
	}},
}

func roleToken(t *testing.T, sub, role string) string {
	t.Helper()
	claims := jwt.MapClaims{"sub": sub, "aud": "notifyd", "exp": time.Now().Add(time.Hour).Unix()}
	if role != "" {
		claims["role"] = role
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(jwtSecret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// allowed says whether cred gets past the guard of a route of kind in a mode (dev or jwt)
// with the tokens set or not.
func allowed(kind, mode string, tokens bool, cred string) bool {
	switch kind {
	case anyone:
		return true
	case signedIn:
		return cred == "user" || (mode == "jwt" && cred == "ADMIN JWT") // an ADMIN JWT names a user too
	}
	if mode == "dev" && !tokens {
		return true // dev auth without tokens: open, as before (loopback only)
	}
	switch cred {
	case "admin token":
		return tokens
	case "ADMIN JWT":
		return mode == "jwt"
	case "ingest token":
		return kind == producers && tokens
	}
	return false
}

// TestEveryRouteByCredential calls every registered route with every credential, in dev
// and jwt modes, with and without NOTIFY_INGEST_TOKEN and NOTIFY_ADMIN_TOKEN, and checks
// who gets past the guard (anything but 401) and who is refused (401 problem+json).
func TestEveryRouteByCredential(t *testing.T) {
	for _, mode := range []string{"dev", "jwt"} {
		for _, tokens := range []bool{true, false} {
			cfg := app.Config{Auth: mode, JWTSecret: jwtSecret, JWTAudience: []string{"notifyd"}}
			if mode == "dev" {
				cfg.JWTSecret, cfg.JWTAudience = "", nil
			}
			if tokens {
				cfg.IngestToken, cfg.AdminToken = ingestTok, adminTok
			}
			s := startApp(t, cfg)
			routes := s.Routes()
			for _, route := range routes {
				kind, ok := routeAccess[route]
				if !ok && strings.HasPrefix(route, "GET /static/") {
					kind, ok = routeAccess["GET /static/"]
				}
				if !ok {
					t.Errorf("route %q is not in routeAccess: say who may call it", route)
					continue
				}
				method, path, _ := strings.Cut(route, " ")
				path = strings.NewReplacer("{eventId}", "no-such-event", "{userId}", "u-7", "{id}", "999999", "{$}", "", "{topic}", "restock:p-1", "{asset}", "console.css", "{provider}", "nhn").Replace(path)
				for _, c := range credentials {
					h := c.header(t)
					if c.name == "user" {
						h = []string{"X-User-Id", "alice"}
						if mode == "jwt" {
							h = []string{"Authorization", "Bearer " + roleToken(t, "alice", "")}
						}
					}
					status, ctype := call(t, method, s.URL+path, h)
					want := allowed(kind, mode, tokens, c.name)
					// refused: 401, or 403 where a signed-in user asks for an operator's route
					if got := status != http.StatusUnauthorized && status != http.StatusForbidden; got != want {
						t.Errorf("%s tokens=%v %s with %s: status %d, want allowed=%v", mode, tokens, route, c.name, status, want)
					}
					if status == http.StatusUnauthorized && !strings.HasPrefix(ctype, "application/problem+json") {
						t.Errorf("%s %s with %s: 401 as %q, want problem+json", mode, route, c.name, ctype)
					}
				}
			}
			for route := range routeAccess {
				if route != "GET /static/" && !slices.Contains(routes, route) {
					t.Errorf("%s: %q is in routeAccess but not registered", mode, route)
				}
			}
		}
	}
}

// call sends one request and returns its status and content type, without reading a
// stream's body past the headers.
func call(t *testing.T, method, url string, header []string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Content-Type")
}

// In jwt mode without tokens, the start-up log names each credential that is missing
// and the routes it closes; with both set it warns of neither.
func TestStartupLogNamesClosedRoutes(t *testing.T) {
	for _, tokens := range []bool{false, true} {
		var buf testenv.SyncBuffer
		cfg := app.Config{Auth: "jwt", JWTSecret: jwtSecret, Logger: slog.New(slog.NewTextHandler(&buf, nil))}
		if tokens {
			cfg.IngestToken, cfg.AdminToken = ingestTok, adminTok
		}
		startApp(t, cfg)
		log := buf.String()
		for _, want := range []string{"NOTIFY_INGEST_TOKEN is not set", "POST /v1/events", "NOTIFY_ADMIN_TOKEN is not set", "DELETE /v1/users/{userId}"} {
			if strings.Contains(log, want) == tokens {
				t.Errorf("tokens=%v: start-up log has %q = %v:\n%s", tokens, want, !tokens, log)
			}
		}
	}
}
