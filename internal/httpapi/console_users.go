package httpapi

import (
	"net/http"
	"net/url"
	"time"
)

// The admin twins the console's user screen reads: the inbox as the user sees it, the
// user's browsers subscribed to web push, their topics, and the registered types.
func (s *Server) routeConsoleUsers() {
	s.Route("GET /v1/users/{userId}/subscriptions", s.handle(s.adminOnly(s.withUser(nil, s.listSubscriptions))))
	s.Route("GET /v1/users/{userId}/notifications", s.handle(s.admin(s.adminInbox)))
	s.Route("GET /v1/users/{userId}/push-subscriptions", s.handle(s.admin(s.adminPushSubscriptions)))
	s.Route("GET /v1/admin/types", s.handle(s.admin(s.adminTypes)))
}

func (s *Server) adminInbox(w http.ResponseWriter, r *http.Request) error {
	u, err := pathUser(r)
	if err != nil {
		return err
	}
	return s.writeInbox(w, r, u)
}

// pushSubscriptionView shows a subscription without its keys; the endpoint (a capability
// URL: whoever has it can push) only by its push service's host.
type pushSubscriptionView struct {
	ID          int64     `json:"id"`
	PushService string    `json:"pushService"`
	UserAgent   string    `json:"userAgent,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
}

func (s *Server) adminPushSubscriptions(w http.ResponseWriter, r *http.Request) error {
	u, err := pathUser(r)
	if err != nil {
		return err
	}
	subs, err := s.o.Store.PushSubscriptions(r.Context(), u)
	if err != nil {
		return err
	}
	out := make([]pushSubscriptionView, 0, len(subs))
	for _, sub := range subs {
		host := ""
		if p, err := url.Parse(sub.Endpoint); err == nil {
			host = p.Host
		}
		out = append(out, pushSubscriptionView{ID: sub.ID, PushService: host, UserAgent: sub.UserAgent, CreatedAt: sub.CreatedAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"subscriptions": out})
	return nil
}

// adminTypes lists the registered types as GET /v1/preferences's "available" does.
func (s *Server) adminTypes(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"types": s.available()})
	return nil
}
