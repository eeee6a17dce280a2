package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
)

// PostgresServer is a private PostgreSQL instance of one test (initdb into a temporary
// folder, its own port on 127.0.0.1, trust auth for user postgres), so the test may stop
// and restart it without disturbing the machine's shared server or anyone else's tests.
type PostgresServer struct {
	t    testing.TB
	bin  string // folder of initdb and pg_ctl
	dir  string // data folder, also the Unix socket's
	as   []string
	Port int
	URL  string // postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable

	mu      sync.Mutex
	running bool
}

// StartPostgres initialises and starts a private server, stopped when the test ends.
// Without the PostgreSQL server binaries (/usr/lib/postgresql/*/bin) the test fails
// under CI and skips elsewhere. As root, the server runs as the postgres user (runuser).
func StartPostgres(t testing.TB) *PostgresServer {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		Require(t, "PostgreSQL server binaries", fmt.Errorf("no /usr/lib/postgresql/*/bin/pg_ctl"))
	}
	slices.SortFunc(bins, func(a, b string) int { return pgMajor(b) - pgMajor(a) }) // newest first
	s := &PostgresServer{t: t, bin: filepath.Dir(bins[0]), dir: t.TempDir()}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: hand the folder to the postgres user, who
		// must be able to reach it through the test's private temporary folder.
		u, err := user.Lookup("postgres")
		if err != nil {
			Require(t, "a postgres user to run a private PostgreSQL as", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(s.dir, uid, gid); err != nil {
			t.Fatalf("postgres: %v", err)
		}
		if err := os.Chmod(filepath.Dir(s.dir), 0o711); err != nil {
			t.Fatalf("postgres: %v", err)
		}
		s.as = []string{"runuser", "-u", "postgres", "--"}
	}
	if out, err := s.run("initdb", "-D", s.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		t.Fatalf("postgres: initdb: %v\n%s", err, out)
	}
	var last error
	for range 5 { // the free port may be taken between probe and start: try another
		port, err := freePort()
		if err != nil {
			t.Fatalf("postgres: %v", err)
		}
		s.Port = port
		s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
		if last = s.Start(); last == nil {
			t.Cleanup(func() { s.Stop("fast") })
			return s
		}
	}
	t.Fatalf("postgres: %v", last)
	return nil
}

func pgMajor(pgCtl string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(pgCtl))))
	return n
}

func (s *PostgresServer) run(tool string, args ...string) ([]byte, error) {
	argv := append(append(append([]string(nil), s.as...), filepath.Join(s.bin, tool)), args...)
	return exec.Command(argv[0], argv[1:]...).CombinedOutput()
}

// Start starts the server on its port (again, after Stop) and waits until it accepts
// connections.
func (s *PostgresServer) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return fmt.Errorf("postgres already running")
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=200", s.Port, s.dir)
	if out, err := s.run("pg_ctl", "-D", s.dir, "-o", opts, "-l", filepath.Join(s.dir, "server.log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		return fmt.Errorf("pg_ctl start on port %d: %v\n%s\n%s", s.Port, err, out, log)
	}
	s.running = true
	return nil
}

// Stop stops the server: mode "immediate" kills it as a crash would (the next Start
// recovers from the WAL), "fast" shuts it down cleanly, ending every session.
func (s *PostgresServer) Stop(mode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		return
	}
	if out, err := s.run("pg_ctl", "-D", s.dir, "-m", mode, "-w", "stop"); err != nil {
		s.t.Errorf("postgres: pg_ctl stop: %v\n%s", err, out)
	}
	s.running = false
}

// Restart stops the server (mode as Stop) and starts it again on the same port, with
// its data.
func (s *PostgresServer) Restart(mode string) {
	s.t.Helper()
	s.Stop(mode)
	if err := s.Start(); err != nil {
		s.t.Fatalf("postgres restart: %v", err)
	}
}
