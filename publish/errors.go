package publish

import (
	"fmt"
	"strings"
)

// EncodeError is returned when an event cannot be encoded as JSON (say, Data holds a
// channel). Nothing was sent.
type EncodeError struct {
	Index int
	Err   error
}

func (e *EncodeError) Error() string { return fmt.Sprintf("publish: event %d: %v", e.Index, e.Err) }
func (e *EncodeError) Unwrap() error { return e.Err }

// BatchError lists the events of a Send the destination refused or that were not sent;
// every other event was sent. Resend the failed ones with the same eventId.
type BatchError struct {
	Failed []Failure
}

// Failure is one event a batch did not send.
type Failure struct {
	Index   int // position in the events passed to Send
	EventID string
	Code    string
	Message string
	Err     error // set when a whole request failed
}

func (e *BatchError) Error() string {
	parts := make([]string, 0, min(len(e.Failed), 3))
	for i, f := range e.Failed {
		if i == 3 {
			parts = append(parts, "…")
			break
		}
		msg := f.Message
		if f.Err != nil {
			msg = f.Err.Error()
		}
		parts = append(parts, fmt.Sprintf("event %d (%s): %s %s", f.Index, f.EventID, f.Code, msg))
	}
	return fmt.Sprintf("publish: %d events not sent: %s", len(e.Failed), strings.Join(parts, "; "))
}

// Unwrap returns the errors of whole requests that failed.
func (e *BatchError) Unwrap() []error {
	var errs []error
	for _, f := range e.Failed {
		if f.Err != nil {
			errs = append(errs, f.Err)
		}
	}
	return errs
}
