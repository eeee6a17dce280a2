package bench

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"
)

// prober publishes unrelated single events (one user each, not subscribed to the topic)
// at a steady rate and keeps when each was sent and how long its POST took to answer:
// the accept latency the topic's fan-out must not spoil.
type prober struct {
	p    *publisher
	url  string
	run  string
	rate float64

	mu      sync.Mutex
	samples []probeSample
}

type probeSample struct {
	sent time.Time
	lat  time.Duration
	err  bool
}

// loop sends events at p.rate until ctx ends, each in its own goroutine (an open loop:
// a slow answer does not delay the next event). It returns once every POST answered.
func (pr *prober) loop(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(time.Duration(float64(time.Second) / pr.rate))
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		wg.Go(func() {
			body := []byte(`{"whoToNotify":{"userId":"probe` + strconv.Itoa(n%1000) + `","role":"OWNER"},` +
				`"publishInformation":{"notificationType":"DELIVERY_STARTED","eventId":"t` + pr.run + `-probe-` + strconv.Itoa(n) +
				`","message":"bench probe","data":{"orderId":` + strconv.Itoa(n) + `}}}`)
			t0 := time.Now()
			// Its own context: the last probes finish even as the phase ends.
			err := pr.p.post(context.WithoutCancel(ctx), pr.url, body)
			pr.mu.Lock()
			pr.samples = append(pr.samples, probeSample{sent: t0, lat: time.Since(t0), err: err != nil})
			pr.mu.Unlock()
		})
	}
}

// LatencyStats are the accept latencies of the probes sent in one phase.
type LatencyStats struct {
	Events int     `json:"events"`
	Errors int     `json:"errors"`
	P50ms  float64 `json:"p50Ms"`
	P99ms  float64 `json:"p99Ms"`
	MaxMs  float64 `json:"maxMs"`
}

// between summarizes the probes sent in [from, to).
func (pr *prober) between(from, to time.Time) LatencyStats {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	var st LatencyStats
	var lat []time.Duration
	for _, s := range pr.samples {
		if s.sent.Before(from) || !s.sent.Before(to) {
			continue
		}
		st.Events++
		if s.err {
			st.Errors++
			continue
		}
		lat = append(lat, s.lat)
	}
	if len(lat) == 0 {
		return st
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	q := func(f float64) time.Duration { return lat[min(len(lat)-1, int(f*float64(len(lat))))] }
	st.P50ms, st.P99ms, st.MaxMs = ms(q(0.50)), ms(q(0.99)), ms(lat[len(lat)-1])
	return st
}
