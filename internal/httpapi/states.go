package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/sse"
	"github.com/notifyd/notifyd/internal/store"
)

// StatePublisher passes an inbox state change on to the user's open streams, on every
// replica (internal/fanout's Local and Redis).
type StatePublisher interface {
	PublishState(ctx context.Context, sc notify.StateChange)
}

// hubStates publishes to this process's hub only (no fan-out configured).
type hubStates struct{ h *sse.Hub }

func (p hubStates) PublishState(_ context.Context, sc notify.StateChange) { p.h.DeliverState(sc) }

func (s *Server) publishState(ctx context.Context, sc notify.StateChange) {
	if s.o.States != nil {
		s.o.States.PublishState(ctx, sc)
	} else if s.o.Hub != nil {
		hubStates{s.o.Hub}.PublishState(ctx, sc)
	}
}

// now is the time a state change records: milliseconds, as the store keeps it, so the
// time other tabs are told equals the one a later list shows.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, notify.Errorf(notify.CodeNotFound, "no notification %q", r.PathValue("id"))
	}
	return id, nil
}

// newestSeq is the caller's newest sequence number: bulk actions apply up to it, so a
// notification that arrives while one runs is not marked, and other tabs are told the
// exact bound.
func (s *Server) newestSeq(ctx context.Context, r *http.Request) (int64, error) {
	seqs, err := s.o.Store.LastSeqs(ctx, []string{userOf(r)})
	return seqs[userOf(r)], err
}

// writeCtx bounds a state change's store calls by storeTimeout.
func writeCtx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), storeTimeout)
}

func (s *Server) markRead(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	at := now()
	ctx, cancel := writeCtx(r)
	defer cancel()
	if err := s.o.Store.MarkRead(ctx, userOf(r), id, at); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notify.Errorf(notify.CodeNotFound, "you have no notification %d", id)
		}
		return err
	}
	s.publishState(r.Context(), notify.StateChange{UserID: userOf(r), IDs: []int64{id}, ReadAt: &at})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// markAllRead marks read everything up to the caller's newest notification, or only the
// notifications of ?type=.
func (s *Server) markAllRead(w http.ResponseWriter, r *http.Request) error {
	typ := r.URL.Query().Get("type")
	if len(typ) > 128 {
		return notify.FieldErrorf(notify.CodeInvalidQuery, "type", "is longer than 128 characters")
	}
	ctx, cancel := writeCtx(r)
	defer cancel()
	upTo, err := s.newestSeq(ctx, r)
	if err != nil {
		return err
	}
	at := now()
	n, err := s.o.Store.MarkReadUpTo(ctx, userOf(r), typ, upTo, at)
	if err != nil {
		return err
	}
	if n > 0 {
		s.publishState(r.Context(), notify.StateChange{UserID: userOf(r), UpToSeq: upTo, Type: typ, ReadAt: &at})
	}
	writeJSON(w, http.StatusOK, map[string]int64{"marked": n})
	return nil
}

// markSeen marks every notification up to the newest seen: the caller opened the bell.
func (s *Server) markSeen(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := writeCtx(r)
	defer cancel()
	upTo, err := s.newestSeq(ctx, r)
	if err != nil {
		return err
	}
	at := now()
	n, err := s.o.Store.MarkSeenUpTo(ctx, userOf(r), upTo, at)
	if err != nil {
		return err
	}
	if n > 0 {
		s.publishState(r.Context(), notify.StateChange{UserID: userOf(r), UpToSeq: upTo, SeenAt: &at})
	}
	writeJSON(w, http.StatusOK, map[string]int64{"marked": n})
	return nil
}

func (s *Server) archive(w http.ResponseWriter, r *http.Request) error {
	return s.setArchived(w, r, true)
}
func (s *Server) unarchive(w http.ResponseWriter, r *http.Request) error {
	return s.setArchived(w, r, false)
}

func (s *Server) setArchived(w http.ResponseWriter, r *http.Request, archived bool) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sc := notify.StateChange{UserID: userOf(r), IDs: []int64{id}, Unarchived: !archived}
	if archived {
		at := now()
		sc.ArchivedAt = &at
	}
	ctx, cancel := writeCtx(r)
	defer cancel()
	if err := s.o.Store.SetArchived(ctx, userOf(r), id, sc.ArchivedAt); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notify.Errorf(notify.CodeNotFound, "you have no notification %d", id)
		}
		return err
	}
	s.publishState(r.Context(), sc)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
