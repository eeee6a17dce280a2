package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// HTTP sends events to notifyd's POST /v1/events.
type HTTP struct {
	endpoint string
	o        options
}

// NewHTTP returns a sender to the notifyd at baseURL (say "http://notifyd:8080").
func NewHTTP(baseURL string, opts ...Option) *HTTP {
	o := buildOptions(opts)
	if o.httpClient == nil {
		o.httpClient = http.DefaultClient
	}
	return &HTTP{endpoint: strings.TrimRight(baseURL, "/") + "/v1/events", o: o}
}

// HTTPError is notifyd's answer to a request it refused: the status and the problem+json
// body's code and detail. A 4xx means the events are wrong; a 5xx that a retry may help.
type HTTPError struct {
	StatusCode int
	Code       string
	Title      string
	Detail     string
}

func (e *HTTPError) Error() string {
	msg := e.Detail
	if msg == "" {
		msg = e.Title
	}
	return fmt.Sprintf("publish: notifyd answered %d %s: %s", e.StatusCode, e.Code, msg)
}

// Send posts the events, one as an object with its eventId as Idempotency-Key, several
// as one JSON array, and returns their eventIds in order.
func (h *HTTP) Send(ctx context.Context, events ...NotificationData) ([]string, error) {
	if len(events) == 0 {
		return nil, nil
	}
	events, bodies, err := prepare(events)
	if err != nil {
		return nil, err
	}
	ids := eventIDs(events)
	body := bodies[0]
	if len(events) > 1 {
		body = append([]byte{'['}, bytes.Join(bodies, []byte{','})...)
		body = append(body, ']')
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if len(events) == 1 {
		req.Header.Set("Idempotency-Key", ids[0])
	}
	if h.o.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.o.token)
	}
	if tp := h.o.traceParent(ctx); tp != "" {
		req.Header.Set(TraceParentAttribute, tp)
	}
	resp, err := h.o.httpClient.Do(req)
	if err != nil {
		return ids, fmt.Errorf("publish: post events: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return ids, nil
	}
	var problem struct {
		Type   string `json:"type"`
		Code   string `json:"code"`
		Title  string `json:"title"`
		Detail string `json:"detail"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&problem)
	if problem.Code == "" {
		problem.Code = problem.Type
	}
	return ids, &HTTPError{StatusCode: resp.StatusCode, Code: problem.Code, Title: problem.Title, Detail: problem.Detail}
}
