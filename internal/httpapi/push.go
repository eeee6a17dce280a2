package httpapi

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// Web push subscription routes: the page asks for the VAPID key, subscribes the browser
// with it and posts the browser's PushSubscription here, as the caller's.
func (s *Server) routePush() {
	s.Route("GET /v1/push/vapid-public-key", s.handle(s.vapidPublicKey))
	s.Route("POST /v1/push/subscriptions", s.handle(s.user(s.subscribePush)))
	s.Route("DELETE /v1/push/subscriptions", s.handle(s.user(s.unsubscribePush)))
}

func (s *Server) vapidPublicKey(w http.ResponseWriter, r *http.Request) error {
	if s.o.VAPIDPublicKey == "" {
		return notify.Errorf(notify.CodeNotFound, "web push is not configured on this server (NOTIFY_VAPID_PUBLIC_KEY)")
	}
	writeJSON(w, http.StatusOK, map[string]string{"publicKey": s.o.VAPIDPublicKey})
	return nil
}

// pushSubscriptionJSON is the browser's PushSubscription.toJSON().
type pushSubscriptionJSON struct {
	Endpoint       string   `json:"endpoint"`
	ExpirationTime *float64 `json:"expirationTime"`
	Keys           struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

func decodeSmallJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<10+1))
	if err != nil {
		return notify.Errorf(notify.CodeInvalidJSON, "reading the body: %v", err)
	}
	if len(body) > 16<<10 {
		return notify.Errorf(notify.CodeTooLarge, "the body is over 16 KiB")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return notify.Errorf(notify.CodeInvalidJSON, "the body is not the expected JSON object")
	}
	return nil
}

// checkEndpoint is the web push channel's check when the app wired one (https to a public
// address: webpush.CheckEndpoint, which also checks the URL's shape); without one, it
// accepts any https endpoint, and http on loopback for local tests.
func (srv *Server) checkEndpoint(s string) error {
	if srv.o.CheckPushEndpoint != nil {
		if err := srv.o.CheckPushEndpoint(s); err != nil {
			return notify.FieldErrorf(notify.CodeInvalidEvent, "endpoint", "%s", err.Error())
		}
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || len(s) > 2048 {
		return notify.FieldErrorf(notify.CodeInvalidEvent, "endpoint", "must be the subscription's absolute URL")
	}
	if u.Scheme == "https" {
		return nil
	}
	if ip := net.ParseIP(u.Hostname()); u.Scheme == "http" && (u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback())) {
		return nil
	}
	return notify.FieldErrorf(notify.CodeInvalidEvent, "endpoint", "must be an https URL")
}

func (s *Server) subscribePush(w http.ResponseWriter, r *http.Request) error {
	if s.o.VAPIDPublicKey == "" {
		return notify.Errorf(notify.CodeNotFound, "web push is not configured on this server")
	}
	var in pushSubscriptionJSON
	if err := decodeSmallJSON(r, &in); err != nil {
		return err
	}
	if err := s.checkEndpoint(in.Endpoint); err != nil {
		return err
	}
	if in.Keys.P256dh == "" || in.Keys.Auth == "" {
		return notify.FieldErrorf(notify.CodeInvalidEvent, "keys", "p256dh and auth are required")
	}
	if s.o.CheckPushKeys != nil {
		if err := s.o.CheckPushKeys(in.Keys.P256dh, in.Keys.Auth); err != nil {
			return notify.FieldErrorf(notify.CodeInvalidEvent, "keys", "%s", err.Error())
		}
	}
	ua := r.UserAgent()
	if len(ua) > 500 {
		ua = ua[:500]
	}
	sub := store.PushSubscription{UserID: userOf(r), Endpoint: in.Endpoint, P256dh: in.Keys.P256dh, Auth: in.Keys.Auth, UserAgent: ua, CreatedAt: time.Now()}
	if err := s.o.Store.SavePushSubscription(r.Context(), sub); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"endpoint": in.Endpoint})
	return nil
}

func (s *Server) unsubscribePush(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Endpoint string `json:"endpoint"`
	}
	if err := decodeSmallJSON(r, &in); err != nil {
		return err
	}
	if in.Endpoint == "" {
		return notify.FieldErrorf(notify.CodeInvalidEvent, "endpoint", "is required")
	}
	ok, err := s.o.Store.DeletePushSubscription(r.Context(), userOf(r), in.Endpoint)
	if err != nil {
		return err
	}
	if !ok {
		return notify.Errorf(notify.CodeNotFound, "you have no subscription with that endpoint")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
