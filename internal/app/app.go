package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/auth"
	"github.com/notifyd/notifyd/internal/channel/mobile"
	"github.com/notifyd/notifyd/internal/channel/nhn"
	"github.com/notifyd/notifyd/internal/channel/solapi"
	"github.com/notifyd/notifyd/internal/channel/webpush"
	"github.com/notifyd/notifyd/internal/delivery"
	"github.com/notifyd/notifyd/internal/httpapi"
	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/internal/prefs"
	"github.com/notifyd/notifyd/internal/preview"
	"github.com/notifyd/notifyd/internal/retention"
	"github.com/notifyd/notifyd/internal/schedule"
	sqssource "github.com/notifyd/notifyd/internal/source/sqs"
	"github.com/notifyd/notifyd/internal/sse"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/topic"
	"github.com/notifyd/notifyd/internal/web"
	"github.com/notifyd/notifyd/internal/webhook"
)

// App is one running notifyd.
type App struct {
	cfg     Config
	log     *slog.Logger
	reg     *prometheus.Registry
	Store   store.Store
	Ingest  *ingest.Service
	Hub     *sse.Hub
	Workers map[notify.Channel]*delivery.Worker // one per configured queued channel
	// Webhooks dispatches the outbound webhook outbox (nil without NOTIFY_CONFIG webhooks).
	Webhooks *webhook.Dispatcher
	registry *notify.Registry
	solapi   *solapi.Client // shared by the kakao and sms channels when configured
	nhn      *nhn.Client
	mobile   *mobile.Sender    // nil: neither FCM nor APNs configured
	sqs      *sqssource.Source // nil without NOTIFY_SQS_QUEUES
	sms      *providerHealth   // the SMS provider's readiness; nil without the sms channel
	server   *http.Server
	// cancelRequests ends the context of every HTTP request (the server's BaseContext).
	cancelRequests context.CancelFunc
	ln             net.Listener
	closers        []func() // run in order at shutdown, after HTTP and sources stopped
	// Releaser makes scheduled and digest notifications visible when due.
	Releaser *schedule.Releaser
	// Purger deletes what is older than its retention, on one replica at a time.
	Purger *retention.Purger
	// Topics works the fan-out of topic events, page by page.
	Topics *topic.Worker
}

// New builds an App and opens its listener; Run serves.
func New(ctx context.Context, cfg Config) (_ *App, err error) {
	cfg.defaults()
	if err := checkConfig(cfg); err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: cfg.Logger, reg: prometheus.NewRegistry()}
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	defer func() {
		if err != nil {
			a.closeAll() // whatever was opened before the failure
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

	if err := checkAdFooter(registry, cfg.AdFooter); err != nil {
		return nil, err
	}

	recipients, err := recipientDefaults(cfg)
	if err != nil {
		return nil, err
	}

	authn, err := a.authenticator(ctx)
	if err != nil {
		return nil, err
	}

	if a.Store, err = openStore(ctx, cfg.DatabaseURL); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() { a.Store.Close() })
	ready := []httpapi.Checker{{Name: "store", Check: a.Store.Ping}}

	kind, err := fanoutKind(cfg)
	if err != nil {
		return nil, err
	}
	hubOpts := sse.Options{Heartbeat: cfg.Heartbeat, MaxPerUser: cfg.MaxStreams, Logger: a.log, Metrics: a.reg}
	if kind != "local" {
		hubOpts.Resync = time.Minute // safety net under fire-and-forget pub/sub and NOTIFY
	}
	a.Hub = sse.NewHub(a.Store, hubOpts)
	a.closers = append([]func(){a.Hub.Close}, a.closers...)

	publisher, checks, err := a.publisher(kind)
	if err != nil {
		return nil, err
	}
	ready = append(ready, checks...)

	a.registry = registry
	if err := a.buildWorkers(ctx); err != nil {
		return nil, err
	}
	if err := a.webhookDispatcher(registry); err != nil {
		return nil, err
	}
	if a.sms != nil {
		ready = append(ready, httpapi.Checker{Name: "sms", Check: a.sms.Check, Optional: true})
	}
	if a.mobile != nil {
		ready = append(ready, httpapi.Checker{Name: "mobile", Check: a.mobile.Check, Optional: true})
	}

	committers := 1 // SQLite has one writer
	if !strings.HasPrefix(cfg.DatabaseURL, "sqlite:") {
		committers = 4
	}
	a.Ingest = ingest.New(a.Store, ingest.Options{Registry: registry, Limits: cfg.Limits, Publisher: publisher, Committers: committers, Linger: cfg.CommitLinger, Recipients: recipients,
		Delivered: a.kickWorkers, Horizon: cfg.ScheduleHorizon, Logger: a.log, Metrics: a.reg, TopicAccepted: a.kickTopics})
	a.Topics = topic.New(a.Store, topic.Options{Registry: registry, Limits: cfg.Limits, Defaults: recipients, Publisher: publisher, Delivered: a.kickWorkers,
		Page: cfg.TopicPage, PageTime: cfg.TopicPageTime, Lease: cfg.TopicLease, Logger: a.log, Metrics: a.reg})
	a.Releaser = schedule.New(a.Store, schedule.Options{Publisher: publisher, Delivered: a.kickWorkers, Logger: a.log, Metrics: a.reg,
		Decide: store.Decide{Defaults: recipients, Rules: func(typ string) prefs.Rules {
			t, _ := registry.Lookup(typ)
			return prefs.RulesOf(t)
		}}})

	a.Purger = retention.New(a.Store, retention.Options{Default: cfg.Retention, DedupeWindow: cfg.DedupeWindow, Types: retainByType(registry), Logger: a.log, Metrics: a.reg})

	if len(cfg.SQSQueues) > 0 {
		awsCfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("sqs: aws config: %w", err)
		}
		if a.sqs, err = sqssource.New(awsCfg, a.Ingest, sqssource.Options{Queues: cfg.SQSQueues, Protocol: cfg.SQSProtocol,
			Pollers: cfg.SQSPollers, WaitTime: cfg.SQSWait, Concurrency: cfg.SQSConcurrency, Logger: a.log, Metrics: a.reg}); err != nil {
			return nil, err
		}
		ready = append(ready, httpapi.Checker{Name: "sqs", Check: a.sqs.Ready})
	}

	previews, err := preview.New(registry, cfg.AdFooter)
	if err != nil {
		return nil, err
	}
	api := httpapi.New(httpapi.Options{Store: a.Store, Ingest: a.Ingest, Hub: a.Hub, Auth: authn,
		IngestTokens: auth.ParseTokens(cfg.IngestToken), AdminTokens: auth.ParseTokens(cfg.AdminToken), OpenWithoutTokens: cfg.Auth == "dev", Streams: publisher, States: publisher, CORSOrigins: cfg.CORSOrigins,
		Reports: a.reportParsers(), ReportsKick: a.kickWorkers,
		MaxBody: cfg.MaxBody, TopicsPerUser: cfg.TopicsPerUser, UserRate: cfg.UserRate, UserBurst: cfg.UserBurst, Gatherer: a.reg, Logger: a.log, Ready: ready,
		VAPIDPublicKey: cfg.VAPIDPublicKey, CheckPushKeys: webpush.CheckSubscriptionKeys,
		CheckPushEndpoint: func(u string) error { return webpush.CheckEndpoint(u, cfg.WebPushAllowPrivate) }, WebhookKick: a.kickWebhooks,
		Retention: a.Purger, PurgeBusy: func(err error) bool { return errors.Is(err, retention.ErrBusy) },
		CheckDevice: mobile.CheckDevice,
		Replay: func(ctx context.Context, id int64) ([]ingest.Result, error) {
			return sqssource.ReplayRejected(ctx, a.Ingest, id)
		},
		Preview: func(p *notify.Prepared) (any, error) { return previews.Render(p) },
		Mount:   func(s *httpapi.Server) { web.Mount(s, web.Options{Auth: cfg.Auth, WebPush: cfg.VAPIDPublicKey != ""}) },
	})
	reqCtx, cancelRequests := context.WithCancel(context.Background())
	a.cancelRequests = cancelRequests
	a.closers = append(a.closers, cancelRequests)
	a.server = &http.Server{BaseContext: func(net.Listener) context.Context { return reqCtx }, Handler: api, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	if a.ln, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		return nil, fmt.Errorf("listen %s: %w", cfg.HTTPAddr, err)
	}
	a.logClosedRoutes(api)
	return a, nil
}

// retainByType is each registered type's own retention (retain in NOTIFY_CONFIG).
func retainByType(r *notify.Registry) map[string]time.Duration {
	out := map[string]time.Duration{}
	for _, name := range r.Names() {
		if t, _ := r.Lookup(name); t.Retain > 0 {
			out[name] = t.Retain
		}
	}
	return out
}

// recipientDefaults reads NOTIFY_DEFAULT_TZ and NOTIFY_QUIET_HOURS.
func recipientDefaults(cfg Config) (prefs.Defaults, error) {
	zone, err := prefs.LoadZone(cfg.DefaultTZ)
	if err != nil {
		return prefs.Defaults{}, fmt.Errorf("NOTIFY_DEFAULT_TZ: %q is not an IANA time zone such as Asia/Seoul", cfg.DefaultTZ)
	}
	w, err := prefs.ParseWindow(cfg.QuietHours)
	if err != nil {
		return prefs.Defaults{}, fmt.Errorf("NOTIFY_QUIET_HOURS: %w", err)
	}
	return prefs.Defaults{Zone: zone, QuietHours: w}, nil
}

func (a *App) authenticator(ctx context.Context) (auth.Authenticator, error) {
	switch a.cfg.Auth {
	case "dev":
		if err := auth.CheckDevListen(a.cfg.HTTPAddr, a.cfg.AllowPublicDev); err != nil {
			return nil, err
		}
		a.log.Warn("NOTIFY_AUTH=dev: the user is whoever the X-User-Id header or ?user= says; never expose this to the internet")
		return auth.Dev{}, nil
	case "jwt":
		j, err := auth.NewJWT(ctx, auth.JWTOptions{Secret: []byte(a.cfg.JWTSecret), JWKSURL: a.cfg.JWKSURL, AllowHTTPJWKS: a.cfg.JWKSAllowHTTP,
			UserClaim: a.cfg.JWTUserClaim, Audience: a.cfg.JWTAudience, Issuer: a.cfg.JWTIssuer, Cookie: a.cfg.JWTCookie, Logger: a.log})
		if err != nil {
			return nil, fmt.Errorf("NOTIFY_AUTH=jwt: %w", err)
		}
		a.closers = append(a.closers, func() { j.Close() })
		return j, nil
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
	waitWorkers := a.runWorkers(workerCtx)
	releaseCtx, stopReleaser := context.WithCancel(context.WithoutCancel(ctx))
	var releaser sync.WaitGroup
	releaser.Go(func() { _ = a.Releaser.Run(releaseCtx) })
	releaser.Go(func() { _ = a.Purger.Run(releaseCtx) })
	releaser.Go(func() { _ = a.Topics.Run(releaseCtx) })

	srcCtx, stopSources := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSources()
	var sources sync.WaitGroup
	srcErr := make(chan error, 1)
	if a.sqs != nil {
		sources.Go(func() {
			if err := a.sqs.Run(srcCtx); err != nil {
				srcErr <- fmt.Errorf("sqs: %w", err)
			}
		})
	}

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
	case err = <-srcErr:
	}
	a.log.Info("notifyd shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownWait)
	defer cancel()
	// When the grace period is over, whatever still waits on the store is cancelled:
	// requests (their store calls end, the client gets an error) and transactions (they
	// roll back; sources retry). So a hung database cannot hold shutdown past it.
	stopAbort := context.AfterFunc(shutCtx, func() {
		if shutCtx.Err() == context.DeadlineExceeded {
			a.log.Warn("shutdown grace period over: cancelling requests and transactions still waiting on the store")
			a.cancelRequests()
			a.Ingest.Abort()
			a.Releaser.Abort()
			a.Topics.Abort()
			for _, w := range a.Workers {
				w.Abort()
			}
		}
	})
	defer stopAbort()
	// Stop taking work: SQS stops receiving and finishes (and deletes) its batches in
	// hand; HTTP stops accepting and finishes its requests. Then commit what is queued.
	stopSources()
	if e := a.server.Shutdown(shutCtx); e != nil {
		a.log.Warn("http shutdown", "err", e)
	}
	sources.Wait()
	a.Ingest.Close()
	stopReleaser()
	releaser.Wait()
	stopWorker()
	waitWorkers()
	a.closeAll()
	a.log.Info("notifyd stopped")
	return err
}

// kickTopics wakes the topic fan-out worker after an accept that opened a job.
func (a *App) kickTopics() {
	if a.Topics != nil {
		a.Topics.Kick()
	}
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
