package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notifyd/notifyd/internal/store/sqlite"
	"github.com/notifyd/notifyd/internal/store/sqlstore"
)

// notifications_collapse is partial (collapse_key IS NOT NULL, migration 00008): the
// collapse lookup and update of sqlstore still find it, rather than walking the user's
// notifications through another index.
func TestCollapseUsesPartialIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(ON)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := sqlite.MigrateTo(context.Background(), db, 8); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		sqlstore.CollapseSelect,
		sqlstore.CollapseUpdate,
	} {
		args := []any{"u1", "k", int64(5)}
		if strings.HasPrefix(q, "UPDATE") {
			args = append([]any{int64(9)}, args...)
		}
		rows, err := db.Query(`EXPLAIN QUERY PLAN `+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if got := strings.Join(plan, "; "); !strings.Contains(got, "notifications_collapse") {
			t.Errorf("plan of %q is %q, want it to use notifications_collapse", q, got)
		}
	}
}
