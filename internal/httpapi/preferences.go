package httpapi

import (
	"net/http"
	"slices"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
)

// preferencesView is GET /v1/preferences: every switchable channel with its state, the
// type×channel switches the user set, their quiet hours and what they can choose from.
type preferencesView struct {
	Channels   map[notify.Channel]bool            `json:"channels"`
	Types      map[string]map[notify.Channel]bool `json:"types"`
	QuietHours *prefs.Window                      `json:"quietHours"`
	Available  []availableType                    `json:"available"`
}

// availableType is one registered type: the channels some role gets it on, whether it is
// required (opt-outs and quiet hours do not apply), and its names for people by language.
type availableType struct {
	Type     string            `json:"type"`
	Channels []notify.Channel  `json:"channels"`
	Required bool              `json:"required"`
	Labels   map[string]string `json:"labels,omitempty"`
}

// preferencesBody is PUT /v1/preferences: the GET shape; available is ignored, so a client
// can send back what it read.
type preferencesBody struct {
	Channels   map[notify.Channel]bool            `json:"channels"`
	Types      map[string]map[notify.Channel]bool `json:"types"`
	QuietHours *prefs.Window                      `json:"quietHours"`
	Available  any                                `json:"available,omitempty"`
}

func (s *Server) getPreferences(w http.ResponseWriter, r *http.Request) error {
	return s.writePreferences(w, r, userOf(r))
}

func (s *Server) putPreferences(w http.ResponseWriter, r *http.Request) error {
	return s.savePreferences(w, r, userOf(r))
}

func (s *Server) adminGetPreferences(w http.ResponseWriter, r *http.Request) error {
	u, err := pathUser(r)
	if err != nil {
		return err
	}
	return s.writePreferences(w, r, u)
}

func (s *Server) adminPutPreferences(w http.ResponseWriter, r *http.Request) error {
	u, err := pathUser(r)
	if err != nil {
		return err
	}
	return s.savePreferences(w, r, u)
}

func (s *Server) writePreferences(w http.ResponseWriter, r *http.Request, user string) error {
	p, _, err := s.o.Store.GetPreferences(r.Context(), user)
	if err != nil {
		return err
	}
	v := preferencesView{Channels: map[notify.Channel]bool{}, Types: map[string]map[notify.Channel]bool{}, QuietHours: p.QuietHours, Available: s.available()}
	for _, c := range prefs.OptionalChannels {
		v.Channels[c] = p.Allows("", c)
	}
	for t, cs := range p.Types {
		if len(cs) > 0 {
			v.Types[t] = cs
		}
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// savePreferences replaces user's preferences with the body, after checking every channel
// and type it names; "inbox": true is accepted and not stored (the inbox is always on).
func (s *Server) savePreferences(w http.ResponseWriter, r *http.Request, user string) error {
	var body preferencesBody
	if err := s.decodeBody(w, r, &body); err != nil {
		return err
	}
	p := prefs.Preferences{Channels: body.Channels, Types: body.Types, QuietHours: body.QuietHours}
	if err := s.checkPreferences(p); err != nil {
		return err
	}
	p = withoutInbox(p)
	if err := s.o.Store.PutPreferences(r.Context(), user, p, time.Now()); err != nil {
		return err
	}
	return s.writePreferences(w, r, user)
}

// checkPreferences checks every channel and type p names.
func (s *Server) checkPreferences(p prefs.Preferences) error {
	if err := p.Validate(); err != nil {
		return err
	}
	reg := s.o.Ingest.Registry()
	for t := range p.Types {
		if _, ok := reg.Lookup(t); !ok {
			return notify.FieldErrorf(notify.CodeInvalidEvent, "types."+t, "is not a registered type")
		}
	}
	return nil
}

func withoutInbox(p prefs.Preferences) prefs.Preferences {
	out := prefs.Preferences{QuietHours: p.QuietHours}
	for c, on := range p.Channels {
		if !prefs.IsInbox(c) {
			if out.Channels == nil {
				out.Channels = map[notify.Channel]bool{}
			}
			out.Channels[c] = on
		}
	}
	for t, cs := range p.Types {
		for c, on := range cs {
			if prefs.IsInbox(c) {
				continue
			}
			if out.Types == nil {
				out.Types = map[string]map[notify.Channel]bool{}
			}
			if out.Types[t] == nil {
				out.Types[t] = map[notify.Channel]bool{}
			}
			out.Types[t][c] = on
		}
	}
	return out
}

// available lists the registry's types with the channels any role gets them on.
func (s *Server) available() []availableType {
	reg := s.o.Ingest.Registry()
	order := append([]notify.Channel{prefs.ChannelInbox}, prefs.OptionalChannels...)
	out := []availableType{}
	for _, name := range reg.Names() {
		t, _ := reg.Lookup(name)
		has := map[notify.Channel]bool{prefs.ChannelInbox: true}
		for _, cs := range t.Channels {
			for _, c := range cs {
				if prefs.IsInbox(c) {
					c = prefs.ChannelInbox
				}
				has[c] = true
			}
		}
		a := availableType{Type: name, Required: t.Required, Labels: t.Labels}
		for _, c := range order {
			if has[c] {
				a.Channels = append(a.Channels, c)
			}
		}
		for c := range has { // channels this build does not know by name yet
			if !slices.Contains(order, c) {
				a.Channels = append(a.Channels, c)
			}
		}
		out = append(out, a)
	}
	return out
}
