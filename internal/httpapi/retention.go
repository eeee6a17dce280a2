package httpapi

import (
	"context"
	"net/http"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// Purger is the retention purge the admin routes show and run (internal/retention).
type Purger interface {
	DryRun(ctx context.Context) (store.PurgeCutoffs, store.Purged, error)
	Purge(ctx context.Context) (store.Purged, error)
}

// Admin routes over retention (notifyctl purge [--dry-run]).
func (s *Server) routeRetention() {
	if s.o.Retention == nil {
		return
	}
	s.Route("GET /v1/admin/retention", s.handle(s.admin(s.retentionDryRun)))
	s.Route("POST /v1/admin/retention/purge", s.handle(s.admin(s.retentionPurge)))
}

type retentionAnswer struct {
	DryRun bool `json:"dryRun"`
	// Cutoffs: rows created before these times go (by notification type; the outbox).
	Cutoffs *retentionCutoffs `json:"cutoffs,omitempty"`
	Purged  store.Purged      `json:"purged"`
}

type retentionCutoffs struct {
	Types  map[string]time.Time `json:"types"`
	Events map[string]time.Time `json:"events"`
	Outbox time.Time            `json:"outbox"`
}

func (s *Server) retentionDryRun(w http.ResponseWriter, r *http.Request) error {
	c, n, err := s.o.Retention.DryRun(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, retentionAnswer{DryRun: true, Cutoffs: &retentionCutoffs{Types: c.Types, Events: c.Events, Outbox: c.Outbox}, Purged: n})
	return nil
}

func (s *Server) retentionPurge(w http.ResponseWriter, r *http.Request) error {
	n, err := s.o.Retention.Purge(r.Context())
	if s.o.PurgeBusy != nil && s.o.PurgeBusy(err) {
		return notify.Errorf(notify.CodeUnavailable, "a purge is running on another replica; it deletes the same rows, retry later to see")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, retentionAnswer{Purged: n})
	return nil
}
