// Command notify-bench is notifyd's load generator: it opens many SSE streams, publishes
// events to their users and reports accepted events/s, stored-and-pushed notifications/s,
// publish→SSE latency and the server's memory per stream. `notify-bench scale` runs several
// replicas over MariaDB and Redis with the streams held by several load processes (notify-bench
// itself, re-run as `scale-load`). See BENCHMARKS.md.
//
//	notify-bench --spawn /tmp/notifyd --conns 10000 --events 200000 --batch 50
//	notify-bench --addr 127.0.0.1:8080 --conns 1000 --events 10000 --rate 2000
//	notify-bench --spawn /tmp/notifyd --peer centrifugo --sqlite-sync full,normal \
//	    --conns 10000 --events 60000 --rate 2000 --publishers 16
//	notify-bench scale --spawn /tmp/notifyd --replicas 5 --streams 95000 --rate 2000 --duration 60s
//	notify-bench --spawn /tmp/notifyd --source sqs-drain --events 20000
//	notify-bench rows --spawn /tmp/notifyd --store postgres --notifications 10000000
//	notify-bench topic --spawn /tmp/notifyd --store postgres --subscribers 1000000 --streams 10000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/notifyd/notifyd/internal/bench"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "notify-bench:", err)
		os.Exit(1)
	}
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, " ") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func run(args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "scale":
			return runScale(args[1:])
		case "scale-load":
			return runScaleLoad(args[1:])
		case "topic":
			return runTopic(args[1:])
		case "rows":
			return runRows(args[1:])
		}
	}
	fs := flag.NewFlagSet("notify-bench", flag.ContinueOnError)
	var cfg bench.Config
	var spawn, dbURL, sqliteSync string
	var serverArgs stringList
	var asJSON bool
	var source string
	var sqsPollers int
	var sqsEndpoint, sqsProtocol string
	var sqsVisibility time.Duration
	var sqsSNS bool
	var limit time.Duration
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "notifyd to measure (loopback only); ignored with --spawn")
	fs.StringVar(&spawn, "spawn", "", "path of a notifyd binary to start on a free port (temporary SQLite unless --database-url)")
	fs.StringVar(&dbURL, "database-url", "", "with --spawn: the server's NOTIFY_DATABASE_URL")
	fs.StringVar(&sqliteSync, "sqlite-sync", "", "with --spawn and no --database-url: the temporary SQLite file's ?sync= (full or normal; empty: the server's default, full); with --peer a comma-separated list, one notifyd pass each (default full)")
	fs.Var(&serverArgs, "server-arg", "with --spawn: one more notifyd flag, e.g. --server-arg=--heartbeat=1s (repeatable)")
	fs.IntVar(&cfg.Conns, "conns", 1000, "SSE streams, one per user u0…u(N-1)")
	fs.IntVar(&cfg.SourceIPs, "source-ips", 0, "spread streams over 127.0.0.2…127.0.0.(1+n) (default one per 5,000 streams)")
	fs.IntVar(&cfg.DialWorkers, "dial-workers", 64, "streams opened at once")
	fs.DurationVar(&cfg.Hold, "hold", 0, "keep the streams idle this long before publishing and report the server's CPU meanwhile")
	fs.IntVar(&cfg.Events, "events", 10000, "events to publish (0: only connect)")
	fs.IntVar(&cfg.Batch, "batch", 1, "events per POST (JSON array when > 1)")
	fs.IntVar(&cfg.Recipients, "recipients", 1, "recipients per event; > 1 sends to u0…u(K-1) (RESTOCK)")
	fs.StringVar(&cfg.Role, "role", "OWNER", "recipients' role (OWNER and ADMIN get SSE only; CUSTOMER also queues an SMS)")
	fs.StringVar(&cfg.Type, "type", "", "notificationType (default DELIVERY_STARTED, RESTOCK with --recipients > 1)")
	fs.Float64Var(&cfg.Rate, "rate", 0, "events per second (0: flat out)")
	fs.IntVar(&cfg.Publishers, "publishers", 4, "publishing goroutines")
	fs.DurationVar(&cfg.Timeout, "timeout", 60*time.Second, "wait this long after publishing for the last notification")
	fs.StringVar(&cfg.Token, "token", os.Getenv("NOTIFY_INGEST_TOKEN"), "ingest bearer token")
	fs.DurationVar(&limit, "limit", 15*time.Minute, "the whole run ends after this")
	fs.StringVar(&source, "source", "http", "publish over http; or sqs: start goaws in this process, spawn notifyd on one queue and time a raw receive+delete loop on another in the same run (needs --spawn); or sqs-drain: the same, but each side drains --events messages loaded beforehand, no streams")
	fs.IntVar(&sqsPollers, "sqs-pollers", 2, "with --source sqs: notifyd's NOTIFY_SQS_POLLERS and the raw loop's pollers")
	fs.DurationVar(&sqsVisibility, "sqs-visibility", 30*time.Second, "with --source sqs: the queues' VisibilityTimeout (a lost receive hides its messages this long)")
	var df drainFlags
	var rawChild bool
	var rawEndpoint, rawQueue string
	fs.BoolVar(&sqsSNS, "sqs-sns", false, "with --source sqs or sqs-drain: send each event wrapped in an SNS envelope, as a topic without raw delivery does")
	fs.BoolVar(&df.rawProcess, "sqs-raw-process", false, "with --source sqs-drain: run the raw loop in a child process of this binary, so it reaches goaws across processes as notifyd does")
	fs.BoolVar(&rawChild, "sqs-raw-child", false, "internal: be that child (with --sqs-raw-endpoint, --sqs-raw-queue, --events, --sqs-pollers)")
	fs.StringVar(&rawEndpoint, "sqs-raw-endpoint", "", "internal: the child's SQS server")
	fs.StringVar(&sqsEndpoint, "sqs-endpoint", "", "with --source sqs-drain: an SQS-compatible server already running at this URL (e.g. an emulator) instead of goaws in this process")
	fs.StringVar(&sqsProtocol, "sqs-protocol", bench.ProtocolQuery, "with --sqs-endpoint: the protocol it speaks, query or json")
	fs.StringVar(&rawQueue, "sqs-raw-queue", "", "internal: the child's queue URL")
	fs.StringVar(&df.profile, "sqs-profile", "", "with --source sqs-drain: write notifyd's CPU profile, taken from the start of its drain, to this file")
	fs.IntVar(&df.profileSeconds, "sqs-profile-seconds", 5, "with --sqs-profile or --sqs-trace: the profile's length")
	fs.StringVar(&df.trace, "sqs-trace", "", "with --source sqs-drain: write notifyd's runtime execution trace, taken from the start of its drain, to this file (go tool trace -pprof=sync|sched|syscall FILE)")
	fs.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	var pf peerFlags
	fs.StringVar(&pf.kind, "peer", "", "also run the same load against another SSE server in this run and print both side by side: centrifugo (installs and spawns Centrifugo "+bench.CentrifugoVersion+"), or url (a running server given by --peer-subscribe/--peer-publish/--peer-body); needs --spawn")
	fs.StringVar(&pf.name, "peer-name", "", "the peer's column title")
	fs.StringVar(&pf.subscribe, "peer-subscribe", "", `with --peer url: stream URL template, {user} and {token}, e.g. http://127.0.0.1:8000/connection/uni_sse?cf_connect={"token":"{token}"}`)
	fs.StringVar(&pf.publish, "peer-publish", "", "with --peer url: publish URL template ({user})")
	fs.StringVar(&pf.body, "peer-body", `{"channel":"#{user}","data":{event}}`, "with --peer url: publish body template, {user} and {event} (the event's JSON)")
	fs.Var(&pf.headers, "peer-header", `with --peer url: a publish header, "Name: value" (repeatable)`)
	fs.StringVar(&pf.jwtSecret, "peer-jwt-secret", "", "with --peer url: HS256 secret for {token} (a JWT with sub=<user>)")
	fs.IntVar(&pf.pid, "peer-pid", 0, "with --peer url: the peer's process id, for its CPU and memory from /proc")
	fs.StringVar(&pf.cache, "peer-cache", defaultCacheDir(), "with --peer centrifugo: where the built peer is kept")
	fs.IntVar(&pf.probes, "fsync-probes", 200, "with --peer: 4 KiB write+fdatasync probes before each pass (the median is reported)")
	if err := fs.Parse(args); err != nil {
		return err
	}

	ctx, cancel := runContext(limit)
	defer cancel()
	if rawChild {
		return bench.RunRawChild(ctx, rawEndpoint, sqsProtocol, rawQueue, cfg.Events, sqsPollers, os.Stdin, os.Stdout)
	}

	if pf.kind != "" {
		switch pf.kind {
		case "centrifugo", "url":
		default:
			return fmt.Errorf("--peer %q: want centrifugo or url", pf.kind)
		}
		if source != "http" {
			return errors.New("--peer publishes over http only")
		}
		if cfg.Batch != 1 || cfg.Recipients != 1 {
			return errors.New("--peer sends one event per request to one user: leave --batch and --recipients at 1")
		}
		pf.syncs = sqliteSync
		if pf.syncs == "" {
			pf.syncs = "full"
		}
		return sideBySide(ctx, cfg, spawn, dbURL, serverArgs, pf, asJSON)
	}

	var env []string
	switch source {
	case "sqs-drain":
		if spawn == "" {
			return errors.New("--source sqs-drain needs --spawn: the bench starts goaws and gives notifyd its queue")
		}
		var q *bench.SQS
		var err error
		if sqsEndpoint != "" {
			q, err = bench.ConnectSQS(ctx, sqsEndpoint, sqsProtocol, sqsPollers, sqsVisibility)
		} else if q, err = bench.StartSQS(ctx, sqsPollers, sqsVisibility); err == nil {
			defer bench.StopSQS()
		}
		if err != nil {
			return err
		}
		q.SNSWrapped = sqsSNS
		fmt.Fprintf(os.Stderr, "notify-bench: SQS (%s) on %s, notifyd drains %s, the raw loop %s\n", q.Protocol, q.Endpoint, q.NotifyURL, q.RawURL)
		return sqsDrain(ctx, cfg, spawn, dbURL, sqliteSync, serverArgs, q, df, asJSON, os.Stdout, os.Stderr)
	case "http":
	case "sqs":
		if spawn == "" {
			return errors.New("--source sqs needs --spawn: the bench starts goaws and gives notifyd its queue")
		}
		batchSet := false
		fs.Visit(func(f *flag.Flag) { batchSet = batchSet || f.Name == "batch" })
		if !batchSet {
			cfg.Batch = 10 // one SendMessageBatch per publish
		}
		q, err := bench.StartSQS(ctx, sqsPollers, sqsVisibility)
		if err != nil {
			return err
		}
		defer bench.StopSQS()
		q.SNSWrapped = sqsSNS
		env = q.Env()
		cfg.Source, cfg.Publish, cfg.Baseline = "sqs", q.Publish(q.NotifyURL), q.Baseline()
		fmt.Fprintf(os.Stderr, "notify-bench: goaws on %s, notifyd consumes %s, raw loop %s\n", q.Endpoint, q.NotifyURL, q.RawURL)
	default:
		return fmt.Errorf("--source %q: want http or sqs", source)
	}
	if spawn != "" {
		srv, err := bench.Spawn(ctx, spawn, dbURL, sqliteSync, serverArgs, env, os.Stderr)
		if err != nil {
			return err
		}
		defer srv.Stop()
		cfg.Addr, cfg.PID = srv.Addr, srv.PID()
		fmt.Fprintf(os.Stderr, "notify-bench: notifyd pid %d on %s\n", srv.PID(), srv.Addr)
	}
	if err := loopback(cfg.Addr); err != nil {
		return err
	}
	res, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if asJSON {
		return bench.WriteJSON(os.Stdout, res)
	}
	return bench.WriteTable(os.Stdout, res)
}

// runContext is a mode's context: it ends at SIGINT or SIGTERM, or after limit.
func runContext(limit time.Duration) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, limit)
	return ctx, func() { cancel(); stop() }
}

// loopback refuses anything but a loopback address: the bench never loads another host.
func loopback(addr string) error {
	if err := bench.Loopback(addr); err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	return nil
}
