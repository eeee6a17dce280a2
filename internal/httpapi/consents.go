package httpapi

import (
	"errors"
	"net/http"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
	"github.com/notifyd/notifyd/internal/store"
)

// routeConsents are the caller's own advertising consents, for the settings screens: a
// small route of their own, since they live on the profile (which only an admin may
// change) rather than in the preferences document.
func (s *Server) routeConsents() {
	s.Route("GET /v1/consents", s.handle(s.user(s.getConsents)))
	s.Route("PUT /v1/consents", s.handle(s.user(s.putConsents)))
}

// consentsView is the caller's two consents and when the server recorded each.
type consentsView struct {
	AdConsent        bool      `json:"adConsent"`
	AdConsentAt      time.Time `json:"adConsentAt,omitzero"`
	NightAdConsent   bool      `json:"nightAdConsent"`
	NightAdConsentAt time.Time `json:"nightAdConsentAt,omitzero"`
}

func viewConsents(p prefs.Profile) consentsView {
	return consentsView{p.AdConsent, p.AdConsentAt, p.NightAdConsent, p.NightAdConsentAt}
}

func (s *Server) getConsents(w http.ResponseWriter, r *http.Request) error {
	p, err := s.o.Store.GetProfile(r.Context(), userOf(r))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	writeJSON(w, http.StatusOK, viewConsents(p)) // no profile: neither consent given
	return nil
}

// putConsents sets the consents the body names ({"adConsent","nightAdConsent"}, booleans);
// a change is stamped with the server's time.
func (s *Server) putConsents(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		AdConsent      *bool `json:"adConsent"`
		NightAdConsent *bool `json:"nightAdConsent"`
	}
	if err := s.decodeBody(w, r, &in); err != nil {
		return err
	}
	if in.AdConsent == nil && in.NightAdConsent == nil {
		return notify.FieldErrorf(notify.CodeInvalidEvent, "adConsent", "name adConsent or nightAdConsent (booleans)")
	}
	p, err := s.o.Store.UpdateProfile(r.Context(), userOf(r), store.ProfilePatch{AdConsent: in.AdConsent, NightAdConsent: in.NightAdConsent}, time.Now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewConsents(p))
	return nil
}
