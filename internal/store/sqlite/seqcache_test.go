package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/sqlite"
	"github.com/notifyd/notifyd/internal/store/storetest"
)

// SQLite keeps users' last sequence numbers in memory (one writer). A row changed
// behind the Store's back — which notifyd never does — costs at most one failed
// transaction (UNIQUE (user_id, seq) refuses the repeat), never a repeated number: the
// failed transaction's users are read from the database again on the next attempt.
func TestSeqCacheHealsAfterAWriteBehindItsBack(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "notify.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Accept(ctx, []store.AcceptInput{storetest.Input("a", "u1")}); err != nil {
		t.Fatal(err)
	}
	db := s.DB()
	if _, err := db.ExecContext(ctx, `INSERT INTO events (idem_key, payload_hash, type, source, payload, accept_token, created_at) VALUES ('behind', 'h', 'DELIVERY_STARTED', 'test', '{}', 't', 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO notifications (event_id, user_id, seq, role, type, message, url, created_at) SELECT id, 'u1', 2, 'CUSTOMER', 'DELIVERY_STARTED', 'm', '', 0 FROM events WHERE idem_key = 'behind'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE recipients SET last_seq = 2 WHERE user_id = 'u1'`); err != nil {
		t.Fatal(err)
	}
	var got int64
	for attempt := range 2 {
		res, err := s.Accept(ctx, []store.AcceptInput{storetest.Input("b", "u1")})
		if err == nil {
			got = res[0].Notifications[0].Seq
			break
		}
		if attempt == 1 {
			t.Fatalf("second attempt: %v", err)
		}
	}
	if got != 3 {
		t.Fatalf("seq after the write behind the store's back = %d, want 3", got)
	}
	all, err := s.NotificationsAfter(ctx, "u1", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range all {
		if n.Seq != int64(i+1) {
			t.Fatalf("u1's notification %d has seq %d", i, n.Seq)
		}
	}
}
