package bench

import (
	"context"
	"net/http"
	"slices"
	"time"
)

// ScaleResult is what one scale run measured.
type ScaleResult struct {
	Config  ScaleConfig `json:"config"`
	Started time.Time   `json:"started"`

	ConnectSeconds float64        `json:"connectSeconds"` // first load process started → every stream registered
	Replicas       []ReplicaStats `json:"replicas"`
	Loads          []LoadStats    `json:"loadProcesses"`
	// RSSPerStream is the replicas' RSS growth while the streams opened, summed, over
	// the streams; HeapPerStream the same for the Go heap in use.
	RSSPerStream  float64 `json:"rssBytesPerStream"`
	HeapPerStream float64 `json:"heapInuseBytesPerStream"`

	Broadcast BroadcastResult `json:"broadcast"`
	Steady    SteadyResult    `json:"steady"`

	StreamErrors int64 `json:"streamErrors"` // streams that ended before the bench closed them
	SeqGaps      int64 `json:"seqGaps"`      // SSE ids that skipped ahead
	SeqDups      int64 `json:"seqDuplicates"`

	LoadBefore string `json:"loadBefore"` // load averages (1, 5, 15 min)
	LoadAfter  string `json:"loadAfter"`
}

// ReplicaStats is one notifyd replica.
type ReplicaStats struct {
	Addr         string  `json:"addr"`
	PID          int     `json:"pid"`
	Streams      int     `json:"streams"`
	RSSBefore    float64 `json:"rssBytesBefore"`
	RSSConnected float64 `json:"rssBytesConnected"`
	RSSPerStream float64 `json:"rssBytesPerStream"`
	heapBefore   float64
	HeapPerStrm  float64 `json:"heapInuseBytesPerStream"`
	CPUSeconds   float64 `json:"cpuSecondsEnd"`
}

// LoadStats is one load process.
type LoadStats struct {
	PID          int     `json:"pid"`
	Streams      int     `json:"streams"`
	OpenSeconds  float64 `json:"openSeconds"`
	RSSConnected float64 `json:"rssBytesConnected"`
}

// BroadcastResult is the one event (or the fewest events NOTIFY_MAX_RECIPIENTS allows)
// to every user.
type BroadcastResult struct {
	Events             int     `json:"events"`
	RecipientsPerEvent int     `json:"recipientsPerEvent"`
	BodyBytes          int     `json:"bodyBytes"`     // the largest request body
	Retries            int     `json:"retries"`       // POSTs sent again after a 503
	AnswerSeconds      float64 `json:"answerSeconds"` // first POST sent → last answered (stored)
	LastSeconds        float64 `json:"lastSeconds"`   // first POST sent → the last stream had it
	Latency            Latency `json:"latencyMs"`     // over the streams
	Streams            int64   `json:"streams"`       // streams that had it
	Missing            int64   `json:"missing"`
	Duplicates         int64   `json:"duplicates"`
	ReplicaCPUSeconds  float64 `json:"replicaCpuSeconds"` // all replicas, POST → last stream
}

// SteadyResult is the steady phase: single-user events at a fixed rate.
type SteadyResult struct {
	Events            int     `json:"events"`
	PublishSeconds    float64 `json:"publishSeconds"`
	Accepted          int64   `json:"accepted"`
	PublishErrors     int64   `json:"publishErrors"`
	ErrorSample       string  `json:"errorSample,omitempty"`
	Received          int64   `json:"received"`
	Missing           int64   `json:"missing"`    // accepted, never on the user's stream
	Duplicates        int64   `json:"duplicates"` // on the user's stream more than once
	Strays            int64   `json:"strays"`     // on another user's stream
	Late              int64   `json:"late"`       // arrived though the POST failed
	Latency           Latency `json:"latencyMs"`
	ReplicaCPUSeconds float64 `json:"replicaCpuSeconds"` // all replicas, first publish → last notification
}

// memory reads every replica's RSS (from /proc) and Go heap (from /metrics) with the
// streams open, and the load processes' RSS.
func (r *ScaleResult) memory(ctx context.Context, hc *http.Client, loads []*loadProc) error {
	var rss, heap float64
	var streams int
	for i := range r.Replicas {
		rp := &r.Replicas[i]
		p, err := ReadProc(rp.PID)
		if err != nil {
			return err
		}
		m, err := Scrape(ctx, hc, "http://"+rp.Addr)
		if err != nil {
			return err
		}
		rp.Streams = int(m.Get("notifyd_sse_connections"))
		rp.RSSConnected = p.RSSBytes
		dh := m.Get("go_memstats_heap_inuse_bytes") - rp.heapBefore
		if rp.Streams > 0 {
			rp.RSSPerStream = (rp.RSSConnected - rp.RSSBefore) / float64(rp.Streams)
			rp.HeapPerStrm = dh / float64(rp.Streams)
		}
		rss += rp.RSSConnected - rp.RSSBefore
		heap += dh
		streams += rp.Streams
	}
	if streams > 0 {
		r.RSSPerStream, r.HeapPerStream = rss/float64(streams), heap/float64(streams)
	}
	for k, l := range loads {
		if p, err := ReadProc(l.pid()); err == nil {
			r.Loads[k].RSSConnected = p.RSSBytes
		}
	}
	return nil
}

// cpu is the replicas' CPU seconds so far, summed (each also kept in CPUSeconds).
func (r *ScaleResult) cpu() float64 {
	var sum float64
	for i := range r.Replicas {
		if p, err := ReadProc(r.Replicas[i].PID); err == nil {
			r.Replicas[i].CPUSeconds = p.CPUSeconds
			sum += p.CPUSeconds
		}
	}
	return sum
}

// collect merges the load processes' reports and checks the steady events.
func (r *ScaleResult) collect(reports []LoadReport, st *steadyRun) {
	var bl, sl, pairs []int64
	for _, rep := range reports {
		r.StreamErrors += rep.StreamErrors
		r.SeqGaps += rep.SeqGaps
		r.SeqDups += rep.SeqDups
		r.Broadcast.Missing += rep.BcastMissing
		r.Broadcast.Duplicates += rep.BcastDups
		bl = append(bl, rep.BcastLatNs...)
		sl = append(sl, rep.SteadyLatNs...)
		pairs = append(pairs, rep.Steady...)
	}
	r.Broadcast.Streams = int64(len(bl))
	r.Broadcast.Latency = quantiles(bl)
	r.Broadcast.LastSeconds = r.Broadcast.Latency.Max / 1e3
	r.Steady.Received = int64(len(sl))
	r.Steady.Latency = quantiles(sl)
	if st.events > 0 {
		r.Steady.Missing, r.Steady.Duplicates, r.Steady.Strays, r.Steady.Late = st.check(pairs)
	}
}

// quantiles of nanoseconds, in milliseconds.
func quantiles(ns []int64) Latency {
	if len(ns) == 0 {
		return Latency{}
	}
	slices.Sort(ns)
	q := func(p float64) float64 { return float64(ns[min(len(ns)-1, int(p*float64(len(ns))))]) / 1e6 }
	return Latency{P50: q(0.50), P95: q(0.95), P99: q(0.99), Max: q(1)}
}
