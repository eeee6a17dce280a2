package ingest

import (
	"context"
	"fmt"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// Poison messages: a source hands ingest what it can never accept, and ingest keeps it
// with its reason until the cause is fixed and it is replayed. Only the source knows
// how its raw body becomes events, so replay takes the source's decoder.

// Decoder turns a kept rejected message back into inputs, as its source decoded it.
type Decoder func(store.Rejected) ([]Input, error)

// storeTimeout bounds every store call of ingest, so a hung database cannot hold a
// caller (or shutdown) past it.
const storeTimeout = 10 * time.Second

// Reject keeps a message that can never be accepted (undecodable, unknown type…), so
// its source may drop it from its queue. It returns the kept message's id.
func (s *Service) Reject(ctx context.Context, r store.Rejected) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	return s.st.SaveRejected(ctx, r)
}

// Replay accepts kept rejected message id again, once its cause is fixed (say, its type
// was added to the configuration): decode rebuilds its inputs, which are accepted under
// the same idempotency keys, and on success the message is marked replayed with its
// first event's key. Events stored the first time come back as duplicates.
//
// When the message still cannot be accepted, the error is that permanent reason
// (notify.Permanent) and the message stays rejected; the results say which event failed.
// A transient error (store down, service closing) means nothing changed.
func (s *Service) Replay(ctx context.Context, id int64, decode Decoder) ([]Result, error) {
	rctx, cancel := context.WithTimeout(ctx, storeTimeout)
	rj, err := s.st.GetRejected(rctx, id)
	cancel()
	if err != nil {
		return nil, err
	}
	ins, err := decode(*rj)
	if err != nil {
		return nil, err
	}
	results, err := s.Accept(ctx, ins)
	if err != nil {
		return nil, err
	}
	for i, r := range results {
		if r.Err != nil {
			if len(results) > 1 {
				return results, fmt.Errorf("event %d: %w", i, r.Err)
			}
			return results, r.Err
		}
	}
	mctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	if err := s.st.MarkReplayed(mctx, id, results[0].Key, time.Now()); err != nil {
		return results, err
	}
	return results, nil
}

// ReplayProgress reports one message of a ReplayAll run.
type ReplayProgress struct {
	Message store.Rejected
	Results []Result
	Err     error // nil when replayed; a permanent reason when it stays rejected
}

// ReplaySummary counts what ReplayAll did.
type ReplaySummary struct {
	Replayed int
	Failed   int // still rejected, for a permanent reason
}

// ReplayAll replays every message of source still rejected, oldest first, calling
// progress (when not nil) after each. A message that still fails stays rejected and the
// run goes on; a transient error stops the run and is returned with what was done so far.
func (s *Service) ReplayAll(ctx context.Context, source string, decode Decoder, progress func(ReplayProgress)) (ReplaySummary, error) {
	var sum ReplaySummary
	var after int64
	for {
		lctx, cancel := context.WithTimeout(ctx, storeTimeout)
		page, err := s.st.ListRejected(lctx, store.RejectedFilter{Status: store.RejectedPending, AfterID: after, Limit: 100})
		cancel()
		if err != nil {
			return sum, err
		}
		if len(page) == 0 {
			return sum, nil
		}
		for _, rj := range page {
			after = rj.ID
			if rj.Source != source {
				continue
			}
			results, err := s.Replay(ctx, rj.ID, decode)
			if err != nil && !notify.Permanent(err) {
				return sum, err
			}
			if err != nil {
				sum.Failed++
			} else {
				sum.Replayed++
			}
			if progress != nil {
				progress(ReplayProgress{Message: rj, Results: results, Err: err})
			}
		}
	}
}
