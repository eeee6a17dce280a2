package bench

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// broadcastEvents splits users u0…u(n-1) into the fewest events of at most max
// recipients each: one event when max ≥ n.
func broadcastEvents(n, max int) [][2]int {
	var out [][2]int
	for lo := 0; lo < n; lo += max {
		out = append(out, [2]int{lo, min(lo+max, n)})
	}
	return out
}

// broadcastBody is the RESTOCK event k to users lo…hi-1, its eventId r<run>b-<k>-<sent>.
func broadcastBody(run string, k, lo, hi int, sent time.Time) []byte {
	us := make([]int, hi-lo)
	for i := range us {
		us[i] = lo + i
	}
	p := &publisher{cfg: Config{Role: "OWNER", Type: "RESTOCK", Recipients: max(len(us), 2)}, id: run + "b"}
	return p.event(make([]byte, 0, 40*len(us)+256), us, k, strconv.FormatInt(sent.UnixNano(), 36))
}

// steadyUser is the recipient of steady event n among users u0…u(n-1): a fixed
// pseudo-random pick (splitmix64), so the coordinator knows every event's user without
// keeping a table, and consecutive events land on different replicas' streams.
func steadyUser(seed uint64, n int64, users int) int {
	z := seed + uint64(n)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return int(z % uint64(users))
}

// steadyRun is the steady phase's publishing: events 0…events-1, event n to
// steadyUser(n) through replica n mod len(urls), each sent at its own time (n / rate after
// the start) whatever the answers to earlier ones (an open loop), with at most inFlight
// requests outstanding. When that many are waiting, the next waits too: the run then
// falls behind its rate, which publishSeconds shows.
type steadyRun struct {
	run      string
	seed     uint64
	users    int
	events   int
	rate     float64
	hc       *http.Client
	urls     []string
	token    string
	accepted []bool // by n; each written by the one goroutine that sent n

	errors   atomic.Int64
	mu       sync.Mutex
	firstErr string
}

func (s *steadyRun) publish(ctx context.Context, inFlight int) {
	s.accepted = make([]bool, s.events)
	p := &publisher{cfg: Config{Role: "OWNER", Type: "DELIVERY_STARTED", Recipients: 1, Token: s.token}, id: s.run + "s", hc: s.hc}
	sem := make(chan struct{}, max(inFlight, 1))
	start := time.Now()
	var wg sync.WaitGroup
	defer wg.Wait()
	for n := range s.events {
		if d := time.Until(start.Add(time.Duration(float64(n) / s.rate * float64(time.Second)))); d > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(d):
			}
		}
		select {
		case <-ctx.Done():
			return
		case sem <- struct{}{}:
		}
		wg.Go(func() {
			defer func() { <-sem }()
			s.send(ctx, p, n)
		})
	}
}

// send posts event n and records the answer.
func (s *steadyRun) send(ctx context.Context, p *publisher, n int) {
	body := p.event(make([]byte, 0, 256), []int{steadyUser(s.seed, int64(n), s.users)}, n, strconv.FormatInt(time.Now().UnixNano(), 36))
	err := p.post(ctx, s.urls[n%len(s.urls)], body)
	if err == nil {
		s.accepted[n] = true
		return
	}
	s.errors.Add(1)
	s.mu.Lock()
	if s.firstErr == "" {
		s.firstErr = err.Error()
	}
	s.mu.Unlock()
}

// acceptedCount is how many events the replicas accepted (after publish returned).
func (s *steadyRun) acceptedCount() int64 {
	var n int64
	for _, ok := range s.accepted {
		if ok {
			n++
		}
	}
	return n
}

// check compares what the streams received (user, n pairs) with what was accepted: a
// notification is missing when its event was accepted and its user's stream never got
// it, a duplicate when the stream got it more than once, and a stray when another user's
// stream got it. An event whose POST failed (a timeout after the commit) may still
// arrive: it is counted in late, not as an error.
func (s *steadyRun) check(pairs []int64) (missing, dups, strays, late int64) {
	seen := make([]uint8, s.events)
	for i := 0; i+1 < len(pairs); i += 2 {
		user, n := int(pairs[i]), pairs[i+1]
		if n < 0 || n >= int64(s.events) || steadyUser(s.seed, n, s.users) != user {
			strays++
			continue
		}
		if seen[n] > 0 {
			dups++
		} else if !s.accepted[n] {
			late++
		}
		seen[n] = 1
	}
	for n, ok := range s.accepted {
		if ok && seen[n] == 0 {
			missing++
		}
	}
	return missing, dups, strays, late
}
