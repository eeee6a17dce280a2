// Command notifyctl is the operator's CLI for notifyd over its HTTP API: publish events,
// tail a user's stream, list notifications, show an event's delivery status, list and
// replay rejected messages. Run notifyctl help for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/notifyd/notifyd/internal/ctl"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := ctl.Main(ctx, os.Args[1:], ctl.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, StderrTTY: isTerminal(os.Stderr)})
	stop()
	os.Exit(code)
}

// isTerminal reports whether f is a character device (a terminal), without a
// dependency for it.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
