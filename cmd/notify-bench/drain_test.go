package main

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/bench"
	"github.com/notifyd/notifyd/internal/testenv"
)

// The sqs-drain mode end to end with a handful of messages: goaws in this process, a
// notifyd built from this tree. It checks what was consumed, never how fast.
func TestSQSDrainSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds notifyd")
	}
	bin := testenv.GoBuild(t, "../notifyd")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	q, err := bench.StartSQS(ctx, 2, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer bench.StopSQS()

	const n = 30
	var stdout bytes.Buffer
	var stderr lockedBuffer // notifyd's output is copied in from another goroutine
	cfg := bench.Config{Events: n, Publishers: 2, Conns: 5, Timeout: 2 * time.Minute}
	err = sqsDrain(ctx, cfg, bin, "", "", nil, q, drainFlags{}, true, &stdout, &stderr)
	if err != nil {
		t.Fatalf("sqsDrain: %v\n%s", err, stderr.String())
	}
	var res bench.DrainResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("output: %v\n%s", err, stdout.String())
	}
	for _, side := range []bench.DrainSide{res.Raw, res.Notifyd} {
		if side.Error != "" || side.Consumed < n || side.Seconds <= 0 || side.PerSec <= 0 {
			t.Errorf("%s: consumed %d in %.2fs (%.0f/s), error %q; want all %d", side.Name, side.Consumed, side.Seconds, side.PerSec, side.Error, n)
		}
	}
	if got := res.Counters.Get("notifyd_sqs_accepted_total"); got != n {
		t.Errorf("notifyd accepted %v messages, want %d (each stored once)", got, n)
	}
	if res.Ratio <= 0 {
		t.Errorf("ratio %v", res.Ratio)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
