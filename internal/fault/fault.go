// Package fault is a test-only hook that lets the fault suite (internal/e2e) kill notifyd
// with SIGKILL at a named point of its pipeline, so crashes are real and land exactly
// where they hurt most: between receive and commit, between commit and ack, around an
// SMS send.
//
// Production code calls Hit at each point:
//
//	fault.Hit("sqs.after-commit")
//
// Nothing happens unless the environment variable NOTIFY_FAULT names the point when the
// process starts: NOTIFY_FAULT=sqs.after-commit kills the process at the first hit,
// NOTIFY_FAULT=sqs.after-commit@3 at the third. The variable is read once, at init; when
// it is unset (always, in production) Hit is one atomic load and a return.
//
// The points in use:
//
//	sqs.after-receive     ReceiveMessage returned messages, before they are accepted
//	sqs.after-commit      the batch is committed to the store, before DeleteMessageBatch
//	delivery.before-send  a delivery is claimed and about to be handed to the provider
//	delivery.after-send   the provider accepted a message, before the outcome is recorded
//	schedule.release      inside a release transaction, before its commit
//	schedule.digest-close inside a transaction closing digest windows, before its commit
//	schedule.after-release a release committed, before it is published
//	schedule.cancel       inside a cancel transaction, before its commit
package fault

import (
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
)

// Env is the environment variable that arms a fault point: NAME or NAME@N.
const Env = "NOTIFY_FAULT"

var (
	armed atomic.Bool      // a point is armed; false in production
	point string           // the armed point's name
	nth   int64        = 1 // kill on this hit of the point
	hits  atomic.Int64     // hits of the armed point so far
)

func init() { arm(os.Getenv(Env)) }

// arm parses NAME or NAME@N; an empty or malformed value arms nothing.
func arm(v string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return
	}
	name, count, found := strings.Cut(v, "@")
	n := int64(1)
	if found {
		var err error
		if n, err = strconv.ParseInt(count, 10, 64); err != nil || n < 1 {
			return
		}
	}
	point, nth = name, n
	hits.Store(0)
	armed.Store(true)
}

// kill ends the process; a variable so the package's own tests can watch it instead.
var kill = func() {
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // SIGKILL is not catchable: never return into the code under test
}

// Hit kills the process with SIGKILL when NOTIFY_FAULT names this point and this is the
// hit it asked for. It is a no-op otherwise.
func Hit(name string) {
	if !armed.Load() || name != point {
		return
	}
	if hits.Add(1) == nth {
		kill()
	}
}
