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
	f := store.OutboxFilter{Status: q.Get("status"), Limit: defaultLimit}
	switch f.Status {
	case "", store.OutboxPending, store.OutboxSending, store.OutboxDelivered, store.OutboxFailed:
	default:
		return notify.FieldErrorf(notify.CodeInvalidEvent, "status", "must be pending, sending, delivered or failed")
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return notify.FieldErrorf(notify.CodeInvalidEvent, "limit", "must be an integer from 1 to %d", maxLimit)
		}
		f.Limit = n
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return notify.FieldErrorf(notify.CodeInvalidEvent, "after", "must be a webhook message id")
		}
		f.AfterID = n
	}
	want := f.Limit
	f.Limit++
	list, err := s.o.Store.ListOutbox(r.Context(), f)
	if err != nil {
		return err
	}
	out := webhookList{Webhooks: list[:min(len(list), want)]}
	if out.Webhooks == nil {
		out.Webhooks = []store.OutboxRow{}
	}
	if len(list) > want {
		out.NextAfter = list[want-1].ID
	}
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
