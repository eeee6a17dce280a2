package sse_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

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
