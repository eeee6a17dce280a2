package ctl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"text/tabwriter"
	"time"
)

type rejectedMessage struct {
	ID           int64      `json:"id"`
	Source       string     `json:"source"`
	Queue        string     `json:"queue,omitempty"`
	MessageID    string     `json:"messageId,omitempty"`
	Body         string     `json:"body"`
	Code         string     `json:"code"`
	Reason       string     `json:"reason"`
	ReceiveCount int        `json:"receiveCount"`
	Status       string     `json:"status"`
	EventID      string     `json:"eventId,omitempty"`
	CreatedAt    time.Time  `json:"createdAt"`
	ReplayedAt   *time.Time `json:"replayedAt,omitempty"`
}

type rejectedPage struct {
	Rejected  []rejectedMessage `json:"rejected"`
	NextAfter int64             `json:"nextAfter,omitempty"`
}

type replayAnswer struct {
	ID int64 `json:"id"`
	accepted
}

func runRejected(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.Stderr, "usage: notifyctl rejected list [--status rejected|replayed] [--limit N] [--all]\n       notifyctl rejected replay <id>... | --all")
		return errUsage
	}
	switch args[0] {
	case "list":
		return rejectedList(ctx, e, args[1:])
	case "replay":
		return rejectedReplay(ctx, e, args[1:])
	default:
		fmt.Fprintf(e.Stderr, "notifyctl: rejected %q: want list or replay\n", args[0])
		return errUsage
	}
}

func rejectedList(ctx context.Context, e *env, args []string) error {
	fs := e.flags("rejected list", "[--status rejected|replayed] [--limit N] [--after ID] [--all]")
	status := fs.String("status", "", "only rejected (not yet replayed) or replayed messages")
	pf := addPageFlags(fs)
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	rows, next, err := listByID[rejectedMessage](ctx, e, "/v1/admin/rejected", "rejected", *status, *pf.after, *pf.limit, *pf.all)
	if err != nil {
		return err
	}
	out := rejectedPage{Rejected: rows, NextAfter: next}
	if e.g.JSON {
		return e.printJSON(out)
	}
	if len(out.Rejected) == 0 {
		fmt.Fprintln(e.Stdout, "no rejected messages")
		return nil
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tSOURCE\tSTATUS\tRECEIVES\tCODE\tREASON")
	for _, r := range out.Rejected {
		src := r.Source
		if r.Queue != "" {
			src += ":" + r.Queue
		}
		st := r.Status
		if r.EventID != "" {
			st += " → " + r.EventID
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", r.ID, stamp(r.CreatedAt), src, st, r.ReceiveCount, r.Code, oneLine(r.Reason))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if out.NextAfter != 0 {
		fmt.Fprintf(e.Stdout, "more: notifyctl rejected list --after %d (or --all)\n", out.NextAfter)
	}
	return nil
}

// replayFailure is one message a replay could not accept.
type replayFailure struct {
	ID    int64 `json:"id"`
	Error any   `json:"error"` // the problem, or a message
}

func rejectedReplay(ctx context.Context, e *env, args []string) error {
	fs := e.flags("rejected replay", "<id>... | --all")
	all := fs.Bool("all", false, "replay every message still rejected")
	pos, err := parse(fs, args, 0, -1)
	if err != nil {
		return err
	}
	if *all == (len(pos) > 0) {
		fs.Usage()
		return errUsage
	}
	var ids []int64
	for _, p := range pos {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id < 1 {
			return fmt.Errorf("%q is not a rejected message id", p)
		}
		ids = append(ids, id)
	}
	if *all {
		if ids, err = e.pendingRejected(ctx); err != nil {
			return err
		}
		if len(ids) == 0 && !e.g.JSON {
			fmt.Fprintln(e.Stdout, "nothing to replay: no message is still rejected")
			return nil
		}
	}
	var done []replayAnswer
	var failed []replayFailure
	var bar *progress
	if *all || len(ids) > 1 {
		bar = newProgress(e.Stderr, e.StderrTTY, len(ids))
	}
	for _, id := range ids {
		var a replayAnswer
		_, err := e.g.do(ctx, request{method: http.MethodPost, path: "/v1/admin/rejected/" + strconv.FormatInt(id, 10) + "/replay", access: asAdmin}, &a)
		note := ""
		if err != nil {
			var p *ProblemError
			if errors.As(err, &p) {
				failed = append(failed, replayFailure{ID: id, Error: p})
			} else {
				failed = append(failed, replayFailure{ID: id, Error: err.Error()})
			}
			note = fmt.Sprintf("id %d failed", id)
			if ctx.Err() != nil {
				break
			}
		} else {
			done = append(done, a)
			note = fmt.Sprintf("id %d → %s", id, a.EventID)
		}
		if bar != nil {
			bar.step(note)
		}
	}
	if bar != nil {
		bar.finish()
	}
	if e.g.JSON {
		if len(pos) == 1 && len(done) == 1 {
			return e.printJSON(done[0])
		}
		if done == nil {
			done = []replayAnswer{}
		}
		if failed == nil {
			failed = []replayFailure{}
		}
		if err := e.printJSON(map[string]any{"replayed": done, "failed": failed}); err != nil {
			return err
		}
	} else {
		for _, a := range done {
			verb := "replayed"
			if a.Duplicate {
				verb = "replayed (already stored)"
			}
			fmt.Fprintf(e.Stdout, "%s %d: event %s, notifications %s\n", verb, a.ID, a.EventID, joinIDs(a.NotificationIDs))
		}
	}
	switch {
	case len(failed) == 0:
		return nil
	case len(ids) == 1:
		if p, ok := failed[0].Error.(*ProblemError); ok {
			return fmt.Errorf("replay %d: %w", failed[0].ID, p)
		}
		return fmt.Errorf("replay %d: %v", failed[0].ID, failed[0].Error)
	default:
		for _, f := range failed {
			fmt.Fprintf(e.Stderr, "notifyctl: replay %d: %v\n", f.ID, f.Error)
		}
		return fmt.Errorf("%d of %d replays failed", len(failed), len(ids))
	}
}

// pendingRejected lists the ids of every message still rejected, oldest first.
func (e *env) pendingRejected(ctx context.Context) ([]int64, error) {
	rows, _, err := listByID[rejectedMessage](ctx, e, "/v1/admin/rejected", "rejected", "rejected", 0, 100, true)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, nil
}
