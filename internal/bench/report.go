package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable prints r for people.
func WriteTable(w io.Writer, r *Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	c := r.Config
	row := func(k, format string, v ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, v...)...) }
	row("streams", "%d (from %d source addresses, open in %.1fs)", c.Conns, c.SourceIPs, r.ConnectSeconds)
	row("server memory / stream", "RSS %s, Go heap in use %s, Go sys %s (goroutines %+.0f)",
		kib(r.Server.RSSPerConn), kib(r.Server.HeapPerConn), kib(r.Server.SysPerConn), r.Server.GoroutinesDelta)
	row("server RSS connected", "%.1f MiB", r.Server.RSSAfterConnect/(1<<20))
	if r.Server.HoldSeconds > 0 {
		row("idle hold", "%.1fs, server CPU %.3fs (%.2f%% of one core)", r.Server.HoldSeconds, r.Server.HoldCPUSeconds, 100*r.Server.HoldCPUSeconds/r.Server.HoldSeconds)
	}
	if c.Events > 0 {
		rate := "flat out"
		if c.Rate > 0 {
			rate = fmt.Sprintf("%.0f/s", c.Rate)
		}
		src := c.Source
		if src == "" {
			src = "http"
		}
		if b := r.Baseline; b != nil {
			row("baseline", "%s: %d of %d in %.2fs = %.0f/s (publish %.2fs, errors %d, bench CPU %.2fs)%s", b.Name, b.Consumed, c.Events, b.Seconds, b.PerSec,
				b.PublishSeconds, b.PublishErrors, b.ClientCPUSeconds, errSuffix(b.Error))
		}
		row("published", "over %s: %d events × %d recipient(s), %d per request, %d publishers, %s", src, c.Events, c.Recipients, c.Batch, c.Publishers, rate)
		row("accepted", "%d events in %.2fs = %.0f events/s", r.Accepted, r.PublishSeconds, r.AcceptedPerSec)
		row("stored and pushed", "%d of %d notifications in %.2fs = %.0f/s", r.Received, r.Expected, r.DeliverSeconds, r.PushedPerSec)
		row("publish→SSE latency", "p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  max %.2f ms", r.Latency.P50, r.Latency.P95, r.Latency.P99, r.Latency.Max)
		if b := r.Baseline; b != nil && b.PerSec > 0 {
			row("notifyd / baseline", "%.3f (%.0f/s vs %.0f/s)", b.Ratio, r.PushedPerSec, b.PerSec)
		}
		if c.Source == "sqs" {
			d := func(name string) float64 { return r.Server.End.Get(name) - r.Server.Start.Get(name) }
			row("notifyd SQS counters", "received %.0f, accepted %.0f, duplicates %.0f, deleted %.0f, left for redelivery %.0f, receive errors %.0f, visibility extensions %.0f",
				d("notifyd_sqs_received_total"), d("notifyd_sqs_accepted_total"), d("notifyd_sqs_duplicates_total"), d("notifyd_sqs_deleted_total"),
				d("notifyd_sqs_retried_total"), d("notifyd_sqs_receive_errors_total"), d("notifyd_sqs_visibility_extensions_total"))
		}
		if r.Server.CommitsDuringRun > 0 {
			row("group commit", "%.0f transactions, %.1f events each", r.Server.CommitsDuringRun, r.Server.CommitBatchMean)
			row("server stages (mean ms)", "%s", r.Server.Stages)
		}
		row("CPU (2 cores shared)", "server %.2fs, bench %.2fs, %.0f µs per notification together", r.Server.CPUSecondsRun, r.ClientCPUSeconds,
			1e6*(r.Server.CPUSecondsRun+r.ClientCPUSeconds)/float64(max(r.Received, 1)))
	}
	row("errors", "publish %d, streams ended early %d, id gaps %d", r.PublishErrors, r.StreamErrors, r.Gaps)
	if r.ErrorSample != "" {
		row("first error", "%s", r.ErrorSample)
	}
	return tw.Flush()
}

// WriteJSON prints a result (a *Result or a *ScaleResult) for scripts.
func WriteJSON(w io.Writer, r any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func kib(b float64) string { return fmt.Sprintf("%.2f KiB", b/1024) }

func errSuffix(e string) string {
	if e == "" {
		return ""
	}
	return ", error: " + e
}
