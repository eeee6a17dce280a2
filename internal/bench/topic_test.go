package bench

import (
	"context"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/testenv"
)

// BenchmarkTopic is `notify-bench topic` on each store: under -short at 200 subscribers
// (the Makefile's bench-smoke keeps the mode working in a few seconds), otherwise at
// 20,000. Every subscriber must be worked and every sampled stream must get the event;
// the figures are reported, not asserted. The real sizes run from the command line
// (BENCHMARKS.md, "Topics").
func BenchmarkTopic(b *testing.B) {
	notifyd := testenv.GoBuild(b, "../../cmd/notifyd")
	subs, streams := 20000, 1000
	if testing.Short() {
		subs, streams = 200, 50
	}
	for _, store := range []string{"sqlite", "postgres", "mysql"} {
		b.Run(store, func(b *testing.B) {
			cfg := TopicConfig{Notifyd: notifyd, Store: store, Subscribers: subs, Streams: streams,
				Rate: 20, Idle: time.Second, Timeout: 2 * time.Minute}
			switch store {
			case "postgres":
				cfg.DatabaseURL = testenv.PostgresURL(b)
			case "mysql":
				cfg.DatabaseURL = testenv.MySQLURL(b)
			}
			for b.Loop() {
				res, err := Topic(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				if res.Subscribers != int64(subs) || res.Done != int64(subs) || !res.Finished || res.StreamsGot != int64(streams) {
					b.Fatalf("subscribers %d, done %d, finished %v, streams %d; want %d, %d, true, %d",
						res.Subscribers, res.Done, res.Finished, res.StreamsGot, subs, subs, streams)
				}
				if res.Idle.Events == 0 || res.Idle.Errors+res.During.Errors != 0 || res.RSSPeakBytes <= 0 {
					b.Fatalf("probes: idle %+v, during %+v; peak RSS %v", res.Idle, res.During, res.RSSPeakBytes)
				}
				b.ReportMetric(res.StoredSeconds, "s-stored")
				b.ReportMetric(res.StreamsSeconds, "s-streams")
				b.ReportMetric(res.During.P99ms, "ms-p99-during")
			}
		})
	}
}

// The sample of streams spreads over the subscribers: the first, and near the last.
func TestSampleUserSpreads(t *testing.T) {
	if u := sampleUser(0, 1000, 1000000); u != 0 {
		t.Errorf("first sampled user u%d, want u0", u)
	}
	if u := sampleUser(999, 1000, 1000000); u != 999000 {
		t.Errorf("last sampled user u%d, want u999000", u)
	}
}

// The probes are split by when they were sent, and errors are counted apart from latencies.
func TestProberBetween(t *testing.T) {
	t0 := time.Now()
	pr := &prober{}
	for i, ms := range []int{5, 7, 9, 100, 3} {
		pr.samples = append(pr.samples, probeSample{sent: t0.Add(time.Duration(i) * time.Second), lat: time.Duration(ms) * time.Millisecond, err: i == 4})
	}
	idle := pr.between(t0, t0.Add(3*time.Second))
	if idle.Events != 3 || idle.Errors != 0 || idle.P50ms != 7 || idle.MaxMs != 9 {
		t.Errorf("idle %+v, want 3 events, p50 7ms, max 9ms", idle)
	}
	during := pr.between(t0.Add(3*time.Second), t0.Add(time.Minute))
	if during.Events != 2 || during.Errors != 1 || during.P99ms != 100 {
		t.Errorf("during %+v, want 2 events, 1 error, p99 100ms", during)
	}
}
