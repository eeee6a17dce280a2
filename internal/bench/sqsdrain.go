package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// DrainConfig is one sqs-drain run: Messages events are loaded into queue 2 and drained
// by the raw loop, then loaded into queue 1 and drained by notifyd, against the same
// goaws with the same queue settings and the same number of pollers.
type DrainConfig struct {
	Messages int           // N, one NotificationData event per message
	Senders  int           // goroutines loading a queue, SendMessageBatch of 10 each
	Conns    int           // events go to random users u0…u(Conns-1), role OWNER
	Timeout  time.Duration // bound on each drain
	Addr     string        // notifyd's host:port: its /metrics tell when it deleted N
	PID      int           // notifyd's process: paused while its queue is loaded
	// RawProcess, when set, is this bench's binary: the raw loop then runs in a child
	// process of it, reaching goaws across processes as notifyd does.
	RawProcess string
	// Profile, when set, is notifyd's pprof address; a CPU profile of ProfileSeconds
	// (default 5 s) taken from the start of notifyd's drain is written to ProfileOut, and
	// an execution trace of as long to TraceOut (each when set).
	Profile        string
	ProfileSeconds int
	ProfileOut     string
	TraceOut       string
}

// DrainSide is one consumer's drain of N preloaded messages.
type DrainSide struct {
	Name        string  `json:"name"`
	LoadSeconds float64 `json:"loadSeconds"`      // filling the queue (not timed in the rate)
	Consumed    int64   `json:"consumed"`         // deleted (notifyd: deleted after its commit)
	Seconds     float64 `json:"seconds"`          // start of the drain → queue empty
	Seconds99   float64 `json:"seconds99"`        // start of the drain → 99 % deleted
	PerSec      float64 `json:"perSec"`           // Consumed / Seconds
	ServerCPU   float64 `json:"serverCpuSeconds"` // notifyd's process during the drain
	BenchCPU    float64 `json:"benchCpuSeconds"`  // this process (goaws, and the raw loop) during the drain
	RawCPU      float64 `json:"rawCpuSeconds"`    // the raw loop's own process, with DrainConfig.RawProcess
	Error       string  `json:"error,omitempty"`
}

// DrainResult is the whole run.
type DrainResult struct {
	Messages   int       `json:"messages"`
	Pollers    int       `json:"pollers"`
	SNSWrapped bool      `json:"snsWrapped"` // every event in an SNS envelope
	Raw        DrainSide `json:"raw"`
	Notifyd    DrainSide `json:"notifyd"`
	Ratio      float64   `json:"ratio"`   // notifyd / raw
	Ratio99    float64   `json:"ratio99"` // the same at 99 % drained: without a straggling batch
	Counters   Metrics   `json:"notifydCounters"`
	LoadBefore string    `json:"loadBefore"`
	LoadAfter  string    `json:"loadAfter"`
}

// drainCounters are the notifyd metrics a drain reports, as deltas over its drain.
var drainCounters = []string{
	"notifyd_sqs_received_total", "notifyd_sqs_accepted_total", "notifyd_sqs_duplicates_total",
	"notifyd_sqs_deleted_total", "notifyd_sqs_retried_total", "notifyd_sqs_receive_errors_total",
	"notifyd_sqs_visibility_extensions_total", "notifyd_commit_batch_events_count", "notifyd_commit_batch_events_sum",
	"notifyd_sqs_batch_seconds_count", "notifyd_sqs_batch_seconds_sum", "notifyd_commit_wait_seconds_sum", "notifyd_commit_wait_seconds_count",
	"notifyd_commit_seconds_sum", "notifyd_commit_seconds_count",
}

// Drain measures the raw loop, then notifyd, each draining cfg.Messages preloaded
// messages. notifyd is stopped (SIGSTOP) while its queue is loaded and continued when
// its clock starts, so both clocks start with a full queue and a consumer already
// polling. Both clocks stop when the queue is empty (goaws counts in-flight messages
// too), read every 10 ms.
func (s *SQS) Drain(ctx context.Context, cfg DrainConfig) (*DrainResult, error) {
	cfg.Senders = max(cfg.Senders, 1)
	cfg.Conns = max(cfg.Conns, 1)
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	res := &DrainResult{Messages: cfg.Messages, Pollers: s.rawPollers, SNSWrapped: s.SNSWrapped, LoadBefore: LoadAvg()}
	defer func() { res.LoadAfter = LoadAvg() }()
	run := fmt.Sprintf("d%d", time.Now().UnixNano())

	res.Raw = s.drainRaw(ctx, cfg, run+"r")
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	var err error
	res.Notifyd, res.Counters, err = s.drainNotifyd(ctx, cfg, run+"n")
	if err != nil {
		return res, err
	}
	if res.Raw.PerSec > 0 {
		res.Ratio = res.Notifyd.PerSec / res.Raw.PerSec
	}
	if res.Notifyd.Seconds99 > 0 {
		res.Ratio99 = res.Raw.Seconds99 / res.Notifyd.Seconds99
	}
	return res, nil
}

// load sends cfg.Messages events to queueURL from cfg.Senders goroutines.
func (s *SQS) load(ctx context.Context, cfg DrainConfig, run, queueURL string) (float64, error) {
	pc := Config{Events: cfg.Messages, Batch: 10, Publishers: cfg.Senders, Conns: cfg.Conns, Publish: s.Publish(queueURL)}
	pc.defaults()
	p := newPublisher(pc, run, nil, "")
	t0 := time.Now()
	p.run(ctx)
	if n := p.errors.Load(); n > 0 {
		return 0, fmt.Errorf("loading the queue: %d messages not sent: %s", n, p.sample())
	}
	return time.Since(t0).Seconds(), ctx.Err()
}

func (s *SQS) drainRaw(ctx context.Context, cfg DrainConfig, run string) DrainSide {
	side := DrainSide{Name: "raw ReceiveMessage(10)+DeleteMessageBatch"}
	var err error
	if side.LoadSeconds, err = s.load(ctx, cfg, run, s.RawURL); err != nil {
		side.Error = err.Error()
		return side
	}
	cctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	var child *rawChild
	if cfg.RawProcess != "" {
		side.Name += " (own process)"
		if child, err = s.startRawChild(cctx, cfg.RawProcess, cfg.Messages); err != nil {
			side.Error = err.Error()
			return side
		}
	}
	p0, _ := ReadProc(cfg.PID)
	start, cpu0 := time.Now(), selfCPU()
	watched := make(chan watched, 1)
	go func() { watched <- s.watch(cctx, s.RawURL, start, cfg) }()
	var n int64
	if child != nil {
		var r rawChildResult
		if err = child.start(); err == nil {
			r, err = child.wait()
		}
		n, side.RawCPU = r.Deleted, r.CPUSeconds
	} else {
		n, _, err = s.rawLoop(cctx, s.RawURL, cfg.Messages, false)
	}
	w := <-watched
	side.BenchCPU = selfCPU() - cpu0
	if p1, perr := ReadProc(cfg.PID); perr == nil {
		side.ServerCPU = p1.CPUSeconds - p0.CPUSeconds
	}
	side.Consumed, side.Seconds, side.Seconds99 = n, w.empty, w.p99
	if err == nil {
		err = w.err
	}
	if err != nil {
		side.Error = err.Error()
	}
	if side.Seconds > 0 {
		side.PerSec = float64(n) / side.Seconds
	}
	return side
}

func (s *SQS) drainNotifyd(ctx context.Context, cfg DrainConfig, run string) (DrainSide, Metrics, error) {
	side := DrainSide{Name: "notifyd (stored, then deleted)"}
	hc := &http.Client{Timeout: 10 * time.Second}
	defer hc.CloseIdleConnections()
	base := "http://" + cfg.Addr
	m0, err := Scrape(ctx, hc, base)
	if err != nil {
		return side, nil, err
	}
	if err := pause(cfg.PID); err != nil {
		return side, nil, err
	}
	paused := true
	defer func() {
		if paused {
			_ = resume(cfg.PID)
		}
	}()
	if side.LoadSeconds, err = s.load(ctx, cfg, run, s.NotifyURL); err != nil {
		side.Error = err.Error()
		return side, nil, nil
	}
	p0, _ := ReadProc(cfg.PID)
	cpu0 := selfCPU()
	if err := resume(cfg.PID); err != nil {
		return side, nil, err
	}
	paused = false
	start := time.Now()
	profiled := make(chan error, 1)
	if cfg.Profile != "" {
		go func() { profiled <- profile(ctx, cfg) }()
	} else {
		profiled <- nil
	}

	w := s.watch(ctx, s.NotifyURL, start, cfg)
	side.Seconds, side.Seconds99 = w.empty, w.p99
	if w.err != nil {
		if ctx.Err() != nil {
			return side, nil, ctx.Err()
		}
		side.Error = w.err.Error()
	}
	// notifyd counts a delete once goaws answered it, so the queue can read empty a moment
	// before the last batch is counted: read the counters until they have every message
	// (or a second has passed).
	var m Metrics
	for settle := time.Now().Add(time.Second); ; time.Sleep(10 * time.Millisecond) {
		if m, err = Scrape(ctx, hc, base); err != nil {
			return side, nil, err
		}
		if m.Get("notifyd_sqs_deleted_total")-m0.Get("notifyd_sqs_deleted_total") >= float64(cfg.Messages) || time.Now().After(settle) {
			break
		}
	}
	side.Consumed = int64(m.Get("notifyd_sqs_deleted_total") - m0.Get("notifyd_sqs_deleted_total"))
	side.BenchCPU = selfCPU() - cpu0
	if p1, err := ReadProc(cfg.PID); err == nil {
		side.ServerCPU = p1.CPUSeconds - p0.CPUSeconds
	}
	if side.Seconds > 0 {
		side.PerSec = float64(side.Consumed) / side.Seconds
	}
	counters := Metrics{}
	for _, name := range drainCounters {
		counters[name] = m.Get(name) - m0.Get(name)
	}
	if err := <-profiled; err != nil {
		return side, counters, fmt.Errorf("profile: %w", err)
	}
	return side, counters, nil
}

// profile saves a CPU profile of notifyd from cfg.Profile into cfg.ProfileOut and an
// execution trace into cfg.TraceOut (each when set), both taken at the same time.
func profile(ctx context.Context, cfg DrainConfig) error {
	secs := cfg.ProfileSeconds
	if secs <= 0 {
		secs = 5
	}
	errs := make(chan error, 2)
	n := 0
	for kind, out := range map[string]string{"profile": cfg.ProfileOut, "trace": cfg.TraceOut} {
		if out == "" {
			continue
		}
		n++
		go func() { errs <- fetchProfile(ctx, cfg.Profile, kind, secs, out) }()
	}
	var err error
	for range n {
		err = errors.Join(err, <-errs)
	}
	return err
}

// fetchProfile saves /debug/pprof/<kind>?seconds=secs from addr into out.
func fetchProfile(ctx context.Context, addr, kind string, secs int, out string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s/debug/pprof/%s?seconds=%d", addr, kind, secs), nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Timeout: time.Duration(secs+30) * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", req.URL, resp.Status)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteDrain prints r for people.
func WriteDrain(w io.Writer, r *DrainResult) error {
	shape := "one event each"
	if r.SNSWrapped {
		shape = "one event each, SNS-wrapped"
	}
	fmt.Fprintf(w, "SQS drain: %d messages (%s) per queue, %d pollers on each side, load average %s → %s\n",
		r.Messages, shape, r.Pollers, r.LoadBefore, r.LoadAfter)
	for _, s := range []DrainSide{r.Raw, r.Notifyd} {
		raw := ""
		if s.RawCPU > 0 {
			raw = fmt.Sprintf(", raw loop process %.2fs", s.RawCPU)
		}
		fmt.Fprintf(w, "  %-44s %6d in %6.2fs = %7.0f msgs/s  (queue loaded in %.2fs; CPU: notifyd %.2fs, bench+goaws %.2fs%s)%s\n",
			s.Name, s.Consumed, s.Seconds, s.PerSec, s.LoadSeconds, s.ServerCPU, s.BenchCPU, raw, errSuffix(s.Error))
	}
	c := r.Counters
	fmt.Fprintf(w, "  notifyd / raw: %.3f (99 %% drained: %.2fs vs %.2fs, ratio %.3f)\n", r.Ratio, r.Notifyd.Seconds99, r.Raw.Seconds99, r.Ratio99)
	fmt.Fprintf(w, "  notifyd counters: received %.0f, accepted %.0f, duplicates %.0f, deleted %.0f, left for redelivery %.0f, receive errors %.0f, visibility extensions %.0f\n",
		c.Get("notifyd_sqs_received_total"), c.Get("notifyd_sqs_accepted_total"), c.Get("notifyd_sqs_duplicates_total"), c.Get("notifyd_sqs_deleted_total"),
		c.Get("notifyd_sqs_retried_total"), c.Get("notifyd_sqs_receive_errors_total"), c.Get("notifyd_sqs_visibility_extensions_total"))
	if n := c.Get("notifyd_commit_batch_events_count"); n > 0 {
		fmt.Fprintf(w, "  notifyd group commit: %.0f transactions, %.1f events each, %.2f ms each, batches waited %.2f ms for theirs\n", n,
			c.Get("notifyd_commit_batch_events_sum")/n, 1e3*c.Get("notifyd_commit_seconds_sum")/max(c.Get("notifyd_commit_seconds_count"), 1),
			1e3*c.Get("notifyd_commit_wait_seconds_sum")/max(c.Get("notifyd_commit_wait_seconds_count"), 1))
	}
	if n := c.Get("notifyd_sqs_batch_seconds_count"); n > 0 && r.Notifyd.Seconds > 0 {
		fmt.Fprintf(w, "  notifyd batches: %.0f, receipt → delete answered %.1f ms each, %.1f in hand on average\n", n,
			1e3*c.Get("notifyd_sqs_batch_seconds_sum")/n, c.Get("notifyd_sqs_batch_seconds_sum")/r.Notifyd.Seconds)
	}
	return nil
}

// messages is how many messages of queueURL are not deleted yet, in flight or not: in
// goaws, its ApproximateNumberOfMessages; elsewhere, that plus
// ApproximateNumberOfMessagesNotVisible.
func (s *SQS) messages(ctx context.Context, queueURL string) (int, error) {
	names := []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages}
	if s.notVisibleApart {
		names = append(names, types.QueueAttributeNameApproximateNumberOfMessagesNotVisible)
	}
	out, err := s.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queueURL), AttributeNames: names})
	if err != nil {
		return 0, fmt.Errorf("GetQueueAttributes: %w", err)
	}
	n := 0
	for _, name := range names {
		v, err := strconv.Atoi(out.Attributes[string(name)])
		if err != nil {
			return 0, fmt.Errorf("GetQueueAttributes: %s: %w", name, err)
		}
		n += v
	}
	return n, nil
}

// watched is when a queue being drained was 99 % and 100 % empty, in seconds from the
// start of the drain.
type watched struct {
	p99, empty float64
	err        error
}

// watch reads the queue's length every 10 ms until it is empty, cfg.Timeout passed or
// ctx ended. An empty queue means every message was deleted: notifyd deletes only after
// its commit. Asking goaws (in this process) is cheaper than scraping notifyd.
func (s *SQS) watch(ctx context.Context, queueURL string, start time.Time, cfg DrainConfig) watched {
	var w watched
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := start.Add(cfg.Timeout)
	for {
		select {
		case <-ctx.Done():
			w.err = ctx.Err()
			return w
		case <-tick.C:
		}
		left, err := s.messages(ctx, queueURL)
		if err != nil {
			w.err = err
			return w
		}
		at := time.Since(start).Seconds()
		if w.p99 == 0 && left*100 <= cfg.Messages {
			w.p99 = at
		}
		if left == 0 {
			w.empty = at
			return w
		}
		if time.Now().After(deadline) {
			w.empty, w.err = at, fmt.Errorf("time ran out: %d messages still on the queue", left)
			return w
		}
	}
}
