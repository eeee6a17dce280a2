package mobile

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/notifyd/notifyd/internal/channel"
)

// authHealth remembers a platform refusing notifyd's credentials, for /readyz: a fresh
// token refused again, or a token endpoint refusing the key, is a configuration error no
// retry fixes. The next accepted send clears it.
type authHealth struct {
	name string
	mu   sync.Mutex
	err  error
}

func (h *authHealth) set(err error) {
	h.mu.Lock()
	h.err = err
	h.mu.Unlock()
}

func (h *authHealth) ok() { h.set(nil) }

// Check reports the configuration error, if any.
func (h *authHealth) Check() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		return fmt.Errorf("%s credentials refused: %w", h.name, h.err)
	}
	return nil
}

// refused records err as a configuration error; the delivery waits (transient) for the
// credentials to be fixed rather than failing.
func (h *authHealth) refused(err error) error {
	h.set(err)
	return channel.Transient("auth", err)
}

// tokenFailed classifies a failure to make an access token: the token endpoint refusing
// the grant (4xx: a revoked key, a wrong file) is a configuration error, anything else
// (network, 5xx) a passing one.
func (h *authHealth) tokenFailed(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 {
		return h.refused(fmt.Errorf("%s token endpoint: %w", h.name, err))
	}
	return channel.Transient("token", fmt.Errorf("%s token: %w", h.name, err))
}

// retryAfter reads a Retry-After header, seconds or an HTTP date (0 when absent or bad).
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
