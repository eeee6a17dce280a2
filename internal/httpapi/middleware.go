package httpapi

import (
	"context"
	"net/http"

	notify "github.com/notifyd/notifyd"
)

type userKey struct{}

// user authenticates the caller and puts their id in the request context.
func (s *Server) user(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := s.o.Auth.Authenticate(r)
		if err != nil {
			return err
		}
		if !s.limit.allow(id) {
			return notify.Errorf(notify.CodeRateLimited, "too many requests for this user; slow down")
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), userKey{}, id)))
	}
}

// userOf returns the authenticated caller of a request that went through user.
func userOf(r *http.Request) string { return r.Context().Value(userKey{}).(string) }
