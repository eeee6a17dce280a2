package sqlstore

import (
	"strings"
	"time"
)

// maxRowsPerInsert bounds multi-row statements well below every backend's placeholder limit.
const maxRowsPerInsert = 500

// placeholders returns "?,?,…" with n marks.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

// rowsOf returns n groups "(?,…),(?,…)" of width marks each.
func rowsOf(n, width int) string {
	row := "(" + placeholders(width) + ")"
	return strings.Repeat(row+",", n-1) + row
}

// chunks calls fn with consecutive [lo, hi) ranges of at most size items.
func chunks(n, size int, fn func(lo, hi int) error) error {
	for lo := 0; lo < n; lo += size {
		hi := min(lo+size, n)
		if err := fn(lo, hi); err != nil {
			return err
		}
	}
	return nil
}

// flag is a boolean column's value: 0 or 1, which every backend's integer column takes
// (PostgreSQL will not store a bool in a SMALLINT).
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMS(v *int64) *time.Time {
	if v == nil {
		return nil
	}
	t := fromMS(*v)
	return &t
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
