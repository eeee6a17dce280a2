package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// The raw loop can run in a child process (notify-bench --sqs-raw-child), so that it
// reaches goaws across processes as notifyd does, instead of from inside the process
// goaws runs in. The child connects, says "ready", waits for a line on stdin, drains,
// and prints a rawChildResult.

type rawChildResult struct {
	Deleted    int64   `json:"deleted"`
	CPUSeconds float64 `json:"cpuSeconds"`
	Error      string  `json:"error,omitempty"`
}

// RunRawChild is the child's side: pollers loops drain n messages from queueURL on the
// SQS-compatible server at endpoint (goaws unless told), speaking protocol.
func RunRawChild(ctx context.Context, endpoint, protocol, queueURL string, n, pollers int, in io.Reader, out io.Writer) error {
	if protocol == "" {
		protocol = ProtocolQuery
	}
	s := &SQS{rawPollers: max(pollers, 1), Protocol: protocol, client: sqsClient(localConfig(endpoint), protocol)}
	if _, err := s.messages(ctx, queueURL); err != nil { // and the connection is open
		return err
	}
	fmt.Fprintln(out, "ready")
	if _, err := bufio.NewReader(in).ReadString('\n'); err != nil {
		return fmt.Errorf("waiting for the start: %w", err)
	}
	cpu0 := selfCPU()
	deleted, _, err := s.rawLoop(ctx, queueURL, n, false)
	r := rawChildResult{Deleted: deleted, CPUSeconds: selfCPU() - cpu0}
	if err != nil {
		r.Error = err.Error()
	}
	return json.NewEncoder(out).Encode(r)
}

// rawChild starts the child and returns once it is ready; start begins its drain and
// wait collects its result.
type rawChild struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

func (s *SQS) startRawChild(ctx context.Context, bin string, n int) (*rawChild, error) {
	cmd := exec.CommandContext(ctx, bin, "--sqs-raw-child", "--sqs-raw-endpoint", s.Endpoint, "--sqs-raw-queue", s.RawURL, "--sqs-protocol", s.Protocol,
		"--events", strconv.Itoa(n), "--sqs-pollers", strconv.Itoa(s.rawPollers))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("raw loop process: %w", err)
	}
	c := &rawChild{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	line, err := c.out.ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("raw loop process did not start: %q %v", line, err)
	}
	return c, nil
}

func (c *rawChild) start() error {
	_, err := io.WriteString(c.stdin, "go\n")
	return err
}

func (c *rawChild) wait() (rawChildResult, error) {
	var r rawChildResult
	derr := json.NewDecoder(c.out).Decode(&r)
	werr := c.cmd.Wait()
	if err := errors.Join(derr, werr); err != nil {
		return r, fmt.Errorf("raw loop process: %w", err)
	}
	if r.Error != "" {
		return r, errors.New(r.Error)
	}
	return r, nil
}
