package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/notifyd/notifyd/internal/store/mysql"
	"github.com/notifyd/notifyd/internal/store/postgres"
	"github.com/notifyd/notifyd/internal/store/sqlite"
	"github.com/notifyd/notifyd/internal/store/sqlstore"
)

// RowsConfig is a ten-million run (notify-bench rows): a database of Shape bulk-loaded
// in the store's schema, then notifyd on it, measured over HTTP while it accepts Rate
// events/s: the inbox, the unread count, the status view and the console's admin pages,
// first as it is, then while a purge deletes the oldest Purge notifications.
type RowsConfig struct {
	Notifyd string // the notifyd binary
	Store   string // sqlite, mysql or postgres
	// DatabaseURL is an existing database (sqlite:PATH, mysql://…, postgres://…); empty:
	// a fresh one (a file under Dir, or a database on Server), dropped at the end.
	DatabaseURL string
	Server      string // the MariaDB or PostgreSQL server for the fresh database
	Dir         string // where a fresh SQLite file goes
	Shape       RowsShape
	SkipLoad    bool // DatabaseURL is already loaded (with this Shape)
	Keep        bool // keep the fresh database (print its URL) instead of dropping it
	Rate        float64
	Duration    time.Duration // of each measured phase
	Purge       int           // the oldest notifications the purge phase deletes (0: no purge phase)
	Log         io.Writer     `json:"-"`
}

// RowsResult is what a ten-million run measured.
type RowsResult struct {
	Store         string      `json:"store"`
	Shape         RowsShape   `json:"shape"`
	Started       time.Time   `json:"started"`
	LoadSeconds   float64     `json:"loadSeconds,omitempty"`
	LoadUptime    string      `json:"loadAverageDuringLoad,omitempty"`
	SizeBytes     int64       `json:"sizeBytes"`
	Baseline      *RowsPhase  `json:"baseline"`
	DuringPurge   *RowsPhase  `json:"duringPurge,omitempty"`
	PurgedInPhase float64     `json:"purgedInPhase,omitempty"` // notifications the purge deleted while measured
	PurgeRate     float64     `json:"purgeRowsPerSecond,omitempty"`
	Config        *RowsConfig `json:"-"`
}

// Rows runs the whole ten-million benchmark.
func Rows(ctx context.Context, cfg RowsConfig) (*RowsResult, error) {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	cfg.Shape.defaults()
	logf := func(format string, a ...any) { fmt.Fprintf(cfg.Log, "notify-bench: "+format+"\n", a...) }
	res := &RowsResult{Store: cfg.Store, Shape: cfg.Shape, Started: time.Now().UTC(), Config: &cfg}
	dbURL := cfg.DatabaseURL
	if dbURL == "" {
		if cfg.SkipLoad {
			return nil, errors.New("rows: --skip-load needs --database-url")
		}
		u, drop, err := freshRowsDatabase(ctx, cfg)
		if err != nil {
			return nil, err
		}
		if cfg.Keep {
			logf("fresh database %s (kept)", u)
		} else {
			defer drop()
			logf("fresh database %s (dropped at the end)", u)
		}
		dbURL = u
	}
	// The load starts a minute before now; the rows' times are fixed to it so a later
	// --skip-load run finds the same cutoffs (within the time between the runs).
	start := time.Now().UnixMilli()
	if !cfg.SkipLoad {
		t0 := time.Now()
		if err := loadDatabase(ctx, cfg, dbURL, start, logf); err != nil {
			return nil, err
		}
		res.LoadSeconds, res.LoadUptime = time.Since(t0).Seconds(), LoadAvg()
		logf("loaded in %.0fs (load average %s)", res.LoadSeconds, res.LoadUptime)
	} else if s, err := oldestRow(ctx, cfg.Store, dbURL); err == nil {
		start = s + cfg.Shape.Span.Milliseconds() + 60_000
	}
	size, err := databaseSize(ctx, cfg, dbURL)
	if err != nil {
		return nil, err
	}
	res.SizeBytes = size
	logf("database size %.2f GB", float64(size)/1e9)

	// Baseline: nothing purges (retention far past the oldest row).
	base, err := measureRows(ctx, cfg, dbURL, 100*365*24*time.Hour, false, logf)
	if err != nil {
		return nil, err
	}
	res.Baseline = base.phase
	if cfg.Purge > 0 {
		// Retention such that the oldest Purge notifications are past it.
		keep := time.Duration(time.Now().UnixMilli()-cfg.Shape.createdAt(start, cfg.Purge)) * time.Millisecond
		during, err := measureRows(ctx, cfg, dbURL, keep, true, logf)
		if err != nil {
			return nil, err
		}
		res.DuringPurge, res.PurgedInPhase, res.PurgeRate = during.phase, during.purged, during.purgeRate
	}
	return res, nil
}

// loadDatabase migrates dbURL through the store's own Open, then bulk-loads the shape.
func loadDatabase(ctx context.Context, cfg RowsConfig, dbURL string, start int64, logf func(string, ...any)) error {
	if cfg.Store == kindMySQL { // an index build on millions of rows outlasts the store's 30s read timeout
		dbURL += sep(dbURL) + "readTimeout=3h&writeTimeout=3h"
	}
	s, err := openStore(ctx, cfg.Store, dbURL)
	if err != nil {
		return err
	}
	defer s.Close()
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	logf("loading %d notifications over %d users (%d to u0) into %s", cfg.Shape.Notifications, cfg.Shape.Users, cfg.Shape.Heavy, cfg.Store)
	return loadRows(ctx, conn, cfg.Store, cfg.Shape, start, cfg.Log)
}

func openStore(ctx context.Context, kind, dbURL string) (*sqlstore.Store, error) {
	switch kind {
	case kindSQLite:
		return sqlite.Open(ctx, strings.TrimPrefix(dbURL, "sqlite:"))
	case kindMySQL:
		return mysql.Open(ctx, dbURL)
	case kindPostgres:
		return postgres.Open(ctx, dbURL)
	}
	return nil, fmt.Errorf("rows: --store %q: want sqlite, mysql or postgres", kind)
}

// oldestRow is the creation time of notification 1, unix ms, to place a --skip-load
// run's cutoffs where the load put the rows.
func oldestRow(ctx context.Context, kind, dbURL string) (int64, error) {
	s, err := openStore(ctx, kind, dbURL)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	var at int64
	err = s.DB().QueryRowContext(ctx, "SELECT created_at FROM notifications WHERE id = 1").Scan(&at)
	return at, err
}

// freshRowsDatabase makes the run's empty database and returns its URL and its drop.
func freshRowsDatabase(ctx context.Context, cfg RowsConfig) (string, func(), error) {
	name := "notifyd_rows_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	switch cfg.Store {
	case kindSQLite:
		dir, err := os.MkdirTemp(cfg.Dir, "notify-bench-rows-")
		if err != nil {
			return "", nil, err
		}
		return "sqlite:" + filepath.Join(dir, "rows.db"), func() { os.RemoveAll(dir) }, nil
	case kindMySQL:
		return freshDatabase(ctx, cfg.Server, name)
	case kindPostgres:
		return freshPGDatabase(ctx, cfg.Server, name)
	}
	return "", nil, fmt.Errorf("rows: --store %q: want sqlite, mysql or postgres", cfg.Store)
}

// databaseSize is the database's size on disk: the SQLite file and its WAL, the
// MariaDB schema's data and index length, pg_database_size.
func databaseSize(ctx context.Context, cfg RowsConfig, dbURL string) (int64, error) {
	if cfg.Store == kindSQLite {
		var n int64
		path, _, err := sqlite.ParseDSN(strings.TrimPrefix(dbURL, "sqlite:"))
		if err != nil {
			return 0, err
		}
		for _, f := range []string{path, path + "-wal"} {
			if st, err := os.Stat(f); err == nil {
				n += st.Size()
			}
		}
		return n, nil
	}
	s, err := openStore(ctx, cfg.Store, dbURL)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	q := "SELECT pg_database_size(current_database())"
	if cfg.Store == kindMySQL {
		q = "SELECT SUM(DATA_LENGTH + INDEX_LENGTH) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
	}
	var n int64
	return n, s.DB().QueryRowContext(ctx, q).Scan(&n)
}

// queryEach runs q and calls each for every row.
func queryEach(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args []any, each func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// sep is what joins one more query parameter to u.
func sep(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}
