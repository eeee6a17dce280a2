package postgres

import "testing"

func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		`SELECT 1`: `SELECT 1`,
		`SELECT a FROM t WHERE b = ? AND c IN (?,?)`: `SELECT a FROM t WHERE b = $1 AND c IN ($2,$3)`,
		`UPDATE t SET a = '?', b = ? WHERE "x?" = ?`: `UPDATE t SET a = '?', b = $1 WHERE "x?" = $2`,
		"SELECT ? -- why?\n, ?":                      "SELECT $1 -- why?\n, $2",
		`INSERT INTO t VALUES (?, 'it''s ?', ?)`:     `INSERT INTO t VALUES ($1, 'it''s ?', $2)`,
		`SELECT $1 FROM goose WHERE version_id = $2`: `SELECT $1 FROM goose WHERE version_id = $2`,
		`SELECT 'unterminated ?`:                     `SELECT 'unterminated ?`,
	} {
		if got := rebind(in); got != want {
			t.Errorf("rebind(%q) = %q, want %q", in, got, want)
		}
	}
}
