package e2e

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// SIGTERM while producers are posting and an SMS is in flight: notifyd stops taking new
// requests, answers the ones it has, waits for the send in flight and records it, and exits
// cleanly. After a restart on the same file every event a producer was answered for is
// there, the ones it was not answered for can be retried, and every SMS went out once.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	prov := newProvider(t)
	p := startNotifyd(t, "notifyd", concat(sqliteEnv(t), smsEnv(prov))...)

	const n = 60
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("term-%d", i)
	}
	evs := eventsFor(ids, 900)

	// The first SMS is held at the provider: it is in flight when SIGTERM arrives.
	prov.holdRequests()
	if status, _ := postEvent(t, p, evs[0]); status != http.StatusAccepted {
		t.Fatalf("first post: %d", status)
	}
	select {
	case <-prov.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the first SMS never reached the provider")
	}

	// Producers keep posting while the process is told to stop.
	statuses := make([]int, n)
	statuses[0] = http.StatusAccepted
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 1 + w; i < n; i += 4 {
				statuses[i] = postLost(t, p, evs[i])
			}
		})
	}
	time.Sleep(20 * time.Millisecond) // let some requests start before the signal
	terminated := make(chan struct{})
	go func() { p.Term(); close(terminated) }()
	p.waitLog("notifyd shutting down", 1, 10*time.Second)
	select {
	case <-terminated:
		t.Fatal("notifyd exited with an SMS send still in flight")
	case <-time.After(300 * time.Millisecond):
	}
	prov.release()
	<-terminated // Term fails the test unless the exit is clean
	wg.Wait()

	// Restart on the same file; producers retry what got no answer (or 503).
	p2 := p.restart()
	answered := 0
	for i, st := range statuses {
		switch st {
		case http.StatusAccepted:
			answered++
		case 0, http.StatusServiceUnavailable:
			if status, _ := postEvent(t, p2, evs[i]); status != http.StatusAccepted && status != http.StatusOK {
				t.Fatalf("retry of %s after restart: %d", ids[i], status)
			}
		default:
			t.Fatalf("post of %s during shutdown answered %d", ids[i], st)
		}
	}
	checkStored(t, p2, ids, 900)
	waitSent(t, p2, ids, 30*time.Second)
	prov.mu.Lock()
	defer prov.mu.Unlock()
	for key, c := range prov.calls {
		if c != 1 {
			t.Errorf("SMS %s (event %s) was sent %d times, want once", key, prov.event[key], c)
		}
	}
	if len(prov.calls) != n {
		t.Errorf("%d SMS sent, want %d", len(prov.calls), n)
	}
	t.Logf("%d of %d posts answered 202 before the stop, the rest retried", answered, n)
}
