package ingest

import (
	"context"
	"fmt"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// ReplayRejected accepts a kept rejected message again, once its cause is fixed (say,
// its type was added to the configuration). It decodes the stored body the way its
// source did (raw NotificationData or an SNS envelope), accepts it under the same
// idempotency keys, and on success marks the message replayed with its first event's
// key. Events of the message that were stored the first time come back as duplicates.
//
// When the message still cannot be accepted, the error is that permanent reason
// (notify.Permanent) and the message stays rejected; the results say which event failed.
// A transient error (store down, service closing) means nothing changed.
func ReplayRejected(ctx context.Context, st store.Store, svc *Service, id int64) ([]Result, error) {
	rj, err := st.GetRejected(ctx, id)
	if err != nil {
		return nil, err
	}
	body, err := notify.DecodeSQSBody([]byte(rj.Body))
	if err != nil {
		return nil, err
	}
	source := rj.Source
	if rj.Queue != "" {
		source += ":" + rj.Queue
	}
	ins := make([]Input, len(body.Events))
	for i, ev := range body.Events {
		ins[i] = Input{Event: ev, FallbackKey: body.FallbackKey(rj.MessageID, i), Source: source, TraceParent: body.TraceParent}
	}
	results, err := svc.Accept(ctx, ins)
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
	if err := st.MarkReplayed(ctx, id, results[0].Key, time.Now()); err != nil {
		return results, err
	}
	return results, nil
}

// ReplayProgress reports one message of a ReplayAllRejected run.
type ReplayProgress struct {
	Message store.Rejected
	Results []Result
	Err     error // nil when replayed; a permanent reason when it stays rejected
}

// ReplaySummary counts what ReplayAllRejected did.
type ReplaySummary struct {
	Replayed int
	Failed   int // still rejected, for a permanent reason
}

// ReplayAllRejected replays every message still rejected, oldest first, calling progress
// (when not nil) after each. A message that still fails stays rejected and the run goes
// on; a transient error stops the run and is returned with what was done so far.
func ReplayAllRejected(ctx context.Context, st store.Store, svc *Service, progress func(ReplayProgress)) (ReplaySummary, error) {
	var sum ReplaySummary
	var after int64
	for {
		page, err := st.ListRejected(ctx, store.RejectedFilter{Status: store.RejectedPending, AfterID: after, Limit: 100})
		if err != nil {
			return sum, err
		}
		if len(page) == 0 {
			return sum, nil
		}
		for _, rj := range page {
			after = rj.ID
			results, err := ReplayRejected(ctx, st, svc, rj.ID)
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
