package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// TopicConfig is `notify-bench topic`: one notifyd, Subscribers subscriptions of one
// topic written straight into its database, Streams of those subscribers connected, ONE
// event to the topic, and single unrelated events at Rate per second before it (idle)
// and while its fan-out runs.
type TopicConfig struct {
	Notifyd     string   // the notifyd binary
	Store       string   // sqlite, postgres or mysql
	DatabaseURL string   // an empty database of Store's kind; "" makes a fresh one (sqlite: a temporary file)
	Postgres    string   // server for the fresh PostgreSQL database
	MySQL       string   // server for the fresh MariaDB/MySQL database
	ServerArgs  []string // more notifyd flags
	Subscribers int
	Streams     int // sampled subscribers with an open SSE stream
	SourceIPs   int
	DialWorkers int
	Rate        float64       // probe events per second
	Idle        time.Duration // probing before the topic event
	Timeout     time.Duration // for the fan-out to finish and reach every stream
	Token       string
	Log         io.Writer `json:"-"`
}

func (c *TopicConfig) defaults() {
	c.Subscribers = max(c.Subscribers, 1)
	c.Streams = min(max(c.Streams, 0), c.Subscribers)
	if c.SourceIPs <= 0 {
		c.SourceIPs = max(1, (c.Streams+4999)/5000)
	}
	if c.DialWorkers <= 0 {
		c.DialWorkers = 64
	}
	if c.Rate <= 0 {
		c.Rate = 20
	}
	if c.Idle <= 0 {
		c.Idle = 10 * time.Second
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Minute
	}
	if c.Store == "" {
		c.Store = "sqlite"
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// TopicResult is what a topic run measured. Times are seconds from the topic event's POST.
type TopicResult struct {
	Config         TopicConfig  `json:"config"`
	Started        time.Time    `json:"started"`
	LoadBefore     string       `json:"loadBefore"`
	LoadAfter      string       `json:"loadAfter"`
	SeedSeconds    float64      `json:"seedSeconds"`
	ConnectSeconds float64      `json:"connectSeconds"`
	AcceptSeconds  float64      `json:"acceptSeconds"`  // the topic event's POST answered
	StoredSeconds  float64      `json:"storedSeconds"`  // the fan-out job finished: every notification stored
	StreamsSeconds float64      `json:"streamsSeconds"` // the last sampled stream had it
	Subscribers    int64        `json:"subscribers"`    // as the accept answer counted them
	Done           int64        `json:"done"`           // GET /v1/events/{id}'s topic.done at the end
	Finished       bool         `json:"finished"`
	StreamsGot     int64        `json:"streamsGot"`
	Idle           LatencyStats `json:"idle"`
	During         LatencyStats `json:"during"`
	RSSIdleBytes   float64      `json:"rssIdleBytes"` // streams open, before the topic event
	RSSPeakBytes   float64      `json:"rssPeakBytes"` // the largest sample (every 100 ms) from then to the end
}

// Topic runs the topic benchmark and stops everything it started before returning.
func Topic(ctx context.Context, cfg TopicConfig) (*TopicResult, error) {
	cfg.defaults()
	res := &TopicResult{Config: cfg, Started: time.Now().UTC(), LoadBefore: LoadAvg()}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	topic := "bench:restock-" + run
	logf := func(format string, a ...any) { fmt.Fprintf(cfg.Log, "notify-bench: "+format+"\n", a...) }

	dbURL := cfg.DatabaseURL
	if dbURL == "" && cfg.Store != "sqlite" {
		fresh, server := freshDatabase, cfg.MySQL
		if cfg.Store == "postgres" {
			fresh, server = freshPostgres, cfg.Postgres
		}
		u, drop, err := fresh(ctx, server, "notifyd_topic_"+run)
		if err != nil {
			return nil, err
		}
		defer drop()
		dbURL = u
		logf("fresh database %s", u)
	}
	env := []string{}
	if cfg.Token != "" {
		env = append(env, "NOTIFY_INGEST_TOKEN="+cfg.Token)
	}
	srv, err := Spawn(ctx, cfg.Notifyd, dbURL, "", cfg.ServerArgs, env, cfg.Log)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	db, err := openTopicDB(ctx, dbURL, srv)
	if err != nil {
		return nil, err
	}
	defer db.close()

	t0 := time.Now()
	if err := db.seed(ctx, topic, cfg.Subscribers); err != nil {
		return nil, err
	}
	res.SeedSeconds = time.Since(t0).Seconds()
	logf("%d subscriptions of %s written in %.1fs", cfg.Subscribers, topic, res.SeedSeconds)

	eventID := "t" + run + "-topic"
	ts := &topicStreams{marker: []byte(`"eventId":"` + eventID + `"`)}
	defer ts.close()
	t0 = time.Now()
	if err := ts.open(ctx, srv.Addr, cfg.Streams, cfg.Subscribers, cfg.DialWorkers, cfg.SourceIPs); err != nil {
		return nil, err
	}
	res.ConnectSeconds = time.Since(t0).Seconds()
	logf("%d streams open in %.1fs", cfg.Streams, res.ConnectSeconds)

	hc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	defer hc.CloseIdleConnections()
	base := "http://" + srv.Addr
	p := &publisher{cfg: Config{Token: cfg.Token}, hc: hc}
	pr := &prober{p: p, url: base + "/v1/events", run: run, rate: cfg.Rate}
	probeCtx, stopProbe := context.WithCancel(ctx)
	var probing sync.WaitGroup
	probing.Go(func() { pr.loop(probeCtx) })
	defer func() { stopProbe(); probing.Wait() }()
	peak := &rssPeak{pid: srv.PID()}
	peakCtx, stopPeak := context.WithCancel(ctx)
	var sampling sync.WaitGroup
	defer func() { stopPeak(); sampling.Wait() }()

	idleFrom := time.Now()
	select { // the idle phase: probes only
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(cfg.Idle):
	}
	if s, err := ReadProc(srv.PID()); err == nil {
		res.RSSIdleBytes = s.RSSBytes
	}
	sampling.Go(func() { peak.loop(peakCtx) })

	// The topic event.
	tp := time.Now()
	ans, err := p.postAnswer(ctx, base+"/v1/events", topicBody(topic, eventID))
	if err != nil {
		return nil, fmt.Errorf("topic event: %w", err)
	}
	res.AcceptSeconds = time.Since(tp).Seconds()
	res.Subscribers = ans.Subscribers
	logf("topic event accepted in %.2fs: %d subscribers", res.AcceptSeconds, ans.Subscribers)
	if err := waitFanout(ctx, db, topic, ts, int64(cfg.Streams), cfg.Timeout, tp, res); err != nil {
		return nil, err
	}
	stopProbe()
	probing.Wait()
	stopPeak()
	sampling.Wait()
	res.RSSPeakBytes = max(peak.max, res.RSSIdleBytes)
	stored := tp.Add(time.Duration(res.StoredSeconds * float64(time.Second)))
	res.Idle, res.During = pr.between(idleFrom, tp), pr.between(tp, stored)

	// The server's own account, once at the end (the progress was read from the job's row
	// meanwhile, which keeps the poll off the server being measured).
	var st struct {
		Topic *struct {
			Done     int64 `json:"done"`
			Finished bool  `json:"finished"`
		} `json:"topic"`
	}
	if err := p.getJSON(ctx, base+"/v1/events/"+eventID, &st); err != nil {
		return nil, err
	}
	if st.Topic != nil {
		res.Done, res.Finished = st.Topic.Done, st.Topic.Finished
	}
	res.LoadAfter = LoadAvg()
	return res, nil
}

// topicBody is the one event to the topic (RESTOCK, role OWNER: an inbox entry and the
// live stream, no SMS).
func topicBody(topic, eventID string) []byte {
	return []byte(`{"whoToNotify":{"topic":"` + topic + `","role":"OWNER"},"publishInformation":{"notificationType":"RESTOCK","eventId":"` +
		eventID + `","data":{"productId":1,"productName":"bench"}}}`)
}

// waitFanout polls the fan-out job's row and the streams every 100 ms until the job has
// finished and every stream has the event, or timeout passes (an error).
func waitFanout(ctx context.Context, db *topicDB, topic string, ts *topicStreams, streams int64, timeout time.Duration, tp time.Time, res *TopicResult) error {
	deadline := tp.Add(timeout)
	for {
		if res.StoredSeconds == 0 {
			_, finished, err := db.progress(ctx, topic)
			if err != nil {
				return err
			}
			if finished {
				res.StoredSeconds = time.Since(tp).Seconds()
			}
		}
		res.StreamsGot = ts.got.Load()
		if res.StreamsGot >= streams && res.StreamsSeconds == 0 && streams > 0 {
			res.StreamsSeconds = float64(ts.lastNs.Load()-tp.UnixNano()) / 1e9
		}
		if res.StoredSeconds > 0 && res.StreamsGot >= streams {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("topic: after %s the fan-out finished: %v, %d of %d streams had the event", timeout, res.StoredSeconds > 0, res.StreamsGot, streams)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// topicAnswer is the part of the accept answer the bench reads.
type topicAnswer struct {
	Subscribers int64 `json:"subscribers"`
}

// postAnswer posts body and decodes the 2xx answer.
func (p *publisher) postAnswer(ctx context.Context, url string, body []byte) (topicAnswer, error) {
	var a topicAnswer
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return a, err
	}
	req.Header.Set("Content-Type", "application/json")
	return a, p.do(req, &a)
}

// getJSON GETs url and decodes the 2xx answer into v.
func (p *publisher) getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	return p.do(req, v)
}

func (p *publisher) do(req *http.Request, v any) error {
	if p.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+p.cfg.Token)
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return &statusError{code: resp.StatusCode, msg: fmt.Sprintf("%s %s: %s: %s", req.Method, req.URL.Path, resp.Status, msg)}
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// rssPeak samples a process's resident memory every 100 ms and keeps the largest.
type rssPeak struct {
	pid int
	max float64
}

func (r *rssPeak) loop(ctx context.Context) {
	for {
		if s, err := ReadProc(r.pid); err == nil {
			r.max = max(r.max, s.RSSBytes)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}
