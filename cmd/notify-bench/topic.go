package main

import (
	"errors"
	"flag"
	"os"
	"time"

	"github.com/notifyd/notifyd/internal/bench"
)

// runTopic is `notify-bench topic`: one event to a topic of many subscribers (written
// straight into the database), a sample of them on live streams, and the accept latency of
// unrelated events before and during the fan-out.
func runTopic(args []string) error {
	fs := flag.NewFlagSet("notify-bench topic", flag.ContinueOnError)
	var cfg bench.TopicConfig
	var serverArgs stringList
	var asJSON bool
	var limit time.Duration
	fs.StringVar(&cfg.Notifyd, "spawn", "", "path of the notifyd binary to start (required)")
	fs.StringVar(&cfg.Store, "store", "sqlite", "sqlite (a temporary file), postgres or mysql (a fresh database, dropped at the end)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "instead of a fresh database: an empty one of --store's kind")
	fs.StringVar(&cfg.Postgres, "postgres", "postgres://postgres@127.0.0.1:5432/postgres", "PostgreSQL server for the fresh database")
	fs.StringVar(&cfg.MySQL, "mysql", "mysql://root@127.0.0.1:3306/mysql", "MariaDB/MySQL server for the fresh database")
	fs.Var(&serverArgs, "server-arg", "one more notifyd flag (repeatable)")
	fs.IntVar(&cfg.Subscribers, "subscribers", 100000, "subscribers of the topic, users u0…u(N-1)")
	fs.IntVar(&cfg.Streams, "streams", 10000, "of them, this many spread evenly hold a live SSE stream (one open file each, in the bench and in notifyd)")
	fs.IntVar(&cfg.SourceIPs, "source-ips", 0, "spread streams over 127.0.0.2…127.0.0.(1+n) (default one per 5,000 streams)")
	fs.IntVar(&cfg.DialWorkers, "dial-workers", 64, "streams opened at once")
	fs.Float64Var(&cfg.Rate, "rate", 20, "unrelated single events per second, before and during the fan-out")
	fs.DurationVar(&cfg.Idle, "idle", 10*time.Second, "how long the unrelated events run before the topic event")
	fs.DurationVar(&cfg.Timeout, "timeout", 30*time.Minute, "wait this long for the fan-out and the streams")
	fs.StringVar(&cfg.Token, "token", os.Getenv("NOTIFY_INGEST_TOKEN"), "ingest bearer token (also given to notifyd)")
	fs.DurationVar(&limit, "limit", 45*time.Minute, "the whole run ends after this")
	fs.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.Notifyd == "" {
		return errors.New("topic: --spawn (the notifyd binary) is required")
	}
	cfg.ServerArgs, cfg.Log = serverArgs, os.Stderr
	ctx, cancel := runContext(limit)
	defer cancel()
	res, err := bench.Topic(ctx, cfg)
	if err != nil {
		return err
	}
	if asJSON {
		return bench.WriteJSON(os.Stdout, res)
	}
	return bench.WriteTopicTable(os.Stdout, res)
}
