package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/store"
)

// BenchUser is the user SeedInbox gives BenchRows() notifications.
const BenchUser = "bench-user"

// BenchRows is how many notifications SeedInbox gives BenchUser: 100,000, or 2,000 under
// -short (make test's benchmark smoke run, which checks that the benchmarks work, not
// their figures).
func BenchRows() int {
	if testing.Short() {
		return 2_000
	}
	return 100_000
}

// SeedInbox writes BenchRows() notifications of BenchUser (and a tenth as many of other
// users) straight into db with multi-row inserts, one event each: ten types, four in five
// read, one in twenty archived, nine in ten seen. It takes seconds, where Accept would
// take minutes.
func SeedInbox(ctx context.Context, db *sql.DB) error {
	now := time.Now().UnixMilli()
	var eventID int64
	others := BenchRows() / 10
	seed := func(user string, rows int) error {
		const per = 500
		const cols = "(event_id, user_id, seq, role, type, message, url, created_at, read_at, seen_at, archived_at)"
		row := "(?,?,?,?,?,?,?,?,?,?,?)"
		for lo := 1; lo <= rows; lo += per {
			hi := min(lo+per-1, rows)
			first := eventID + 1
			var evArgs []any
			for seq := lo; seq <= hi; seq++ {
				eventID++
				evArgs = append(evArgs, eventID, fmt.Sprintf("bench-%d", eventID), now)
			}
			if _, err := db.ExecContext(ctx, "INSERT INTO events (id, idem_key, payload_hash, type, source, payload, accept_token, created_at) VALUES "+
				strings.Repeat("(?,?,'h','T','bench','{}','t',?),", hi-lo)+"(?,?,'h','T','bench','{}','t',?)", evArgs...); err != nil {
				return fmt.Errorf("seed events: %w", err)
			}
			args := make([]any, 0, (hi-lo+1)*11)
			for seq := lo; seq <= hi; seq++ {
				at := now - int64(rows-seq)*1000
				var read, seen, archived any
				if seq%5 != 0 {
					read = at + 10
				}
				if seq%10 != 0 {
					seen = at + 5
				}
				if seq%20 == 0 {
					archived = at + 20
				}
				args = append(args, first+int64(seq-lo), user, seq, "customer", fmt.Sprintf("T%d", seq%10), "배송이 시작되었습니다.", "https://shop/orders/1", at, read, seen, archived)
			}
			q := "INSERT INTO notifications " + cols + " VALUES " + strings.Repeat(row+",", hi-lo) + row
			if _, err := db.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("seed notifications: %w", err)
			}
		}
		_, err := db.ExecContext(ctx, `INSERT INTO recipients (user_id, last_seq) VALUES (?, ?)`, user, rows)
		return err
	}
	if err := seed(BenchUser, BenchRows()); err != nil {
		return err
	}
	for i := range 10 {
		if err := seed(fmt.Sprintf("other-%d", i), others/10); err != nil {
			return err
		}
	}
	return nil
}

// BenchInbox times one inbox page (21 rows, as the API asks for 20) of BenchUser under each
// filter, a deep page, and the badge counts, on a store seeded by SeedInbox; "ping" is
// one round trip, the floor under the others.
func BenchInbox(b *testing.B, s store.Store) {
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		f    store.InboxFilter
	}{
		{"all", store.InboxFilter{}},
		{"unread", store.InboxFilter{Status: store.InboxUnread}},
		{"read", store.InboxFilter{Status: store.InboxRead}},
		{"archivedOnly", store.InboxFilter{Archived: store.ArchivedOnly}},
		{"archivedInclude", store.InboxFilter{Archived: store.ArchivedInclude}},
		{"type", store.InboxFilter{Type: "T3"}},
		{"unreadOfType", store.InboxFilter{Status: store.InboxUnread, Type: "T5"}},
		{"deepPage", store.InboxFilter{Before: int64(BenchRows() / 2)}},
		{"unreadDeepPage", store.InboxFilter{Status: store.InboxUnread, Before: int64(BenchRows() / 2)}},
	} {
		bc.f.Limit = 21
		b.Run("list/"+bc.name, func(b *testing.B) {
			for b.Loop() {
				ns, err := s.ListInbox(ctx, BenchUser, bc.f)
				if err != nil || len(ns) != 21 {
					b.Fatalf("ListInbox(%+v) = %d rows, %v", bc.f, len(ns), err)
				}
			}
		})
	}
	// The floor under every number above: one round trip to the database.
	b.Run("ping", func(b *testing.B) {
		for b.Loop() {
			if err := s.Ping(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("counts", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.InboxCounts(ctx, BenchUser); err != nil {
				b.Fatal(err)
			}
		}
	})
}
