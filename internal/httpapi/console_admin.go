package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/internal/store"
)

// statsRanges are the windows GET /v1/admin/stats draws, with their bucket widths: a
// minute over the last hour, a quarter of an hour over the last day (96 bars).
var statsRanges = map[string]time.Duration{"1h": time.Minute, "24h": 15 * time.Minute}

type statsView struct {
	Range  string    `json:"range"`
	Bucket string    `json:"bucket"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	*store.Traffic
}

// trafficStats answers GET /v1/admin/stats?range=1h|24h from what the store keeps: no
// Prometheus server needed.
func (s *Server) trafficStats(w http.ResponseWriter, r *http.Request) error {
	rng := r.URL.Query().Get("range")
	if rng == "" {
		rng = "1h"
	}
	bucket, ok := statsRanges[rng]
	if !ok {
		return notify.FieldErrorf(notify.CodeInvalidQuery, "range", "must be 1h or 24h")
	}
	window, _ := time.ParseDuration(rng)
	// The buckets start on whole bucket widths, so a chart's bars stay put between polls.
	to := time.Now().Truncate(bucket).Add(bucket)
	from := to.Add(-window)
	t, err := s.o.Store.TrafficStats(r.Context(), from, to, bucket)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, statsView{Range: rng, Bucket: bucket.String(), From: from, To: to, Traffic: t})
	return nil
}

// previewRequest is POST /v1/admin/preview: a sample event (the body of POST /v1/events)
// and, optionally, the type to render it as instead of its own.
type previewRequest struct {
	Type  string          `json:"type"`
	Event json.RawMessage `json:"event"`
}

// preview answers POST /v1/admin/preview: what the event would send on each channel. The
// event is validated as POST /v1/events would; an error names the field at fault
// ("event." before the event's own path). Nothing is stored or sent.
func (s *Server) preview(w http.ResponseWriter, r *http.Request) error {
	if s.o.Preview == nil {
		return notify.Errorf(notify.CodeNotFound, "previews are not configured")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.o.MaxBody))
	if err != nil {
		return notify.Errorf(notify.CodeTooLarge, "body is over the %d-byte limit", s.o.MaxBody)
	}
	var req previewRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return notify.Errorf(notify.CodeInvalidJSON, "body must be {\"type\", \"event\"}: %v", err)
	}
	if len(req.Event) == 0 || string(req.Event) == "null" {
		return notify.FieldErrorf(notify.CodeInvalidEvent, "event", "is required: a sample event, as POST /v1/events takes")
	}
	ev, err := notify.DecodeEvent(req.Event)
	if err != nil {
		return notify.PrefixField("event", err)
	}
	if req.Type != "" {
		ev.Type = req.Type
	}
	in, err := s.o.Ingest.Prepare(ingest.Input{Event: ev, FallbackKey: "preview", Source: "preview", ReceivedAt: time.Now()})
	if err != nil {
		return notify.PrefixField("event", err)
	}
	out, err := s.o.Preview(in.Prepared)
	if err != nil {
		return notify.PrefixField("event", err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
