package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/notifyd/notifyd/internal/testenv"
)

// gateway is the chaos suite's SMS gateway: the webhook wire format, reached through a
// cuttable TCP proxy. Like a gateway that honours Idempotency-Key it sends (delivers) the
// first accepted request of a key and answers repeats with the same id without sending
// again. It can answer 503 to everything (down behind its load balancer) and, through the
// proxy, refuse connections and cut those in flight (down altogether).
type gateway struct {
	srv   *httptest.Server
	proxy *testenv.Proxy

	mu       sync.Mutex
	failing  bool
	calls    map[string]int    // requests that reached the gateway per key, 503s included
	accepted map[string]int    // requests answered 200 per key: more than one is a resend
	event    map[string]string // key → eventId
	refused  int               // requests answered 503
}

func newGateway(t *testing.T) *gateway {
	g := &gateway{calls: map[string]int{}, accepted: map[string]int{}, event: map[string]string{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	g.proxy = testenv.StartProxy(t, g.srv.Listener.Addr().String())
	return g
}

// env makes notifyd send SMS to the gateway through its proxy.
func (g *gateway) env() []string {
	return []string{"NOTIFY_SMS_PROVIDER=webhook", "NOTIFY_SMS_WEBHOOK_URL=" + g.proxy.URL()}
}

func (g *gateway) serve(w http.ResponseWriter, r *http.Request) {
	var body struct {
		To      string `json:"to"`
		EventID string `json:"eventId"`
	}
	data, _ := io.ReadAll(r.Body)
	key := r.Header.Get("Idempotency-Key")
	if err := json.Unmarshal(data, &body); err != nil || key == "" || body.To == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	g.calls[key]++
	g.event[key] = body.EventID
	if g.failing {
		g.refused++
		g.mu.Unlock()
		http.Error(w, "gateway unavailable", http.StatusServiceUnavailable)
		return
	}
	g.accepted[key]++
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"prov-%s"}`, key)
}

func (g *gateway) setFailing(on bool) {
	g.mu.Lock()
	g.failing = on
	g.mu.Unlock()
}

// check asserts every event of want reached a phone exactly once under one key, with at
// most one resend (a second accepted request of the same key, which the gateway does not
// send again), and that nothing else was sent. It returns the number of resends.
func (g *gateway) check(t *testing.T, want map[string]string) (resends int) {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	keys := map[string][]string{}
	for k, ev := range g.event {
		keys[ev] = append(keys[ev], k)
	}
	for ev := range want {
		ks := keys[ev]
		if len(ks) != 1 {
			t.Errorf("event %s: gateway saw idempotency keys %v, want exactly one", ev, ks)
			continue
		}
		switch n := g.accepted[ks[0]]; {
		case n == 0:
			t.Errorf("event %s (key %s): never delivered (%d calls, all refused)", ev, ks[0], g.calls[ks[0]])
		case n > 2:
			t.Errorf("event %s (key %s): %d accepted requests, want 1 and at most one resend", ev, ks[0], n)
		default:
			resends += n - 1
		}
	}
	for ev := range keys {
		if _, ok := want[ev]; !ok {
			t.Errorf("gateway got an SMS for event %s, which no producer sent", ev)
		}
	}
	return resends
}

// acceptedAll reports whether every event of want has reached a phone.
func (g *gateway) acceptedAll(want map[string]string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	done := map[string]bool{}
	for k, ev := range g.event {
		if g.accepted[k] > 0 {
			done[ev] = true
		}
	}
	for ev := range want {
		if !done[ev] {
			return false
		}
	}
	return true
}

// stats returns the requests refused with 503 and the keys seen.
func (g *gateway) stats() (refused, keys int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.refused, len(g.calls)
}
