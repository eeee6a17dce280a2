package bench

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTopicTable prints a topic run for a person.
func WriteTopicTable(w io.Writer, r *TopicResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	ratio := 0.0
	if r.Idle.P99ms > 0 {
		ratio = r.During.P99ms / r.Idle.P99ms
	}
	rows := [][2]string{
		{"store", r.Config.Store},
		{"subscribers (seeded by SQL)", fmt.Sprintf("%d in %.1fs", r.Config.Subscribers, r.SeedSeconds)},
		{"sampled streams", fmt.Sprintf("%d, open in %.1fs", r.Config.Streams, r.ConnectSeconds)},
		{"topic event answered", fmt.Sprintf("%.2fs (subscribers %d)", r.AcceptSeconds, r.Subscribers)},
		{"every notification stored", fmt.Sprintf("%.1fs (done %d, finished %v)", r.StoredSeconds, r.Done, r.Finished)},
		{"every sampled stream had it", fmt.Sprintf("%.1fs (%d streams)", r.StreamsSeconds, r.StreamsGot)},
		{"accept p50/p99/max idle", fmt.Sprintf("%.1f / %.1f / %.1f ms (%d events, %d errors)", r.Idle.P50ms, r.Idle.P99ms, r.Idle.MaxMs, r.Idle.Events, r.Idle.Errors)},
		{"accept p50/p99/max during", fmt.Sprintf("%.1f / %.1f / %.1f ms (%d events, %d errors)", r.During.P50ms, r.During.P99ms, r.During.MaxMs, r.During.Events, r.During.Errors)},
		{"p99 during / idle", fmt.Sprintf("%.2f× (the bar: ≤ 2×)", ratio)},
		{"server RSS idle / peak", fmt.Sprintf("%.0f / %.0f MiB", r.RSSIdleBytes/(1<<20), r.RSSPeakBytes/(1<<20))},
		{"load before / after", r.LoadBefore + " / " + r.LoadAfter},
	}
	for _, row := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", row[0], row[1])
	}
	return tw.Flush()
}
