// Package sms sends text messages through a provider. A Sender is small on purpose: the
// delivery worker (internal/delivery) owns leasing, retries, caps and recording.
package sms

import (
	"context"
	"errors"
	"fmt"

	notify "github.com/notifyd/notifyd"
)

// Sender sends one message. It returns the provider's message id. m.DeliveryID is stable
// across attempts of the same delivery: providers that take an idempotency key get it.
type Sender interface {
	Send(ctx context.Context, m notify.Message) (providerID string, err error)
}

// Error classifies a failed send. A Permanent error (invalid number, opted out) fails the
// delivery at once; any other error is retried with backoff.
type Error struct {
	Permanent bool
	Code      string // the provider's error code, if any
	Err       error
}

func (e *Error) Error() string {
	kind := "transient"
	if e.Permanent {
		kind = "permanent"
	}
	if e.Code != "" {
		return fmt.Sprintf("sms %s error %s: %v", kind, e.Code, e.Err)
	}
	return fmt.Sprintf("sms %s error: %v", kind, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Permanent wraps err as a permanent failure.
func Permanent(code string, err error) error { return &Error{Permanent: true, Code: code, Err: err} }

// Transient wraps err as a failure worth retrying.
func Transient(code string, err error) error { return &Error{Code: code, Err: err} }

// IsPermanent reports whether err says retrying can never succeed.
func IsPermanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Permanent
}

// Text is the SMS body for a message: its text and, when there is one, its link.
func Text(m notify.Message) string {
	if m.URL == "" {
		return m.Text
	}
	return m.Text + " " + m.URL
}
