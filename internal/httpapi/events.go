package httpapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/internal/store"
)

// maxKey bounds the Idempotency-Key header (an event's own eventId has the same limit).
const maxKey = 200

// acceptedEvent is the answer for one ingested event.
type acceptedEvent struct {
	EventID         string  `json:"eventId"`
	Duplicate       bool    `json:"duplicate"`
	NotificationIDs []int64 `json:"notificationIds"`
	// Scheduled lists the notifications that wait (sendAt in the future, a digest window):
	// one per recipient, with when it becomes visible. Absent when nothing waits.
	Scheduled []store.Pending `json:"scheduled,omitempty"`
	// Topic and Subscribers: an event to a topic, and how many subscribers it will reach
	// (counted when it was accepted; 0: nobody, and nothing will be written).
	Topic       string `json:"topic,omitempty"`
	Subscribers *int64 `json:"subscribers,omitempty"`
	// Throttled lists the recipients the type's throttle kept from a notification.
	Throttled []string `json:"throttled,omitempty"`
}

// postEvents ingests one event or an array of them. Every event is validated before any
// is stored: one bad event refuses the whole request and stores nothing. The answer is 202
// when something new was stored, 200 when every event was a replay of a known key.
func (s *Server) postEvents(w http.ResponseWriter, r *http.Request) error {
	withdraw := s.o.Ingest.Announce() // a busy group commit may wait for this request
	defer withdraw()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.o.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return notify.Errorf(notify.CodeTooLarge, "body is over the %d-byte limit", s.o.MaxBody)
		}
		return notify.Errorf(notify.CodeInvalidJSON, "cannot read body: %v", err)
	}
	events, err := notify.DecodeEvents(body)
	if err != nil {
		return err
	}
	array := bytes.HasPrefix(bytes.TrimSpace(body), []byte("["))
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if len(key) > maxKey {
		return notify.FieldErrorf(notify.CodeTooLarge, "Idempotency-Key", "is %d bytes; the limit is %d", len(key), maxKey)
	}
	now := time.Now()
	batch := make([]store.AcceptInput, len(events))
	var bad []ItemError
	for i, ev := range events {
		in := ingest.Input{Event: ev, FallbackKey: key, Source: "http", TraceParent: r.Header.Get("traceparent"), ReceivedAt: now}
		if array && key != "" {
			in.FallbackKey = key + "/" + strconv.Itoa(i) // one header key names the whole batch
		}
		a, err := s.o.Ingest.Prepare(in)
		if err != nil {
			if !array {
				return err
			}
			bad = append(bad, itemError(i, err))
			continue
		}
		batch[i] = a
	}
	if len(bad) > 0 {
		p := problemOf(notify.Errorf(notify.ErrorCode(errorOfItem(bad[0])), "%d of %d events are invalid; none was stored", len(bad), len(events)))
		p.Errors = bad
		writeProblem(w, p)
		return nil
	}
	results, err := s.o.Ingest.AcceptAnnounced(r.Context(), batch, withdraw)
	if err != nil {
		return unavailable(err)
	}
	out := make([]acceptedEvent, len(results))
	fresh := false
	for i, res := range results {
		if res.Err != nil {
			bad = append(bad, itemError(i, res.Err))
			continue
		}
		ids := make([]int64, len(res.Notifications))
		for k, n := range res.Notifications {
			ids[k] = n.ID
		}
		out[i] = acceptedEvent{EventID: res.Key, Duplicate: res.Duplicate, NotificationIDs: ids, Scheduled: res.Scheduled, Throttled: res.Throttled}
		if res.Topic != nil {
			out[i].Topic, out[i].Subscribers = res.Topic.Name, &res.Topic.Subscribers
		}
		fresh = fresh || !res.Duplicate
	}
	if len(bad) > 0 {
		if !array {
			return results[0].Err
		}
		p := problemOf(notify.Errorf(notify.CodeIdempotency, "%d of %d events reuse a known eventId with another payload; the others were stored", len(bad), len(events)))
		p.Errors = bad
		writeProblem(w, p)
		return nil
	}
	status := http.StatusOK
	if fresh {
		status = http.StatusAccepted
	}
	if !array {
		writeJSON(w, status, out[0])
		return nil
	}
	writeJSON(w, status, map[string]any{"events": out})
	return nil
}

func itemError(i int, err error) ItemError {
	p := problemOf(err)
	return ItemError{Index: i, Code: p.Code, Field: p.Field, Detail: p.Detail}
}

func errorOfItem(e ItemError) error { return &notify.Error{Code: notify.Code(e.Code)} }

// unavailable turns a failed accept into 503: the store is down or notifyd is stopping.
func unavailable(err error) error {
	if notify.ErrorCode(err) == notify.CodeUnavailable {
		return err
	}
	return &notify.Error{Code: notify.CodeUnavailable, Message: "could not store the event; retry", Err: err}
}

// getEvent shows an event, its notifications and every delivery's status: a page of at
// most ?limit= recipients (default and most store.MaxListed) after ?after= (a
// notification id; the answer's nextAfter), with the lists' full counts.
func (s *Server) getEvent(w http.ResponseWriter, r *http.Request) error {
	page, err := parseStatusPage(r.URL.Query())
	if err != nil {
		return err
	}
	st, err := s.o.Store.EventStatusPage(r.Context(), r.PathValue("eventId"), page)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notify.Errorf(notify.CodeNotFound, "no event with id %q", r.PathValue("eventId"))
		}
		return err
	}
	writeJSON(w, http.StatusOK, eventStatusJSON(st))
	return nil
}

// cancelEvent withdraws what of an event has not gone out (DELETE /v1/events/{eventId}):
// notifications not yet visible and deliveries not yet sent. It answers 200 with what is
// cancelled and what went out before, the same on every call.
func (s *Server) cancelEvent(w http.ResponseWriter, r *http.Request) error {
	res, err := s.o.Store.CancelEvent(r.Context(), r.PathValue("eventId"), time.Now())
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notify.Errorf(notify.CodeNotFound, "no event with id %q", r.PathValue("eventId"))
		}
		return err
	}
	writeJSON(w, http.StatusOK, cancelView(res))
	return nil
}

// cancelResultView is store.CancelResult as the API shows it: the notifications already
// out as their recipients see them (with read and the state times), and empty lists as
// [] rather than null.
type cancelResultView struct {
	EventID   string `json:"eventId"`
	Cancelled struct {
		Notifications     []store.Pending   `json:"notifications"`
		Deliveries        []notify.Delivery `json:"deliveries"`
		NotificationCount int64             `json:"notificationCount"`
		DeliveryCount     int64             `json:"deliveryCount"`
	} `json:"cancelled"`
	AlreadyOut struct {
		Notifications     []notify.View     `json:"notifications"`
		Deliveries        []notify.Delivery `json:"deliveries"`
		NotificationCount int64             `json:"notificationCount"`
		DeliveryCount     int64             `json:"deliveryCount"`
	} `json:"alreadyOut"`
}

func cancelView(res *store.CancelResult) cancelResultView {
	v := cancelResultView{EventID: res.EventID}
	v.Cancelled.Notifications = append([]store.Pending{}, res.Cancelled.Notifications...)
	v.Cancelled.Deliveries = append([]notify.Delivery{}, res.Cancelled.Deliveries...)
	v.AlreadyOut.Notifications = make([]notify.View, 0, len(res.GoneOut.Notifications))
	for i := range res.GoneOut.Notifications {
		v.AlreadyOut.Notifications = append(v.AlreadyOut.Notifications, res.GoneOut.Notifications[i].View())
	}
	v.AlreadyOut.Deliveries = append([]notify.Delivery{}, res.GoneOut.Deliveries...)
	v.Cancelled.NotificationCount, v.Cancelled.DeliveryCount = res.Cancelled.NotificationCount, res.Cancelled.DeliveryCount
	v.AlreadyOut.NotificationCount, v.AlreadyOut.DeliveryCount = res.GoneOut.NotificationCount, res.GoneOut.DeliveryCount
	return v
}

// parseStatusPage reads an event status's ?limit= (1 to store.MaxListed, default
// store.MaxListed) and ?after=.
func parseStatusPage(q url.Values) (store.StatusPage, error) {
	p := store.StatusPage{Limit: store.MaxListed}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxListed {
			return p, notify.FieldErrorf(notify.CodeInvalidQuery, "limit", "must be an integer from 1 to %d", store.MaxListed)
		}
		p.Limit = n
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return p, notify.FieldErrorf(notify.CodeInvalidQuery, "after", "must be a notification id (the nextAfter of the page before)")
		}
		p.After = n
	}
	return p, nil
}
