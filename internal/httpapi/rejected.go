package httpapi

import (
	"errors"
	"net/http"
	"strconv"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// Admin routes over messages a source could not accept (SQS poison messages), kept with
// their reason until the cause is fixed and they are replayed.
func (s *Server) routeRejected() {
	s.Route("GET /v1/admin/rejected", s.handle(s.admin(s.listRejected)))
	s.Route("POST /v1/admin/rejected/{id}/replay", s.handle(s.admin(s.replayRejected)))
}

type rejectedList struct {
	Rejected []store.Rejected `json:"rejected"`
	// NextAfter fetches the next page (?after=); absent on the last page.
	NextAfter int64 `json:"nextAfter,omitempty"`
}

func (s *Server) listRejected(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.RejectedFilter{Status: q.Get("status")}
	switch f.Status {
	case "", store.RejectedPending, store.RejectedReplayed:
	default:
		return notify.FieldErrorf(notify.CodeInvalidQuery, "status", "must be %s or %s", store.RejectedPending, store.RejectedReplayed)
	}
	p, err := parseIDPage(q, "rejected message")
	if err != nil {
		return err
	}
	f.Limit, f.AfterID = p.limit+1, p.after
	list, err := s.o.Store.ListRejected(r.Context(), f)
	if err != nil {
		return err
	}
	var out rejectedList
	out.Rejected, out.NextAfter = cut(p, list, func(m store.Rejected) int64 { return m.ID })
	writeJSON(w, http.StatusOK, out)
	return nil
}

type replayed struct {
	ID int64 `json:"id"`
	acceptedEvent
}

func (s *Server) replayRejected(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return notify.Errorf(notify.CodeNotFound, "no rejected message %q", r.PathValue("id"))
	}
	if s.o.Replay == nil {
		return notify.Errorf(notify.CodeNotFound, "no rejected message %d", id)
	}
	results, err := s.o.Replay(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notify.Errorf(notify.CodeNotFound, "no rejected message %d", id)
	case err != nil && notify.Permanent(err):
		return err // still bad: the reason, as a 4xx
	case err != nil:
		return unavailable(err)
	}
	res := results[0]
	ids := make([]int64, len(res.Notifications))
	for i, n := range res.Notifications {
		ids[i] = n.ID
	}
	writeJSON(w, http.StatusOK, replayed{ID: id, acceptedEvent: acceptedEvent{EventID: res.Key, Duplicate: res.Duplicate, NotificationIDs: ids}})
	return nil
}
