package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/store"
)

// ConsoleBenchRows is how many events (one notification and one SMS delivery each)
// SeedConsole writes: NOTIFY_BENCH_CONSOLE_ROWS, else 200,000, or 2,000 under -short.
func ConsoleBenchRows() int {
	if testing.Short() {
		return 2_000
	}
	if n, err := strconv.Atoi(os.Getenv("NOTIFY_BENCH_CONSOLE_ROWS")); err == nil && n > 0 {
		return n
	}
	return 200_000
}

// SeedConsole writes ConsoleBenchRows() events straight into db with multi-row inserts:
// each with one notification for one of 10,000 users, twenty types, and one SMS delivery
// (one in 500 failed, the rest sent), one a second up to now.
func SeedConsole(ctx context.Context, db *sql.DB) error {
	rows := ConsoleBenchRows()
	now := time.Now().UnixMilli()
	const per = 400
	for lo := 1; lo <= rows; lo += per {
		hi := min(lo+per-1, rows)
		n := hi - lo + 1
		var ev, no, de []any
		for id := lo; id <= hi; id++ {
			at := now - int64(rows-id)*1000
			typ := fmt.Sprintf("T%d", id%20)
			status := "sent"
			if id%500 == 0 {
				status = "failed"
			}
			ev = append(ev, id, fmt.Sprintf("console-%d", id), typ, at)
			no = append(no, id, id, fmt.Sprintf("user-%d", id%10_000), id, typ, at)
			de = append(de, id, id, status, at, at)
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{"INSERT INTO events (id, idem_key, payload_hash, type, source, payload, accept_token, created_at) VALUES " + strings.Repeat("(?,?,'h',?,'bench','{}','t',?),", n-1) + "(?,?,'h',?,'bench','{}','t',?)", ev},
			{"INSERT INTO notifications (id, event_id, user_id, seq, role, type, message, url, created_at) VALUES " + strings.Repeat("(?,?,?,?,'CUSTOMER',?,'m','',?),", n-1) + "(?,?,?,?,'CUSTOMER',?,'m','',?)", no},
			{"INSERT INTO deliveries (id, notification_id, channel, status, attempts, next_attempt_at, updated_at) VALUES " + strings.Repeat("(?,?,'sms',?,1,?,?),", n-1) + "(?,?,'sms',?,1,?,?)", de},
		} {
			if _, err := db.ExecContext(ctx, q.sql, q.args...); err != nil {
				return fmt.Errorf("seed console: %w", err)
			}
		}
	}
	return nil
}

// BenchConsole times one page (50 events, with their outcomes) of the activity feed under
// each filter, on a store SeedConsole filled. ns/op is one page.
func BenchConsole(b *testing.B, s store.Store) {
	ctx := context.Background()
	rows := int64(ConsoleBenchRows())
	for _, bc := range []struct {
		name string
		f    store.EventFilter
	}{
		{"newest", store.EventFilter{}},
		{"deepPage", store.EventFilter{Before: rows / 2}},
		{"type", store.EventFilter{Type: "T7"}},
		{"user", store.EventFilter{UserID: "user-42"}},
		{"status", store.EventFilter{Status: "failed"}},
		{"statusNone", store.EventFilter{Status: "undelivered"}},
	} {
		bc.f.Limit = 50
		b.Run("events/"+bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ListEvents(ctx, bc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("stats/1h", func(b *testing.B) {
		to := time.Now().Truncate(time.Minute).Add(time.Minute)
		for b.Loop() {
			if _, err := s.TrafficStats(ctx, to.Add(-time.Hour), to, time.Minute); err != nil {
				b.Fatal(err)
			}
		}
	})
}
