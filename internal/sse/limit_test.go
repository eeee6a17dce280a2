package sse_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/sse"
)

// eventually polls cond until it holds, failing the test after 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ended reports whether the stream's connection was closed by the server.
func (c *client) ended() bool {
	for {
		select {
		case _, ok := <-c.ids:
			if !ok {
				return true
			}
		default:
			return false
		}
	}
}

// At the per-user limit a new stream is admitted and the user's oldest stream makes room:
// it gets a final comment and is closed. Other users are not affected.
func TestStreamLimitEvictsOldest(t *testing.T) {
	r := newRig(t, sse.Options{MaxPerUser: 2})
	first := dial(t, r.url, "many", "")
	second := dial(t, r.url, "many", "")
	other := dial(t, r.url, "other", "")
	waitConns(t, r.hub, 3)
	third := dial(t, r.url, "many", "")
	select {
	case line := <-first.comments:
		if !strings.Contains(line, "stream limit") {
			t.Fatalf("final comment %q", line)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the oldest stream got no final comment")
	}
	eventually(t, "the oldest stream to close", first.ended)
	waitConns(t, r.hub, 3)
	r.post(t, "many", "e1", 10)
	r.post(t, "other", "e2", 10)
	second.expect(t, 1, 1)
	third.expect(t, 1, 1)
	other.expect(t, 1, 1)
}

// The limit check and the registration are one step: streams connecting all at once never
// leave a user with more than the limit, and every stream over it is closed.
func TestStreamLimitConcurrentConnects(t *testing.T) {
	const limit, n = 3, 16
	r := newRig(t, sse.Options{MaxPerUser: limit})
	for round := range 3 {
		user := "burst" + string(rune('a'+round))
		clients := make([]*client, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range clients {
			wg.Go(func() {
				<-start
				c, err := dialErr(t, r.url, user, "")
				if err != nil {
					t.Error(err)
					return
				}
				clients[i] = c
			})
		}
		close(start)
		wg.Wait()
		if t.Failed() {
			return
		}
		// Each admitted stream's eviction happened before its response head, so every
		// dial having returned means every registration and eviction is done.
		if got := r.hub.Conns(); got != limit*(round+1) {
			t.Fatalf("round %d: %d streams open, want %d", round, got, limit*(round+1))
		}
		eventually(t, "streams over the limit to close", func() bool {
			closed := 0
			for _, c := range clients {
				if c.ended() {
					closed++
				}
			}
			return closed == n-limit
		})
	}
}

// A client that closes its TCP connection stops counting within seconds, long before the
// next heartbeat (25 s by default), with no write needed to notice it.
func TestVanishedStreamStopsCounting(t *testing.T) {
	r := newRig(t, sse.Options{})
	stay := dial(t, r.url, "u", "")
	gone := dial(t, r.url, "u", "")
	waitConns(t, r.hub, 2)
	gone.conn.Close()
	eventually(t, "the hub to forget the closed stream", func() bool { return r.hub.Conns() == 1 })
	r.post(t, "u", "v1", 10)
	stay.expect(t, 1, 1)
}
