package postgres_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/notifyd/notifyd/internal/store/postgres"
	"github.com/notifyd/notifyd/internal/testenv"
)

// A quietly idle connection needs no ping; one whose session the server terminated does,
// however short its idle time (pgx's own rule pings only after a second): the peek sees
// the server's last message and close without waiting or reading.
func TestPendingSeesATerminatedSession(t *testing.T) {
	url := testenv.PostgresURL(t)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if postgres.Pending(c.PgConn().Conn()) {
		t.Fatal("an idle, live connection looks pending")
	}
	if postgres.ShouldPing(ctx, stdlibParams(c, 10*time.Millisecond)) {
		t.Fatal("shouldPing wants a ping for a live connection idle 10 ms")
	}
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	pid := c.PgConn().PID()
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !postgres.Pending(c.PgConn().Conn()) { // a condition: the server ends the session shortly
		if time.Now().After(deadline) {
			t.Fatal("a terminated session's connection did not look pending within 30s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !postgres.ShouldPing(ctx, stdlibParams(c, 10*time.Millisecond)) {
		t.Error("shouldPing says no ping for a terminated connection idle 10 ms")
	}
}

func stdlibParams(c *pgx.Conn, idle time.Duration) stdlib.ShouldPingParams {
	return stdlib.ShouldPingParams{Conn: c, IdleDuration: idle}
}

// A connection whose socket another goroutine is reading (pgx's background reader, parked
// in a Read after a slow write) must not hold up the peek: before the fix it waited for
// the Read's lock, forever on an idle connection, and took the pool's hand-out with it.
func TestPendingDoesNotWaitForAParkedRead(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	peer, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	reading := make(chan struct{})
	go func() {
		close(reading)
		var b [1]byte
		c.Read(b[:]) // parked until the connection closes at the end of the test
	}()
	<-reading
	time.Sleep(50 * time.Millisecond) // let the Read park in the poller (only makes the case likelier)
	done := make(chan bool, 1)
	go func() { done <- postgres.Pending(c) }()
	select {
	case p := <-done:
		if p {
			t.Error("an idle connection with nothing to read looks pending")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the peek waited for another goroutine's Read")
	}
}
