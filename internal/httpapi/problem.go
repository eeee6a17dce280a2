package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"

	notify "github.com/notifyd/notifyd"
)

// statusOf maps each error code to its one HTTP status.
var statusOf = map[notify.Code]int{
	notify.CodeInvalidJSON:       http.StatusBadRequest,
	notify.CodeInvalidEvent:      http.StatusBadRequest,
	notify.CodeInvalidQuery:      http.StatusBadRequest,
	notify.CodeNoRecipient:       http.StatusBadRequest,
	notify.CodeTooManyRecipients: http.StatusBadRequest,
	notify.CodeUnknownType:       http.StatusUnprocessableEntity,
	notify.CodeIdempotency:       http.StatusUnprocessableEntity,
	notify.CodeTooLarge:          http.StatusRequestEntityTooLarge,
	notify.CodeUnauthorized:      http.StatusUnauthorized,
	notify.CodeForbidden:         http.StatusForbidden,
	notify.CodeNotFound:          http.StatusNotFound,
	notify.CodeRateLimited:       http.StatusTooManyRequests,
	notify.CodeTooManyStreams:    http.StatusTooManyRequests,
	notify.CodeTooManyTopics:     http.StatusConflict,
	notify.CodeUnavailable:       http.StatusServiceUnavailable,
	notify.CodeInternal:          http.StatusInternalServerError,
	notify.CodeMethodNotAllowed:  http.StatusMethodNotAllowed,
}

var titleOf = map[notify.Code]string{
	notify.CodeInvalidJSON:       "Malformed JSON",
	notify.CodeInvalidEvent:      "Invalid event",
	notify.CodeInvalidQuery:      "Invalid query parameter",
	notify.CodeNoRecipient:       "No recipient",
	notify.CodeTooManyRecipients: "Too many recipients",
	notify.CodeUnknownType:       "Unknown notification type",
	notify.CodeIdempotency:       "Idempotency key reused with another payload",
	notify.CodeTooLarge:          "Too large",
	notify.CodeUnauthorized:      "Unauthorized",
	notify.CodeForbidden:         "Forbidden",
	notify.CodeNotFound:          "Not found",
	notify.CodeRateLimited:       "Too many requests",
	notify.CodeTooManyStreams:    "Too many streams",
	notify.CodeTooManyTopics:     "Too many topic subscriptions",
	notify.CodeUnavailable:       "Service unavailable",
	notify.CodeInternal:          "Internal error",
	notify.CodeMethodNotAllowed:  "Method not allowed",
}

// ProblemTypeBase prefixes each code to make a problem's stable "type" URI.
const ProblemTypeBase = "urn:notifyd:problem:"

// Problem is an RFC 9457 problem document, with notifyd's code and the offending field.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code"`
	Field  string `json:"field,omitempty"`
	// Errors lists per-event failures of a batch request.
	Errors []ItemError `json:"errors,omitempty"`
}

// ItemError is one failed event of a batch.
type ItemError struct {
	Index  int    `json:"index"`
	Code   string `json:"code"`
	Field  string `json:"field,omitempty"`
	Detail string `json:"detail"`
}

func problemOf(err error) Problem {
	code := notify.ErrorCode(err)
	p := Problem{Type: ProblemTypeBase + string(code), Title: titleOf[code], Status: statusOf[code], Code: string(code)}
	var e *notify.Error
	if errors.As(err, &e) {
		p.Detail, p.Field = e.Message, e.Field
		if e.Field != "" {
			p.Detail = e.Field + " " + e.Message
		}
		if e.Err != nil && code != notify.CodeUnavailable && code != notify.CodeInternal {
			p.Detail += ": " + e.Err.Error()
		}
	} else {
		p.Detail = "internal error"
	}
	if p.Status == 0 {
		p.Status = http.StatusInternalServerError
	}
	return p
}

func writeProblem(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	switch p.Status {
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "1")
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="notifyd"`)
	}
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// handlerFunc is a handler that returns its error; handle writes it as a problem.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		p := problemOf(err)
		if p.Status >= 500 {
			s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "status", p.Status, "err", err)
		}
		writeProblem(w, p)
	}
}
