//go:build faultinject

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
