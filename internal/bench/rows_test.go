package bench

import (
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/store/sqlite"
)

// The bulk load writes the shape (u0's share, sequences, one SMS in four) and leaves the
// schema's indexes as the migrations made them.
func TestLoadRowsSQLite(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "rows.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	indexes := func() []string {
		var out []string
		err := queryEach(ctx, s.DB(), `SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`, nil, func(r *sql.Rows) error {
			var q string
			err := r.Scan(&q)
			out = append(out, q)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := indexes()
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	shape := RowsShape{Notifications: 5000, Users: 100, Heavy: 500}
	if err := loadRows(ctx, conn, kindSQLite, shape, time.Now().UnixMilli(), io.Discard); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if after := indexes(); !slices.Equal(before, after) {
		t.Errorf("indexes after the load differ:\nbefore %v\nafter  %v", before, after)
	}
	for _, c := range []struct {
		q    string
		want int64
	}{
		{`SELECT COUNT(*) FROM events`, 5000},
		{`SELECT COUNT(*) FROM notifications`, 5000},
		{`SELECT COUNT(*) FROM notifications WHERE user_id = 'u0'`, 500},
		{`SELECT last_seq FROM recipients WHERE user_id = 'u0'`, 500},
		{`SELECT MAX(seq) FROM notifications WHERE user_id = 'u0'`, 500},
		{`SELECT COUNT(*) FROM deliveries WHERE status = 'sent'`, 1250},
		{`SELECT SUM(last_seq) FROM recipients`, 5000},
	} {
		var n int64
		if err := s.DB().QueryRowContext(ctx, c.q).Scan(&n); err != nil || n != c.want {
			t.Errorf("%s = %d, %v; want %d", c.q, n, err, c.want)
		}
	}
}
