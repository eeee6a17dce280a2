// Package transport gives the HTTP clients notifyd makes for providers their base
// transport.
package transport

import (
	"net"
	"net/http"
	"time"
)

// Base returns a transport of its own with http.DefaultTransport's settings: a clone of it
// when it is an *http.Transport, else (a program or a test wrapped it in another
// RoundTripper, such as a tracing or checking one) a new one with the same defaults Go
// gives DefaultTransport. The caller may change it freely.
func Base() *http.Transport {
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		return t.Clone()
	}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}
