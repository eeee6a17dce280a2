package bench

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/notifyd/notifyd/internal/testenv"
)

func TestParseStatCPU(t *testing.T) {
	// The command name may hold spaces and parentheses; fields count from the last ')'.
	stat := []byte("1234 (my (odd) name) S 1 1234 1234 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 8 0 100 0 0")
	got, err := parseStatCPU(stat)
	if err != nil {
		t.Fatal(err)
	}
	if got != 3.0 { // (250 + 50) ticks at 100 Hz
		t.Fatalf("cpu %v, want 3", got)
	}
	if _, err := parseStatCPU([]byte("1234 (x) S 1")); err == nil {
		t.Fatal("short stat accepted")
	}
}

func TestParseStatusRSS(t *testing.T) {
	got, err := parseStatusRSS([]byte("Name:\tx\nVmPeak:\t 9 kB\nVmRSS:\t    2048 kB\n"))
	if err != nil || got != 2048*1024 {
		t.Fatalf("rss %v %v", got, err)
	}
	if _, err := parseStatusRSS([]byte("Name:\tx\n")); err == nil {
		t.Fatal("missing VmRSS accepted")
	}
}

func TestReadProcSelf(t *testing.T) {
	_, err := os.Stat("/proc/self/stat")
	testenv.Require(t, "/proc", err)
	s, err := ReadProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.RSSBytes <= 0 {
		t.Fatalf("RSS %v", s.RSSBytes)
	}
}

func TestFsyncMedianLeavesNothingBehind(t *testing.T) {
	dir := t.TempDir()
	d, err := FsyncMedian(dir, 5)
	if err != nil {
		t.Fatal(err)
	}
	if d <= 0 {
		t.Fatalf("median %v", d)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("left %d files", len(left))
	}
}

func TestWriteSideBySide(t *testing.T) {
	r := &Result{Config: Config{Conns: 10, Events: 5, Publishers: 2}, Received: 5, Expected: 5, PushedPerSec: 1234}
	r.Latency.P50, r.Latency.P99 = 0.5, 2.25
	r.Proc.CPUPerEventMicros = 321
	var b bytes.Buffer
	if err := WriteSideBySide(&b, []Pass{{Name: "notifyd", Result: r}, {Name: "peer", Err: os.ErrNotExist}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"notifyd", "peer", "1234", "0.50", "2.25", "321", "5/5", "peer: file does not exist"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
