package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/testenv/apicheck"
)

// proc is one notifyd subprocess of a test.
type proc struct {
	t    *testing.T
	name string
	env  []string // NAME=value pairs on top of the base environment
	cmd  *exec.Cmd
	URL  string // http://127.0.0.1:PORT once ready

	startedAt time.Time // just before the process was started

	mu   sync.Mutex
	logs []string // stderr lines (JSON logs)
	done chan struct{}
	err  error // Wait's result, once done is closed
}

// baseEnv is what every notifyd subprocess starts from: no NOTIFY_* or AWS_* from the
// test's own environment, a port of its own, JSON logs at debug level.
func baseEnv(t *testing.T) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "NOTIFY_") || strings.HasPrefix(kv, "AWS_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"NOTIFY_HTTP_ADDR=127.0.0.1:0",
		"NOTIFY_LOG_FORMAT=json",
		"NOTIFY_LOG_LEVEL=debug",
		"NOTIFY_DELIVERY_POLL=50ms",
		"NOTIFY_DELIVERY_BACKOFF=100ms",
		"NOTIFY_DELIVERY_LEASE=2s",
		"NOTIFY_SMS_CAP=-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
	)
}

// replicaLease is the delivery lease of tests where two replicas claim from one store and
// nothing is killed: the 2 s of baseEnv (quick recovery after a kill) lapses when a renewal
// waits over a second on a loaded machine's database, and the other replica then sends a
// second time (under the same provider key). The default lease keeps such tests to "once".
const replicaLease = "NOTIFY_DELIVERY_LEASE=15s"

// startNotifyd starts notifyd with env (NAME=value) and waits until /readyz answers 200.
// The process is SIGKILLed at the end of the test if it still runs; its logs are printed
// when the test failed.
func startNotifyd(t *testing.T, name string, env ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, env: env, done: make(chan struct{})}
	p.cmd = exec.Command(notifyd(t))
	p.cmd.Env = append(baseEnv(t), env...)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stdout = nil
	p.startedAt = time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("%s: start: %v", name, err)
	}
	lines := make(chan struct{})
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.logs = append(p.logs, sc.Text())
			p.mu.Unlock()
		}
	}()
	go func() {
		<-lines // Wait closes the pipe: read it all first
		err := p.cmd.Wait()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.Kill()
		if p.countLogs("WARNING: DATA RACE") > 0 {
			t.Errorf("%s: the race detector reported a data race (see its log)", name)
		}
		if t.Failed() {
			p.dumpLogs()
		}
	})
	p.waitReady()
	return p
}

// restart starts a new process like p (same env: same database, queues and provider)
// with extra env appended (later values win), after p has exited.
func (p *proc) restart(extra ...string) *proc {
	p.t.Helper()
	select {
	case <-p.done:
	default:
		p.t.Fatalf("%s: restart while still running", p.name)
	}
	env := append(append([]string(nil), p.env...), extra...)
	return startNotifyd(p.t, p.name+"'", env...)
}

// waitReady learns the listen address from the "notifyd listening" log line and waits
// for /readyz to answer 200.
func (p *proc) waitReady() {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for p.URL == "" {
		if addr := p.listenAddr(); addr != "" {
			p.URL = "http://" + addr
			break
		}
		p.pause(deadline, "its listen address")
	}
	apicheck.Watch(p.t, p.URL) // every exchange with it is checked against docs/openapi.yaml
	for {
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		p.pause(deadline, "/readyz")
	}
}

// pause waits a little for an external process, failing the test at deadline or when the
// process exited.
func (p *proc) pause(deadline time.Time, what string) {
	p.t.Helper()
	select {
	case <-p.done:
		p.t.Fatalf("%s exited while waiting for %s: %v", p.name, what, p.exitErr())
	case <-time.After(20 * time.Millisecond):
	}
	if time.Now().After(deadline) {
		p.t.Fatalf("%s: timed out waiting for %s", p.name, what)
	}
}

func (p *proc) listenAddr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.logs {
		if !strings.Contains(l, `"notifyd listening"`) {
			continue
		}
		var rec struct {
			Addr string `json:"addr"`
		}
		if json.Unmarshal([]byte(l), &rec) == nil && rec.Addr != "" {
			return rec.Addr
		}
	}
	return ""
}

// countLogs counts the log lines that contain s.
func (p *proc) countLogs(s string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, l := range p.logs {
		if strings.Contains(l, s) {
			n++
		}
	}
	return n
}

// waitLog waits until at least n log lines contain s.
func (p *proc) waitLog(s string, n int, timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for p.countLogs(s) < n {
		p.pause(deadline, "log line "+s)
	}
}

func (p *proc) exitErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Kill SIGKILLs the process, as a crash would, and waits for it to exit.
func (p *proc) Kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Term sends SIGTERM and waits for a clean exit (up to 30s, then SIGKILL and fail).
func (p *proc) Term() {
	p.t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if err := p.exitErr(); err != nil {
			p.t.Errorf("%s: exit after SIGTERM: %v", p.name, err)
		}
	case <-time.After(30 * time.Second):
		p.Kill()
		p.t.Errorf("%s: did not stop within 30s of SIGTERM", p.name)
	}
}

// waitKilled waits for the process to die by SIGKILL (a fault point firing).
func (p *proc) waitKilled(timeout time.Duration) {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.t.Fatalf("%s: still running %s later; the fault point did not fire", p.name, timeout)
	}
	var ee *exec.ExitError
	if err := p.exitErr(); !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		p.t.Fatalf("%s: exited with %v, want killed by SIGKILL", p.name, err)
	}
}

func (p *proc) dumpLogs() {
	p.mu.Lock()
	defer p.mu.Unlock()
	const tail = 200
	logs := p.logs
	if len(logs) > tail {
		p.t.Logf("--- %s: last %d of %d log lines ---", p.name, tail, len(logs))
		logs = logs[len(logs)-tail:]
	} else {
		p.t.Logf("--- %s: %d log lines ---", p.name, len(logs))
	}
	for _, l := range logs {
		p.t.Log(l)
	}
}

// testCtx is a context for calls to outside services, ended with the test.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
