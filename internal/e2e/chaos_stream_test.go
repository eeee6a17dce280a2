package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// watcher holds one user's stream open for a whole chaos case, as a browser's
// EventSource would: when the server ends the stream it reconnects with Last-Event-ID
// (the last id the stream gave). It records every notification in arrival order, so a test can
// check that the user's stream received each notification exactly once, seq 1, 2, 3, …
// with no gap, across reconnections.
type watcher struct {
	user string
	p    *proc

	mu         sync.Mutex
	seqs       []int64
	events     []string // the eventId of each, from the message's last word
	reconnects int
	lastEnd    string // why the last connection ended
	// lastID is EventSource's last event id: the id of the last block that had one,
	// notification or not (the stream opens with an id-only block: its position).
	lastID string
}

// watch opens user's stream on p now (failing the test if it cannot) and keeps it open
// until the test ends.
func watch(t *testing.T, p *proc, user string) *watcher {
	t.Helper()
	w := &watcher{user: user, p: p}
	ctx, cancel := context.WithCancel(context.Background())
	first, err := w.connect(ctx)
	if err != nil {
		cancel()
		t.Fatalf("stream %s: %v", user, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		body := first
		for {
			w.read(body)
			body.Close()
			for {
				select {
				case <-ctx.Done():
					return
				case <-time.After(250 * time.Millisecond): // the retry an EventSource waits
				}
				w.mu.Lock()
				w.reconnects++
				w.mu.Unlock()
				if body, err = w.connect(ctx); err == nil {
					break
				}
				w.ended(err.Error())
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return w
}

// connect opens the stream after the last seq received.
func (w *watcher) connect(ctx context.Context) (io.ReadCloser, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, w.p.URL+"/v1/notifications/stream", nil)
	req.Header.Set("X-User-Id", w.user)
	w.mu.Lock()
	if w.lastID != "" {
		req.Header.Set("Last-Event-ID", w.lastID)
	}
	w.mu.Unlock()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return nil, fmt.Errorf("%d %s", resp.StatusCode, b)
	}
	return resp.Body, nil
}

// read records the notifications of one connection until it ends.
func (w *watcher) read(body io.Reader) {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.Event == "notification" {
				w.record(ev)
			}
			if ev.ID != "" {
				w.mu.Lock()
				w.lastID = ev.ID
				w.mu.Unlock()
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, "id: "):
			ev.ID = line[4:]
		case strings.HasPrefix(line, "event: "):
			ev.Event = line[7:]
		case strings.HasPrefix(line, "data: "):
			ev.Data += line[6:]
		}
	}
	if err := sc.Err(); err != nil {
		w.ended(err.Error())
	} else {
		w.ended("closed by the server")
	}
}

func (w *watcher) record(ev sseEvent) {
	var data struct {
		Seq     int64  `json:"seq"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal([]byte(ev.Data), &data)
	if id, err := strconv.ParseInt(ev.ID, 10, 64); err != nil || id != data.Seq {
		data.Seq = -1 // the check reports it
	}
	w.mu.Lock()
	w.seqs = append(w.seqs, data.Seq)
	w.events = append(w.events, data.Message[strings.LastIndexByte(data.Message, ' ')+1:])
	w.mu.Unlock()
}

func (w *watcher) ended(why string) {
	w.mu.Lock()
	w.lastEnd = why
	w.mu.Unlock()
}

func (w *watcher) received() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.seqs)
}

// check asserts the stream received want (the user's acknowledged events) exactly once
// each, as seq 1…len(want) in order.
func (w *watcher) check(t *testing.T, want map[string]bool) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	seen := map[string]int{}
	for i, seq := range w.seqs {
		if seq != int64(i+1) {
			t.Errorf("user %s: stream notification %d has seq %d, want %d (ids received: %v)", w.user, i+1, seq, i+1, w.seqs)
			break
		}
	}
	for _, id := range w.events {
		seen[id]++
	}
	for id := range want {
		if seen[id] != 1 {
			t.Errorf("user %s: stream received event %s %d times, want once", w.user, id, seen[id])
		}
	}
	for id := range seen {
		if !want[id] {
			t.Errorf("user %s: stream received event %s, which no producer sent to them", w.user, id)
		}
	}
}
