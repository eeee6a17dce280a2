package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// loadProc is a load process the coordinator started: notify-bench itself in the
// scale-load role, spoken to in JSON lines over its stdin and stdout.
type loadProc struct {
	name string
	cmd  *exec.Cmd
	in   io.WriteCloser
	dec  *json.Decoder
	exit chan error
}

// startLoad starts bin (the notify-bench executable) as the load process of users
// from…to-1. It answers once the process has started; ready reads its first line.
func startLoad(bin string, k int, cfg LoadConfig, limit time.Duration, stderr io.Writer) (*loadProc, error) {
	args := []string{"scale-load",
		"--addrs=" + strings.Join(cfg.Addrs, ","),
		"--from=" + strconv.Itoa(cfg.From), "--to=" + strconv.Itoa(cfg.To),
		"--source-ips=" + strconv.Itoa(cfg.SourceIPs),
		"--dial-workers=" + strconv.Itoa(cfg.DialWorkers),
		"--run=" + cfg.Run,
		"--limit=" + limit.String(),
	}
	name := "load" + strconv.Itoa(k)
	cmd := exec.Command(bin, args...)
	cmd.Stderr = &prefixed{w: stderr, prefix: []byte(name + ": ")}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &loadProc{name: name, cmd: cmd, in: in, dec: json.NewDecoder(out), exit: make(chan error, 1)}
	go func() { p.exit <- cmd.Wait() }()
	return p, nil
}

// ready waits for the process's first line: its streams are open (or failed to).
func (p *loadProc) ready(ctx context.Context) (LoadReady, error) {
	var r LoadReady
	if err := p.recv(ctx, &r); err != nil {
		return r, err
	}
	if r.Error != "" {
		return r, fmt.Errorf("%s: %s", p.name, r.Error)
	}
	return r, nil
}

// ask sends one command and decodes the answer into v.
func (p *loadProc) ask(ctx context.Context, op string, v any) error {
	if _, err := fmt.Fprintf(p.in, "{\"op\":%q}\n", op); err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	return p.recv(ctx, v)
}

// recv decodes the next line, giving up when ctx ends (the process is then stopped by
// the caller's stop, which unblocks the decoder).
func (p *loadProc) recv(ctx context.Context, v any) error {
	done := make(chan error, 1)
	go func() { done <- p.dec.Decode(v) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		return nil
	case <-ctx.Done():
		p.stop()
		<-done
		return ctx.Err()
	}
}

// stop closes its stdin (it closes its streams and exits), then signals it if it lingers.
func (p *loadProc) stop() {
	p.in.Close()
	select {
	case err := <-p.exit:
		p.exit <- err
		return
	case <-time.After(10 * time.Second):
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.exit:
		p.exit <- err
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		p.exit <- <-p.exit
	}
}

// pid is the load process's id.
func (p *loadProc) pid() int { return p.cmd.Process.Pid }

// selfExe is the running notify-bench, re-executed for the load processes.
func selfExe() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("the load processes re-run notify-bench: %w", err)
	}
	return exe, nil
}
