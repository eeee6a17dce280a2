package sqs

import (
	"context"

	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/internal/store"
)

// Replayer is what replaying needs: *ingest.Service.
type Replayer interface {
	Replay(ctx context.Context, id int64, decode ingest.Decoder) ([]ingest.Result, error)
	ReplayAll(ctx context.Context, source string, decode ingest.Decoder, progress func(ingest.ReplayProgress)) (ingest.ReplaySummary, error)
}

var _ Replayer = (*ingest.Service)(nil)

// ReplayRejected accepts kept message id again, decoding its body as this source did
// (raw NotificationData or an SNS envelope) under the same idempotency keys; see
// ingest.Service.Replay for the outcomes.
func ReplayRejected(ctx context.Context, svc Replayer, id int64) ([]ingest.Result, error) {
	return svc.Replay(ctx, id, decodeRejected)
}

// ReplayAllRejected replays every SQS message still rejected, oldest first; see
// ingest.Service.ReplayAll.
func ReplayAllRejected(ctx context.Context, svc Replayer, progress func(ingest.ReplayProgress)) (ingest.ReplaySummary, error) {
	return svc.ReplayAll(ctx, SourceName, decodeRejected, progress)
}

// decodeRejected rebuilds the inputs of a kept message exactly as handle built them.
func decodeRejected(rj store.Rejected) ([]ingest.Input, error) {
	body, err := DecodeBody([]byte(rj.Body))
	if err != nil {
		return nil, err
	}
	source := rj.Source
	if rj.Queue != "" {
		source += ":" + rj.Queue
	}
	ins := make([]ingest.Input, len(body.Events))
	for i, ev := range body.Events {
		ins[i] = ingest.Input{Event: ev, FallbackKey: body.FallbackKey(rj.MessageID, i), Source: source, TraceParent: body.TraceParent}
	}
	return ins, nil
}
