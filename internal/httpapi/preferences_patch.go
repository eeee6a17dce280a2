package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
)

// The merge twins of PUT /v1/preferences (which replaces): PATCH sets only the switches
// it names, and the quiet hours only when it has the key (null clears them). A settings
// screen that saves one switch sends just that switch, so what other screens or the
// operator set stays.
func (s *Server) routePreferencesPatch() {
	s.Route("PATCH /v1/preferences", s.handle(s.user(s.patchPreferences)))
	s.Route("PATCH /v1/users/{userId}/preferences", s.handle(s.admin(s.adminPatchPreferences)))
}

// preferencesPatch is a PATCH body: the PUT shape, every key optional.
type preferencesPatch struct {
	Channels   map[notify.Channel]bool            `json:"channels"`
	Types      map[string]map[notify.Channel]bool `json:"types"`
	QuietHours json.RawMessage                    `json:"quietHours"`
	Available  any                                `json:"available,omitempty"`
}

func (s *Server) patchPreferences(w http.ResponseWriter, r *http.Request) error {
	return s.mergePreferences(w, r, userOf(r))
}

func (s *Server) adminPatchPreferences(w http.ResponseWriter, r *http.Request) error {
	u, err := pathUser(r)
	if err != nil {
		return err
	}
	return s.mergePreferences(w, r, u)
}

func (s *Server) mergePreferences(w http.ResponseWriter, r *http.Request, user string) error {
	var body preferencesPatch
	if err := s.decodeBody(w, r, &body); err != nil {
		return err
	}
	patch := prefs.Patch{Preferences: prefs.Preferences{Channels: body.Channels, Types: body.Types}}
	if len(body.QuietHours) > 0 {
		patch.SetQuietHours = true
		if !bytes.Equal(bytes.TrimSpace(body.QuietHours), []byte("null")) {
			var win prefs.Window
			if err := json.Unmarshal(body.QuietHours, &win); err != nil {
				return notify.FieldErrorf(notify.CodeInvalidEvent, "quietHours", "%v", err)
			}
			patch.QuietHours = &win
		}
	}
	if err := s.checkPreferences(patch.Preferences); err != nil {
		return err
	}
	patch.Preferences = withoutInbox(patch.Preferences)
	if _, err := s.o.Store.MergePreferences(r.Context(), user, patch, time.Now()); err != nil {
		return err
	}
	return s.writePreferences(w, r, user)
}
