package testenv

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// RedisServer is a private redis-server process of one test, on a port of its own, so the
// test may stop and restart it without disturbing anyone else.
type RedisServer struct {
	t    testing.TB
	bin  string
	Port int
	URL  string // redis://127.0.0.1:PORT/0

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// StartRedis starts a private redis-server (no persistence, bound to 127.0.0.1) and stops
// it when the test ends. Without the redis-server binary the test fails under CI and
// skips elsewhere.
func StartRedis(t testing.TB) *RedisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	Require(t, "redis-server", err)
	var last error
	for range 5 { // the free port may be taken between probe and start: try another
		port, err := freePort()
		if err != nil {
			t.Fatalf("redis: %v", err)
		}
		r := &RedisServer{t: t, bin: bin, Port: port, URL: fmt.Sprintf("redis://127.0.0.1:%d/0", port)}
		if last = r.Start(); last == nil {
			t.Cleanup(r.Stop)
			return r
		}
	}
	t.Fatalf("redis: %v", last)
	return nil
}

// RedisURL returns NOTIFY_TEST_REDIS_URL when set, else the URL of a private server
// started for this test.
func RedisURL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("NOTIFY_TEST_REDIS_URL"); u != "" {
		return u
	}
	return StartRedis(t).URL
}

// Start starts the server on its port (again, after Stop) and waits until it answers.
func (r *RedisServer) Start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		return errors.New("redis-server already running")
	}
	var out bytes.Buffer
	cmd := exec.Command(r.bin, "--save", "", "--appendonly", "no", "--bind", "127.0.0.1",
		"--port", strconv.Itoa(r.Port), "--protected-mode", "no")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if pingRedis(r.Port) == nil {
			r.cmd, r.done = cmd, done
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("redis-server on port %d exited: %s", r.Port, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			return fmt.Errorf("redis-server on port %d did not answer within 10s: %s", r.Port, out.String())
		}
	}
}

// Stop kills the server (SIGKILL, as a crash would) and waits for it to exit.
func (r *RedisServer) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	<-r.done
	r.cmd, r.done = nil, nil
}

// Restart stops the server and starts it again on the same port, empty.
func (r *RedisServer) Restart() {
	r.t.Helper()
	r.Stop()
	if err := r.Start(); err != nil {
		r.t.Fatalf("redis restart: %v", err)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// pingRedis speaks just enough RESP to ask "PING".
func pingRedis(port int) error {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("redis answered %q", line)
	}
	return nil
}
