package channel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
)

// noAnswer is an HTTP call whose request may have reached the provider but whose answer
// never came (a timeout): the message may have gone out.
type noAnswer struct{ err error }

func (e noAnswer) Error() string { return "no answer: " + e.err.Error() }
func (e noAnswer) Unwrap() error { return e.err }

// CallError classifies the error of an HTTP client call that got no response: a timeout
// is a call without answer (see NoAnswer), anything else (no connection, a reset before
// the request went out) transient.
func CallError(provider string, err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return noAnswer{fmt.Errorf("%s: %w", provider, err)}
	}
	return Transient("network", fmt.Errorf("%s: %w", provider, err))
}

// NoAnswer reports whether err is a call CallError found unanswered; the provider wraps
// it as Unknown with the receipt reports will name.
func NoAnswer(err error) bool {
	var e noAnswer
	return errors.As(err, &e)
}

// StatusError classifies a provider's non-2xx HTTP answer: 5xx and 429 are the
// provider's (transient), any other the request's (permanent). code is the provider's
// error code, when it gave one.
func StatusError(status int, code string, err error) error {
	if code == "" {
		code = strconv.Itoa(status)
	}
	if status >= 500 || status == http.StatusTooManyRequests {
		return Transient(code, err)
	}
	return Permanent(code, err)
}
