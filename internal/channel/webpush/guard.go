package webpush

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/notifyd/notifyd/internal/transport"
)

// A push subscription's endpoint comes from a browser, that is from any signed-in user, and
// notifyd POSTs to it. Left open, a user could point it at an address only the server can
// reach (a metadata service, an admin port on the private network). Push services are on
// the public internet, so by default an endpoint must be https to a public address: checked
// on the URL when the subscription is saved, and again on the address actually dialled, after
// DNS, so that a name resolving to a private address is refused too. Written here because the
// standard library has the pieces (netip, Dialer.Control) and no library in reach does this.

// ErrPrivateAddress is why a push to a non-public address was refused.
var ErrPrivateAddress = errors.New("webpush: the endpoint is not a public address")

// cgnat is 100.64.0.0/10 (RFC 6598), shared address space netip does not call private.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// IsPublic reports whether ip is a unicast address on the public internet: not loopback,
// private (RFC 1918, fc00::/7), link-local, shared (100.64/10), unspecified or multicast.
func IsPublic(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsValid() && ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLoopback() &&
		!ip.IsLinkLocalUnicast() && !cgnat.Contains(ip)
}

// CheckEndpoint checks a subscription's endpoint before it is saved: an absolute https URL
// whose host is not an address literal outside the public internet, nor localhost. With
// allowPrivate (NOTIFY_WEBPUSH_ALLOW_PRIVATE, for a push service inside the network and for
// tests) any https endpoint is taken, and http too on a loopback host.
func CheckEndpoint(raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || len(raw) > 2048 {
		return errors.New("must be the subscription's absolute URL")
	}
	host := u.Hostname()
	ip, ipErr := netip.ParseAddr(host)
	loopback := host == "localhost" || strings.HasSuffix(host, ".localhost") || (ipErr == nil && ip.IsLoopback())
	switch {
	case u.Scheme == "http" && allowPrivate && loopback:
		return nil
	case u.Scheme != "https":
		return errors.New("must be an https URL")
	case allowPrivate:
		return nil
	case loopback || (ipErr == nil && !IsPublic(ip)):
		return fmt.Errorf("%s is not a public address (push services are on the internet)", host)
	}
	return nil
}

// publicOnly is a net.Dialer Control function: it refuses to connect to a non-public address.
func publicOnly(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, address)
	}
	if !IsPublic(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, ap.Addr())
	}
	return nil
}

// guardedClient is the default client: 15 s per push, public addresses only. It takes no
// proxy from the environment (the guard would see only the proxy's address); to push
// through one, set NOTIFY_WEBPUSH_ALLOW_PRIVATE and let the proxy decide.
func guardedClient() *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: publicOnly}
	t := transport.Base()
	t.Proxy = nil
	t.DialContext = d.DialContext
	return &http.Client{Timeout: 15 * time.Second, Transport: t}
}
