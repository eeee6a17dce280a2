package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/auth"
	"github.com/notifyd/notifyd/internal/delivery"
	"github.com/notifyd/notifyd/internal/httpapi"
	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/internal/sse"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/web"
)

// App is one running notifyd.
type App struct {
	cfg     Config
	log     *slog.Logger
	reg     *prometheus.Registry
	Store   store.Store
	Ingest  *ingest.Service
	Hub     *sse.Hub
	Worker  *delivery.Worker
	server  *http.Server
	ln      net.Listener
	closers []func() // run in order at shutdown, after HTTP and sources stopped
}

// New builds an App and opens its listener; Run serves.
func New(ctx context.Context, cfg Config) (a *App, err error) {
	cfg.defaults()
	a = &App{cfg: cfg, log: cfg.Logger, reg: prometheus.NewRegistry()}
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	defer func() {
		if err != nil {
			a.closeAll()
		}
	}()

	registry := notify.DefaultRegistry()
	if cfg.ConfigFile != "" {
		f, err := os.Open(cfg.ConfigFile)
		if err != nil {
			return nil, fmt.Errorf("NOTIFY_CONFIG: %w", err)
		}
		registry, err = notify.LoadRegistry(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("NOTIFY_CONFIG %s: %w", cfg.ConfigFile, err)
		}
	}

	authn, err := a.authenticator(ctx)
	if err != nil {
		return nil, err
	}

	if a.Store, err = openStore(ctx, cfg.DatabaseURL); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() { a.Store.Close() })

	a.Hub = sse.NewHub(a.Store, sse.Options{Heartbeat: cfg.Heartbeat, MaxPerUser: cfg.MaxStreams, Logger: a.log, Metrics: a.reg})
	a.closers = append([]func(){a.Hub.Close}, a.closers...)

	sender, provider, err := a.smsSender(ctx)
	if err != nil {
		return nil, err
	}
	a.Worker = delivery.New(a.Store, delivery.Options{Sender: sender, Provider: provider, Concurrency: cfg.SMSConcurrency, Poll: cfg.DeliveryPoll,
		BaseBackoff: cfg.DeliveryBackoff, Lease: cfg.DeliveryLease, RatePerSecond: cfg.SMSRate, CapPerRecipient: cfg.SMSCapPerRecipient,
		CapWindow: cfg.SMSCapWindow, Logger: a.log, Metrics: a.reg})

	a.Ingest = ingest.New(a.Store, ingest.Options{Registry: registry, Limits: cfg.Limits, Publisher: localPublisher{a.Hub},
		Delivered: a.Worker.Kick, Logger: a.log, Metrics: a.reg})

	api := httpapi.New(httpapi.Options{Store: a.Store, Ingest: a.Ingest, Hub: a.Hub, Auth: authn, IngestToken: auth.Token(cfg.IngestToken),
		MaxBody: cfg.MaxBody, Gatherer: a.reg, Logger: a.log,
		Ready: []httpapi.Checker{{Name: "store", Check: a.Store.Ping}},
		Mount: func(s *httpapi.Server) { web.Mount(s, web.Options{Auth: cfg.Auth}) },
	})
	a.server = &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	if a.ln, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		return nil, fmt.Errorf("listen %s: %w", cfg.HTTPAddr, err)
	}
	return a, nil
}

func (a *App) authenticator(ctx context.Context) (auth.Authenticator, error) {
	switch a.cfg.Auth {
	case "dev":
		a.log.Warn("NOTIFY_AUTH=dev: the user is whoever the X-User-Id header or ?user= says; never expose this to the internet")
		return auth.Dev{}, nil
	default:
		return nil, fmt.Errorf("NOTIFY_AUTH: %q is not dev or jwt", a.cfg.Auth)
	}
}

// Addr is the address the HTTP server listens on.
func (a *App) Addr() string { return a.ln.Addr().String() }

// Metrics returns the registry /metrics serves.
func (a *App) Metrics() *prometheus.Registry { return a.reg }

// Run serves until ctx ends, then shuts down in order: stop taking work (HTTP and
// sources finish what is in flight), commit what is queued, close the streams, let the
// delivery worker finish its sends, close the store.
func (a *App) Run(ctx context.Context) error {
	workerCtx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { _ = a.Worker.Run(workerCtx) })

	serveErr := make(chan error, 1)
	go func() { serveErr <- a.server.Serve(a.ln) }()
	a.log.Info("notifyd listening", "addr", a.Addr(), "store", redactURL(a.cfg.DatabaseURL), "sms", a.cfg.SMSProvider, "auth", a.cfg.Auth)

	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	}
	a.log.Info("notifyd shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownWait)
	defer cancel()
	if e := a.server.Shutdown(shutCtx); e != nil {
		a.log.Warn("http shutdown", "err", e)
	}
	a.Ingest.Close()
	stopWorker()
	wg.Wait()
	a.closeAll()
	a.log.Info("notifyd stopped")
	return err
}

func (a *App) closeAll() {
	if a.ln != nil {
		a.ln.Close()
	}
	for _, c := range a.closers {
		c()
	}
	a.closers = nil
}

// localPublisher hands committed notifications straight to this process's streams.
type localPublisher struct{ hub *sse.Hub }

func (p localPublisher) Publish(_ context.Context, ns []notify.Notification) { p.hub.Deliver(ns) }
