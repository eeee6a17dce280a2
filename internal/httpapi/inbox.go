package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

type listJSON struct {
	Notifications []notify.View `json:"notifications"`
	// NextCursor fetches the next (older) page; absent on the last page.
	NextCursor string `json:"nextCursor,omitempty"`
}

const (
	// storeTimeout bounds the inbox's store writes: a hung database answers 503, and
	// cannot hold a request (or the server's shutdown) forever.
	storeTimeout = 10 * time.Second
	defaultLimit = 20
	maxLimit     = 100
)

// listNotifications pages through the caller's notifications, newest first. The cursor is
// opaque to clients (today: the seq of the last notification of the previous page).
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit := defaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return notify.FieldErrorf(notify.CodeInvalidQuery, "limit", "must be an integer from 1 to %d", maxLimit)
		}
		limit = n
	}
	var before int64
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return notify.FieldErrorf(notify.CodeInvalidQuery, "cursor", "is not a cursor this API returned")
		}
		before = n
	}
	ns, err := s.o.Store.ListNotifications(r.Context(), userOf(r), before, limit+1)
	if err != nil {
		return err
	}
	out := listJSON{Notifications: make([]notify.View, 0, min(len(ns), limit))}
	for i := range ns[:min(len(ns), limit)] {
		out.Notifications = append(out.Notifications, ns[i].View())
	}
	if len(ns) > limit {
		out.NextCursor = strconv.FormatInt(ns[limit-1].Seq, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) unreadCount(w http.ResponseWriter, r *http.Request) error {
	n, err := s.o.Store.UnreadCount(r.Context(), userOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"count": n})
	return nil
}

func (s *Server) markRead(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return notify.Errorf(notify.CodeNotFound, "no notification %q", r.PathValue("id"))
	}
	ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
	defer cancel()
	if err := s.o.Store.MarkRead(ctx, userOf(r), id, time.Now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notify.Errorf(notify.CodeNotFound, "you have no notification %d", id)
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) markAllRead(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
	defer cancel()
	n, err := s.o.Store.MarkAllRead(ctx, userOf(r), time.Now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int64{"marked": n})
	return nil
}

// stream hands the request to the SSE hub, which takes the connection over.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) error {
	return s.o.Hub.Serve(w, r, userOf(r))
}
