package ctl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// errTailDone ends a tail that printed its --count.
var errTailDone = errors.New("done")

type tailer struct {
	e        *env
	user     string
	last     int64
	hasLast  bool
	count    int // stop after this many (0 = never)
	seen     int
	state    string // position file; "" = none
	progress bool   // a notification arrived on the current connection
}

func runTail(ctx context.Context, e *env, args []string) error {
	fs := e.flags("tail", "<user> [--from SEQ] [--count N]")
	from := fs.Int64("from", -1, "start after this seq (0 = everything; default: where the last tail stopped, else the newest)")
	count := fs.Int("count", 0, "stop after N notifications (0 = run until interrupted)")
	maxBackoff := fs.Duration("max-backoff", 30*time.Second, "longest wait between reconnects")
	noState := fs.Bool("no-state", false, "neither read nor save the position")
	pos, err := parse(fs, args, 0, 1)
	if err != nil {
		return err
	}
	user, err := e.userArg("tail", pos)
	if err != nil {
		return err
	}
	t := &tailer{e: e, user: user, count: *count}
	if !*noState {
		dir, err := e.cacheDir()
		if err != nil {
			return err
		}
		who := "user:" + user
		if e.g.AuthToken != "" {
			sum := sha256.Sum256([]byte(e.g.AuthToken))
			who = "token:" + hex.EncodeToString(sum[:8])
		}
		t.state = stateFile(dir, e.g.Server, who)
	}
	switch {
	case *from >= 0:
		t.last, t.hasLast = *from, true
	case t.state != "":
		if t.last, t.hasLast, err = loadState(t.state); err != nil {
			return err
		}
	}
	return t.run(ctx, *maxBackoff)
}

// run streams, reconnecting with exponential backoff, until ctx ends, --count is
// reached, or the server refuses for good (bad credentials, bad request).
func (t *tailer) run(ctx context.Context, maxBackoff time.Duration) error {
	backoff := 500 * time.Millisecond
	for {
		t.progress = false
		err := t.once(ctx)
		switch {
		case errors.Is(err, errTailDone), ctx.Err() != nil:
			return nil
		}
		var p *ProblemError
		if errors.As(err, &p) && !p.retryable() {
			return err
		}
		if t.progress {
			backoff = 500 * time.Millisecond
		}
		fmt.Fprintf(t.e.Stderr, "notifyctl: stream interrupted (%v); reconnecting in %s\n", err, backoff.Round(time.Millisecond))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// once holds one connection until it ends.
func (t *tailer) once(ctx context.Context) error {
	h := http.Header{"Accept": {"text/event-stream"}}
	if t.hasLast {
		h.Set("Last-Event-ID", strconv.FormatInt(t.last, 10))
	}
	req, err := t.e.g.newRequest(ctx, request{method: http.MethodGet, path: "/v1/notifications/stream", header: h, access: asUser, user: t.user})
	if err != nil {
		return err
	}
	res, err := t.e.g.http().Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		return problemFrom(res, raw)
	}
	if t.hasLast {
		fmt.Fprintf(t.e.Stderr, "notifyctl: tailing %s after seq %d (Ctrl-C to stop)\n", label(t.user), t.last)
	} else {
		fmt.Fprintf(t.e.Stderr, "notifyctl: tailing %s from now on (Ctrl-C to stop)\n", label(t.user))
	}
	var failure error
	err = readSSE(res.Body, func(ev sseEvent) bool {
		if ev.Event == "" { // the stream's position: resume from here if it drops
			if seq, err := strconv.ParseInt(ev.ID, 10, 64); err == nil {
				t.last, t.hasLast = seq, true
			}
			return true
		}
		if ev.Event != "notification" {
			return true
		}
		if failure = t.print(ev); failure != nil {
			return false
		}
		return true
	})
	if failure != nil {
		return failure
	}
	return err
}

func (t *tailer) print(ev sseEvent) error {
	var n notification
	if err := json.Unmarshal([]byte(ev.Data), &n); err != nil {
		return fmt.Errorf("a stream event is not a notification: %w", err)
	}
	if t.e.g.JSON {
		fmt.Fprintln(t.e.Stdout, ev.Data)
	} else {
		line := fmt.Sprintf("#%d  %s  %s  %s", n.Seq, stamp(n.CreatedAt), n.Type, oneLine(n.Message))
		if n.URL != "" {
			line += "  " + n.URL
		}
		fmt.Fprintln(t.e.Stdout, line)
	}
	seq := n.Seq
	if id, err := strconv.ParseInt(ev.ID, 10, 64); err == nil {
		seq = id
	}
	t.last, t.hasLast, t.progress = seq, true, true
	if t.state != "" {
		if err := saveState(t.state, tailState{Server: t.e.g.Server, User: t.user, LastSeq: seq}); err != nil {
			fmt.Fprintln(t.e.Stderr, "notifyctl:", err)
		}
	}
	t.seen++
	if t.count > 0 && t.seen >= t.count {
		return errTailDone
	}
	return nil
}
