package bench

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteScaleTable prints a scale run for people.
func WriteScaleTable(w io.Writer, r *ScaleResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	c := r.Config
	row := func(k, format string, v ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, v...)...) }
	row("setup", "%d notifyd replicas over one MariaDB database and Redis; %d load processes; %d source addresses", len(r.Replicas), len(r.Loads), c.SourceIPs)
	row("streams", "%d open in %.1fs", c.Streams, r.ConnectSeconds)
	for i, rp := range r.Replicas {
		row(fmt.Sprintf("  replica %d", i), "%d streams, RSS %.1f → %.1f MiB, %s RSS / stream, Go heap %s / stream",
			rp.Streams, rp.RSSBefore/(1<<20), rp.RSSConnected/(1<<20), kib(rp.RSSPerStream), kib(rp.HeapPerStrm))
	}
	row("memory / stream", "RSS %s, Go heap in use %s (all replicas)", kib(r.RSSPerStream), kib(r.HeapPerStream))
	for k, l := range r.Loads {
		row(fmt.Sprintf("  load %d", k), "%d streams open in %.1fs, RSS %.1f MiB", l.Streams, l.OpenSeconds, l.RSSConnected/(1<<20))
	}
	b := r.Broadcast
	row("broadcast", "%d event(s) × %d recipients (largest body %.1f MiB), answered in %.2fs, %d sent again after a 503", b.Events, b.RecipientsPerEvent, float64(b.BodyBytes)/(1<<20), b.AnswerSeconds, b.Retries)
	row("  last stream had it", "%.2fs after the first POST (p50 %.0f ms, p99 %.0f ms over the streams)", b.LastSeconds, b.Latency.P50, b.Latency.P99)
	row("  streams", "%d of %d had it, missing %d, duplicates %d, replica CPU %.1fs", b.Streams, c.Streams, b.Missing, b.Duplicates, b.ReplicaCPUSeconds)
	s := r.Steady
	if s.Events > 0 {
		row("steady", "%d single-user events at %.0f/s over %s (open loop, at most %d in flight), round-robin over the replicas", s.Events, c.Rate, c.Duration, c.InFlight)
		row("  accepted", "%d, all sent and answered in %.1fs (%.0f/s), publish errors %d", s.Accepted, s.PublishSeconds, float64(s.Events)/max(s.PublishSeconds, 1e-9), s.PublishErrors)
		row("  received", "%d: missing %d, duplicates %d, on another user's stream %d, arrived though the POST failed %d", s.Received, s.Missing, s.Duplicates, s.Strays, s.Late)
		row("  publish→SSE latency", "p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  max %.2f ms", s.Latency.P50, s.Latency.P95, s.Latency.P99, s.Latency.Max)
		row("  replica CPU", "%.1fs (all replicas)", s.ReplicaCPUSeconds)
	}
	row("streams", "ended early %d, SSE id gaps %d, SSE ids repeated %d", r.StreamErrors, r.SeqGaps, r.SeqDups)
	row("load average", "%s before, %s after (2 cores, shared)", r.LoadBefore, r.LoadAfter)
	if s.ErrorSample != "" {
		row("first error", "%s", s.ErrorSample)
	}
	return tw.Flush()
}
