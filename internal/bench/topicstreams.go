package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// topicStreams holds the sampled subscribers' SSE streams and notes when each first saw
// the topic event.
type topicStreams struct {
	conns  []net.Conn
	wg     sync.WaitGroup
	marker []byte // `"eventId":"<the topic event's id>"`
	got    atomic.Int64
	lastNs atomic.Int64 // the latest arrival so far, Unix nanoseconds
}

// sampleUser is the k-th of s sampled users among n subscribers: spread evenly over
// u0…u(n-1), so the sample sees the first pages of the fan-out and the last.
func sampleUser(k, s, n int) int { return int(int64(k) * int64(n) / int64(s)) }

// open dials s streams to addr, workers at a time, users spread by sampleUser.
func (ts *topicStreams) open(ctx context.Context, addr string, s, n, workers, sourceIPs int) error {
	ts.conns = make([]net.Conn, s)
	next := make(chan int)
	var firstErr atomic.Value
	var dial sync.WaitGroup
	for range min(workers, s) {
		dial.Go(func() {
			for k := range next {
				u := sampleUser(k, s, n)
				nc, br, err := openStream(ctx, sourceIP(k, sourceIPs), addr, "/v1/notifications/stream?user=u"+strconv.Itoa(u))
				if err != nil {
					firstErr.CompareAndSwap(nil, fmt.Errorf("stream of u%d: %w", u, err))
					continue
				}
				ts.conns[k] = nc
				ts.wg.Go(func() {
					for {
						line, err := br.ReadSlice('\n')
						if bytes.Contains(line, ts.marker) {
							ts.got.Add(1)
							storeMax(&ts.lastNs, time.Now().UnixNano())
							return
						}
						if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
							return // closed
						}
					}
				})
			}
		})
	}
	for k := range s {
		if ctx.Err() != nil {
			break
		}
		next <- k
	}
	close(next)
	dial.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return err
	}
	return ctx.Err()
}

// close ends every stream and waits for the readers.
func (ts *topicStreams) close() {
	for _, c := range ts.conns {
		if c != nil {
			c.Close()
		}
	}
	ts.wg.Wait()
}
