package bench

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// Pass is one server's part of a side-by-side run.
type Pass struct {
	Name   string
	Result *Result
	// Fsync is the median write+fdatasync of 4 KiB in the server's folder, measured
	// just before its pass.
	Fsync time.Duration
	Err   error
}

// WriteSideBySide prints the passes of one run as one table, a column per server.
func WriteSideBySide(w io.Writer, passes []Pass) error {
	if len(passes) > 0 && passes[0].Result != nil {
		c := passes[0].Result.Config
		rate := "flat out"
		if c.Rate > 0 {
			rate = fmt.Sprintf("%.0f/s", c.Rate)
		}
		fmt.Fprintf(w, "load: %d streams, %d events, one per request, %d publishers, %s\n", c.Conns, c.Events, c.Publishers, rate)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	cells := func(k string, f func(p Pass, r *Result) string) {
		fmt.Fprintf(tw, "%s\t", k)
		for _, p := range passes {
			switch {
			case p.Err != nil:
				fmt.Fprint(tw, "error\t")
			case p.Result == nil:
				fmt.Fprint(tw, "–\t")
			default:
				fmt.Fprintf(tw, "%s\t", f(p, p.Result))
			}
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprint(tw, "\t")
	for _, p := range passes {
		fmt.Fprintf(tw, "%s\t", p.Name)
	}
	fmt.Fprintln(tw)
	cells("stored and pushed/s", func(_ Pass, r *Result) string { return fmt.Sprintf("%.0f", r.PushedPerSec) })
	cells("accepted/s", func(_ Pass, r *Result) string { return fmt.Sprintf("%.0f", r.AcceptedPerSec) })
	cells("received", func(_ Pass, r *Result) string { return fmt.Sprintf("%d/%d", r.Received, r.Expected) })
	cells("publish→SSE p50 ms", func(_ Pass, r *Result) string { return fmt.Sprintf("%.2f", r.Latency.P50) })
	cells("p95 ms", func(_ Pass, r *Result) string { return fmt.Sprintf("%.2f", r.Latency.P95) })
	cells("p99 ms", func(_ Pass, r *Result) string { return fmt.Sprintf("%.2f", r.Latency.P99) })
	cells("max ms", func(_ Pass, r *Result) string { return fmt.Sprintf("%.1f", r.Latency.Max) })
	cells("server CPU µs/event", func(_ Pass, r *Result) string { return fmt.Sprintf("%.0f", r.Proc.CPUPerEventMicros) })
	cells("bench CPU µs/event", func(_ Pass, r *Result) string {
		return fmt.Sprintf("%.0f", 1e6*r.ClientCPUSeconds/float64(max(r.Received, 1)))
	})
	cells("RSS per idle stream", func(_ Pass, r *Result) string { return kib(r.Proc.RSSPerConn) })
	if slices.ContainsFunc(passes, func(p Pass) bool { return p.Result != nil && p.Result.Server.HoldSeconds > 0 }) {
		cells("idle CPU (% of a core)", func(_ Pass, r *Result) string {
			return fmt.Sprintf("%.2f", 100*r.Server.HoldCPUSeconds/max(r.Server.HoldSeconds, 1e-9))
		})
	}
	cells("events per commit", func(_ Pass, r *Result) string {
		if r.Server.CommitBatchMean == 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f", r.Server.CommitBatchMean)
	})
	stage := func(k string, f func(Stages) float64) {
		cells(k, func(_ Pass, r *Result) string {
			if r.Config.Peer != nil {
				return "–"
			}
			return fmt.Sprintf("%.2f", f(r.Server.Stages))
		})
	}
	stage("mean commit wait ms", func(s Stages) float64 { return s.CommitWait })
	stage("mean commit ms", func(s Stages) float64 { return s.Commit })
	stage("mean publish lag ms", func(s Stages) float64 { return s.PublishLag })
	stage("mean publish ms", func(s Stages) float64 { return s.Publish })
	cells("fsync 4 KiB median ms", func(p Pass, _ *Result) string { return fmt.Sprintf("%.2f", float64(p.Fsync)/1e6) })
	cells("errors (publish/stream/gaps)", func(_ Pass, r *Result) string {
		return fmt.Sprintf("%d/%d/%d", r.PublishErrors, r.StreamErrors, r.Gaps)
	})
	cells("load before", func(_ Pass, r *Result) string { return r.LoadBefore })
	cells("load after", func(_ Pass, r *Result) string { return r.LoadAfter })
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, p := range passes {
		if p.Err != nil {
			fmt.Fprintf(w, "%s: %v\n", p.Name, p.Err)
		} else if p.Result != nil && p.Result.ErrorSample != "" {
			fmt.Fprintf(w, "%s: first error: %s\n", p.Name, p.Result.ErrorSample)
		}
	}
	return nil
}
