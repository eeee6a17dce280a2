package store

import (
	"errors"

	notify "github.com/notifyd/notifyd"
)

// ErrNotFound is returned when a row does not exist for the caller.
var ErrNotFound = &notify.Error{Code: notify.CodeNotFound, Message: "not found"}

// ErrLeaseLost is returned by CompleteDelivery when the attempt no longer holds the row.
var ErrLeaseLost = errors.New("store: delivery lease lost to a newer claim")

// Unavailable wraps a backend failure as CodeUnavailable, so callers answer 503 or leave
// an SQS message to come back, instead of treating it as bad input.
func Unavailable(err error) error {
	if err == nil {
		return nil
	}
	var e *notify.Error
	if errors.As(err, &e) {
		return err
	}
	return &notify.Error{Code: notify.CodeUnavailable, Message: "store unavailable", Err: err}
}
