package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/notifyd/notifyd/internal/store/mysql"
	"github.com/notifyd/notifyd/internal/store/postgres"
	"github.com/notifyd/notifyd/internal/store/sqlite"
)

// topicDB is the bench's own connection to the spawned server's database: it writes the
// subscriptions before the event and reads the fan-out job's progress while it runs.
type topicDB struct {
	db     *sql.DB
	close  func() error
	dollar bool // PostgreSQL placeholders ($1) instead of ?
}

// openTopicDB opens the database the server at srv uses (dbURL, or srv's temporary
// SQLite file when dbURL is ""). The server has migrated it already; opening through the
// store's own Open keeps the connection settings the server uses (busy timeout, WAL).
func openTopicDB(ctx context.Context, dbURL string, srv *Server) (*topicDB, error) {
	switch {
	case dbURL == "":
		s, err := sqlite.Open(ctx, filepath.Join(srv.Dir, "bench.db"))
		if err != nil {
			return nil, err
		}
		return &topicDB{db: s.DB(), close: s.Close}, nil
	case strings.HasPrefix(dbURL, "postgres"):
		s, err := postgres.Open(ctx, dbURL)
		if err != nil {
			return nil, err
		}
		return &topicDB{db: s.DB(), close: s.Close, dollar: true}, nil
	case strings.HasPrefix(dbURL, "mysql"):
		s, err := mysql.Open(ctx, dbURL)
		if err != nil {
			return nil, err
		}
		return &topicDB{db: s.DB(), close: s.Close}, nil
	}
	return nil, fmt.Errorf("topic: --database-url %q: want sqlite (empty), postgres:// or mysql://", dbURL)
}

// topicName is what the bench accepts as its topic: a subset of notifyd's topic names
// with nothing that needs quoting in SQL, so seed can write it as a literal.
var topicName = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,200}$`)

// seedRows is how many subscriptions one INSERT writes: 1,000 rows of four values stay
// far below every store's limit on a statement's size.
const seedRows = 1000

// seed writes n subscriptions of topic, users u0…u(n-1), subscribed a minute ago, in one
// transaction of multi-row INSERTs straight into topic_subscriptions: a million admin
// PUTs would take longer than the fan-out being measured. The values are the bench's own
// (numbers and a checked topic name), so they are written as literals.
func (t *topicDB) seed(ctx context.Context, topic string, n int) error {
	if !topicName.MatchString(topic) {
		return fmt.Errorf("topic: %q is not a topic name the bench seeds", topic)
	}
	at := strconv.FormatInt(time.Now().Add(-time.Minute).UnixMilli(), 10)
	tx, err := t.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var b strings.Builder
	for lo := 0; lo < n; lo += seedRows {
		b.Reset()
		b.WriteString("INSERT INTO topic_subscriptions (topic, user_id, once, subscribed_at) VALUES ")
		for i := lo; i < min(lo+seedRows, n); i++ {
			if i > lo {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "('%s','u%d',0,%s)", topic, i, at)
		}
		if _, err := tx.ExecContext(ctx, b.String()); err != nil {
			return fmt.Errorf("seed subscriptions %d…: %w", lo, err)
		}
	}
	return tx.Commit()
}

// progress reads the topic's fan-out job: subscribers worked so far and whether it ended.
func (t *topicDB) progress(ctx context.Context, topic string) (done int64, finished bool, err error) {
	q := `SELECT done, status FROM topic_jobs WHERE topic = ?`
	if t.dollar {
		q = `SELECT done, status FROM topic_jobs WHERE topic = $1`
	}
	var status string
	err = t.db.QueryRowContext(ctx, q, topic).Scan(&done, &status)
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	return done, err == nil && status != "running", err
}

// freshPostgres creates the empty database name on the PostgreSQL server of serverURL
// (postgres://user@host:port/any-db) and returns its URL and a function that drops it.
func freshPostgres(ctx context.Context, serverURL, name string) (string, func(), error) {
	cfg, err := pgx.ParseConfig(serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("--postgres: %w", err)
	}
	if err := Loopback(cfg.Host + ":" + strconv.Itoa(int(cfg.Port))); err != nil {
		return "", nil, fmt.Errorf("--postgres: %w", err)
	}
	exec := func(ctx context.Context, stmt string) error {
		db := stdlib.OpenDB(*cfg)
		defer db.Close()
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		_, err := db.ExecContext(ctx, stmt)
		return err
	}
	if err := exec(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() { _ = exec(context.Background(), `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`) }
	return u.String(), drop, nil
}
