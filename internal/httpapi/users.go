package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"
	"unicode"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
	"github.com/notifyd/notifyd/internal/store"
)

// StreamCloser closes users' live streams on every replica (internal/fanout).
type StreamCloser interface {
	CloseUsers(ctx context.Context, users []string) error
}

// Admin routes over users (profiles, erasure) and their preferences; the caller's own
// preferences are in preferences.go.
func (s *Server) routeUsers() {
	s.Route("GET /v1/users/{userId}", s.handle(s.admin(s.getUser)))
	s.Route("PUT /v1/users/{userId}", s.handle(s.admin(s.putUser)))
	s.Route("DELETE /v1/users/{userId}", s.handle(s.admin(s.deleteUser)))
	s.Route("GET /v1/users/{userId}/preferences", s.handle(s.admin(s.adminGetPreferences)))
	s.Route("PUT /v1/users/{userId}/preferences", s.handle(s.admin(s.adminPutPreferences)))
	s.Route("GET /v1/preferences", s.handle(s.user(s.getPreferences)))
	s.Route("PUT /v1/preferences", s.handle(s.user(s.putPreferences)))
	s.routePreferencesPatch()
}

// profileView is a user's profile as the API shows it: every field, empty when unknown.
type profileView struct {
	UserID      string `json:"userId"`
	PhoneNumber string `json:"phoneNumber"`
	Email       string `json:"email"`
	TimeZone    string `json:"timeZone"`
	Locale      string `json:"locale"`
	consentsView
}

func viewProfile(u string, p prefs.Profile) profileView {
	return profileView{UserID: u, PhoneNumber: p.PhoneNumber, Email: p.Email, TimeZone: p.TimeZone, Locale: p.Locale, consentsView: viewConsents(p)}
}

// pathUser reads {userId}: at most 128 printable characters, as in events.
func pathUser(r *http.Request) (string, error) {
	u := r.PathValue("userId")
	if u == "" || len(u) > 128 {
		return "", notify.FieldErrorf(notify.CodeInvalidEvent, "userId", "must be 1 to 128 characters")
	}
	for _, c := range u {
		if unicode.IsControl(c) {
			return "", notify.FieldErrorf(notify.CodeInvalidEvent, "userId", "must be printable characters")
		}
	}
	return u, nil
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	u, err := pathUser(r)
	if err != nil {
		return err
	}
	p, err := s.o.Store.GetProfile(r.Context(), u)
	if errors.Is(err, store.ErrNotFound) {
		return notify.Errorf(notify.CodeNotFound, "user %q has no profile", u)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewProfile(u, p))
	return nil
}

// putUser sets the profile fields the body names ({"phoneNumber","email","timeZone",
// "locale","adConsent","nightAdConsent"}, any subset); "" clears one, an absent field keeps
// its value. A consent is stamped with the server's time when its value changes.
func (s *Server) putUser(w http.ResponseWriter, r *http.Request) error {
	u, err := pathUser(r)
	if err != nil {
		return err
	}
	var patch store.ProfilePatch
	if err := s.decodeBody(w, r, &patch); err != nil {
		return err
	}
	if err := patch.Apply(prefs.Profile{}, time.Now()).Validate(); err != nil {
		return err
	}
	p, err := s.o.Store.UpdateProfile(r.Context(), u, patch, time.Now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewProfile(u, p))
	return nil
}

// deleteUser erases the user (store.EraseUser) and closes their streams on every replica.
// Erasing a user the store does not know is not an error: the answer says nothing was there.
func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	u, err := pathUser(r)
	if err != nil {
		return err
	}
	e, err := s.o.Store.EraseUser(r.Context(), u)
	if err != nil {
		return err
	}
	if s.o.Streams != nil {
		if err := s.o.Streams.CloseUsers(r.Context(), []string{u}); err != nil {
			// Erased all the same: a stream left open elsewhere shows nothing more of the
			// old data, and its replica's hub no longer finds the user's notifications.
			s.log.WarnContext(r.Context(), "erase: closing the user's streams on other replicas failed", "err", err)
		}
	}
	writeJSON(w, http.StatusOK, struct {
		UserID string `json:"userId"`
		store.Erased
	}{u, e})
	return nil
}

// decodeBody reads a JSON object body into v, refusing unknown fields.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		return notify.Errorf(notify.CodeTooLarge, "body is over the 64 KiB limit")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return notify.FieldErrorf(notify.CodeInvalidEvent, te.Field, "has the wrong type")
		}
		return &notify.Error{Code: notify.CodeInvalidJSON, Message: "malformed JSON", Err: err}
	}
	return nil
}
