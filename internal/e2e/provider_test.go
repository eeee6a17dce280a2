package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// provider is a fake SMS gateway speaking the webhook wire format (internal/channel/sms.Webhook).
// Like a real gateway that honours Idempotency-Key, it sends (counts as delivered) the
// first accepted request of a key and answers later ones with the same id without sending
// again. It records every call per key, so a test sees both what notifyd tried and what
// reached a phone.
type provider struct {
	*httptest.Server

	mu        sync.Mutex
	calls     map[string]int       // requests per Idempotency-Key, failed ones included
	delivered map[string]int       // SMS that reached a phone per key (deduplicated: 0 or 1)
	event     map[string]string    // key → eventId of its body
	n         int                  // calls so far
	failOdd   bool                 // answer 503 to the 1st, 3rd, … call of each key: half of all calls
	failEvery int                  // when > 0: answer 503 to every failEvery-th call (before accepting it)
	delay     time.Duration        // when > 0: accept, then answer this much later (a slow gateway)
	firstAt   map[string]time.Time // when each key was first accepted
	repeats   map[string]int       // calls of a key already accepted (answered, not sent again)
	inflight  int                  // accepted calls not answered yet
	hold      chan struct{}        // when set: deliver, then hold the answer until closed or the client goes away
	arrived   chan string          // keys of held requests, as they arrive
}

func newProvider(t *testing.T) *provider {
	p := &provider{calls: map[string]int{}, delivered: map[string]int{}, event: map[string]string{}, firstAt: map[string]time.Time{}, repeats: map[string]int{}, arrived: make(chan string, 100)}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(func() {
		p.release()
		p.Close()
	})
	return p
}

func (p *provider) serve(w http.ResponseWriter, r *http.Request) {
	var body struct {
		DeliveryID int64  `json:"deliveryId"`
		To         string `json:"to"`
		EventID    string `json:"eventId"`
	}
	data, _ := io.ReadAll(r.Body)
	key := r.Header.Get("Idempotency-Key")
	if err := json.Unmarshal(data, &body); err != nil || key == "" || body.To == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	p.n++
	p.calls[key]++
	p.event[key] = body.EventID
	if (p.failOdd && p.calls[key]%2 == 1) || (p.failEvery > 0 && p.n%p.failEvery == 0) {
		p.mu.Unlock()
		http.Error(w, "gateway busy, try later", http.StatusServiceUnavailable)
		return
	}
	if p.delivered[key] == 0 {
		p.delivered[key] = 1
		p.firstAt[key] = time.Now()
	} else {
		p.repeats[key]++
	}
	hold, delay := p.hold, p.delay
	p.inflight++
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.inflight--
		p.mu.Unlock()
	}()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done(): // notifyd died with the request in flight: accepted, unanswered
			return
		}
	}
	if hold != nil {
		p.arrived <- key
		select {
		case <-hold:
		case <-r.Context().Done(): // notifyd died with the request in flight
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"prov-%s"}`, key)
}

// holdRequests makes every later request block after it was delivered, until release.
func (p *provider) holdRequests() {
	p.mu.Lock()
	p.hold = make(chan struct{})
	p.mu.Unlock()
}

// release lets held requests answer and stops holding new ones.
func (p *provider) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hold != nil {
		close(p.hold)
		p.hold = nil
	}
}

func (p *provider) setFailOdd(on bool) {
	p.mu.Lock()
	p.failOdd = on
	p.mu.Unlock()
}

// snapshot returns copies of calls and delivered.
func (p *provider) snapshot() (calls, delivered map[string]int, events map[string]string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	calls, delivered, events = map[string]int{}, map[string]int{}, map[string]string{}
	for k, v := range p.calls {
		calls[k] = v
	}
	for k, v := range p.delivered {
		delivered[k] = v
	}
	for k, v := range p.event {
		events[k] = v
	}
	return calls, delivered, events
}

// deliveredFor counts the SMS delivered for an event, over all keys.
func (p *provider) deliveredFor(eventID string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for k, ev := range p.event {
		if ev == eventID {
			n += p.delivered[k]
		}
	}
	return n
}

// checkOnce asserts that every event of events reached a phone exactly once, under one
// key, with at most maxCalls calls for that key; and that no other event was sent.
func (p *provider) checkOnce(t *testing.T, events []string, maxCalls int) {
	t.Helper()
	calls, delivered, byKey := p.snapshot()
	keys := map[string][]string{}
	for k, ev := range byKey {
		keys[ev] = append(keys[ev], k)
	}
	want := map[string]bool{}
	for _, ev := range events {
		want[ev] = true
		ks := keys[ev]
		if len(ks) != 1 {
			t.Errorf("event %s: provider saw idempotency keys %v, want exactly one", ev, ks)
			continue
		}
		if d := delivered[ks[0]]; d != 1 {
			t.Errorf("event %s (key %s): %d SMS delivered, want 1", ev, ks[0], d)
		}
		if c := calls[ks[0]]; c > maxCalls {
			t.Errorf("event %s (key %s): %d provider calls, want at most %d", ev, ks[0], c, maxCalls)
		}
	}
	for ev := range keys {
		if !want[ev] {
			t.Errorf("provider got an SMS for unexpected event %s", ev)
		}
	}
}
