package httpapi

import (
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

// listNotifications pages through the caller's notifications, newest first, under the
// status/archived/type filters. The cursor is opaque to clients (today: the seq of the
// last notification of the previous page), so pages stay exact while new notifications
// (higher seqs) arrive.
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) error {
	return s.writeInbox(w, r, userOf(r))
}

// writeInbox answers a list of user's inbox (the caller's, or the admin twin's user).
func (s *Server) writeInbox(w http.ResponseWriter, r *http.Request, user string) error {
	q := r.URL.Query()
	f := store.InboxFilter{Status: q.Get("status"), Archived: q.Get("archived"), Type: q.Get("type")}
	switch f.Status {
	case "", store.InboxAll, store.InboxUnread, store.InboxRead:
	default:
		return notify.FieldErrorf(notify.CodeInvalidQuery, "status", "must be unread, read or all")
	}
	switch f.Archived {
	case "", store.ArchivedExclude, store.ArchivedInclude, store.ArchivedOnly:
	default:
		return notify.FieldErrorf(notify.CodeInvalidQuery, "archived", "must be exclude, include or only")
	}
	if len(f.Type) > 128 {
		return notify.FieldErrorf(notify.CodeInvalidQuery, "type", "is longer than 128 characters")
	}
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
	f.Before, f.Limit = before, limit+1
	ns, err := s.o.Store.ListInbox(r.Context(), user, f)
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
	c, err := s.o.Store.InboxCounts(r.Context(), userOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// stream hands the request to the SSE hub, which takes the connection over.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) error {
	return s.o.Hub.Serve(w, r, userOf(r))
}
