package postgres

import (
	"context"
	"net"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// shouldPing decides whether pgx's stdlib pings a pooled connection before database/sql
// hands it out again (a failed ping makes database/sql take another connection). pgx pings
// one idle over a second; a connection the server terminated within that second
// (pg_terminate_backend, a failover) would otherwise be handed out, and the statement sent
// on it fails with "terminating connection" instead of being retried on a new one. So a
// connection is pinged too when its socket already holds something while idle: the
// server's last message before it closed, or the close itself. The check neither waits
// nor consumes (a peek); where the platform or a TLS wrapper gives no socket to peek at,
// the one-second rule alone applies.
func shouldPing(_ context.Context, p stdlib.ShouldPingParams) bool {
	return p.IdleDuration > time.Second || pending(p.Conn.PgConn().Conn())
}

// pending reports whether c's socket has bytes to read or was closed by the peer.
func pending(c net.Conn) bool {
	if w, ok := c.(interface{ NetConn() net.Conn }); ok { // *tls.Conn
		c = w.NetConn()
	}
	return peek(c)
}
