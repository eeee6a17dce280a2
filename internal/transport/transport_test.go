package transport_test

import (
	"net/http"
	"testing"

	"github.com/notifyd/notifyd/internal/transport"
)

type wrapped struct{ next http.RoundTripper }

func (w wrapped) RoundTrip(r *http.Request) (*http.Response, error) { return w.next.RoundTrip(r) }

// With DefaultTransport wrapped (as internal/testenv/apicheck does in tests, or a tracing
// library in a program), Base still gives a usable transport instead of panicking on a
// type assertion, as the web push and mobile clients did.
func TestBaseWithAWrappedDefaultTransport(t *testing.T) {
	def := http.DefaultTransport
	t.Cleanup(func() { http.DefaultTransport = def })
	if b := transport.Base(); b == def || b.Proxy == nil {
		t.Fatalf("Base() = %p, proxy set %t; want a clone of DefaultTransport", b, b.Proxy != nil)
	}
	http.DefaultTransport = wrapped{def}
	b := transport.Base()
	if b == nil || !b.ForceAttemptHTTP2 || b.DialContext == nil || b.Proxy == nil {
		t.Fatalf("Base() with a wrapped DefaultTransport = %+v; want Go's defaults", b)
	}
}
