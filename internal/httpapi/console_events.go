package httpapi

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// The admin routes behind the operator's console (/console), usable without it: the
// activity feed, an event's timeline, traffic counts and template previews.
func (s *Server) routeConsole() {
	s.Route("GET /v1/events", s.handle(s.admin(s.listEvents)))
	s.Route("GET /v1/events/{eventId}/timeline", s.handle(s.admin(s.eventTimeline)))
	s.Route("GET /v1/admin/stats", s.handle(s.admin(s.trafficStats)))
	s.Route("POST /v1/admin/preview", s.handle(s.admin(s.preview)))
	s.routeConsoleUsers()
}

// A status filter is a status's shape, not a fixed list: channels add statuses (delivered,
// undelivered) and the feed filters by any of them.
var statusShape = regexp.MustCompile(`^[a-z][a-z_]{0,31}$`)

type eventList struct {
	Events []store.EventSummary `json:"events"`
	// NextAfter fetches the next (older) page (?after=); absent on the last page.
	NextAfter int64 `json:"nextAfter,omitempty"`
}

// listEvents answers GET /v1/events?type=&status=&userId=&after=&limit=, newest first.
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.EventFilter{Type: q.Get("type"), Status: q.Get("status"), UserID: q.Get("userId"), Limit: defaultLimit}
	if f.Type != "" && !printable(f.Type, 128) {
		return notify.FieldErrorf(notify.CodeInvalidQuery, "type", "must be a notification type")
	}
	if f.Status != "" && !statusShape.MatchString(f.Status) {
		return notify.FieldErrorf(notify.CodeInvalidQuery, "status", "must be a delivery status such as sent, failed or skipped")
	}
	if f.UserID != "" && !printable(f.UserID, 128) {
		return notify.FieldErrorf(notify.CodeInvalidQuery, "userId", "must be a user id of at most 128 characters")
	}
	p, err := parseIDPage(q, "event's")
	if err != nil {
		return err
	}
	f.Limit, f.Before = p.limit, p.after
	page, err := s.o.Store.ListEvents(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, eventList{Events: page.Events, NextAfter: page.Next})
	return nil
}

// printable: 1 to max bytes, no control characters.
func printable(v string, max int) bool {
	if len(v) > max {
		return false
	}
	for _, c := range v {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// timelineEntry is one thing that happened to an event, in time order.
type timelineEntry struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind"` // accepted, notification, scheduled, attempt, report, delivery, read
	// What the entry is about; each kind fills its own.
	UserID            string `json:"userId,omitempty"`
	NotificationID    int64  `json:"notificationId,omitempty"`
	DeliveryID        int64  `json:"deliveryId,omitempty"`
	Channel           string `json:"channel,omitempty"`
	Attempt           int    `json:"attempt,omitempty"`
	Status            string `json:"status,omitempty"`
	Source            string `json:"source,omitempty"`
	Provider          string `json:"provider,omitempty"`
	ProviderMessageID string `json:"providerMessageId,omitempty"`
	Error             string `json:"error,omitempty"`
	Reason            string `json:"reason,omitempty"`
	Fallback          string `json:"fallback,omitempty"`
}

type timelineView struct {
	Event    eventStatusView `json:"event"`
	Timeline []timelineEntry `json:"timeline"`
	// Cancellable: something of the event has not gone out (DELETE /v1/events/{eventId}).
	Cancellable bool `json:"cancellable"`
}

// eventTimeline answers GET /v1/events/{eventId}/timeline: the event's status with
// everything that happened to it in time order: accepted, each notification (or its wait),
// each delivery attempt with the provider's answer, deliveries decided without an attempt
// (skipped, cancelled, still waiting), and reads.
func (s *Server) eventTimeline(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("eventId")
	// The first page of recipients: a topic's event may have a million (the counts say).
	st, err := s.o.Store.EventStatusPage(r.Context(), key, store.StatusPage{Limit: store.MaxListed})
	if errors.Is(err, store.ErrNotFound) {
		return notify.Errorf(notify.CodeNotFound, "no event %q", key)
	}
	if err != nil {
		return err
	}
	attempts, err := s.o.Store.EventAttempts(r.Context(), key)
	if err != nil {
		return err
	}
	v := timelineView{Event: eventStatusJSON(st), Timeline: []timelineEntry{{At: st.ReceivedAt, Kind: "accepted", Source: st.Source}}}
	tried := map[int64]bool{}
	for _, a := range attempts {
		tried[a.DeliveryID] = true
		kind := "attempt"
		if a.Status == string(notify.StatusDelivered) || a.Status == string(notify.StatusUndelivered) {
			kind = "report" // the provider's word on the attempt before it
		}
		v.Timeline = append(v.Timeline, timelineEntry{At: a.At, Kind: kind, DeliveryID: a.DeliveryID, Channel: a.Channel, Attempt: a.Attempt, Status: a.Status,
			Provider: a.Provider, ProviderMessageID: a.ProviderID, Error: a.Error, Reason: a.Reason, Fallback: a.Fallback})
	}
	for _, p := range st.Scheduled {
		v.Timeline = append(v.Timeline, timelineEntry{At: p.DueAt, Kind: "scheduled", UserID: p.UserID, Status: p.Status, NotificationID: p.NotificationID})
		v.Cancellable = v.Cancellable || p.Status == store.PendingWaiting || p.Status == store.PendingDigested
	}
	for _, rs := range st.Recipients {
		n := rs.Notification
		v.Timeline = append(v.Timeline, timelineEntry{At: n.CreatedAt, Kind: "notification", UserID: rs.UserID, NotificationID: n.ID})
		if n.ReadAt != nil {
			v.Timeline = append(v.Timeline, timelineEntry{At: *n.ReadAt, Kind: "read", UserID: rs.UserID, NotificationID: n.ID})
		}
		for _, d := range rs.Deliveries {
			if d.Status == notify.StatusPending || d.Status == notify.StatusScheduled {
				v.Cancellable = true
			}
			// What a delivery became without an attempt (or since its last one: a cancel).
			if !tried[d.ID] || d.Status == notify.StatusCancelled || !d.Status.Final() {
				at := d.UpdatedAt
				if d.NextAttemptAt != nil && d.Status == notify.StatusScheduled {
					at = *d.NextAttemptAt
				}
				v.Timeline = append(v.Timeline, timelineEntry{At: at, Kind: "delivery", UserID: rs.UserID, DeliveryID: d.ID, Channel: string(d.Channel),
					Status: string(d.Status), Reason: d.Reason, Error: d.LastError, Provider: d.Provider, ProviderMessageID: d.ProviderID})
			}
		}
	}
	slices.SortStableFunc(v.Timeline, func(a, b timelineEntry) int { return a.At.Compare(b.At) })
	writeJSON(w, http.StatusOK, v)
	return nil
}
