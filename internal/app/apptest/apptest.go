// Package apptest runs a real notifyd (internal/app) on a free loopback port for tests of
// any package: a fresh SQLite file unless the config names a database, logs discarded
// unless NOTIFY_TEST_LOG is set, and a short delivery poll.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/testenv/apicheck"
)

// Server is a running App.
type Server struct {
	*app.App
	URL  string // http://127.0.0.1:port
	DB   string // its database URL, to restart on the same data
	stop func()
}

// Start runs an App for cfg until the test ends (or Stop).
func Start(t testing.TB, cfg app.Config) *Server {
	t.Helper()
	if cfg.HTTPAddr == "" {
		cfg.HTTPAddr = "127.0.0.1:0"
	}
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = "sqlite:" + filepath.Join(t.TempDir(), "notify.db")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		if os.Getenv("NOTIFY_TEST_LOG") != "" {
			cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
	}
	if cfg.DeliveryPoll == 0 {
		cfg.DeliveryPoll = 50 * time.Millisecond
	}
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	var once sync.Once
	s := &Server{App: a, URL: "http://" + a.Addr(), DB: cfg.DatabaseURL}
	apicheck.Watch(t, s.URL) // checked against docs/openapi.yaml where the package installed apicheck
	s.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(s.stop)
	return s
}

// Stop shuts the server down gracefully and waits; later calls do nothing.
func (s *Server) Stop() { s.stop() }

// Eventually polls cond every 20 ms until it holds, failing the test after 60 s. The
// bound is no measure of speed: a passing test waits only as long as its condition takes
// (milliseconds, seconds under load), and a generous one keeps a test that holds from
// failing on a machine under load (10 s did, with 2 cores shared by 50+ runnable
// processes); only a test that fails waits it out.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
