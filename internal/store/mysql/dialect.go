package mysql

import (
	"database/sql"
	"errors"

	gomysql "github.com/go-sql-driver/mysql"
)

// dialect is sqlstore.Dialect for MySQL 8 and MariaDB 10.11.
type dialect struct{}

func (dialect) InsertIgnore() string          { return "INSERT IGNORE INTO" }
func (dialect) IgnoreConflicts(string) string { return "" }

// UpsertSeq uses VALUES(col), deprecated in MySQL 8.0.20 in favour of a row alias but the
// one spelling that both MySQL 8 and MariaDB accept.
func (dialect) UpsertSeq() string {
	return " ON DUPLICATE KEY UPDATE last_seq = VALUES(last_seq)"
}

func (dialect) ForUpdate() string { return " FOR UPDATE" }

// SkipLocked needs MySQL 8.0.1 or MariaDB 10.6.
func (dialect) SkipLocked() string { return " FOR UPDATE SKIP LOCKED" }

// UseIndex forces the index. MariaDB 10.11 costs a user's inbox page on the index ListInbox
// picks and on (user_id, seq) or (user_id, replaced_by, seq) alike, and when it takes one of
// the latter it reads it as a ref on the user from the newest row down, filtering seq < cursor
// row by row: a page at seq 50,000 of 100,000 read 50,023 entries for its 21 rows (ANALYZE
// r_rows) and took 34–55 ms, against 21 entries and about 1 ms as a range on the forced index.
// Which plan it takes follows the table's statistics, so only the hint makes it stable.
func (dialect) UseIndex(index string) string { return " FORCE INDEX (" + index + ")" }

// Unindexed: the planner's statistics pick the plan.
func (dialect) Unindexed(col string) string { return col }

// TxOptions: READ COMMITTED. Every row a transaction depends on is read with a locking
// read (SELECT … FOR UPDATE on unique keys), which sees the newest committed version at
// any isolation level, so REPEATABLE READ's snapshot buys nothing here. What it would cost
// is gap and next-key locks: under REPEATABLE READ, a locking read of a key that does not
// exist yet (a new user's recipients row, a new idempotency key) locks the gap around it,
// and concurrent acceptors inserting neighbouring keys deadlock on each other's gaps.
// READ COMMITTED takes record locks only, and releases the locks on rows a claim's scan
// looked at but did not select.
func (dialect) TxOptions() *sql.TxOptions {
	return &sql.TxOptions{Isolation: sql.LevelReadCommitted}
}

// Retryable: the transaction lost a deadlock (1213, rolled back by the server) or waited
// too long for a lock (1205); running it again from the start is safe.
func (dialect) Retryable(err error) bool {
	var me *gomysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1213, 1205:
			return true
		}
	}
	return false
}
