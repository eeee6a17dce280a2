package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

// CORS answers the configured origin only, on the embed routes only, stream included,
// and never offers credentials.
func TestCORS(t *testing.T) {
	const shop = "http://shop.example:8000"
	c := client{t, apptest.Start(t, app.Config{CORSOrigins: []string{shop + "/"}}).URL}
	c.publish("ann", "ORDER_CREATED", "c1")

	pre := c.do("OPTIONS", "/v1/notifications/1/archive", "", nil, nil, "Origin", shop, "Access-Control-Request-Method", "POST",
		"Access-Control-Request-Headers", "authorization")
	if pre.StatusCode != http.StatusNoContent || pre.Header.Get("Access-Control-Allow-Origin") != shop ||
		pre.Header.Get("Access-Control-Allow-Methods") == "" || pre.Header.Get("Access-Control-Allow-Headers") == "" {
		t.Fatalf("preflight: %d %v", pre.StatusCode, pre.Header)
	}
	if v := pre.Header.Get("Access-Control-Allow-Credentials"); v != "" {
		t.Errorf("credentials allowed: %q", v)
	}
	for _, path := range []string{"/embed.js", "/v1/notifications", "/v1/notifications/unread-count"} {
		res := c.do("GET", path, "ann", nil, nil, "Origin", shop)
		if res.StatusCode != http.StatusOK || res.Header.Get("Access-Control-Allow-Origin") != shop {
			t.Errorf("GET %s from the shop: %d, allow-origin %q", path, res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
		}
		other := c.do("GET", path, "ann", nil, nil, "Origin", "http://evil.example")
		if v := other.Header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Errorf("GET %s from another origin: allow-origin %q", path, v)
		}
	}
	if res := c.do("OPTIONS", "/v1/events", "", nil, nil, "Origin", shop, "Access-Control-Request-Method", "POST"); res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("the ingest route answered the shop's preflight: %v", res.Header)
	}

	// The stream writes its own response head: the CORS headers must be in it.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/v1/notifications/stream?user=ann", nil)
	req.Header.Set("Origin", shop)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Access-Control-Allow-Origin") != shop || res.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("stream from the shop: %d %v", res.StatusCode, res.Header)
	}
}
