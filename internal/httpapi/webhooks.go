package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// Admin routes over the outbound webhook outbox (notifyctl webhooks list|replay).
func (s *Server) routeWebhooks() {
	s.Route("GET /v1/admin/webhooks", s.handle(s.admin(s.listWebhooks)))
	s.Route("POST /v1/admin/webhooks/{id}/replay", s.handle(s.admin(s.replayWebhook)))
}

type webhookList struct {
	Webhooks []store.OutboxRow `json:"webhooks"`
	// NextAfter fetches the next page (?after=); absent on the last page.
	NextAfter int64 `json:"nextAfter,omitempty"`
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.OutboxFilter{Status: q.Get("status")}
	switch f.Status {
	case "", store.OutboxPending, store.OutboxSending, store.OutboxDelivered, store.OutboxFailed:
	default:
		return notify.FieldErrorf(notify.CodeInvalidQuery, "status", "must be pending, sending, delivered or failed")
	}
	p, err := parseIDPage(q, "webhook message")
	if err != nil {
		return err
	}
	f.Limit, f.AfterID = p.limit+1, p.after
	list, err := s.o.Store.ListOutbox(r.Context(), f)
	if err != nil {
		return err
	}
	var out webhookList
	out.Webhooks, out.NextAfter = cut(p, list, func(o store.OutboxRow) int64 { return o.ID })
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) replayWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return notify.Errorf(notify.CodeNotFound, "no webhook message %q", r.PathValue("id"))
	}
	if err := s.o.Store.ReplayOutbox(r.Context(), id, time.Now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notify.Errorf(notify.CodeNotFound, "no webhook message %d", id)
		}
		return err
	}
	if s.o.WebhookKick != nil {
		s.o.WebhookKick()
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"id": id, "status": store.OutboxPending})
	return nil
}
