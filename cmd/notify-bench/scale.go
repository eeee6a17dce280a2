package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/notifyd/notifyd/internal/bench"
)

// runScale is `notify-bench scale`: several notifyd replicas over MariaDB and Redis,
// streams held by several load processes, one broadcast, then steady single-user events.
func runScale(args []string) error {
	fs := flag.NewFlagSet("notify-bench scale", flag.ContinueOnError)
	var cfg bench.ScaleConfig
	var serverArgs stringList
	var asJSON bool
	fs.StringVar(&cfg.Notifyd, "spawn", "", "path of the notifyd binary the replicas run (required)")
	fs.IntVar(&cfg.Replicas, "replicas", 5, "notifyd replicas, each on a free loopback port")
	fs.IntVar(&cfg.Streams, "streams", 95000, "SSE streams, one per user u0…u(N-1), spread evenly over the replicas")
	fs.IntVar(&cfg.PerLoad, "per-load", 19000, "streams per load process at most (a process holds one file per stream; the open-file limit is per process)")
	fs.IntVar(&cfg.SourceIPs, "source-ips", 0, "spread streams over 127.0.0.2…127.0.0.(1+n) (default one per 5,000 streams)")
	fs.IntVar(&cfg.DialWorkers, "dial-workers", 32, "streams being opened at once, per load process")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "the replicas' NOTIFY_DATABASE_URL, an empty database (default: a fresh database on --mysql, dropped at the end)")
	fs.StringVar(&cfg.MySQLServer, "mysql", "mysql://root@127.0.0.1:3306/mysql", "MariaDB/MySQL server for the fresh database")
	fs.StringVar(&cfg.RedisURL, "redis-url", envOr("NOTIFY_REDIS_URL", "redis://127.0.0.1:6379/0"), "the replicas' NOTIFY_REDIS_URL")
	fs.Var(&serverArgs, "server-arg", "one more notifyd flag for every replica (repeatable)")
	fs.IntVar(&cfg.MaxRecipients, "max-recipients", 0, "the replicas' NOTIFY_MAX_RECIPIENTS; the broadcast is split into the fewest events it allows (default --streams: one event)")
	fs.Float64Var(&cfg.Rate, "rate", 2000, "steady single-user events per second")
	fs.DurationVar(&cfg.Duration, "duration", 60*time.Second, "length of the steady phase (0: none)")
	fs.IntVar(&cfg.InFlight, "in-flight", 512, "steady events outstanding at most: each is sent at its time (an open loop) unless this many wait for answers")
	fs.DurationVar(&cfg.Timeout, "timeout", 120*time.Second, "wait this long for the broadcast on every stream, and for the last steady notification")
	fs.StringVar(&cfg.Token, "token", os.Getenv("NOTIFY_INGEST_TOKEN"), "ingest bearer token (also given to the replicas)")
	fs.DurationVar(&cfg.Limit, "limit", 30*time.Minute, "the whole run ends after this")
	fs.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.Notifyd == "" {
		return errors.New("scale: --spawn (the notifyd binary) is required")
	}
	if err := bench.Loopback(redisHost(cfg.RedisURL)); err != nil {
		return fmt.Errorf("--redis-url: %w", err)
	}
	cfg.ServerArgs, cfg.Log = serverArgs, os.Stderr
	ctx, cancel := runContext(cfg.Limit)
	defer cancel()
	res, err := bench.Scale(ctx, cfg)
	if err != nil {
		return err
	}
	if asJSON {
		return bench.WriteJSON(os.Stdout, res)
	}
	return bench.WriteScaleTable(os.Stdout, res)
}

// runScaleLoad is the load process of a scale run; the coordinator starts it and speaks
// to it over stdin and stdout.
func runScaleLoad(args []string) error {
	fs := flag.NewFlagSet("notify-bench scale-load", flag.ContinueOnError)
	var cfg bench.LoadConfig
	var addrs string
	var limit time.Duration
	fs.StringVar(&addrs, "addrs", "", "the replicas, comma-separated host:port")
	fs.IntVar(&cfg.From, "from", 0, "first user")
	fs.IntVar(&cfg.To, "to", 0, "last user + 1")
	fs.IntVar(&cfg.SourceIPs, "source-ips", 1, "source addresses 127.0.0.2…")
	fs.IntVar(&cfg.DialWorkers, "dial-workers", 32, "streams being opened at once")
	fs.StringVar(&cfg.Run, "run", "", "the run id")
	fs.DurationVar(&limit, "limit", 30*time.Minute, "end after this")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.Addrs = strings.Split(addrs, ",")
	ctx, cancel := runContext(limit)
	defer cancel()
	return bench.ServeLoad(ctx, cfg, os.Stdin, os.Stdout)
}

// redisHost is the host:port of a redis:// URL (port 6379 when it names none), for the
// loopback check.
func redisHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), "6379")
	}
	return u.Host
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
