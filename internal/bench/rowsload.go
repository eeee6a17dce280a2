package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// RowsShape is the data a ten-million run writes: Notifications notifications, one event
// each, over users u0…u(Users-1), Heavy of them to u0 (every Notifications/Heavy-th), the
// rest to a fixed pseudo-random user; one in SMSEvery has a sent SMS delivery; eight in
// ten are read. They are spread evenly over Span up to a minute ago, oldest first by id.
type RowsShape struct {
	Notifications int
	Users         int
	Heavy         int
	SMSEvery      int
	Span          time.Duration
}

func (s *RowsShape) defaults() {
	s.Notifications = max(s.Notifications, 1)
	s.Users = max(s.Users, 1)
	if s.SMSEvery <= 0 {
		s.SMSEvery = 4
	}
	if s.Span <= 0 {
		s.Span = 365 * 24 * time.Hour
	}
}

// rowsTypes are the notification types the rows take in turn.
var rowsTypes = []string{"DELIVERY_STARTED", "DELIVERY_COMPLETED", "ORDER_PAID", "ORDER_CANCELLED", "RESTOCK", "REVIEW_REQUEST", "POINTS_EXPIRING", "COUPON_ISSUED"}

// user is the recipient of notification i (1-based).
func (s *RowsShape) user(i int) int {
	if s.Heavy > 0 && i%max(1, s.Notifications/s.Heavy) == 0 {
		return 0
	}
	return 1 + steadyUser(0x5eed, int64(i), max(1, s.Users-1))
}

// createdAt is notification i's creation time, unix ms, given the load's start.
func (s *RowsShape) createdAt(start int64, i int) int64 {
	span := s.Span.Milliseconds()
	return start - 60_000 - span + span*int64(i)/int64(s.Notifications)
}

// rowsChunk is how many rows one INSERT writes; rowsTx how many notifications (with their
// events and deliveries) one transaction writes.
const (
	rowsChunk = 2000
	rowsTx    = 20000
)

// loadRows writes the shape straight into db's tables in the store's schema (already
// migrated), in transactions of multi-row INSERTs with literal values (the bench's own
// numbers and fixed strings): ten million POSTs would take days. The secondary indexes
// are dropped first and built again at the end (indexes.go), one sorted pass each instead
// of ten million random inserts. conn is one connection: the session settings hold.
func loadRows(ctx context.Context, conn *sql.Conn, kind string, s RowsShape, start int64, log io.Writer) error {
	s.defaults()
	if err := sessionForLoad(ctx, conn, kind); err != nil {
		return err
	}
	idx, err := dropIndexes(ctx, conn, kind, []string{"events", "notifications", "deliveries"})
	if err != nil {
		return err
	}
	seqs := make([]int32, s.Users)
	var ev, no, de strings.Builder
	t0 := time.Now()
	for lo := 1; lo <= s.Notifications; lo += rowsTx {
		hi := min(lo+rowsTx-1, s.Notifications)
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for c := lo; c <= hi; c += rowsChunk {
			ev.Reset()
			no.Reset()
			de.Reset()
			for i := c; i <= min(c+rowsChunk-1, hi); i++ {
				u := s.user(i)
				seqs[u]++
				at := s.createdAt(start, i)
				rowValues(&ev, &no, &de, s, i, u, int(seqs[u]), at)
			}
			for _, q := range []struct{ head, vals string }{
				{"INSERT INTO events (id, idem_key, payload_hash, type, source, payload, accept_token, created_at) VALUES ", ev.String()},
				{"INSERT INTO notifications (id, event_id, user_id, seq, role, type, message, url, created_at, read_at, seen_at) VALUES ", no.String()},
				{"INSERT INTO deliveries (id, notification_id, channel, address, status, attempts, next_attempt_at, provider, provider_id, sent_at, updated_at) VALUES ", de.String()},
			} {
				if q.vals == "" {
					continue
				}
				if _, err := tx.ExecContext(ctx, q.head+q.vals[1:]); err != nil {
					tx.Rollback()
					return fmt.Errorf("load rows %d: %w", c, err)
				}
			}
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("load rows %d: %w", lo, err)
		}
		if hi%500_000 < rowsTx || hi == s.Notifications {
			fmt.Fprintf(log, "notify-bench: %d notifications in %.0fs\n", hi, time.Since(t0).Seconds())
		}
	}
	if err := loadRecipients(ctx, conn, kind, seqs); err != nil {
		return err
	}
	t1 := time.Now()
	if err := createIndexes(ctx, conn, idx); err != nil {
		return err
	}
	fmt.Fprintf(log, "notify-bench: indexes built in %.0fs\n", time.Since(t1).Seconds())
	return afterLoad(ctx, conn, kind)
}

// rowValues appends notification i's event, notification and (one in SMSEvery) delivery
// to the three VALUES lists, each value list led by a comma.
func rowValues(ev, no, de *strings.Builder, s RowsShape, i, u, seq int, at int64) {
	id := strconv.Itoa(i)
	a := strconv.FormatInt(at, 10)
	typ := rowsTypes[i%len(rowsTypes)]
	fmt.Fprintf(ev, ",(%s,'rows-%s','h','%s','bench','{\"whoToNotify\":{\"userId\":\"u%d\",\"role\":\"CUSTOMER\"},\"publishInformation\":{\"notificationType\":\"%s\",\"eventId\":\"rows-%s\",\"message\":\"Your order %s has shipped\",\"data\":{\"orderId\":%s}}}','t',%s)",
		id, id, typ, u, typ, id, id, id, a)
	read := "NULL"
	if steadyUser(0x4ead, int64(i), 10) < 8 {
		read = strconv.FormatInt(at+60_000, 10)
	}
	fmt.Fprintf(no, ",(%s,%s,'u%d',%d,'CUSTOMER','%s','Your order %s has shipped','https://shop.example/orders/%s',%s,%s,%s)",
		id, id, u, seq, typ, id, id, a, read, read)
	if i%s.SMSEvery == 0 {
		sent := strconv.FormatInt(at+2_000, 10)
		fmt.Fprintf(de, ",(%s,%s,'sms','+8210%08d','sent',1,%s,'bench','m%s',%s,%s)", id, id, u%100_000_000, a, id, sent, sent)
	}
}

// loadRecipients writes every user's last sequence number.
func loadRecipients(ctx context.Context, conn *sql.Conn, kind string, seqs []int32) error {
	var b strings.Builder
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for lo := 0; lo < len(seqs); lo += rowsChunk * 5 {
		b.Reset()
		for u := lo; u < min(lo+rowsChunk*5, len(seqs)); u++ {
			if seqs[u] > 0 {
				fmt.Fprintf(&b, ",('u%d',%d)", u, seqs[u])
			}
		}
		if b.Len() == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO recipients (user_id, last_seq) VALUES "+b.String()[1:]); err != nil {
			return fmt.Errorf("load recipients: %w", err)
		}
	}
	return tx.Commit()
}
