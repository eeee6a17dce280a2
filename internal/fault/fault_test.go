//go:build faultinject

package fault

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
)

func TestArmAndHit(t *testing.T) {
	defer func(k func()) { kill = k; armed.Store(false) }(kill)
	var killed int
	kill = func() { killed++ }

	cases := []struct {
		env   string
		hits  []string
		wants int
	}{
		{"", []string{"a", "a"}, 0},
		{"a", []string{"b", "a", "a"}, 1},
		{"a@3", []string{"a", "a", "b", "a", "a"}, 1},
		{"a@2", []string{"a"}, 0},
		{"a@0", []string{"a", "a"}, 0},
		{"a@x", []string{"a"}, 0},
	}
	for _, c := range cases {
		armed.Store(false)
		killed = 0
		arm(c.env)
		for _, h := range c.hits {
			Hit(h)
		}
		if killed != c.wants {
			t.Errorf("NOTIFY_FAULT=%q hits %v: killed %d times, want %d", c.env, c.hits, killed, c.wants)
		}
	}
}

// The real thing: a child process armed through the environment dies by SIGKILL.
func TestHitKillsProcess(t *testing.T) {
	if os.Getenv("FAULT_CHILD") == "1" {
		Hit("child.point")
		Hit("child.point")
		os.Exit(0) // not reached
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHitKillsProcess$")
	cmd.Env = append(os.Environ(), "FAULT_CHILD=1", Env+"=child.point@2")
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok {
		t.Fatalf("child: %v, want killed", err)
	}
	ws := ee.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want SIGKILL", ws)
	}
}

func BenchmarkHitUnarmed(b *testing.B) {
	armed.Store(false)
	for b.Loop() {
		Hit("sqs.after-commit")
	}
}
