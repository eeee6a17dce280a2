package sqlstore

import (
	"context"
	"sync"
)

// turns gives the writer to accepts before bulk work. A topic fan-out writes page after
// page; on SQLite, whose one writer connection database/sql hands to a waiter picked at
// random, an accept waiting for it could lose to the next page, a delivery claim or the
// releaser, and wait through several of them. Accept runs its transaction as foreground;
// a fan-out page asks for its turn first (background) and waits until every accept that
// had begun when it asked has ended. It does not wait for accepts that begin later, so
// a steady stream of accepts slows a fan-out (one page between commits) but never stops
// it. On the database servers, with many connections, the same turn keeps the page from
// running beside an accept on the server's CPU and log.
type turns struct {
	mu      sync.Mutex
	next    uint64              // the number of the next foreground transaction
	running map[uint64]struct{} // foreground transactions begun and not ended
	ended   chan struct{}       // closed (and replaced) whenever one ends
}

func newTurns() *turns {
	return &turns{running: map[uint64]struct{}{}, ended: make(chan struct{})}
}

// foreground marks a foreground transaction as begun; end marks it ended.
func (t *turns) foreground() (end func()) {
	t.mu.Lock()
	n := t.next
	t.next++
	t.running[n] = struct{}{}
	t.mu.Unlock()
	return func() {
		t.mu.Lock()
		delete(t.running, n)
		close(t.ended)
		t.ended = make(chan struct{})
		t.mu.Unlock()
	}
}

// background waits until every foreground transaction begun before the call has ended,
// or ctx ends (its error).
func (t *turns) background(ctx context.Context) error { return t.wait(ctx, t.ask()) }

// ask is the turn of a background transaction: after the foreground ones begun so far.
func (t *turns) ask() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.next
}

// wait waits until every foreground transaction numbered below turn has ended.
func (t *turns) wait(ctx context.Context, turn uint64) error {
	t.mu.Lock()
	for {
		waiting := false
		for n := range t.running {
			if n < turn {
				waiting = true
				break
			}
		}
		if !waiting {
			t.mu.Unlock()
			return nil
		}
		ended := t.ended
		t.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ended:
		}
		t.mu.Lock()
	}
}
