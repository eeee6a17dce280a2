package auth

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// maxJWKSBytes bounds a JWKS response; real key sets are a few kilobytes.
const maxJWKSBytes = 1 << 20

// errUnknownKey is returned when no key of the set fits a token's kid and alg.
var errUnknownKey = errors.New("no key of the jwks fits the token's kid and alg")

// keySet is a JWKS fetched over HTTP and cached. It is refreshed every interval by one
// goroutine (stopped by close), and on demand when a token names a kid it does not hold,
// at most once per minInterval, so tokens with made-up kids cannot make notifyd hammer the
// identity provider.
type keySet struct {
	url         string
	client      *http.Client
	timeout     time.Duration // of one fetch
	minInterval time.Duration // between two on-demand fetches
	now         func() time.Time
	log         *slog.Logger

	keys atomic.Pointer[[]publicKey] // read without locking on every request

	mu         sync.Mutex // serialises fetches
	lastDemand time.Time  // the last on-demand fetch; guarded by mu

	// run's lifetime: ctx is cancelled by close, done is closed when run has returned.
	ctx       context.Context
	cancel    context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

// load fetches the set once; NewJWT calls it so a wrong URL fails at startup.
func (s *keySet) load(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetch(ctx)
}

// run refreshes the set every interval until close. A failed refresh keeps the old keys.
func (s *keySet) run(interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			if err := s.load(s.ctx); err != nil && s.ctx.Err() == nil {
				s.log.Warn("jwks refresh failed; keeping the cached keys", "url", s.url, "err", err)
			}
		}
	}
}

func (s *keySet) close() {
	s.closeOnce.Do(func() {
		s.cancel()
		<-s.done
	})
}

// key returns the key for a token's kid and alg, refreshing the set once when the kid is
// unknown and the last on-demand refresh is older than minInterval.
func (s *keySet) key(ctx context.Context, kid, alg string) (crypto.PublicKey, error) {
	if k, ok := s.find(kid, alg); ok {
		return k, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := s.find(kid, alg); ok { // fetched by another request meanwhile
		return k, nil
	}
	now := s.now()
	if !s.lastDemand.IsZero() && now.Sub(s.lastDemand) < s.minInterval {
		return nil, errUnknownKey
	}
	s.lastDemand = now
	// The fetch serves every request waiting for it: do not let this caller's cancel end it.
	if err := s.fetch(context.WithoutCancel(ctx)); err != nil {
		s.log.Warn("jwks refresh for an unknown key id failed", "url", s.url, "err", err)
		return nil, errUnknownKey
	}
	if k, ok := s.find(kid, alg); ok {
		return k, nil
	}
	return nil, errUnknownKey
}

// find looks the key up in the cached set. A token without a kid may use the set's only
// key that fits its alg.
func (s *keySet) find(kid, alg string) (crypto.PublicKey, bool) {
	p := s.keys.Load()
	if p == nil {
		return nil, false
	}
	var found crypto.PublicKey
	n := 0
	for _, k := range *p {
		if !k.fits(alg) {
			continue
		}
		if kid != "" && k.kid == kid {
			return k.key, true
		}
		if kid == "" {
			found = k.key
			n++
		}
	}
	return found, n == 1
}

// fetch downloads and parses the set and replaces the cached keys. Callers hold mu.
func (s *keySet) fetch(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return fmt.Errorf("jwks request: %w", err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("fetch jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch jwks: status %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return fmt.Errorf("read jwks: %w", err)
	}
	if len(body) > maxJWKSBytes {
		return fmt.Errorf("jwks is larger than %d bytes", maxJWKSBytes)
	}
	keys, err := parseJWKS(body)
	if err != nil {
		return err
	}
	s.keys.Store(&keys)
	return nil
}
