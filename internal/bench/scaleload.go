package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// LoadConfig is one load process of a scale run (notify-bench scale-load): it holds the
// streams of users u<From>…u<To-1>, stream i on replica Addrs[i mod len(Addrs)] from
// source address 127.0.0.(2 + i mod SourceIPs), so the streams of all load processes
// together spread evenly over the replicas and the addresses.
type LoadConfig struct {
	Addrs       []string
	From, To    int
	SourceIPs   int
	DialWorkers int
	Run         string // the coordinator's run id: eventIds of this run start r<Run>
}

// loadStream is one stream of a load process. Its reader goroutine alone writes it until
// the streams are closed.
type loadStream struct {
	nc      net.Conn
	br      *bufio.Reader
	user    int
	lastSeq int64
	gaps    int64 // ids that skipped ahead of the previous id + 1
	dups    int64 // ids not above the previous id (the same notification again)
	bcast   []int64
	steady  []int64 // n of each steady event received
	lat     []int64 // steady events' publish→receive, nanoseconds
}

// loader is the state of one load process.
type loader struct {
	cfg     LoadConfig
	prefix  []byte
	streams []*loadStream
	wg      sync.WaitGroup
	closing chan struct{}
	once    sync.Once

	bcastStreams, steadyGot, streamErrors atomic.Int64
	bcastMaxNs                            atomic.Int64 // the latest first broadcast so far
}

// LoadReady is the load process's first line: its streams are open.
type LoadReady struct {
	Opened  int     `json:"opened"`
	Seconds float64 `json:"seconds"`
	Error   string  `json:"error,omitempty"`
}

// LoadStatus answers {"op":"status"}.
type LoadStatus struct {
	BroadcastStreams int64 `json:"broadcastStreams"` // streams that have a broadcast notification
	BroadcastMaxNs   int64 `json:"broadcastMaxNs"`   // the slowest of them so far, publish→receive
	Steady           int64 `json:"steady"`           // steady notifications received
	StreamErrors     int64 `json:"streamErrors"`
}

// LoadReport answers {"op":"report"}, after the load process closed its streams.
type LoadReport struct {
	Streams      int     `json:"streams"`
	StreamErrors int64   `json:"streamErrors"`
	SeqGaps      int64   `json:"seqGaps"`
	SeqDups      int64   `json:"seqDups"`
	BcastMissing int64   `json:"broadcastMissing"`    // streams without the broadcast
	BcastDups    int64   `json:"broadcastDuplicates"` // broadcast notifications beyond one per stream
	BcastLatNs   []int64 `json:"broadcastLatencyNs"`  // per stream, the first one's publish→receive
	// Steady holds user, n pairs: every steady notification received, by stream.
	Steady      []int64 `json:"steady"`
	SteadyLatNs []int64 `json:"steadyLatencyNs"`
}

type loadCommand struct {
	Op string `json:"op"` // status, report
}

// ServeLoad is a load process: it opens its streams, writes LoadReady to out, then answers
// the coordinator's commands on in, one JSON line each, until report (after which it
// closes its streams and returns) or until in ends or ctx is done.
func ServeLoad(ctx context.Context, cfg LoadConfig, in io.Reader, out io.Writer) error {
	if len(cfg.Addrs) == 0 || cfg.To <= cfg.From {
		return errors.New("scale-load: no replicas or no users")
	}
	if cfg.DialWorkers <= 0 {
		cfg.DialWorkers = 64
	}
	for _, a := range cfg.Addrs {
		if err := Loopback(a); err != nil {
			return err
		}
	}
	l := &loader{cfg: cfg, prefix: []byte(`"eventId":"r` + cfg.Run), closing: make(chan struct{})}
	defer l.close()
	enc := json.NewEncoder(out)
	t0 := time.Now()
	err := l.open(ctx)
	ready := LoadReady{Opened: l.opened(), Seconds: time.Since(t0).Seconds()}
	if err != nil {
		ready.Error = err.Error()
	}
	if werr := enc.Encode(ready); werr != nil || err != nil {
		return errors.Join(err, werr)
	}
	cmds := make(chan loadCommand)
	go func() { // ends when in ends: the coordinator closes it, or exits
		defer close(cmds)
		dec := json.NewDecoder(in)
		for {
			var c loadCommand
			if dec.Decode(&c) != nil {
				return
			}
			select {
			case cmds <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case c, ok := <-cmds:
			if !ok {
				return errors.New("scale-load: the coordinator went away")
			}
			switch c.Op {
			case "status":
				err = enc.Encode(LoadStatus{BroadcastStreams: l.bcastStreams.Load(), BroadcastMaxNs: l.bcastMaxNs.Load(),
					Steady: l.steadyGot.Load(), StreamErrors: l.streamErrors.Load()})
			case "report":
				l.close()
				return enc.Encode(l.report())
			default:
				err = fmt.Errorf("scale-load: unknown op %q", c.Op)
			}
			if err != nil {
				return err
			}
		}
	}
}

// open dials every stream, DialWorkers at a time, each tried three times.
func (l *loader) open(ctx context.Context) error {
	n := l.cfg.To - l.cfg.From
	l.streams = make([]*loadStream, n)
	next := make(chan int)
	var failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range min(l.cfg.DialWorkers, n) {
		wg.Go(func() {
			for k := range next {
				s, err := l.dial(ctx, l.cfg.From+k)
				for attempt := 1; err != nil && attempt < 3 && ctx.Err() == nil; attempt++ {
					time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
					s, err = l.dial(ctx, l.cfg.From+k)
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				l.streams[k] = s
				l.wg.Go(func() { l.read(s) })
			}
		})
	}
	for k := range n {
		if ctx.Err() != nil {
			break
		}
		next <- k
	}
	close(next)
	wg.Wait()
	if f := failed.Load(); f > 0 {
		return fmt.Errorf("%d of %d streams failed to open, first: %w", f, n, firstErr.Load().(error))
	}
	return ctx.Err()
}

func (l *loader) dial(ctx context.Context, i int) (*loadStream, error) {
	addr := l.cfg.Addrs[i%len(l.cfg.Addrs)]
	nc, br, err := openStream(ctx, sourceIP(i, l.cfg.SourceIPs), addr, "/v1/notifications/stream?user=u"+strconv.Itoa(i))
	if err != nil {
		return nil, fmt.Errorf("stream of u%d on %s: %w", i, addr, err)
	}
	return &loadStream{nc: nc, br: br, user: i}, nil
}

func (l *loader) opened() int {
	n := 0
	for _, s := range l.streams {
		if s != nil {
			n++
		}
	}
	return n
}

// read consumes one stream until it is closed: every id is checked against the previous
// one, and every notification of this run is recorded by its phase (b: broadcast, s:
// steady) and its n.
func (l *loader) read(s *loadStream) {
	for {
		line, err := s.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			for errors.Is(err, bufio.ErrBufferFull) { // not one of ours; skip it
				_, err = s.br.ReadSlice('\n')
			}
			continue
		}
		if err != nil {
			select {
			case <-l.closing:
			default:
				l.streamErrors.Add(1)
			}
			return
		}
		switch {
		case bytes.HasPrefix(line, idField):
			seq, perr := strconv.ParseInt(string(bytes.TrimSpace(line[len(idField):])), 10, 64)
			if perr != nil {
				continue
			}
			switch {
			case s.lastSeq != 0 && seq <= s.lastSeq:
				s.dups++
			case s.lastSeq != 0 && seq != s.lastSeq+1:
				s.gaps++
			}
			s.lastSeq = max(s.lastSeq, seq)
		case bytes.HasPrefix(line, dataField):
			l.note(s, line)
		}
	}
}

// note records a data line whose eventId is r<run><phase>-<n>-<sentNanos base 36>.
func (l *loader) note(s *loadStream, line []byte) {
	i := bytes.Index(line, l.prefix)
	if i < 0 {
		return
	}
	rest := line[i+len(l.prefix):]
	end := bytes.IndexByte(rest, '"')
	if end < 2 {
		return
	}
	phase, id := rest[0], rest[1:end] // id: -<n>-<sent>
	d1 := bytes.IndexByte(id[1:], '-') + 1
	if len(id) == 0 || id[0] != '-' || d1 < 1 {
		return
	}
	n, err1 := strconv.ParseInt(string(id[1:d1]), 10, 64)
	sent, err2 := strconv.ParseInt(string(id[d1+1:]), 36, 64)
	if err1 != nil || err2 != nil {
		return
	}
	lat := time.Now().UnixNano() - sent
	switch phase {
	case 'b':
		if len(s.bcast) == 0 {
			l.bcastStreams.Add(1)
			storeMax(&l.bcastMaxNs, lat)
		}
		s.bcast = append(s.bcast, lat)
	case 's':
		s.steady = append(s.steady, n)
		s.lat = append(s.lat, lat)
		l.steadyGot.Add(1)
	}
}

// close ends every stream and waits for the readers.
func (l *loader) close() {
	l.once.Do(func() {
		close(l.closing)
		for _, s := range l.streams {
			if s != nil {
				s.nc.Close()
			}
		}
		l.wg.Wait()
	})
}

// report gathers what the streams saw; the readers must have stopped.
func (l *loader) report() LoadReport {
	r := LoadReport{Streams: len(l.streams), StreamErrors: l.streamErrors.Load()}
	for k, s := range l.streams {
		if s == nil {
			r.BcastMissing++ // never opened (the ready line said so already)
			continue
		}
		r.SeqGaps += s.gaps
		r.SeqDups += s.dups
		if len(s.bcast) == 0 {
			r.BcastMissing++
		} else {
			r.BcastDups += int64(len(s.bcast) - 1)
			r.BcastLatNs = append(r.BcastLatNs, s.bcast[0])
		}
		for _, n := range s.steady {
			r.Steady = append(r.Steady, int64(l.cfg.From+k), n)
		}
		r.SteadyLatNs = append(r.SteadyLatNs, s.lat...)
	}
	return r
}

// storeMax raises a to v unless it is already at least v.
func storeMax(a *atomic.Int64, v int64) {
	for {
		m := a.Load()
		if v <= m || a.CompareAndSwap(m, v) {
			return
		}
	}
}
