package bench

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Result is what one run measured.
type Result struct {
	Config  Config    `json:"config"`
	Started time.Time `json:"started"`

	ConnectSeconds float64 `json:"connectSeconds"`
	PublishSeconds float64 `json:"publishSeconds"` // first publish to last answer
	DeliverSeconds float64 `json:"deliverSeconds"` // first publish to last notification received

	Accepted      int64  `json:"acceptedEvents"`
	PublishErrors int64  `json:"publishErrors"`
	ErrorSample   string `json:"errorSample,omitempty"`
	Expected      int64  `json:"expectedNotifications"`
	Received      int64  `json:"receivedNotifications"`
	StreamErrors  int64  `json:"streamErrors"` // streams that ended before the bench closed them
	Gaps          int64  `json:"gaps"`         // ids that were not the previous id + 1

	AcceptedPerSec float64 `json:"acceptedEventsPerSec"`
	PushedPerSec   float64 `json:"pushedNotificationsPerSec"`
	Latency        Latency `json:"latencyMs"`
	// ClientCPUSeconds is the bench's own CPU from publish start to the end.
	ClientCPUSeconds float64 `json:"clientCpuSeconds,omitempty"`

	Server ServerStats `json:"server"`

	Baseline *BaselineResult `json:"baseline,omitempty"`

	// Proc is the server's CPU and memory from /proc (Config.PID).
	Proc ProcStats `json:"proc"`
	// LoadBefore and LoadAfter are the machine's load averages (1, 5, 15 min).
	LoadBefore string `json:"loadBefore"`
	LoadAfter  string `json:"loadAfter"`
}

// ProcStats are the server's figures read from /proc/<pid>, for notifyd and a peer alike.
type ProcStats struct {
	RSSPerConn        float64 `json:"rssBytesPerConn"`          // RSS after connecting minus before, per stream
	CPUSecondsRun     float64 `json:"cpuSecondsDuringPublish"`  // from publish start to the end
	CPUPerEventMicros float64 `json:"cpuMicrosPerNotification"` // CPUSecondsRun per notification received
}

// proc samples the server's process, zero without Config.PID.
func (r *Result) proc() ProcSample {
	if r.Config.PID <= 0 {
		return ProcSample{}
	}
	s, _ := ReadProc(r.Config.PID) // a server that died shows as zero; the run reports its errors
	return s
}

// BaselineResult is the baseline consumer's run (Config.Baseline).
type BaselineResult struct {
	Name             string  `json:"name"`
	Consumed         int64   `json:"consumed"`
	PublishSeconds   float64 `json:"publishSeconds"`
	PublishErrors    int64   `json:"publishErrors"`
	Seconds          float64 `json:"seconds"` // first publish to last consumed
	PerSec           float64 `json:"perSec"`
	ClientCPUSeconds float64 `json:"clientCpuSeconds"` // the bench's CPU, goaws included when in process
	Error            string  `json:"error,omitempty"`
	// Ratio is notifyd's stored-and-pushed rate over the baseline's rate.
	Ratio float64 `json:"ratio"`
}

// Latency is publish→SSE latency in milliseconds.
type Latency struct {
	P50, P95, P99, Max float64
}

// ServerStats are read from the server's /metrics.
type ServerStats struct {
	Before    Metrics `json:"-"`
	Connected Metrics `json:"-"`
	Start     Metrics `json:"-"` // just before publishing
	End       Metrics `json:"-"`

	RSSPerConn       float64 `json:"rssBytesPerConn"`
	HeapPerConn      float64 `json:"heapInuseBytesPerConn"`
	SysPerConn       float64 `json:"goSysBytesPerConn"`
	GoroutinesDelta  float64 `json:"goroutinesDelta"`
	RSSAfterConnect  float64 `json:"rssBytesConnected"`
	HoldSeconds      float64 `json:"holdSeconds,omitempty"`
	HoldCPUSeconds   float64 `json:"holdCpuSeconds,omitempty"` // server CPU while the streams sat idle
	Heartbeats       float64 `json:"heartbeatsDuringHold,omitempty"`
	CommitBatchMean  float64 `json:"commitBatchMeanEvents,omitempty"`
	CommitsDuringRun float64 `json:"commits,omitempty"`
	CPUSecondsRun    float64 `json:"cpuSecondsDuringPublish,omitempty"` // server CPU from publish start to the end
	// Stages are notifyd's mean time per stage during the run, in ms (commit wait,
	// commit, publish lag, publish), from its histograms' sums and counts.
	Stages Stages `json:"stagesMeanMs"`
}

// Stages are mean milliseconds of the stages between ingest and the streams.
type Stages struct {
	CommitWait, Commit, PublishLag, Publish float64
}

func (s Stages) String() string {
	return fmt.Sprintf("commit wait %.2f, commit %.2f, publish lag %.2f, publish %.2f", s.CommitWait, s.Commit, s.PublishLag, s.Publish)
}

func (r *Result) perConn(n int) {
	b, a := r.Server.Before, r.Server.Connected
	per := func(name string) float64 { return (a.Get(name) - b.Get(name)) / float64(n) }
	r.Server.RSSPerConn = per("process_resident_memory_bytes")
	r.Server.HeapPerConn = per("go_memstats_heap_inuse_bytes")
	r.Server.SysPerConn = per("go_memstats_sys_bytes")
	r.Server.GoroutinesDelta = a.Get("go_goroutines") - b.Get("go_goroutines")
	r.Server.RSSAfterConnect = a.Get("process_resident_memory_bytes")
}

// hold keeps the streams idle for d and records the server's CPU meanwhile: with nothing
// published, that is the heartbeat walking the streams.
func (r *Result) hold(ctx context.Context, d time.Duration, cpuSeconds func() (float64, error)) error {
	c0, err := cpuSeconds()
	if err != nil {
		return err
	}
	t0 := time.Now()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
	}
	c1, err := cpuSeconds()
	if err != nil {
		return err
	}
	r.Server.HoldSeconds = time.Since(t0).Seconds()
	r.Server.HoldCPUSeconds = c1 - c0
	return nil
}

// finish reads the streams' counts and latencies; the readers must have stopped.
func (r *Result) finish(cs *clients) {
	var all []int64
	for _, c := range cs.all {
		if c != nil {
			all = append(all, c.lat...)
		}
	}
	r.Received = int64(len(all))
	if r.PublishSeconds > 0 {
		r.AcceptedPerSec = float64(r.Accepted) / r.PublishSeconds
	}
	if r.DeliverSeconds > 0 {
		r.PushedPerSec = float64(r.Received) / r.DeliverSeconds
	}
	slices.Sort(all)
	q := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(p*float64(len(all))))]) / 1e6
	}
	r.Latency = Latency{P50: q(0.50), P95: q(0.95), P99: q(0.99), Max: q(1)}
	b, e := r.Server.Start, r.Server.End
	if n := e.Get("notifyd_commit_batch_events_count") - b.Get("notifyd_commit_batch_events_count"); n > 0 {
		r.Server.CommitsDuringRun = n
		r.Server.CommitBatchMean = (e.Get("notifyd_commit_batch_events_sum") - b.Get("notifyd_commit_batch_events_sum")) / n
	}
	r.Server.CPUSecondsRun = e.Get("process_cpu_seconds_total") - b.Get("process_cpu_seconds_total")
	mean := func(name string) float64 {
		n := e.Get(name+"_count") - b.Get(name+"_count")
		if n <= 0 {
			return 0
		}
		return 1e3 * (e.Get(name+"_sum") - b.Get(name+"_sum")) / n
	}
	r.Server.Stages = Stages{CommitWait: mean("notifyd_commit_wait_seconds"), Commit: mean("notifyd_commit_seconds"),
		PublishLag: mean("notifyd_publish_lag_seconds"), Publish: mean("notifyd_publish_seconds")}
}
