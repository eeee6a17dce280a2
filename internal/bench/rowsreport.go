package bench

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteRowsTable prints a ten-million run for people.
func WriteRowsTable(w io.Writer, r *RowsResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, v ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, v...)...) }
	s := r.Shape
	row("store", "%s", r.Store)
	row("rows", "%d notifications (one event each) over %d users, %d of them to u0; an SMS delivery on one in %d", s.Notifications, s.Users, s.Heavy, s.SMSEvery)
	if r.LoadSeconds > 0 {
		row("bulk load", "%.0fs (load average %s at its end)", r.LoadSeconds, r.LoadUptime)
	}
	row("size on disk", "%.2f GB", float64(r.SizeBytes)/1e9)
	phase := func(name string, p *RowsPhase) {
		if p == nil {
			return
		}
		row(name, "load average %s", p.LoadAverage)
		row("  accept", "%d events at %.0f/s: p50 %.1f ms  p99 %.1f ms  max %.1f ms; %d errors", p.Events, r.Config.Rate, p.Accept.P50, p.Accept.P99, p.Accept.Max, p.Errors)
		for _, rd := range p.Reads {
			row("  "+rd.Name, "n %d: p50 %.1f ms  p99 %.1f ms  max %.1f ms; %d errors", rd.N, rd.Latency.P50, rd.Latency.P99, rd.Latency.Max, rd.Errors)
		}
		if p.ErrorSample != "" {
			row("  first error", "%s", p.ErrorSample)
		}
	}
	phase("baseline", r.Baseline)
	phase("during the purge", r.DuringPurge)
	if r.DuringPurge != nil {
		row("  purged", "%.0f rows (notifications and deliveries) in the phase, %.0f rows/s", r.PurgedInPhase, r.PurgeRate)
	}
	return tw.Flush()
}
