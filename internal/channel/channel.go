// Package channel is what every delivery channel (sms, email, webpush) and the delivery
// engine (internal/delivery) agree on: the receipt of a send and how a failed send is
// classified. Providers live in subpackages (internal/channel/sms, …); the engine knows
// them only through its Sender interface, which returns these types.
package channel

import (
	"errors"
	"fmt"
	"time"
)

// Receipt is what a channel's sender reports after a provider accepted a message.
type Receipt struct {
	Provider   string   // the provider that accepted it: "sns", "webhook", "smtp", "vapid", …
	ProviderID string   // the provider's message id, if it gives one
	FailedOver []string // providers tried before it, each "name: error" (SMS failover)
	// Truncated: the provider sent the text cut to fit (an LMS of 2,000 bytes).
	Truncated bool
	// FallbackPlan (sms|lms) and FallbackText: what notifyd sends as SMS should the provider
	// later report that it could not reach the person (the kakao channel sets them).
	FallbackPlan string
	FallbackText string
	// ProviderFallback: the provider itself falls back to SMS (NHN's resend), so notifyd
	// must not.
	ProviderFallback bool
}

// Kind says what the engine does with a failed send.
type Kind int

// The kinds of failure.
const (
	// KindTransient is worth retrying with backoff (network, 5xx, throttling, 4xx SMTP).
	KindTransient Kind = iota
	// KindPermanent can never succeed for this message (invalid number, 5xx SMTP): the
	// delivery fails at once.
	KindPermanent
	// KindSkip means there is nothing to send to (bad address, no push subscription left):
	// the delivery is recorded skipped with Reason.
	KindSkip
	// KindRefused: the provider refused the message for this person (not a KakaoTalk
	// user, blocked, template mismatch): the delivery fails and falls back, once, if its
	// channel has a fallback. Receipt carries the fallback plan.
	KindRefused
	// KindUnknown: the provider may have sent it (a timeout after the request left): the
	// delivery counts as sent under Receipt.ProviderID and waits for the provider's report
	// before it either stands or falls back. Never retried, never failed over.
	KindUnknown
)

// Error classifies a failed send. Any error that is not an *Error is transient.
type Error struct {
	Kind   Kind
	Code   string // the provider's error code, if any
	Reason string // for KindSkip: the contract's reason (no_phone, no_email, no_subscription, …); for others, optional
	// RetryAfter, for KindTransient: the provider asked for no retry before this long
	// (its Retry-After); the engine waits at least that, more if its backoff says so.
	RetryAfter time.Duration
	Err        error
	// Receipt, for KindRefused and KindUnknown: the provider, the message id known, the
	// fallback plan.
	Receipt Receipt
}

func (e *Error) Error() string {
	kind := [...]string{"transient", "permanent", "skip", "refused", "unknown outcome"}[e.Kind]
	if e.Code != "" {
		return fmt.Sprintf("%s error %s: %v", kind, e.Code, e.Err)
	}
	return fmt.Sprintf("%s error: %v", kind, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Permanent wraps err as a failure retrying can never fix.
func Permanent(code string, err error) error {
	return &Error{Kind: KindPermanent, Code: code, Err: err}
}

// Transient wraps err as a failure worth retrying.
func Transient(code string, err error) error {
	return &Error{Kind: KindTransient, Code: code, Err: err}
}

// TransientAfter wraps err as a failure worth retrying, not before after.
func TransientAfter(code string, after time.Duration, err error) error {
	return &Error{Kind: KindTransient, Code: code, RetryAfter: after, Err: err}
}

// RetryAfterOf returns the wait a transient error asks for (0 when none).
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) && e.Kind == KindTransient {
		return e.RetryAfter
	}
	return 0
}

// Skip wraps err as "nothing to send to", recorded skipped with reason.
func Skip(reason string, err error) error { return &Error{Kind: KindSkip, Reason: reason, Err: err} }

// Refused wraps err as the provider's refusal of the message for this person.
func Refused(r Receipt, code string, err error) error {
	return &Error{Kind: KindRefused, Code: code, Receipt: r, Err: err}
}

// Unknown wraps err as a call whose outcome is unknown; r.ProviderID is the id reports
// will name.
func Unknown(r Receipt, err error) error { return &Error{Kind: KindUnknown, Receipt: r, Err: err} }

// AsError returns err's *Error (nil when err is not classified).
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// KindOf returns how err is classified (KindTransient for an unclassified error).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindTransient
}

// SkipReason returns the reason of a KindSkip error, "" otherwise.
func SkipReason(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind == KindSkip {
		return e.Reason
	}
	return ""
}
