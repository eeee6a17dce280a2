// Package auth tells who is calling: the user an inbox or stream request is for, and
// whether a caller may ingest events or use admin routes.
package auth

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	notify "github.com/notifyd/notifyd"
)

// Authenticator returns the user a request is made by, or a *notify.Error with
// CodeUnauthorized.
type Authenticator interface {
	Authenticate(r *http.Request) (userID string, err error)
}

// Dev trusts the client: the user is the X-User-Id header or the "user" query parameter.
// For development and demos only; notifyd warns at startup when it is on.
type Dev struct{}

// Authenticate implements Authenticator.
func (Dev) Authenticate(r *http.Request) (string, error) {
	u := strings.TrimSpace(r.Header.Get("X-User-Id"))
	if u == "" {
		u = strings.TrimSpace(r.URL.Query().Get("user"))
	}
	if u == "" {
		return "", notify.Errorf(notify.CodeUnauthorized, "dev auth: send the user in the X-User-Id header or the user query parameter")
	}
	if len(u) > 128 {
		return "", notify.Errorf(notify.CodeUnauthorized, "dev auth: user id is longer than 128 characters")
	}
	return u, nil
}

// CheckDevListen refuses to serve dev auth, which trusts any caller's claim to be any
// user, on an address other machines can reach: an empty host, 0.0.0.0, ::, a non-loopback
// IP or any host name but localhost. allowPublic overrides it for demos behind something
// else that authenticates.
func CheckDevListen(addr string, allowPublic bool) error {
	if allowPublic {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("dev auth: listen address %q: %w", addr, err)
	}
	if !loopbackListenHost(host) {
		return fmt.Errorf("dev auth trusts the X-User-Id header, so it only listens on a loopback address such as 127.0.0.1:8080, not %q; use jwt auth, or allow a public listen address explicitly", addr)
	}
	return nil
}

func loopbackListenHost(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
