package ingest

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/notifyd/notifyd/internal/store"
)

// committer is group commit: callers queue their batches; each committer goroutine takes
// the first waiting batch and every other batch already waiting (up to maxBatch events),
// stores them in one transaction and answers each caller. When idle it commits a single
// batch at once, so latency does not grow at low load; under load many events share one
// transaction and one fsync.
type committer struct {
	st       store.Store
	maxBatch int
	after    func(in []store.AcceptInput, out []store.AcceptResult)
	m        *metrics

	reqs   chan *commitReq
	mu     sync.RWMutex // guards closed against concurrent submit
	closed bool
	wg     sync.WaitGroup

	// Committed batches go to one publishing goroutine, in commit order, so the next
	// transaction runs while the last one's notifications are written to streams.
	published chan committed
	pubDone   chan struct{}

	// ctx is every transaction's parent; abort cancels the ones in flight when a shutdown
	// runs out of time (they roll back; their sources retry into the idempotency keys).
	ctx   context.Context
	abort context.CancelFunc

	// linger: when the last commit ended less than busyGap ago (events are arriving
	// steadily), wait up to linger for more before committing, so each transaction
	// carries several events instead of one — but only while some are on their way
	// (coming > 0: a caller is preparing a batch it has announced). With nothing on its
	// way a wait would only add latency, so the committer commits at once, as when idle.
	linger time.Duration
	busy   time.Duration // busyGap; a test's may differ
	coming atomic.Int64
}

const busyGap = 2 * time.Millisecond

// committed is one committed transaction: its inputs and their results, index for index.
type committed struct {
	in  []store.AcceptInput
	out []store.AcceptResult
	at  time.Time // when the transaction committed
}

type commitReq struct {
	queued time.Time
	in     []store.AcceptInput
	out    []store.AcceptResult
	err    error
	done   chan struct{}
}

func newCommitter(st store.Store, maxBatch, workers int, linger time.Duration, after func([]store.AcceptInput, []store.AcceptResult), m *metrics) *committer {
	c := &committer{st: st, maxBatch: maxBatch, linger: linger, busy: busyGap, after: after, m: m, reqs: make(chan *commitReq, 4096),
		published: make(chan committed, 64), pubDone: make(chan struct{})}
	c.ctx, c.abort = context.WithCancel(context.Background())
	for range workers {
		c.wg.Go(c.run)
	}
	go c.publish()
	return c
}

// publish runs after for each committed batch, in commit order, until close.
func (c *committer) publish() {
	defer close(c.pubDone)
	for b := range c.published {
		start := time.Now()
		c.m.pubLag.Observe(start.Sub(b.at).Seconds())
		c.after(b.in, b.out)
		c.m.pubTime.Observe(time.Since(start).Seconds())
	}
}

// announce tells the committer that a batch is on its way (a caller is preparing it), so
// a lingering commit waits for it. The caller calls the returned function once: submit
// does when it queues the batch, or the caller when it gives up before.
func (c *committer) announce() (withdraw func()) {
	c.coming.Add(1)
	var once sync.Once
	return func() { once.Do(func() { c.coming.Add(-1) }) }
}

// submit queues in for the next transaction and waits for its results. withdraw (if not
// nil) is called just before the batch is queued: from then on the committer sees it.
func (c *committer) submit(ctx context.Context, in []store.AcceptInput, withdraw func()) ([]store.AcceptResult, error) {
	if withdraw != nil {
		defer withdraw() // every early return
	}
	req := &commitReq{queued: time.Now(), in: in, done: make(chan struct{})}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return nil, errClosed
	}
	if withdraw != nil {
		withdraw()
	}
	select {
	case c.reqs <- req:
	case <-ctx.Done():
		c.mu.RUnlock()
		return nil, ctx.Err()
	}
	c.mu.RUnlock()
	// Once queued, the batch is committed whatever the caller does; the caller may stop
	// waiting, and its source will redeliver into the idempotency key.
	select {
	case <-req.done:
		return req.out, req.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// close stops new submissions and returns once every queued batch is committed and
// published.
func (c *committer) close() {
	c.mu.Lock()
	first := !c.closed
	if first {
		c.closed = true
		close(c.reqs)
	}
	c.mu.Unlock()
	c.wg.Wait()
	if first {
		close(c.published)
	}
	<-c.pubDone
}

func (c *committer) run() {
	var carry *commitReq
	var lastEnd time.Time // when this goroutine's last commit ended
	for {
		first := carry
		carry = nil
		if first == nil {
			var ok bool
			if first, ok = <-c.reqs; !ok {
				return
			}
		}
		group := []*commitReq{first}
		n := len(first.in)
		var wait <-chan time.Time
		var timer *time.Timer
		if c.linger > 0 && time.Since(lastEnd) < c.busy {
			timer = time.NewTimer(c.linger)
			wait = timer.C
		}
	gather:
		for n < c.maxBatch {
			var r *commitReq
			var ok bool
			select {
			case r, ok = <-c.reqs:
			default: // nothing waiting: commit now, or linger while busy and more is coming
				if wait == nil || c.coming.Load() == 0 {
					break gather
				}
				select {
				case r, ok = <-c.reqs:
				case <-wait:
					break gather
				}
			}
			if !ok {
				break gather
			}
			if n+len(r.in) > c.maxBatch {
				carry = r
				break gather
			}
			group = append(group, r)
			n += len(r.in)
		}
		if timer != nil {
			timer.Stop()
		}
		c.commit(group, n)
		lastEnd = time.Now()
	}
}

// perNotification is what a commit's deadline grows by for each notification it writes:
// a broadcast to 95,000 users is one transaction of 95,000 rows (and their deliveries),
// which took 8 s for 40,000 on MariaDB on a loaded 2-core machine. A hung database still
// fails every commit within storeTimeout plus its size's share.
const perNotification = 250 * time.Microsecond

// commitDeadline is storeTimeout plus perNotification for each target of the inputs.
func commitDeadline(in []store.AcceptInput) time.Duration {
	n := 0
	for _, i := range in {
		if i.Prepared != nil {
			n += len(i.Prepared.Targets)
		}
	}
	return storeTimeout + time.Duration(n)*perNotification
}

func (c *committer) commit(group []*commitReq, n int) {
	all := make([]store.AcceptInput, 0, n)
	for _, r := range group {
		all = append(all, r.in...)
	}
	c.m.batchSize.Observe(float64(len(all)))
	start := time.Now()
	for _, r := range group {
		c.m.queueWait.Observe(start.Sub(r.queued).Seconds())
	}
	// ctx is not a caller's: a caller giving up must not roll back other callers' events.
	// The deadline keeps a hung database from holding every caller, and shutdown.
	ctx, cancel := context.WithTimeout(c.ctx, commitDeadline(all))
	results, err := c.st.Accept(ctx, all)
	cancel()
	end := time.Now()
	c.m.commitTime.Observe(end.Sub(start).Seconds())
	off := 0
	for _, r := range group {
		if err != nil {
			r.err = err
		} else {
			r.out = results[off : off+len(r.in)]
		}
		off += len(r.in)
		close(r.done)
	}
	if err == nil {
		// With one committer this is commit order; with several, a user's live events
		// may arrive out of order and the SSE hub heals the gap from the store.
		c.published <- committed{in: all, out: results, at: end}
	}
}
