package notify

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error kind. HTTP maps each code to one status in
// one table (internal/httpapi) and writes it as the problem+json "code" and "type".
type Code string

// Error codes. They are part of the public contract: never rename one.
const (
	CodeInvalidJSON       Code = "invalid_json"        // the body is not the JSON we expect
	CodeInvalidEvent      Code = "invalid_event"       // a field is missing or malformed
	CodeInvalidQuery      Code = "invalid_query"       // a query parameter or header of a read is malformed
	CodeUnknownType       Code = "unknown_type"        // notificationType is not registered
	CodeNoRecipient       Code = "no_recipient"        // whoToNotify is missing or empty
	CodeTooManyRecipients Code = "too_many_recipients" // more recipients than the limit
	CodeTooLarge          Code = "too_large"           // body or a field is over its limit
	CodeIdempotency       Code = "idempotency_conflict"
	CodeUnauthorized      Code = "unauthorized"
	CodeForbidden         Code = "forbidden"
	CodeNotFound          Code = "not_found"
	CodeRateLimited       Code = "rate_limited"
	CodeTooManyStreams    Code = "too_many_streams"
	CodeTooManyTopics     Code = "too_many_topics" // the user is subscribed to as many topics as allowed
	CodeUnavailable       Code = "unavailable"     // a dependency (the store) is down: retry later
	CodeInternal          Code = "internal"
	// CodeMethodNotAllowed: the path exists but not with this method (Allow lists those that do).
	CodeMethodNotAllowed Code = "method_not_allowed"
)

// Error is the one error type that crosses package boundaries with a meaning a user can
// act on. Field names the offending input, where there is one.
type Error struct {
	Code    Code
	Message string
	Field   string
	Err     error
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error about one input field.
func FieldErrorf(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or CodeInternal.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Permanent reports whether err is caused by the input itself, so that retrying the same
// input can never succeed (an SQS source keeps such a message as rejected instead).
func Permanent(err error) bool {
	switch ErrorCode(err) {
	case CodeInvalidJSON, CodeInvalidEvent, CodeUnknownType, CodeNoRecipient,
		CodeTooManyRecipients, CodeTooLarge, CodeIdempotency:
		return true
	}
	return false
}

// PrefixField puts err's field under prefix ("event" + "publishInformation.message"), for
// an API that takes an event inside a larger body; other errors pass unchanged.
func PrefixField(prefix string, err error) error { return prefixField(prefix, err) }
