package ingest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/store"
)

// recordingStore answers Accept and records the size of each transaction.
type recordingStore struct {
	store.Store // only Accept is called
	mu          sync.Mutex
	sizes       []int
}

func (r *recordingStore) Accept(_ context.Context, in []store.AcceptInput) ([]store.AcceptResult, error) {
	r.mu.Lock()
	r.sizes = append(r.sizes, len(in))
	r.mu.Unlock()
	out := make([]store.AcceptResult, len(in))
	for i, a := range in {
		out[i].Key = a.Key
	}
	return out, nil
}

func (r *recordingStore) transactions() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.sizes...)
}

// lingeringCommitter is always busy and lingers an hour: a test that hangs fails.
func lingeringCommitter(t *testing.T, st store.Store) *committer {
	c := newCommitter(st, 512, 1, time.Hour, func([]store.AcceptInput, []store.AcceptResult) {}, newMetrics(nil))
	c.busy = time.Hour
	t.Cleanup(c.close)
	return c
}

func batchOf(key string) []store.AcceptInput { return []store.AcceptInput{{Key: key}} }

// A busy committer with nothing on its way commits at once: a linger would only add
// latency (before, every event of a steady stream waited out the whole linger).
func TestBusyCommitterWithNothingComingDoesNotLinger(t *testing.T) {
	st := &recordingStore{}
	c := lingeringCommitter(t, st)
	for _, key := range []string{"a", "b", "c"} {
		if _, err := c.submit(context.Background(), batchOf(key), nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := st.transactions(); len(got) != 3 {
		t.Fatalf("transactions = %v, want three of one", got)
	}
}

// A busy committer waits for a batch that was announced and is still being prepared,
// and commits it with the one it holds.
func TestBusyCommitterWaitsForAnAnnouncedBatch(t *testing.T) {
	st := &recordingStore{}
	c := lingeringCommitter(t, st)
	if _, err := c.submit(context.Background(), batchOf("first"), nil); err != nil {
		t.Fatal(err) // now busy
	}
	withdraw := c.announce()
	held := &commitReq{queued: time.Now(), in: batchOf("held"), done: make(chan struct{})}
	c.reqs <- held
	for len(c.reqs) > 0 {
		time.Sleep(time.Millisecond) // until the committer has taken it
	}
	if _, err := c.submit(context.Background(), batchOf("announced"), withdraw); err != nil {
		t.Fatal(err)
	}
	<-held.done
	if held.err != nil {
		t.Fatal(held.err)
	}
	if got := st.transactions(); len(got) != 2 || got[1] != 2 {
		t.Fatalf("transactions = %v, want [1 2]: the held batch waits for the announced one", got)
	}
	if n := c.coming.Load(); n != 0 {
		t.Fatalf("coming = %d after the announced batch was queued, want 0", n)
	}
}
