package main

import (
	"errors"
	"flag"
	"os"
	"time"

	"github.com/notifyd/notifyd/internal/bench"
)

// runRows is `notify-bench rows`: ten million notifications bulk-loaded into one store,
// then notifyd measured on them, before and during a purge.
func runRows(args []string) error {
	fs := flag.NewFlagSet("notify-bench rows", flag.ContinueOnError)
	var cfg bench.RowsConfig
	var asJSON bool
	var limit time.Duration
	fs.StringVar(&cfg.Notifyd, "spawn", "", "path of the notifyd binary (required)")
	fs.StringVar(&cfg.Store, "store", "sqlite", "sqlite, mysql or postgres")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "an existing database to load (or, with --skip-load, already loaded); default a fresh one, dropped at the end")
	fs.StringVar(&cfg.Server, "server", "", "the server for the fresh database (default mysql://root@127.0.0.1:3306/mysql or postgres://postgres@127.0.0.1:5432/postgres)")
	fs.StringVar(&cfg.Dir, "dir", "", "where the fresh SQLite file goes (default the temporary folder)")
	fs.IntVar(&cfg.Shape.Notifications, "notifications", 10_000_000, "notifications (one event each)")
	fs.IntVar(&cfg.Shape.Users, "users", 1_000_000, "users u0…u(N-1)")
	fs.IntVar(&cfg.Shape.Heavy, "heavy", 1_000_000, "notifications of u0, the one heavy user")
	fs.IntVar(&cfg.Shape.SMSEvery, "sms-every", 4, "one notification in this many has an SMS delivery")
	fs.DurationVar(&cfg.Shape.Span, "span", 365*24*time.Hour, "the rows' creation times spread over this, up to a minute ago")
	fs.BoolVar(&cfg.SkipLoad, "skip-load", false, "--database-url is already loaded with this shape")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the fresh database and print its URL")
	fs.Float64Var(&cfg.Rate, "rate", 500, "events per second accepted during each phase")
	fs.DurationVar(&cfg.Duration, "duration", 60*time.Second, "length of each measured phase")
	fs.IntVar(&cfg.Purge, "purge", 3_000_000, "the oldest notifications the purge phase's retention cuts off (0: no purge phase)")
	fs.DurationVar(&limit, "limit", 4*time.Hour, "the whole run ends after this")
	fs.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.Notifyd == "" {
		return errors.New("rows: --spawn (the notifyd binary) is required")
	}
	if cfg.Server == "" {
		cfg.Server = "mysql://root@127.0.0.1:3306/mysql"
		if cfg.Store == "postgres" {
			cfg.Server = "postgres://postgres@127.0.0.1:5432/postgres"
		}
	}
	cfg.Log = os.Stderr
	ctx, cancel := runContext(limit)
	defer cancel()
	res, err := bench.Rows(ctx, cfg)
	if err != nil {
		return err
	}
	if asJSON {
		return bench.WriteJSON(os.Stdout, res)
	}
	return bench.WriteRowsTable(os.Stdout, res)
}
