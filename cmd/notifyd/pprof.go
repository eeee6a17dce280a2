package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/notifyd/notifyd/internal/cli"
)

// pprofFlag registers --pprof-addr (env NOTIFY_PPROF_ADDR, off by default) and returns
// the function that starts the profiling server once flags are parsed. That function
// returns the server's stop. Wiring in run():
//
//	startPprof := pprofFlag(&e)         // with the other flags
//	defer startPprof(cfg.Logger)()      // after the logger is set up
func pprofFlag(e *cli.Env) func(log *slog.Logger) (stop func()) {
	var addr string
	e.String(&addr, "pprof-addr", "NOTIFY_PPROF_ADDR", "", "serve net/http/pprof on this address (e.g. 127.0.0.1:6060); empty = off")
	return func(log *slog.Logger) func() { return servePprof(addr, log) }
}

// servePprof serves the runtime profiles on their own listener, never on the API's, so
// they are reachable only where the operator chose. An empty addr serves nothing.
func servePprof(addr string, log *slog.Logger) (stop func()) {
	if addr == "" {
		return func() {}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Error("pprof: cannot listen; profiling is off", "addr", addr, "err", err)
		return func() {}
	}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !net.ParseIP(host).IsLoopback() {
		log.Warn("pprof listens on a non-loopback address: profiles expose memory contents", "addr", ln.Addr().String())
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("pprof server stopped", "err", err)
		}
	}()
	log.Info("pprof listening", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
}
