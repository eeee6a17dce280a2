package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/notifyd/notifyd/internal/bench"
)

// drainFlags are --source sqs-drain's own settings.
type drainFlags struct {
	profile        string // file for notifyd's CPU profile during its drain
	profileSeconds int
	trace          string // file for notifyd's execution trace during its drain
	rawProcess     bool   // the raw loop in a child process of this binary
}

// sqsDrain starts goaws and notifyd on queue 1, then measures the raw loop draining
// cfg.Events preloaded messages from queue 2 and notifyd draining as many from queue 1.
func sqsDrain(ctx context.Context, cfg bench.Config, spawn, dbURL, sqliteSync string, serverArgs []string, q *bench.SQS, df drainFlags, asJSON bool, stdout, stderr io.Writer) error {
	dc := bench.DrainConfig{Messages: cfg.Events, Senders: cfg.Publishers, Conns: cfg.Conns, Timeout: cfg.Timeout,
		ProfileSeconds: df.profileSeconds, ProfileOut: df.profile, TraceOut: df.trace}
	if df.rawProcess {
		bin, err := os.Executable()
		if err != nil {
			return err
		}
		dc.RawProcess = bin
	}
	if df.profile != "" || df.trace != "" {
		addr, err := freeLoopback()
		if err != nil {
			return err
		}
		dc.Profile = addr
		serverArgs = append(serverArgs, "--pprof-addr="+addr)
	}
	srv, err := bench.Spawn(ctx, spawn, dbURL, sqliteSync, serverArgs, q.Env(), stderr)
	if err != nil {
		return err
	}
	defer srv.Stop()
	dc.Addr, dc.PID = srv.Addr, srv.PID()
	fmt.Fprintf(stderr, "notify-bench: notifyd pid %d on %s\n", srv.PID(), srv.Addr)
	res, err := q.Drain(ctx, dc)
	if err != nil {
		return err
	}
	if asJSON {
		return bench.WriteJSON(stdout, res)
	}
	return bench.WriteDrain(stdout, res)
}

func freeLoopback() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
