package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// Server is a notifyd the bench started.
type Server struct {
	Addr string
	cmd  *exec.Cmd
	dir  string
	exit chan error
}

// Spawn starts the notifyd binary at path on a free loopback port. With databaseURL ""
// it uses a fresh SQLite file in a temporary folder, with ?sync=sqliteSync when that is
// set. args are passed on (e.g.
// --heartbeat=1s), env is added to the bench's environment (e.g. the SQS settings). It
// inherits the bench's open-file limit and raises nothing.
func Spawn(ctx context.Context, path, databaseURL, sqliteSync string, args, env []string, stderr io.Writer) (*Server, error) {
	dir, err := os.MkdirTemp("", "notify-bench-")
	if err != nil {
		return nil, err
	}
	if databaseURL == "" {
		databaseURL = "sqlite:" + filepath.Join(dir, "bench.db")
		if sqliteSync != "" {
			databaseURL += "?sync=" + sqliteSync
		}
	}
	addr, err := freeAddr()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	all := append([]string{"--http-addr=" + addr, "--database-url=" + databaseURL, "--log-level=warn"}, args...)
	cmd := exec.Command(path, all...)
	out := &prefixed{w: stderr, prefix: []byte("notifyd: ")}
	cmd.Stdout, cmd.Stderr, cmd.Dir = out, out, dir
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("spawn %s: %w", path, err)
	}
	s := &Server{Addr: addr, cmd: cmd, dir: dir, exit: make(chan error, 1)}
	go func() { s.exit <- cmd.Wait() }()
	if err := s.waitHealthy(ctx, 30*time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) waitHealthy(ctx context.Context, limit time.Duration) error {
	hc := &http.Client{Timeout: time.Second}
	defer hc.CloseIdleConnections()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.exit:
			s.exit <- err
			return fmt.Errorf("notifyd exited at start: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if resp, err := hc.Get("http://" + s.Addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return errors.New("notifyd did not become healthy in time")
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Stop sends SIGTERM, waits up to 30s, then kills; and removes the temporary folder.
func (s *Server) Stop() {
	defer os.RemoveAll(s.dir)
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exit:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exit
	}
}

// prefixed marks each line the server writes, so its logs (the AWS SDK's included) are
// not mistaken for the bench's. exec copies the output from one goroutine.
type prefixed struct {
	w      io.Writer
	prefix []byte
	mid    bool // inside a line
}

func (p *prefixed) Write(b []byte) (int, error) {
	var out []byte
	for _, c := range b {
		if !p.mid {
			out = append(out, p.prefix...)
		}
		out = append(out, c)
		p.mid = c != '\n'
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
