package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Process is a server the bench started: notifyd (Spawn) or a peer (SpawnCentrifugo).
type Process struct {
	Name string
	Addr string
	// Dir is the process's temporary working folder (its SQLite file, its config), on
	// the disk the fsync probe measures.
	Dir  string
	cmd  *exec.Cmd
	exit chan error
}

// Server is a notifyd the bench started.
type Server = Process

// Spawn starts the notifyd binary at path on a free loopback port. With databaseURL ""
// it uses a fresh SQLite file in a temporary folder, with ?sync=sqliteSync when that is
// set. args are passed on (e.g.
// --heartbeat=1s), env is added to the bench's environment (e.g. the SQS settings). It
// inherits the bench's open-file limit and raises nothing.
func Spawn(ctx context.Context, path, databaseURL, sqliteSync string, args, env []string, stderr io.Writer) (*Server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	return startProcess(ctx, "notifyd", path, func(dir string) ([]string, error) {
		db := databaseURL
		if db == "" {
			db = "sqlite:" + filepath.Join(dir, "bench.db")
			if sqliteSync != "" {
				db += "?sync=" + sqliteSync
			}
		}
		return append([]string{"--http-addr=" + addr, "--database-url=" + db, "--log-level=warn"}, args...), nil
	}, env, addr, "/healthz", stderr)
}

// startProcess makes a temporary folder, asks args for the command line (it may write
// files there), starts bin in it and waits until http://addr+health answers 200.
func startProcess(ctx context.Context, name, bin string, args func(dir string) ([]string, error), env []string, addr, health string, stderr io.Writer) (*Process, error) {
	dir, err := os.MkdirTemp("", "notify-bench-")
	if err != nil {
		return nil, err
	}
	all, err := args(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if strings.ContainsRune(bin, filepath.Separator) { // it runs in dir: a relative path would not resolve
		if bin, err = filepath.Abs(bin); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	cmd := exec.Command(bin, all...)
	out := &prefixed{w: stderr, prefix: []byte(name + ": ")}
	cmd.Stdout, cmd.Stderr, cmd.Dir = out, out, dir
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("spawn %s: %w", bin, err)
	}
	p := &Process{Name: name, Addr: addr, Dir: dir, cmd: cmd, exit: make(chan error, 1)}
	go func() { p.exit <- cmd.Wait() }()
	if err := healthy(ctx, name, "http://"+addr+health, p.exit, 60*time.Second); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

// PID is the server's process id.
func (s *Process) PID() int { return s.cmd.Process.Pid }

// Stop sends SIGTERM, waits up to 30s, then kills; and removes the temporary folder.
func (s *Process) Stop() {
	defer os.RemoveAll(s.Dir)
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.exit:
		s.exit <- err
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		s.exit <- <-s.exit
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
