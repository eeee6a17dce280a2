package mysql_test

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/mysql"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// Every connection of the store's database is KILLed (as a failover or an operator
// would) while the pool holds them idle: the next reads and writes still succeed. The
// driver checks a pooled connection before handing it out (go-sql-driver/mysql's
// checkConnLiveness, on by default and kept on by ParseURL: a non-blocking read that
// sees the server's close) and database/sql takes a new one instead. With
// ?checkConnLiveness=false the first statement fails with "invalid connection".
func TestPoolDropsKilledConnections(t *testing.T) {
	url := testenv.MySQLURL(t)
	ctx := context.Background()
	s, err := mysql.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Accept(ctx, []store.AcceptInput{storetest.Input("k1", "u1")}); err != nil {
		t.Fatal(err)
	}
	// Fill the pool with several connections, all idle now.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := s.LastSeqs(ctx, []string{"u1"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	if n := killIdle(t, url); n == 0 {
		t.Fatal("no connection of the store to kill")
	}
	for i := range 8 {
		seqs, err := s.LastSeqs(ctx, []string{"u1"})
		if err != nil || seqs["u1"] != 1 {
			t.Fatalf("read %d after the kills: %v, %v", i, seqs, err)
		}
	}
	if n := killIdle(t, url); n == 0 {
		t.Fatal("no connection of the store to kill the second time")
	}
	if _, err := s.Accept(ctx, []store.AcceptInput{storetest.Input("k2", "u1")}); err != nil {
		t.Fatalf("write after the kills: %v", err)
	}
}

// The pool keeps the liveness check however the URL is written, unless it says otherwise.
func TestParseURLKeepsLivenessCheck(t *testing.T) {
	cfg, _, err := mysql.ParseURL("mysql://u:p@db:3306/n?tls=false&maxOpenConns=5")
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.CheckConnLiveness {
		t.Error("checkConnLiveness is off")
	}
}

// killIdle KILLs every other connection of url's user on url's database and waits until
// the server has ended them; it returns how many.
func killIdle(t *testing.T, url string) int {
	t.Helper()
	cfg, _, err := mysql.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := gomysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	admin := sql.OpenDB(conn)
	defer admin.Close()
	admin.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := admin.QueryContext(ctx, `SELECT id FROM information_schema.processlist
		WHERE db = DATABASE() AND user = SUBSTRING_INDEX(USER(), '@', 1) AND id <> CONNECTION_ID()`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if _, err := admin.ExecContext(ctx, "KILL CONNECTION "+id); err != nil {
			t.Fatalf("KILL %s: %v", id, err)
		}
	}
	for len(ids) > 0 { // a condition, not a duration: the killed sessions are gone
		var left int
		q := fmt.Sprintf(`SELECT count(*) FROM information_schema.processlist WHERE id IN (%s)`, strings.Join(ids, ","))
		if err := admin.QueryRowContext(ctx, q).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d killed sessions still there after 30s", left)
		case <-time.After(10 * time.Millisecond):
		}
	}
	return len(ids)
}
