package ctl_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
	"github.com/notifyd/notifyd/internal/ctl"
	"github.com/notifyd/notifyd/internal/testenv"
)

// tailAsync starts notifyctl tail and returns its output and a wait for its exit code.
func tailAsync(t *testing.T, c *ctlRun, args ...string) (stdout, stderr *testenv.SyncBuffer, wait func() int) {
	t.Helper()
	stdout, stderr = &testenv.SyncBuffer{}, &testenv.SyncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	done := make(chan struct{})
	code := -1
	go func() {
		defer close(done)
		code = ctl.Main(ctx, append([]string{"--server", c.server, "tail"}, args...),
			ctl.IO{Stdout: stdout, Stderr: stderr, CacheDir: c.cache})
	}()
	wait = func() int {
		<-done
		cancel()
		return code
	}
	t.Cleanup(func() { cancel(); <-done })
	return stdout, stderr, wait
}

func TestTailResumes(t *testing.T) {
	_, server := startApp(t, app.Config{})
	c := newCtl(t, server)

	out, errOut, wait := tailAsync(t, c, "11", "--count", "2")
	apptest.Eventually(t, "tail to connect", func() bool { return strings.Contains(errOut.String(), "tailing user 11 from now on") })
	publishN(t, c, "11", 2)
	if code := wait(); code != 0 {
		t.Fatalf("tail: exit %d\n%s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "#1  ") || !strings.Contains(lines[0], "DELIVERY_STARTED  배송 1 시작  https://mypage/orders/1") ||
		!strings.HasPrefix(lines[1], "#2  ") {
		t.Fatalf("tail output: got\n%s", out.String())
	}

	// Published while nobody tails: the next tail starts after seq 2, from its state file.
	c.ok("publish", "--type", "DELIVERY_STARTED", "--user-id", "11", "--role", "OWNER", "--message", "세 번째", "--url", "https://mypage/orders/3")
	out, errOut, wait = tailAsync(t, c, "11", "--count", "1")
	if code := wait(); code != 0 {
		t.Fatalf("resumed tail: exit %d\n%s", code, errOut.String())
	}
	contains(t, "resumed tail stderr", errOut.String(), "tailing user 11 after seq 2")
	if got := strings.TrimSpace(out.String()); !strings.HasPrefix(got, "#3  ") || !strings.Contains(got, "세 번째") {
		t.Fatalf("resumed tail: got %q, want only #3", got)
	}
	files, _ := filepath.Glob(filepath.Join(c.cache, "tail-*.json"))
	if len(files) != 1 {
		t.Fatalf("state files: got %v, want one", files)
	}
	if b, _ := os.ReadFile(files[0]); !strings.Contains(string(b), `"lastSeq":3`) {
		t.Fatalf("state file: got %s", b)
	}

	// --from 0 replays everything; --json prints one notification per line.
	out, errOut, wait = tailAsync(t, c, "11", "--from", "0", "--count", "3", "--json", "--no-state")
	if code := wait(); code != 0 {
		t.Fatalf("tail --from 0: exit %d\n%s", code, errOut.String())
	}
	lines = strings.Split(strings.TrimSpace(out.String()), "\n")
	for i, l := range lines {
		var n struct{ Seq int64 }
		if err := json.Unmarshal([]byte(l), &n); err != nil || n.Seq != int64(i+1) {
			t.Fatalf("tail --json line %d: got %q (%v)", i, l, err)
		}
	}
	if len(lines) != 3 {
		t.Fatalf("tail --from 0: got %d lines, want 3", len(lines))
	}
}

// TestTailReconnects cuts the stream after one event: tail reconnects by itself with
// Last-Event-ID set to the last seq it printed.
func TestTailReconnects(t *testing.T) {
	var mu sync.Mutex
	var lastIDs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/notifications/stream" || r.Header.Get("X-User-Id") != "5" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		mu.Lock()
		lastIDs = append(lastIDs, r.Header.Get("Last-Event-ID"))
		n := len(lastIDs)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		seq := 40 + n
		fmt.Fprintf(w, ": hello\n\nid: %d\nevent: notification\ndata: {\"id\":%d,\"seq\":%d,\"type\":\"T\",\"message\":\"m%d\",\"createdAt\":\"2026-11-24T09:00:00Z\"}\n\n", seq, seq, seq, n)
		// The handler returns: the connection ends, as when a replica goes away.
	}))
	defer srv.Close()
	c := newCtl(t, srv.URL)
	out, errOut, wait := tailAsync(t, c, "5", "--from", "40", "--count", "2")
	if code := wait(); code != 0 {
		t.Fatalf("tail: exit %d\n%s", code, errOut.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lastIDs) != 2 || lastIDs[0] != "40" || lastIDs[1] != "41" {
		t.Fatalf("Last-Event-ID of each connection: got %q, want [40 41]", lastIDs)
	}
	contains(t, "tail output", out.String(), "#41  ", "m1", "#42  ", "m2")
	contains(t, "tail stderr", errOut.String(), "stream interrupted", "reconnecting in 500ms")
}

// TestTailResumesFromTheOpeningPosition: a tail started "from now on" whose stream drops
// before any notification came reconnects from the position the stream opened with (its
// id-only block), not from whatever is newest by then: a notification committed while it
// was away is printed.
func TestTailResumesFromTheOpeningPosition(t *testing.T) {
	var mu sync.Mutex
	var lastIDs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		lastIDs = append(lastIDs, r.Header.Get("Last-Event-ID"))
		n := len(lastIDs)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		if n == 1 { // the newest was 7 when it opened; it ends with nothing sent
			fmt.Fprint(w, "retry: 1000\nid: 7\n\n")
			return
		}
		fmt.Fprint(w, "retry: 1000\nid: 7\n\nid: 8\nevent: notification\ndata: {\"id\":8,\"seq\":8,\"type\":\"T\",\"message\":\"while away\",\"createdAt\":\"2026-11-24T09:00:00Z\"}\n\n")
	}))
	defer srv.Close()
	c := newCtl(t, srv.URL)
	out, errOut, wait := tailAsync(t, c, "5", "--count", "1")
	if code := wait(); code != 0 {
		t.Fatalf("tail: exit %d\n%s", code, errOut.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lastIDs) != 2 || lastIDs[0] != "" || lastIDs[1] != "7" {
		t.Fatalf("Last-Event-ID of each connection: got %q, want [\"\" 7]", lastIDs)
	}
	contains(t, "tail output", out.String(), "#8  ", "while away")
	contains(t, "tail stderr", errOut.String(), "from now on", "after seq 7")
}

func TestTailRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"type":"urn:notifyd:problem:unauthorized","title":"Unauthorized","status":401,"code":"unauthorized","detail":"token expired"}`)
	}))
	defer srv.Close()
	c := newCtl(t, srv.URL)
	r := c.fails(1, "tail", "--auth-token", "old")
	contains(t, "refused tail", r.stderr, "Unauthorized (401 unauthorized): token expired")
}
