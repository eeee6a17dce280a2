package httpapi

import (
	"net/http"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/auth"
)

// admin lets through operators: the admin token or a JWT whose role is ADMIN. See
// OpenWithoutTokens for dev auth's older rule.
func (s *Server) admin(h handlerFunc) handlerFunc {
	s.guards.mark(guardAdmin)
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.isAdmin(r) {
			return h(w, r)
		}
		if s.o.OpenWithoutTokens && !s.o.AdminTokens.Configured() {
			if !s.o.IngestTokens.Configured() || s.o.IngestTokens.Match(r) {
				return h(w, r)
			}
		}
		return notify.Errorf(notify.CodeUnauthorized, "this route is for operators: send Authorization: Bearer <NOTIFY_ADMIN_TOKEN>%s", s.jwtAdminHint())
	}
}

// producer lets through the services that publish (the ingest token) and operators.
func (s *Server) producer(h handlerFunc) handlerFunc {
	s.guards.mark(guardProducer)
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.o.IngestTokens.Match(r) || s.isAdmin(r) {
			return h(w, r)
		}
		if s.o.OpenWithoutTokens && !s.o.IngestTokens.Configured() && !s.o.AdminTokens.Configured() {
			return h(w, r)
		}
		return notify.Errorf(notify.CodeUnauthorized, "this route is for producers: send Authorization: Bearer <NOTIFY_INGEST_TOKEN> (or the admin token)%s", s.jwtAdminHint())
	}
}

func (s *Server) isAdmin(r *http.Request) bool {
	if s.o.AdminTokens.Match(r) {
		return true
	}
	a, ok := s.o.Auth.(auth.AdminChecker)
	return ok && a.IsAdmin(r)
}

func (s *Server) jwtAdminHint() string {
	if _, ok := s.o.Auth.(auth.AdminChecker); ok {
		return `, or a JWT whose "role" claim is ADMIN`
	}
	return ""
}

// The guard a route was registered with.
const (
	guardNone     = ""
	guardAdmin    = "admin"
	guardProducer = "producer"
)

// guardLog notes which guard each route was built with, for the start-up log of routes
// a missing credential closes. Routes are registered as s.Route(pattern,
// s.handle(s.admin(h))): the guard runs just before Route, which takes the mark. (The
// route × credential test checks the behaviour itself, from its own table.)
type guardLog struct {
	pending string
	byRoute map[string]string
}

func (g *guardLog) mark(kind string) { g.pending = kind }

func (g *guardLog) took(pattern string) {
	if g.byRoute == nil {
		g.byRoute = map[string]string{}
	}
	g.byRoute[pattern] = g.pending
	g.pending = guardNone
}

// GuardedRoutes lists the routes registered behind the admin guard and behind the
// producer guard, in registration order.
func (s *Server) GuardedRoutes() (admin, producer []string) {
	for _, p := range s.routes {
		switch s.guards.byRoute[p] {
		case guardAdmin:
			admin = append(admin, p)
		case guardProducer:
			producer = append(producer, p)
		}
	}
	return admin, producer
}
