package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// clients are the SSE streams: one goroutine and one small reader each.
type clients struct {
	cfg    Config
	prefix []byte // eventId prefix of this run: `"eventId":"r<run>-`
	all    []*client
	wg     sync.WaitGroup

	received, expected counter
	streamErrors, gaps counter
	done               chan struct{} // closed when received reaches expected
	doneOnce           sync.Once
	closing            chan struct{}
	closeOnce          sync.Once
}

type client struct {
	nc      net.Conn
	br      *bufio.Reader
	lastSeq int64
	lastAt  int64   // unix nanos of the last notification of this run
	lat     []int64 // publish→receive, nanoseconds
}

func newClients(cfg Config, run string) *clients {
	return &clients{cfg: cfg, prefix: []byte(`"eventId":"r` + run + `-`), done: make(chan struct{}), closing: make(chan struct{})}
}

// connect opens cfg.Conns streams with cfg.DialWorkers at a time, then waits until the
// server's notifyd_sse_connections reaches wantConns (the streams are registered).
func (cs *clients) connect(ctx context.Context, wantConns int, hc *http.Client, base string) error {
	cs.all = make([]*client, cs.cfg.Conns)
	next := make(chan int)
	var failed counter
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(cs.cfg.DialWorkers, cs.cfg.Conns) {
		wg.Go(func() {
			for i := range next {
				c, err := cs.dial(ctx, i)
				for attempt := 1; err != nil && attempt < 3 && ctx.Err() == nil; attempt++ {
					// A loaded server may drop a connection before answering (EOF): try
					// that stream again, as a browser's EventSource would.
					time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
					c, err = cs.dial(ctx, i)
				}
				if err != nil {
					failed.Add(1)
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				cs.all[i] = c
				cs.wg.Go(func() { cs.read(c) })
			}
		})
	}
	for i := range cs.cfg.Conns {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if n := failed.Load(); n > 0 {
		return fmt.Errorf("%d of %d streams failed to open, first: %w", n, cs.cfg.Conns, firstErr)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if cs.cfg.Peer != nil {
		return nil // a peer subscribes before it answers (Centrifugo does); it has no notifyd metrics
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		m, err := Scrape(ctx, hc, base)
		if err != nil {
			return err
		}
		if int(m.Get("notifyd_sse_connections")) >= wantConns {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server shows %v streams, want %d", m.Get("notifyd_sse_connections"), wantConns)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// dial opens stream i for user u<i> from source address 127.0.0.(2 + i mod SourceIPs)
// and reads the response head.
func (cs *clients) dial(ctx context.Context, i int) (*client, error) {
	hostport, target, err := cs.target(i)
	if err != nil {
		return nil, err
	}
	nc, br, err := openStream(ctx, sourceIP(i, cs.cfg.SourceIPs), hostport, target)
	if err != nil {
		return nil, fmt.Errorf("stream %d: %w", i, err)
	}
	return &client{nc: nc, br: br}, nil
}

// target is stream i's host:port and request target: notifyd's stream URL, or the
// peer's subscribe template for user u<i>.
func (cs *clients) target(i int) (hostport, target string, err error) {
	user := "u" + strconv.Itoa(i)
	p := cs.cfg.Peer
	if p == nil {
		return cs.cfg.Addr, "/v1/notifications/stream?user=" + user, nil
	}
	v := Values{User: user}
	if p.Token != nil {
		v.Token = p.Token(user)
	}
	return StreamRequest(p.Subscribe, v)
}

var (
	idField   = []byte("id: ")
	dataField = []byte("data: ")
)

// read consumes one stream until it is closed: ids are checked for gaps, and every
// notification of this run counts once with its latency.
func (cs *clients) read(c *client) {
	for {
		line, err := c.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: not one of ours (ours are short); skip it.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = c.br.ReadSlice('\n')
			}
			continue
		}
		if err != nil {
			select {
			case <-cs.closing:
			default:
				cs.streamErrors.Add(1)
			}
			return
		}
		switch {
		case cs.cfg.Peer == nil && bytes.HasPrefix(line, idField):
			seq, perr := strconv.ParseInt(string(bytes.TrimSpace(line[len(idField):])), 10, 64)
			if perr == nil {
				if c.lastSeq != 0 && seq != c.lastSeq+1 {
					cs.gaps.Add(1)
				}
				c.lastSeq = seq
			}
		case bytes.HasPrefix(line, dataField):
			cs.note(c, line)
		}
	}
}

// note records one data line when it carries an eventId of this run: r<run>-<n>-<sentNanos>.
func (cs *clients) note(c *client, line []byte) {
	i := bytes.Index(line, cs.prefix)
	if i < 0 {
		return
	}
	rest := line[i+len(cs.prefix):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return
	}
	id := rest[:end]
	dash := bytes.LastIndexByte(id, '-')
	sent, err := strconv.ParseInt(string(id[dash+1:]), 36, 64)
	if err != nil {
		return
	}
	now := time.Now().UnixNano()
	c.lat = append(c.lat, now-sent)
	c.lastAt = now
	if cs.received.Add(1) == cs.expected.Load() {
		cs.doneOnce.Do(func() { close(cs.done) })
	}
}

func (cs *clients) expect(n int64) { cs.expected.Store(n) }

// wait returns when every expected notification arrived, or timeout after ctx ended.
func (cs *clients) wait(ctx context.Context, timeout time.Duration) {
	if cs.received.Load() >= cs.expected.Load() {
		return
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-cs.done:
	case <-t.C:
	case <-ctx.Done():
	}
}

// close ends every stream and waits for the readers.
func (cs *clients) close() {
	cs.closeOnce.Do(func() {
		close(cs.closing)
		for _, c := range cs.all {
			if c != nil {
				c.nc.Close()
			}
		}
		cs.wg.Wait()
	})
}

// lastAt is when the last notification of this run arrived (only after close or wait).
func (cs *clients) lastAt() time.Time {
	var last int64
	for _, c := range cs.all {
		if c != nil && c.lastAt > last {
			last = c.lastAt
		}
	}
	return time.Unix(0, last)
}
