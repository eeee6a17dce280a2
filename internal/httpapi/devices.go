package httpapi

import (
	"net/http"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// Mobile push devices: an app registers its FCM or APNs token for the signed-in user; the
// shop's back office can do the same for any user (the admin twin).
func (s *Server) routeDevices() {
	if s.o.CheckDevice == nil {
		s.o.CheckDevice = func(d store.Device) (store.Device, error) { return d, nil }
	}
	s.Route("GET /v1/push/devices", s.handle(s.user(s.withUser(userOf, s.listDevices))))
	s.Route("POST /v1/push/devices", s.handle(s.user(s.withUser(userOf, s.registerDevice))))
	s.Route("DELETE /v1/push/devices", s.handle(s.user(s.withUser(userOf, s.deleteDevice))))
	s.Route("GET /v1/users/{userId}/devices", s.handle(s.admin(s.withUser(nil, s.listDevices))))
	s.Route("POST /v1/users/{userId}/devices", s.handle(s.admin(s.withUser(nil, s.registerDevice))))
	s.Route("DELETE /v1/users/{userId}/devices", s.handle(s.admin(s.withUser(nil, s.deleteDevice))))
}

// withUser passes the user a device route is about: the caller's (of), or {userId}.
func (s *Server) withUser(of func(*http.Request) string, h func(w http.ResponseWriter, r *http.Request, userID string) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if of != nil {
			return h(w, r, of(r))
		}
		u, err := pathUser(r)
		if err != nil {
			return err
		}
		return h(w, r, u)
	}
}

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request, userID string) error {
	ds, err := s.o.Store.UserDevices(r.Context(), userID)
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []store.Device{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"devices": ds})
	return nil
}

func (s *Server) registerDevice(w http.ResponseWriter, r *http.Request, userID string) error {
	var in struct {
		Platform string `json:"platform"`
		Token    string `json:"token"`
		Locale   string `json:"locale"`
	}
	if err := decodeSmallJSON(r, &in); err != nil {
		return err
	}
	d, err := s.o.CheckDevice(store.Device{UserID: userID, Platform: in.Platform, Token: in.Token, Locale: in.Locale, CreatedAt: time.Now()})
	if err != nil {
		return err
	}
	if err := s.o.Store.SaveDevice(r.Context(), d); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (s *Server) deleteDevice(w http.ResponseWriter, r *http.Request, userID string) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := decodeSmallJSON(r, &in); err != nil {
		return err
	}
	if in.Token == "" {
		return notify.FieldErrorf(notify.CodeInvalidEvent, "token", "is required")
	}
	ok, err := s.o.Store.DeleteDevice(r.Context(), userID, in.Token)
	if err == nil && !ok {
		// An APNs token is stored in lower case: try that spelling too.
		if d, cerr := s.o.CheckDevice(store.Device{Platform: store.DeviceAPNs, Token: in.Token}); cerr == nil && d.Token != in.Token {
			ok, err = s.o.Store.DeleteDevice(r.Context(), userID, d.Token)
		}
	}
	if err != nil {
		return err
	}
	if !ok {
		return notify.Errorf(notify.CodeNotFound, "no device with that token is registered for this user")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
