package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Store kinds of a ten-million run.
const (
	kindSQLite   = "sqlite"
	kindMySQL    = "mysql"
	kindPostgres = "postgres"
)

// sessionForLoad sets the loading connection up: no foreign key checks (the rows are the
// bench's own and consistent), and for SQLite no journal and no fsync (a crashed load is
// started again from an empty file). SQLite stays in WAL mode; the store checkpoints..
func sessionForLoad(ctx context.Context, conn *sql.Conn, kind string) error {
	var stmts []string
	switch kind {
	case kindSQLite:
		stmts = []string{"PRAGMA foreign_keys = OFF", "PRAGMA synchronous = OFF", "PRAGMA cache_size = -1048576", "PRAGMA wal_autocheckpoint = 10000"}
	case kindMySQL:
		stmts = []string{"SET SESSION foreign_key_checks = 0", "SET SESSION unique_checks = 0"}
	case kindPostgres:
		stmts = []string{"SET session_replication_role = replica", "SET synchronous_commit = off", "SET maintenance_work_mem = '1GB'"}
	}
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// afterLoad puts the database back as notifyd wants it: SQLite fsyncing again, the
// PostgreSQL sequences past the ids written, and fresh planner statistics.
func afterLoad(ctx context.Context, conn *sql.Conn, kind string) error {
	var stmts []string
	switch kind {
	case kindSQLite:
		stmts = []string{"PRAGMA synchronous = FULL", "PRAGMA wal_checkpoint(TRUNCATE)"} // no ANALYZE: notifyd never runs one, so the planner sees what a user's file has
	case kindMySQL:
		stmts = []string{"ANALYZE TABLE events, notifications, deliveries, recipients"}
	case kindPostgres:
		for _, t := range []string{"events", "notifications", "deliveries"} {
			stmts = append(stmts, "SELECT setval(pg_get_serial_sequence('"+t+"', 'id'), (SELECT MAX(id) FROM "+t+"))")
		}
		stmts = append(stmts, "SET session_replication_role = origin", "VACUUM ANALYZE events", "VACUUM ANALYZE notifications", "VACUUM ANALYZE deliveries", "VACUUM ANALYZE recipients")
	}
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// dropIndexes drops the non-unique secondary indexes of tables, as the catalog has them,
// and returns the statements that build them again. Unique indexes stay (they are
// constraints); so do MySQL indexes a foreign key needs (the drop fails and is skipped).
func dropIndexes(ctx context.Context, conn *sql.Conn, kind string, tables []string) ([]string, error) {
	in := "'" + strings.Join(tables, "','") + "'"
	var create, drop []string
	switch kind {
	case kindSQLite:
		err := queryEach(ctx, conn, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
			AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN (`+in+`) ORDER BY name`, nil, func(r *sql.Rows) error {
			var name, def string
			if err := r.Scan(&name, &def); err != nil {
				return err
			}
			create, drop = append(create, def), append(drop, "DROP INDEX "+name)
			return nil
		})
		if err != nil {
			return nil, err
		}
	case kindPostgres:
		err := queryEach(ctx, conn, `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()
			AND tablename IN (`+in+`) AND indexdef NOT LIKE 'CREATE UNIQUE%' ORDER BY indexname`, nil, func(r *sql.Rows) error {
			var name, def string
			if err := r.Scan(&name, &def); err != nil {
				return err
			}
			create, drop = append(create, def), append(drop, "DROP INDEX "+name)
			return nil
		})
		if err != nil {
			return nil, err
		}
	case kindMySQL:
		return dropMySQLIndexes(ctx, conn, in)
	default:
		return nil, fmt.Errorf("rows: unknown store %q", kind)
	}
	for _, q := range drop {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	return create, nil
}

// dropMySQLIndexes drops each table's non-unique indexes a foreign key does not need,
// and returns one ALTER TABLE per table that adds them all back in one pass.
func dropMySQLIndexes(ctx context.Context, conn *sql.Conn, in string) ([]string, error) {
	type index struct{ table, name, cols string }
	var all []*index
	byName := map[string]*index{}
	err := queryEach(ctx, conn, `SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, SUB_PART FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (`+in+`) AND NON_UNIQUE = 1
		ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`, nil, func(r *sql.Rows) error {
		var t, n, c string
		var sub sql.NullInt64
		if err := r.Scan(&t, &n, &c, &sub); err != nil {
			return err
		}
		col := "`" + c + "`"
		if sub.Valid {
			col += fmt.Sprintf("(%d)", sub.Int64)
		}
		ix := byName[t+"."+n]
		if ix == nil {
			ix = &index{table: t, name: n}
			byName[t+"."+n] = ix
			all = append(all, ix)
		} else {
			col = ", " + col
		}
		ix.cols += col
		return nil
	})
	if err != nil {
		return nil, err
	}
	adds := map[string][]string{}
	var order []string
	for _, ix := range all {
		if _, err := conn.ExecContext(ctx, "ALTER TABLE `"+ix.table+"` DROP INDEX `"+ix.name+"`"); err != nil {
			continue // a foreign key needs it: it stays
		}
		if adds[ix.table] == nil {
			order = append(order, ix.table)
		}
		adds[ix.table] = append(adds[ix.table], "ADD INDEX `"+ix.name+"` ("+ix.cols+")")
	}
	var create []string
	for _, t := range order {
		create = append(create, "ALTER TABLE `"+t+"` "+strings.Join(adds[t], ", "))
	}
	return create, nil
}

// createIndexes runs the statements dropIndexes returned.
func createIndexes(ctx context.Context, conn *sql.Conn, stmts []string) error {
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}
