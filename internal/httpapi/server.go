// Package httpapi is notifyd's HTTP surface: ingest, the inbox API, the SSE stream, admin
// routes, health and metrics, all answering errors as application/problem+json.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/auth"
	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/internal/sse"
	"github.com/notifyd/notifyd/internal/store"
)

// Checker is one readiness check (the store, each source, the SMS provider).
type Checker struct {
	Name  string
	Check func(ctx context.Context) error
	// Optional: a failure is reported (in checks and degraded) but leaves the replica
	// ready, for a dependency whose outage every replica shares and that only delays
	// work (the SMS provider): taking replicas out of rotation would not help.
	Optional bool
}

// Options configure a Server.
type Options struct {
	Store  store.Store
	Ingest *ingest.Service
	Hub    *sse.Hub
	// States passes inbox state changes to the user's streams on every replica (nil: to
	// Hub only).
	States StatePublisher
	// CORSOrigins may call the user routes and load the embed script from their pages
	// (exact origins such as "https://shop.example"; none by default).
	CORSOrigins []string
	Auth        auth.Authenticator
	// IngestTokens may publish and read an event's status (the producer routes);
	// AdminTokens may do that too and use every admin route. An Auth that is an
	// auth.AdminChecker (a JWT with role ADMIN) counts as admin as well.
	IngestTokens, AdminTokens auth.Tokens
	// OpenWithoutTokens (dev auth) keeps the old rule for a route whose credential is not
	// configured: admin routes take the ingest token when no admin token is set, and with
	// no token at all every caller gets through. Off (jwt auth), such a route answers 401.
	OpenWithoutTokens bool
	// Streams closes an erased user's streams on every replica (nil: none to close).
	Streams StreamCloser
	MaxBody int64 // bytes of one POST /v1/events body (default 1 MiB)
	// UserRate limits each user's requests to the inbox and stream routes (requests per
	// second, with UserBurst; 0 = no limit). Over it: 429 rate_limited.
	UserRate  float64
	UserBurst int
	Ready     []Checker
	// VAPIDPublicKey is served to pages that subscribe browsers to web push ("" = off).
	VAPIDPublicKey string
	// CheckPushKeys refuses a subscription whose keys cannot work (the web push channel's
	// check, wired by the app; nil = only required).
	CheckPushKeys func(p256dh, auth string) error
	// CheckPushEndpoint refuses a subscription endpoint notifyd must not push to (a private
	// address; the web push channel's check, wired by the app; nil = only the URL's shape).
	CheckPushEndpoint func(endpoint string) error
	// CheckDevice validates and normalises a mobile device being registered (the mobile
	// channel's check, wired by the app; its errors are the API's). Nil: any.
	CheckDevice func(d store.Device) (store.Device, error)
	// WebhookKick wakes the webhook dispatcher after a replay (nil = it polls).
	WebhookKick func()
	// Replay accepts a kept rejected message again (POST /v1/admin/rejected/{id}/replay);
	// the app wires the source that kept it. Nil: the route answers 404.
	Replay func(ctx context.Context, id int64) ([]ingest.Result, error)
	// Retention shows and runs the retention purge (GET /v1/admin/retention, POST
	// /v1/admin/retention/purge); PurgeBusy tells its "another replica holds the lease"
	// error. Nil: no such routes.
	Retention Purger
	PurgeBusy func(error) bool
	Gatherer  prometheus.Gatherer // for /metrics (default: the global registry)
	Logger    *slog.Logger
	// Preview renders a prepared event for every channel (POST /v1/admin/preview); the app
	// wires internal/preview. Nil: the route answers 404.
	Preview func(p *notify.Prepared) (any, error)
	// TopicsPerUser caps one user's topic subscriptions (0: store.MaxTopicsPerUser).
	TopicsPerUser int
	// Reports read the delivery-report callbacks of each provider that sends them, by
	// name (POST /v1/providers/{provider}/reports); ReportsKick wakes the workers after a
	// report created a fallback.
	Reports     map[string]ReportParser
	ReportsKick func()
	// Extra routes mounted on the same mux (the web inbox, OpenAPI, admin extensions).
	Mount func(s *Server)
}

// Server routes every request.
type Server struct {
	o      Options
	log    *slog.Logger
	mux    *http.ServeMux
	routes []string
	guards guardLog
	limit  *limiter
	cors   cors
}

// New builds the routes.
func New(o Options) *Server {
	if o.MaxBody <= 0 {
		o.MaxBody = 1 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Auth == nil {
		o.Auth = auth.Dev{}
	}
	if o.TopicsPerUser <= 0 {
		o.TopicsPerUser = store.MaxTopicsPerUser
	}
	if o.Gatherer == nil {
		o.Gatherer = prometheus.DefaultGatherer
	}
	s := &Server{o: o, log: o.Logger, mux: http.NewServeMux(), limit: newLimiter(o.UserRate, o.UserBurst), cors: newCORS(o.CORSOrigins)}
	s.Route("POST /v1/events", s.handle(s.producer(s.postEvents)))
	s.Route("GET /v1/events/{eventId}", s.handle(s.producer(s.getEvent)))
	s.Route("DELETE /v1/events/{eventId}", s.handle(s.admin(s.cancelEvent)))
	s.Route("GET /v1/notifications", s.handle(s.user(s.listNotifications)))
	s.Route("GET /v1/notifications/unread-count", s.handle(s.user(s.unreadCount)))
	s.Route("POST /v1/notifications/{id}/read", s.handle(s.user(s.markRead)))
	s.Route("POST /v1/notifications/read-all", s.handle(s.user(s.markAllRead)))
	s.Route("POST /v1/notifications/seen", s.handle(s.user(s.markSeen)))
	s.Route("POST /v1/notifications/{id}/archive", s.handle(s.user(s.archive)))
	s.Route("POST /v1/notifications/{id}/unarchive", s.handle(s.user(s.unarchive)))
	s.Route("GET /v1/notifications/stream", s.handle(s.user(s.stream)))
	s.routeRejected()
	s.routePush()
	s.routeDevices()
	s.routeWebhooks()
	s.routeUsers()
	s.routeConsents()
	s.routeReports()
	s.routeRetention()
	s.routeConsole()
	s.routeTopics()
	s.Route("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.Route("GET /readyz", s.readyz)
	s.Route("GET /metrics", promhttp.HandlerFor(o.Gatherer, promhttp.HandlerOpts{}).ServeHTTP)
	if o.Mount != nil {
		o.Mount(s)
	}
	return s
}

// Route registers a handler for a "METHOD /path" pattern (http.ServeMux syntax).
func (s *Server) Route(pattern string, h http.HandlerFunc) {
	s.routes = append(s.routes, pattern)
	s.guards.took(pattern)
	s.mux.HandleFunc(pattern, h)
}

// Routes lists every registered "METHOD /path" pattern, in registration order (the
// OpenAPI test checks each one is documented).
func (s *Server) Routes() []string { return append([]string(nil), s.routes...) }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cors.handle(w, r) {
		return
	}
	s.serveMux(w, r)
}

// Handle wraps a handler returning an error into the server's problem+json writer, for
// routes mounted from other packages.
func (s *Server) Handle(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return s.handle(h)
}

// Admin guards h with the admin credential, for routes mounted from other packages.
func (s *Server) Admin(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return s.handle(s.admin(h))
}

// readyTimeout bounds each readiness check.
const readyTimeout = 3 * time.Second

// readyz runs the checks at once, each with its own deadline, so a dependency that is slow
// to fail (a dial that times out, a client that retries) cannot use up the time of the
// others and have /readyz name a healthy one.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	errs := make([]error, len(s.o.Ready))
	var wg sync.WaitGroup
	for i, c := range s.o.Ready {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
			defer cancel()
			errs[i] = c.Check(ctx)
		})
	}
	wg.Wait()
	checks := map[string]string{}
	var degraded []string
	ok := true
	for i, c := range s.o.Ready {
		err := errs[i]
		switch {
		case err == nil:
			checks[c.Name] = "ok"
			continue
		case c.Optional:
			degraded = append(degraded, c.Name)
		default:
			ok = false
		}
		checks[c.Name] = err.Error()
	}
	status := http.StatusOK
	if !ok {
		status = http.StatusServiceUnavailable
	}
	body := map[string]any{"ready": ok, "checks": checks}
	if len(degraded) > 0 {
		body["degraded"] = degraded
	}
	writeJSON(w, status, body)
}
