package ctl_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
	"github.com/notifyd/notifyd/internal/ctl"
	"github.com/notifyd/notifyd/internal/testenv"
)

// startApp runs the real notifyd on a free port with a fresh SQLite file until the test
// ends.
func startApp(t *testing.T, cfg app.Config) (*app.App, string) {
	t.Helper()
	if cfg.DeliveryPoll == 0 {
		cfg.DeliveryPoll = 20 * time.Millisecond
	}
	s := apptest.Start(t, cfg)
	return s.App, s.URL
}

// result is what one notifyctl run did.
type result struct {
	code           int
	stdout, stderr string
}

// ctlRun runs notifyctl against server with args.
type ctlRun struct {
	t      *testing.T
	server string
	cache  string
	stdin  string
	tty    bool
}

func newCtl(t *testing.T, server string) *ctlRun {
	return &ctlRun{t: t, server: server, cache: t.TempDir()}
}

func (c *ctlRun) run(args ...string) result {
	c.t.Helper()
	var out, errb testenv.SyncBuffer
	code := ctl.Main(context.Background(), append([]string{"--server", c.server}, args...),
		ctl.IO{Stdin: strings.NewReader(c.stdin), Stdout: &out, Stderr: &errb, StderrTTY: c.tty, CacheDir: c.cache})
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// ok runs and fails the test unless the command succeeded.
func (c *ctlRun) ok(args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("notifyctl %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// fails runs and fails the test unless the command exited with code.
func (c *ctlRun) fails(code int, args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code != code {
		c.t.Fatalf("notifyctl %s: got exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	return r
}

func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: got\n%s\nwant it to contain %q", what, got, w)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
