package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/notifyd/notifyd/internal/bench"
	"github.com/notifyd/notifyd/internal/testenv"
)

// A scale run in small: two replicas over MariaDB and Redis, 200 streams held by two load
// processes (notify-bench re-run as scale-load), one broadcast and a short steady phase.
// Every notification must arrive exactly once; nothing about time is asserted.
func TestScaleSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds notifyd and notify-bench and starts five processes")
	}
	dbURL := testenv.MySQLURL(t)
	redisURL := testenv.RedisURL(t)
	notifyd, nb := testenv.GoBuild(t, "../notifyd"), testenv.GoBuild(t, ".")
	cmd := exec.Command(nb, "scale", "--spawn", notifyd, "--replicas=2", "--streams=200", "--per-load=120",
		"--database-url", dbURL, "--redis-url", redisURL, "--max-recipients=150",
		"--rate=100", "--duration=2s", "--timeout=30s", "--limit=3m", "--json")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("notify-bench scale: %v\n%s", err, stderr.Bytes())
	}
	var res bench.ScaleResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("output: %v\n%s", err, stdout.Bytes())
	}
	if len(res.Replicas) != 2 || len(res.Loads) != 2 {
		t.Errorf("got %d replicas and %d load processes, want 2 and 2", len(res.Replicas), len(res.Loads))
	}
	streams := 0
	for i, r := range res.Replicas {
		streams += r.Streams
		if r.Streams != 100 {
			t.Errorf("replica %d held %d streams, want 100", i, r.Streams)
		}
	}
	b := res.Broadcast
	if b.Events != 2 || b.RecipientsPerEvent != 150 {
		t.Errorf("broadcast: %d events of %d recipients, want 2 of 150 (NOTIFY_MAX_RECIPIENTS=150)", b.Events, b.RecipientsPerEvent)
	}
	if b.Streams != 200 || b.Missing != 0 || b.Duplicates != 0 {
		t.Errorf("broadcast: %d streams had it, %d missing, %d duplicates; want 200, 0, 0", b.Streams, b.Missing, b.Duplicates)
	}
	s := res.Steady
	if s.Events != 200 || s.Accepted != 200 || s.Received != 200 {
		t.Errorf("steady: %d events, %d accepted, %d received; want 200 each (first error %q)", s.Events, s.Accepted, s.Received, s.ErrorSample)
	}
	if s.Missing+s.Duplicates+s.Strays != 0 || res.SeqGaps+res.SeqDups+res.StreamErrors != 0 {
		t.Errorf("steady: missing %d, duplicates %d, strays %d; ids: gaps %d, repeated %d; streams ended %d; want all 0",
			s.Missing, s.Duplicates, s.Strays, res.SeqGaps, res.SeqDups, res.StreamErrors)
	}
	if res.RSSPerStream <= 0 {
		t.Errorf("RSS per stream %v: the replicas' memory was not read", res.RSSPerStream)
	}
}
