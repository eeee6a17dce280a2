package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// ScaleConfig is a run past one process (notify-bench scale): Replicas notifyd processes
// over one MariaDB database and one Redis, Streams streams held by load processes of at
// most PerLoad streams each (the open-file limit is per process), one broadcast to every
// user, then Rate single-user events per second for Duration.
type ScaleConfig struct {
	Notifyd     string   // the notifyd binary
	Bench       string   // the notify-bench binary re-run as load processes (default: this one)
	Replicas    int      // notifyd processes
	Streams     int      // users u0…u(Streams-1), one stream each
	PerLoad     int      // streams per load process at most
	SourceIPs   int      // spread over 127.0.0.2 … 127.0.0.(1+SourceIPs); default one per 5,000 streams
	DialWorkers int      // streams being opened at once, per load process
	DatabaseURL string   // the replicas' database; empty: a fresh one on MySQLServer, dropped at the end
	MySQLServer string   // where the fresh database is made
	RedisURL    string   // NOTIFY_REDIS_URL of every replica
	ServerArgs  []string // more notifyd flags, for every replica
	// MaxRecipients is each replica's NOTIFY_MAX_RECIPIENTS and so the broadcast's
	// split: ceil(Streams / MaxRecipients) events (default Streams: one event).
	MaxRecipients int
	Rate          float64       // steady events per second
	Duration      time.Duration // of the steady phase
	InFlight      int           // steady requests outstanding at most
	Timeout       time.Duration // wait this long for the broadcast, and after the steady phase, for the last notification
	Token         string        // NOTIFY_INGEST_TOKEN, if the replicas want one
	Limit         time.Duration // the load processes end by themselves after this
	Log           io.Writer     `json:"-"` // progress and the processes' own output
}

func (c *ScaleConfig) defaults() {
	c.Replicas = max(c.Replicas, 1)
	c.Streams = max(c.Streams, 1)
	if c.PerLoad <= 0 {
		c.PerLoad = 19000
	}
	if c.SourceIPs <= 0 {
		c.SourceIPs = max(1, (c.Streams+4999)/5000)
	}
	if c.DialWorkers <= 0 {
		c.DialWorkers = 32
	}
	if c.MaxRecipients <= 0 {
		c.MaxRecipients = c.Streams
	}
	if c.InFlight <= 0 {
		c.InFlight = 512
	}
	if c.Timeout <= 0 {
		c.Timeout = 120 * time.Second
	}
	if c.Limit <= 0 {
		c.Limit = 30 * time.Minute
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// Scale runs the whole scale benchmark and stops everything it started before returning.
func Scale(ctx context.Context, cfg ScaleConfig) (*ScaleResult, error) {
	cfg.defaults()
	if cfg.Bench == "" {
		exe, err := selfExe()
		if err != nil {
			return nil, err
		}
		cfg.Bench = exe
	}
	res := &ScaleResult{Config: cfg, Started: time.Now().UTC(), LoadBefore: LoadAvg()}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	logf := func(format string, a ...any) { fmt.Fprintf(cfg.Log, "notify-bench: "+format+"\n", a...) }

	dbURL := cfg.DatabaseURL
	if dbURL == "" {
		url, drop, err := freshDatabase(ctx, cfg.MySQLServer, "notifyd_scale_"+run)
		if err != nil {
			return nil, err
		}
		defer drop()
		dbURL = url
		logf("fresh database %s", url)
	}
	var replicas []*Server
	defer func() {
		for _, s := range replicas {
			s.Stop()
		}
	}()
	replicas, err := startReplicas(ctx, cfg, dbURL) // on an error, the ones that started
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: cfg.Timeout, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.InFlight + 2, DisableCompression: true}}
	defer hc.CloseIdleConnections()
	addrs := make([]string, len(replicas))
	for i, s := range replicas {
		addrs[i] = s.Addr
	}
	res.Replicas = make([]ReplicaStats, len(replicas))
	for i, s := range replicas {
		res.Replicas[i] = ReplicaStats{Addr: s.Addr, PID: s.PID()}
		p, err := ReadProc(s.PID())
		if err != nil {
			return nil, err
		}
		res.Replicas[i].RSSBefore = p.RSSBytes
		m, err := Scrape(ctx, hc, "http://"+s.Addr)
		if err != nil {
			return nil, err
		}
		res.Replicas[i].heapBefore = m.Get("go_memstats_heap_inuse_bytes")
	}

	// The load processes: each opens its share of the streams, all at the same time.
	t0 := time.Now()
	var loads []*loadProc
	defer func() {
		for _, l := range loads {
			l.stop()
		}
	}()
	nLoads := (cfg.Streams + cfg.PerLoad - 1) / cfg.PerLoad
	for k := range nLoads {
		lc := LoadConfig{Addrs: addrs, From: k * cfg.Streams / nLoads, To: (k + 1) * cfg.Streams / nLoads,
			SourceIPs: cfg.SourceIPs, DialWorkers: cfg.DialWorkers, Run: run}
		l, err := startLoad(cfg.Bench, k, lc, cfg.Limit, cfg.Log)
		if err != nil {
			return nil, err
		}
		loads = append(loads, l)
		res.Loads = append(res.Loads, LoadStats{Streams: lc.To - lc.From, PID: l.pid()})
	}
	for k, l := range loads {
		r, err := l.ready(ctx)
		if err != nil {
			return nil, err
		}
		res.Loads[k].OpenSeconds = r.Seconds
	}
	if err := waitStreams(ctx, hc, res, cfg.Streams); err != nil {
		return nil, err
	}
	res.ConnectSeconds = time.Since(t0).Seconds()
	logf("%d streams open in %.1fs", cfg.Streams, res.ConnectSeconds)
	time.Sleep(2 * time.Second) // let the replicas settle (GC) before reading their memory
	if err := res.memory(ctx, hc, loads); err != nil {
		return nil, err
	}

	// The broadcast.
	cpu0 := res.cpu()
	if err := broadcast(ctx, hc, cfg, run, addrs, res, loads); err != nil {
		return nil, err
	}
	res.Broadcast.ReplicaCPUSeconds = res.cpu() - cpu0

	// The steady phase.
	st := &steadyRun{run: run, seed: rand.Uint64(), users: cfg.Streams, events: int(cfg.Rate * cfg.Duration.Seconds()),
		rate: cfg.Rate, hc: hc, token: cfg.Token}
	for _, a := range addrs {
		st.urls = append(st.urls, "http://"+a+"/v1/events")
	}
	if st.events > 0 {
		cpu0 = res.cpu()
		p0 := time.Now()
		st.publish(ctx, cfg.InFlight)
		res.Steady.PublishSeconds = time.Since(p0).Seconds()
		res.Steady.Events, res.Steady.Accepted, res.Steady.PublishErrors = st.events, st.acceptedCount(), st.errors.Load()
		res.Steady.ErrorSample = st.firstErr
		got, err := waitLoads(ctx, loads, cfg.Timeout, func(s LoadStatus) int64 { return s.Steady }, res.Steady.Accepted)
		if err != nil && !errors.Is(err, errTimeout) {
			return nil, err
		}
		res.Steady.ReplicaCPUSeconds = res.cpu() - cpu0
		logf("steady: %d events sent and answered in %.1fs, %d accepted, %d received", st.events, res.Steady.PublishSeconds, res.Steady.Accepted, got.Steady)
	}

	// Reports: every load process closes its streams and says what they saw.
	var reports []LoadReport
	for _, l := range loads {
		var r LoadReport
		if err := l.ask(ctx, "report", &r); err != nil {
			return nil, err
		}
		reports = append(reports, r)
	}
	for _, l := range loads {
		l.stop()
	}
	loads = nil
	res.collect(reports, st)
	res.LoadAfter = LoadAvg()
	return res, nil
}

// startReplicas starts cfg.Replicas notifyd processes on dbURL, one after another (the
// first applies the migrations, the others find them done). After an error it returns
// the ones that started, for the caller to stop.
func startReplicas(ctx context.Context, cfg ScaleConfig, dbURL string) ([]*Server, error) {
	env := []string{
		"NOTIFY_REDIS_URL=" + cfg.RedisURL,
		"NOTIFY_MAX_RECIPIENTS=" + strconv.Itoa(cfg.MaxRecipients),
		"NOTIFY_MAX_BODY=" + strconv.Itoa(maxBody(cfg.MaxRecipients)),
	}
	if cfg.Token != "" {
		env = append(env, "NOTIFY_INGEST_TOKEN="+cfg.Token)
	}
	var all []*Server
	for i := range cfg.Replicas {
		s, err := Spawn(ctx, cfg.Notifyd, dbURL, "", cfg.ServerArgs, env, &prefixed{w: cfg.Log, prefix: []byte("r" + strconv.Itoa(i) + " ")})
		if err != nil {
			return all, fmt.Errorf("replica %d: %w", i, err)
		}
		all = append(all, s)
		fmt.Fprintf(cfg.Log, "notify-bench: replica %d: notifyd pid %d on %s\n", i, s.PID(), s.Addr)
	}
	return all, nil
}

// maxBody is the NOTIFY_MAX_BODY a broadcast of n recipients needs: about 40 bytes per
// recipient ({"userId":"u94999","role":"OWNER"},) and room for the rest; never below the
// default 1 MiB.
func maxBody(n int) int { return max(1<<20, 48*n+64<<10) }

// waitStreams waits until the replicas together show n streams (they are registered).
func waitStreams(ctx context.Context, hc *http.Client, res *ScaleResult, n int) error {
	deadline := time.Now().Add(120 * time.Second)
	for {
		total := 0
		for i := range res.Replicas {
			m, err := Scrape(ctx, hc, "http://"+res.Replicas[i].Addr)
			if err != nil {
				return err
			}
			res.Replicas[i].Streams = int(m.Get("notifyd_sse_connections"))
			total += res.Replicas[i].Streams
		}
		if total >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the replicas show %d streams, want %d", total, n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

var errTimeout = errors.New("timed out")

// waitLoads asks the load processes for their status every 50 ms until the sum of what
// field picks reaches want, or timeout passes (errTimeout). It returns the last statuses
// summed (BroadcastMaxNs: the largest).
func waitLoads(ctx context.Context, loads []*loadProc, timeout time.Duration, field func(LoadStatus) int64, want int64) (LoadStatus, error) {
	deadline := time.Now().Add(timeout)
	for {
		var sum LoadStatus
		for _, l := range loads {
			var s LoadStatus
			if err := l.ask(ctx, "status", &s); err != nil {
				return sum, err
			}
			sum.BroadcastStreams += s.BroadcastStreams
			sum.BroadcastMaxNs = max(sum.BroadcastMaxNs, s.BroadcastMaxNs)
			sum.Steady += s.Steady
			sum.StreamErrors += s.StreamErrors
		}
		if field(sum) >= want {
			return sum, nil
		}
		if time.Now().After(deadline) {
			return sum, errTimeout
		}
		select {
		case <-ctx.Done():
			return sum, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// broadcast publishes the broadcast event(s), one POST each, one after another (each
// commit gets the database to itself), to the replicas in turn, and waits until every
// stream has its notification or cfg.Timeout passes.
func broadcast(ctx context.Context, hc *http.Client, cfg ScaleConfig, run string, addrs []string, res *ScaleResult, loads []*loadProc) error {
	parts := broadcastEvents(cfg.Streams, cfg.MaxRecipients)
	res.Broadcast.Events = len(parts)
	res.Broadcast.RecipientsPerEvent = parts[0][1] - parts[0][0]
	p := &publisher{cfg: Config{Token: cfg.Token}, hc: hc}
	t0 := time.Now()
	for k, part := range parts {
		body := broadcastBody(run, k, part[0], part[1], t0) // every part is timed from the first POST
		res.Broadcast.BodyBytes = max(res.Broadcast.BodyBytes, len(body))
		err := p.post(ctx, "http://"+addrs[k%len(addrs)]+"/v1/events", body)
		for attempt := 1; retryable(err) && attempt < 3; attempt++ {
			// A 503 stored nothing (the transaction rolled back): send the same event
			// again, as a producer would (the eventId makes a repeat harmless).
			res.Broadcast.Retries++
			fmt.Fprintf(cfg.Log, "notify-bench: broadcast event %d: %v; sending it again\n", k, err)
			err = p.post(ctx, "http://"+addrs[(k+attempt)%len(addrs)]+"/v1/events", body)
		}
		if err != nil {
			// notifyd gives one commit 10 s (internal/ingest): a very large event on a busy
			// database outlasts it and is refused whole with a 503.
			return fmt.Errorf("broadcast event %d (%d recipients): %w (fewer recipients per event: --max-recipients)", k, part[1]-part[0], err)
		}
	}
	res.Broadcast.AnswerSeconds = time.Since(t0).Seconds()
	st, err := waitLoads(ctx, loads, cfg.Timeout, func(s LoadStatus) int64 { return s.BroadcastStreams }, int64(cfg.Streams))
	if err != nil && !errors.Is(err, errTimeout) {
		return err
	}
	fmt.Fprintf(cfg.Log, "notify-bench: broadcast: %d event(s) answered in %.2fs; %d of %d streams had it, the last %.2fs after the first POST\n",
		len(parts), res.Broadcast.AnswerSeconds, st.BroadcastStreams, cfg.Streams, float64(st.BroadcastMaxNs)/1e9)
	return nil
}

// retryable reports whether a publish was refused with 503 (the store was unavailable or
// too slow: nothing was stored).
func retryable(err error) bool {
	var se *statusError
	return errors.As(err, &se) && se.code == http.StatusServiceUnavailable
}
