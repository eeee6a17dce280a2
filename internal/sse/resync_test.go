package sse_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/internal/sse"
	"github.com/notifyd/notifyd/internal/store/sqlite"
)

// failingSeqs is a store whose LastSeqs fails its first n calls, as a pool does that
// hands out connections the server has just terminated.
type failingSeqs struct {
	sse.Store
	fail atomic.Int32
}

func (f *failingSeqs) LastSeqs(ctx context.Context, users []string) (map[string]int64, error) {
	if f.fail.Add(-1) >= 0 {
		return nil, errors.New("FATAL: terminating connection due to administrator command (SQLSTATE 57P01)")
	}
	return f.Store.LastSeqs(ctx, users)
}

// A resync that fails is tried again until it succeeds: the stream that missed two
// notifications (lost fan-out messages) gets them although the first three attempts to
// read the sequences failed. Before, the failed resync was logged and never retried.
func TestResyncRetriedUntilItSucceeds(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "n.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	flaky := &failingSeqs{Store: st}
	h := sse.NewHub(flaky, sse.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	silent := ingest.New(st, ingest.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = h.Serve(w, r, r.URL.Query().Get("user"))
	}))
	t.Cleanup(func() { srv.Close(); h.Close(); silent.Close() })
	r := &rig{hub: h, silent: silent, url: srv.URL}

	c := dial(t, r.url, "u", "")
	waitConns(t, h, 1)
	r.postVia(t, silent, "u", "lost-1", 10)
	r.postVia(t, silent, "u", "lost-2", 10)
	flaky.fail.Store(3)
	h.Resync(context.Background())
	c.expect(t, 1, 2)
	if n := flaky.fail.Load(); n > -1 {
		t.Errorf("LastSeqs failures left %d, want all three used up", n+1)
	}
}

// A Resync (the fan-out's subscription is back) ends with the state event
// {"refresh":true} on every open stream, after the comparison with the store succeeded:
// state changes sent while the subscription was down are lost to the stream, and have no
// sequence to compare, so the client is told to list again. The periodic resync (a safety
// net, not a sign of an outage) sends none.
func TestResyncTellsStreamsToRefreshState(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "n.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	flaky := &failingSeqs{Store: st}
	h := sse.NewHub(flaky, sse.Options{Resync: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = h.Serve(w, r, r.URL.Query().Get("user"))
	}))
	t.Cleanup(func() { srv.Close(); h.Close() })

	frames := make(chan string, 16)
	for _, user := range []string{"a", "b"} {
		c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		fmt.Fprintf(c, "GET /?user=%s HTTP/1.1\r\nHost: x\r\n\r\n", user)
		go func() {
			sc := bufio.NewScanner(c)
			for sc.Scan() {
				if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
					frames <- user + " " + d
				}
			}
		}()
	}
	waitConns(t, h, 2)
	// Ten periodic resyncs pass with no frame at all.
	flaky.fail.Store(0)
	deadline := time.Now().Add(30 * time.Second)
	for flaky.fail.Load() > -10 {
		if time.Now().After(deadline) {
			t.Fatal("the periodic resync did not run ten times in 30s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case f := <-frames:
		t.Fatalf("a periodic resync wrote %q", f)
	default:
	}
	flaky.fail.Store(2) // the store fails twice first: the refresh waits for the comparison
	h.Resync(context.Background())
	got := map[string]bool{}
	for len(got) < 2 {
		select {
		case f := <-frames:
			if !strings.HasSuffix(f, ` {"refresh":true}`) {
				t.Fatalf("frame %q, want the refresh state event", f)
			}
			got[f] = true
		case <-time.After(30 * time.Second):
			t.Fatalf("refresh reached %v of both streams in 30s", got)
		}
	}
	if n := flaky.fail.Load(); n > -1 {
		t.Errorf("the refresh came before the failing comparisons were retried (%d left)", n+1)
	}
}
