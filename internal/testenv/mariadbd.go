package testenv

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
)

// MariaDBServer is a private mariadbd process of one test: its own data directory (in
// t.TempDir()), port, socket and pid file, so the test may kill it and start it again
// without touching the machine's shared server.
type MariaDBServer struct {
	t       testing.TB
	bin     string
	datadir string
	rundir  string // socket and pid file (a short path: socket paths are limited to ~107 bytes)
	osUser  string
	Port    int
	URL     string // mysql://root@127.0.0.1:PORT/notifyd

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	out  *bytes.Buffer
}

// StartMariaDB initializes a data directory with mariadb-install-db, starts mariadbd on a
// free port, creates the database "notifyd" and stops the server when the test ends.
// Without mariadbd or mariadb-install-db the test fails under CI and skips elsewhere.
func StartMariaDB(t testing.TB) *MariaDBServer {
	t.Helper()
	bin, err := lookPath("mariadbd", "/usr/sbin/mariadbd")
	Require(t, "mariadbd", err)
	install, err := lookPath("mariadb-install-db", "/usr/bin/mariadb-install-db")
	Require(t, "mariadb-install-db", err)
	u, err := user.Current()
	if err != nil {
		t.Fatalf("mariadbd: %v", err)
	}
	rundir, err := os.MkdirTemp("", "mdb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rundir) })
	m := &MariaDBServer{t: t, bin: bin, datadir: filepath.Join(t.TempDir(), "data"), rundir: rundir, osUser: u.Username}
	// --user is needed when running as root (mariadbd refuses root otherwise) and
	// harmless as anyone else; the root account of the new server has no password.
	out, err := exec.Command(install, "--no-defaults", "--datadir="+m.datadir, "--user="+m.osUser,
		"--auth-root-authentication-method=normal", "--skip-test-db").CombinedOutput()
	if err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	var last error
	for range 5 { // the free port may be taken between probe and start: try another
		if m.Port, err = freePort(); err != nil {
			t.Fatalf("mariadbd: %v", err)
		}
		if last = m.Start(); last == nil {
			break
		}
	}
	if last != nil {
		t.Fatalf("mariadbd: %v", last)
	}
	t.Cleanup(m.Kill)
	db, err := m.admin()
	if err != nil {
		t.Fatalf("mariadbd: %v", err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE notifyd CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("mariadbd: create database: %v", err)
	}
	m.URL = fmt.Sprintf("mysql://root@127.0.0.1:%d/notifyd", m.Port)
	return m
}

func lookPath(name, fallback string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	if _, err := os.Stat(fallback); err == nil {
		return fallback, nil
	}
	return "", fmt.Errorf("%s not on PATH nor at %s", name, fallback)
}

// Start starts mariadbd on its port (again, after Kill: crash recovery runs then) and waits
// until it answers.
func (m *MariaDBServer) Start() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd != nil {
		return errors.New("mariadbd already running")
	}
	out := &bytes.Buffer{}
	cmd := exec.Command(m.bin, "--no-defaults", "--datadir="+m.datadir, "--user="+m.osUser,
		"--port="+strconv.Itoa(m.Port), "--bind-address=127.0.0.1", "--skip-name-resolve",
		"--socket="+filepath.Join(m.rundir, "sock"), "--pid-file="+filepath.Join(m.rundir, "pid"),
		"--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M", "--skip-log-bin", "--max-connections=500")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start mariadbd: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if db, err := m.admin(); err == nil {
			db.Close()
			m.cmd, m.done, m.out = cmd, done, out
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("mariadbd on port %d exited: %s", m.Port, out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			return fmt.Errorf("mariadbd on port %d did not answer within 60s: %s", m.Port, out.String())
		}
	}
}

// Kill stops the server with SIGKILL, as a crash would, and waits for it to exit.
func (m *MariaDBServer) Kill() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd == nil {
		return
	}
	_ = m.cmd.Process.Kill()
	<-m.done
	m.cmd, m.done = nil, nil
}

// Restart starts the server again after Kill, on the same port and data directory.
func (m *MariaDBServer) Restart() {
	m.t.Helper()
	if err := m.Start(); err != nil {
		m.t.Fatalf("mariadbd restart: %v", err)
	}
}

// admin connects as root without a database (at most 3 s).
func (m *MariaDBServer) admin() (*sql.DB, error) {
	cfg := gomysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr = "root", "tcp", fmt.Sprintf("127.0.0.1:%d", m.Port)
	cfg.Timeout = 2 * time.Second
	return openAdmin(cfg)
}
