// Package bench is the load generator behind notify-bench and BENCHMARKS.md: it opens
// many SSE streams against one notifyd, publishes events to the users behind them and
// measures what came back (rates, publish→SSE latency, server memory per stream).
//
// Everything it touches is on loopback, and every loop it runs is bounded in count and in
// time: a run ends when every expected notification arrived or Config.Timeout passed.
package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Config is one benchmark run.
type Config struct {
	Addr        string        // notifyd's host:port (a loopback address)
	Conns       int           // SSE streams to open, one per user u0…u(Conns-1)
	SourceIPs   int           // spread the streams over 127.0.0.2 … 127.0.0.(1+SourceIPs)
	DialWorkers int           // streams being opened at once
	Hold        time.Duration // keep the streams idle this long before publishing (heartbeat CPU)
	Events      int           // events to publish
	Batch       int           // events per POST (a JSON array when > 1)
	Recipients  int           // recipients per event (>1: users u0…u(K-1), the RESTOCK case)
	Role        string        // recipients' role (OWNER: SSE only, no SMS rows)
	Type        string        // notificationType; default DELIVERY_STARTED, or RESTOCK when Recipients > 1
	Rate        float64       // events per second across publishers; 0 = flat out
	Publishers  int           // publishing goroutines (one keep-alive connection each)
	Timeout     time.Duration // how long to wait for every notification after the last publish
	Token       string        // NOTIFY_INGEST_TOKEN, if the server wants one
	// Publish, when set, replaces HTTP publishing (e.g. SQS): it sends the bodies and
	// returns once the transport took them.
	Publish func(ctx context.Context, bodies [][]byte) error `json:"-"`
	// Baseline, when set, is measured first in the same run: the same publishers send
	// the same number of events through Baseline.Publish while Baseline.Consume takes
	// them, and its rate is reported next to notifyd's (the SQS raw loop).
	Baseline *Baseline `json:"-"`
	// Source names the transport in the report ("http" or "sqs").
	Source string
	// Peer, when set, runs the same load against another SSE server instead of notifyd
	// (one event per request, one recipient; no /metrics, no id checks).
	Peer *Peer `json:"-"`
	// PID, when set, is the server's process: its CPU and memory are then also read from
	// /proc, the same way for notifyd and for a peer.
	PID int `json:"-"`
}

// Baseline is a consumer notifyd is compared with in the same run.
type Baseline struct {
	Name    string
	Publish func(ctx context.Context, bodies [][]byte) error
	// Consume takes n events as they are published; it returns how many it took, when
	// it took the last, and an error when it fell short.
	Consume func(ctx context.Context, n int) (int64, time.Time, error)
}

func (c *Config) defaults() {
	if c.Conns <= 0 {
		c.Conns = 1000
	}
	if c.SourceIPs <= 0 {
		c.SourceIPs = max(1, (c.Conns+4999)/5000)
	}
	if c.DialWorkers <= 0 {
		c.DialWorkers = 64
	}
	if c.Batch <= 0 {
		c.Batch = 1
	}
	if c.Recipients <= 0 {
		c.Recipients = 1
	}
	if c.Recipients > c.Conns {
		c.Recipients = c.Conns
	}
	if c.Role == "" {
		c.Role = "OWNER"
	}
	if c.Type == "" {
		c.Type = "DELIVERY_STARTED"
		if c.Recipients > 1 {
			c.Type = "RESTOCK"
		}
	}
	if c.Publishers <= 0 {
		c.Publishers = 4
	}
	if c.Timeout <= 0 {
		c.Timeout = 60 * time.Second
	}
	if c.Peer != nil {
		c.Batch, c.Recipients = 1, 1
	}
}

// Run connects, publishes, waits for the notifications and reports. ctx bounds the whole
// run; the streams are closed before it returns.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg.defaults()
	res := &Result{Config: cfg, Started: time.Now()}
	base := "http://" + cfg.Addr
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Publishers + 2, DisableCompression: true}}
	defer hc.CloseIdleConnections()

	scrape := func() (Metrics, error) {
		if cfg.Peer != nil {
			return Metrics{}, nil
		}
		return Scrape(ctx, hc, base)
	}
	before, err := scrape()
	if err != nil {
		return nil, fmt.Errorf("metrics before connecting: %w", err)
	}
	res.Server.Before = before
	res.LoadBefore = LoadAvg()
	defer func() { res.LoadAfter = LoadAvg() }()
	proc0 := res.proc()

	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	cs := newClients(cfg, run)
	defer cs.close()
	t0 := time.Now()
	if err := cs.connect(ctx, want(before, cfg.Conns), hc, base); err != nil {
		return nil, err
	}
	res.ConnectSeconds = time.Since(t0).Seconds()
	// Let the server settle (catch-up pool, GC) before reading its memory.
	time.Sleep(2 * time.Second)
	after, err := scrape()
	if err != nil {
		return nil, fmt.Errorf("metrics after connecting: %w", err)
	}
	res.Server.Connected = after
	res.perConn(cfg.Conns)
	if cfg.PID > 0 {
		res.Proc.RSSPerConn = (res.proc().RSSBytes - proc0.RSSBytes) / float64(cfg.Conns)
	}

	if cfg.Hold > 0 {
		// The server's CPU from /proc when its pid is known (a spawned notifyd, a peer),
		// else from its Prometheus metrics.
		cpu := func() (float64, error) {
			m, err := Scrape(ctx, hc, base)
			return m.Get("process_cpu_seconds_total"), err
		}
		if cfg.PID > 0 {
			cpu = func() (float64, error) { return res.proc().CPUSeconds, nil }
		}
		if err := res.hold(ctx, cfg.Hold, cpu); err != nil {
			return nil, err
		}
	}

	if cfg.Events > 0 && cfg.Baseline != nil {
		res.Baseline = runBaseline(ctx, cfg, run, hc, base)
	}

	if cfg.Events > 0 {
		if res.Server.Start, err = scrape(); err != nil {
			return nil, err
		}
		p0 := res.proc()
		p := newPublisher(cfg, run, hc, base)
		expected := int64(cfg.Events) * int64(cfg.Recipients)
		cs.expect(expected)
		pubStart, cpu0 := time.Now(), selfCPU()
		p.run(ctx)
		res.PublishSeconds = time.Since(pubStart).Seconds()
		res.Accepted, res.PublishErrors, res.ErrorSample = p.accepted.Load(), p.errors.Load(), p.sample()
		cs.wait(ctx, cfg.Timeout)
		if end, err := scrape(); err == nil {
			res.Server.End = end
		}
		p1 := res.proc()
		cs.close()
		res.ClientCPUSeconds = selfCPU() - cpu0
		res.DeliverSeconds = cs.lastAt().Sub(pubStart).Seconds()
		res.Expected = expected
		res.finish(cs)
		if cfg.PID > 0 {
			res.Proc.CPUSecondsRun = p1.CPUSeconds - p0.CPUSeconds
			res.Proc.CPUPerEventMicros = 1e6 * res.Proc.CPUSecondsRun / float64(max(res.Received, 1))
		}
		if res.Baseline != nil && res.Baseline.PerSec > 0 {
			res.Baseline.Ratio = res.PushedPerSec / res.Baseline.PerSec
		}
	}
	res.StreamErrors, res.Gaps = cs.streamErrors.Load(), cs.gaps.Load()
	return res, nil
}

// want is how many streams the server should report once ours are open.
func want(before Metrics, n int) int { return int(before.Get("notifyd_sse_connections")) + n }

// users picks event recipients: one random connected user, or u0…u(k-1).
func users(r *rand.Rand, conns, k int) []int {
	if k <= 1 {
		return []int{r.IntN(conns)}
	}
	out := make([]int, k)
	for i := range out {
		out[i] = i
	}
	return out
}

// counter is a shared atomic count.
type counter = atomic.Int64

// runBaseline publishes cfg.Events through the baseline while it consumes them, the same
// way the measured run publishes to notifyd, and times first publish → last consumed.
func runBaseline(ctx context.Context, cfg Config, run string, hc *http.Client, base string) *BaselineResult {
	b := cfg.Baseline
	bc := cfg
	bc.Publish, bc.Baseline = b.Publish, nil
	p := newPublisher(bc, run+"b", hc, base)
	cctx, cancel := context.WithTimeout(ctx, cfg.Timeout+time.Duration(float64(cfg.Events)/max(cfg.Rate, 1)*float64(time.Second)))
	defer cancel()
	type consumed struct {
		n    int64
		last time.Time
		err  error
	}
	done := make(chan consumed, 1)
	start, cpu0 := time.Now(), selfCPU()
	go func() {
		n, last, err := b.Consume(cctx, cfg.Events)
		done <- consumed{n, last, err}
	}()
	p.run(ctx)
	r := &BaselineResult{Name: b.Name, PublishSeconds: time.Since(start).Seconds(), PublishErrors: p.errors.Load()}
	c := <-done
	r.Consumed, r.Seconds, r.ClientCPUSeconds = c.n, c.last.Sub(start).Seconds(), selfCPU()-cpu0
	if c.err != nil {
		r.Error = c.err.Error()
	}
	if r.Seconds > 0 {
		r.PerSec = float64(r.Consumed) / r.Seconds
	}
	return r
}
