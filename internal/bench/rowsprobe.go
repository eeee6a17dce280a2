package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rowsAdminToken is the admin token the run's notifyd gets (loopback only).
const rowsAdminToken = "rows-bench-admin-token"

// RowsPhase is one measured phase: the accept latency of POST /v1/events at the rate,
// and each read's latency, all while the accepts run.
type RowsPhase struct {
	LoadAverage    string       `json:"loadAverage"` // /proc/loadavg at the phase's end
	Events         int          `json:"events"`
	Accepted       int64        `json:"accepted"`
	Errors         int64        `json:"errors"`
	ErrorSample    string       `json:"errorSample,omitempty"`
	PublishSeconds float64      `json:"publishSeconds"`
	Accept         Latency      `json:"acceptMs"`
	Reads          []RowsReadMs `json:"reads"`
}

// RowsReadMs is one kind of read's latency.
type RowsReadMs struct {
	Name    string  `json:"name"`
	N       int     `json:"n"`
	Errors  int     `json:"errors"`
	Latency Latency `json:"ms"`
}

type rowsMeasure struct {
	phase     *RowsPhase
	purged    float64
	purgeRate float64
}

// rowsRead is one kind of request the readers time; path builds the request from a
// random user (1…Users-1) and a random notification (1…Notifications).
type rowsRead struct {
	name  string
	user  func(u int) string // X-User-Id ("": the admin token)
	path  func(u, i int) string
	lat   []int64
	fails int
}

func rowsReads(s RowsShape) []*rowsRead {
	heavy := func(int) string { return "u0" }
	typical := func(u int) string { return "u" + strconv.Itoa(u) }
	admin := func(int) string { return "" }
	deep := strconv.Itoa(max(1, s.Heavy/2))
	return []*rowsRead{
		{name: "inbox page, typical user", user: typical, path: func(int, int) string { return "/v1/notifications?limit=20" }},
		{name: "inbox page, u0 (1M)", user: heavy, path: func(int, int) string { return "/v1/notifications?limit=20" }},
		{name: "inbox deep page, u0", user: heavy, path: func(int, int) string { return "/v1/notifications?limit=20&cursor=" + deep }},
		{name: "unread count, typical user", user: typical, path: func(int, int) string { return "/v1/notifications/unread-count" }},
		{name: "unread count, u0 (1M)", user: heavy, path: func(int, int) string { return "/v1/notifications/unread-count" }},
		{name: "status view GET /v1/events/{id}", user: admin, path: func(_, i int) string { return "/v1/events/rows-" + strconv.Itoa(i) }},
		{name: "console events, newest", user: admin, path: func(int, int) string { return "/v1/events?limit=50" }},
		{name: "console events, cursor", user: admin, path: func(_, i int) string { return "/v1/events?limit=50&after=" + strconv.Itoa(i) }},
		{name: "console events, type", user: admin, path: func(int, int) string { return "/v1/events?limit=50&type=ORDER_PAID" }},
		{name: "console events, type+cursor", user: admin, path: func(_, i int) string { return "/v1/events?limit=50&type=ORDER_PAID&after=" + strconv.Itoa(i) }},
		{name: "console events, user u0", user: admin, path: func(int, int) string { return "/v1/events?limit=50&userId=u0" }},
		{name: "console events, typical user", user: admin, path: func(u, _ int) string { return "/v1/events?limit=50&userId=u" + strconv.Itoa(u) }},
		{name: "console events, status sent", user: admin, path: func(int, int) string { return "/v1/events?limit=50&status=sent" }},
		{name: "console timeline", user: admin, path: func(_, i int) string { return "/v1/events/rows-" + strconv.Itoa(i) + "/timeline" }},
	}
}

// measureRows starts notifyd on dbURL with this retention, accepts Rate events/s for
// Duration while one reader times the reads in turn, and, with purge, first starts a
// retention pass (POST /v1/admin/retention/purge) and measures while it runs.
func measureRows(ctx context.Context, cfg RowsConfig, dbURL string, retention time.Duration, purge bool, logf func(string, ...any)) (*rowsMeasure, error) {
	env := []string{"NOTIFY_AUTH=dev", "NOTIFY_ADMIN_TOKEN=" + rowsAdminToken, "NOTIFY_USER_RATE=0",
		"NOTIFY_RETENTION=" + retention.Round(time.Second).String()}
	srv, err := Spawn(ctx, cfg.Notifyd, dbURL, "", nil, env, cfg.Log)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	base := "http://" + srv.Addr
	hc := &http.Client{Timeout: 120 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 600, DisableCompression: true}}
	defer hc.CloseIdleConnections()
	m := &rowsMeasure{phase: &RowsPhase{}}

	var purgeDone chan error
	pctx, stopPurge := context.WithCancel(ctx)
	defer stopPurge()
	var before float64
	if purge {
		mt, err := Scrape(ctx, hc, base)
		if err != nil {
			return nil, err
		}
		before = mt.Get("notifyd_retention_purged_rows_total")
		purgeDone = make(chan error, 1)
		go func() { purgeDone <- rowsGet(pctx, hc, http.MethodPost, base+"/v1/admin/retention/purge", "") }()
		logf("purge started (retention %s)", retention.Round(time.Second))
	}
	t0 := time.Now()
	reads := rowsReads(cfg.Shape)
	var wg sync.WaitGroup
	rctx, stopReads := context.WithCancel(ctx)
	wg.Go(func() { readLoop(rctx, hc, base, cfg.Shape, reads) })
	acc := acceptLoop(ctx, hc, base, cfg.Shape, cfg.Rate, int(cfg.Rate*cfg.Duration.Seconds()))
	stopReads()
	wg.Wait()
	elapsed := time.Since(t0).Seconds()
	p := m.phase
	p.Events, p.Accepted, p.Errors, p.ErrorSample, p.PublishSeconds = acc.events, acc.accepted, acc.errors, acc.firstErr, acc.seconds
	p.Accept = quantiles(acc.lat)
	p.LoadAverage = LoadAvg()
	for _, r := range reads {
		p.Reads = append(p.Reads, RowsReadMs{Name: r.name, N: len(r.lat), Errors: r.fails, Latency: quantiles(r.lat)})
	}
	if purge {
		mt, err := Scrape(ctx, hc, base)
		if err != nil {
			return nil, err
		}
		m.purged = mt.Get("notifyd_retention_purged_rows_total") - before
		m.purgeRate = m.purged / elapsed
		select {
		case err := <-purgeDone:
			logf("purge ended within the phase: %v", err)
		default:
			logf("purge still running after %.0fs (%.0f rows deleted): stopped", elapsed, m.purged)
		}
	}
	logf("phase done: accept p99 %.1f ms, load %s", p.Accept.P99, p.LoadAverage)
	return m, nil
}

// readLoop times the reads in turn, one request at a time, until ctx ends.
func readLoop(ctx context.Context, hc *http.Client, base string, s RowsShape, reads []*rowsRead) {
	r := rand.New(rand.NewPCG(1, 2))
	for k := 0; ctx.Err() == nil; k++ {
		rd := reads[k%len(reads)]
		u, i := 1+r.IntN(max(1, s.Users-1)), 1+r.IntN(s.Notifications)
		t := time.Now()
		one, cancel := context.WithTimeout(ctx, 10*time.Second) // a read that hangs is an error, not the phase
		err := rowsGet(one, hc, http.MethodGet, base+rd.path(u, i), rd.user(u))
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			rd.fails++
			continue
		}
		rd.lat = append(rd.lat, int64(time.Since(t)))
	}
}

// rowsGet sends one request, as user (X-User-Id) or, when user is "", with the admin
// token, and reads the whole answer.
func rowsGet(ctx context.Context, hc *http.Client, method, url, user string) error {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return err
	}
	if user != "" {
		req.Header.Set("X-User-Id", user)
	} else {
		req.Header.Set("Authorization", "Bearer "+rowsAdminToken)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %.200s", method, req.URL.Path, resp.Status, body)
	}
	return nil
}

type acceptRun struct {
	events, inFlight int
	accepted, errors int64
	firstErr         string
	seconds          float64
	lat              []int64
}

// acceptLoop posts events single-user events at rate, each at its own time (an open
// loop, at most 512 outstanding), and records each answer's latency.
func acceptLoop(ctx context.Context, hc *http.Client, base string, s RowsShape, rate float64, events int) *acceptRun {
	a := &acceptRun{events: events, lat: make([]int64, 0, events)}
	p := &publisher{cfg: Config{Role: "OWNER", Type: "DELIVERY_STARTED", Recipients: 1, Token: rowsAdminToken}, id: "rows" + strconv.FormatInt(time.Now().UnixNano(), 36), hc: hc}
	var mu sync.Mutex
	sem := make(chan struct{}, 512)
	var wg sync.WaitGroup
	start := time.Now()
	for n := range events {
		if d := time.Until(start.Add(time.Duration(float64(n) / rate * float64(time.Second)))); d > 0 {
			select {
			case <-ctx.Done():
				wg.Wait()
				return a
			case <-time.After(d):
			}
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			u := 1 + steadyUser(0xacce, int64(n), max(1, s.Users-1))
			body := p.event(make([]byte, 0, 256), []int{u}, n, "a")
			t := time.Now()
			err := p.post(ctx, base+"/v1/events", body)
			d := time.Since(t)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				a.errors++
				if a.firstErr == "" {
					a.firstErr = err.Error()
				}
				return
			}
			a.accepted++
			a.lat = append(a.lat, int64(d))
		})
	}
	wg.Wait()
	a.seconds = time.Since(start).Seconds()
	return a
}
