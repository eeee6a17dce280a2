package storetest

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// roundOneT is when the round-one rows were written (unix ms).
const roundOneT = int64(1_764_000_000_000)

// WriteRoundOne fills a database migrated to version 1 (round one's schema) the way round
// one wrote it: two events, three users' notifications (one read), deliveries sent,
// pending and skipped with round one's free-text reasons, a rejected message. A backend's
// upgrade test runs it, opens the database through its store (which migrates it) and
// runs CheckRoundOne.
func WriteRoundOne(t *testing.T, db *sql.DB) {
	t.Helper()
	T := roundOneT
	payload := func(key string, order int) string {
		return `{"whoToNotify":[{"userId":"u1","role":"CUSTOMER","phoneNumber":"+821012345678"},{"userId":"u2","role":"CUSTOMER"}],` +
			`"publishInformation":{"notificationType":"DELIVERY_STARTED","message":"배송이 시작되었습니다.","url":"https://mypage/orders/1","eventId":"` + key +
			`","data":{"orderId":` + strconv.Itoa(order) + `}}}`
	}
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO events (id, idem_key, payload_hash, type, source, payload, trace_parent, accept_token, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			[]any{1, "r1-ev-1", "h1", "DELIVERY_STARTED", "http", payload("r1-ev-1", 1), "", "tok1", T, 2, "r1-ev-2", "h2", "DELIVERY_STARTED", "sqs:orders", payload("r1-ev-2", 2), "", "tok2", T + 1000}},
		{`INSERT INTO recipients (user_id, last_seq) VALUES (?, ?), (?, ?)`, []any{"u1", 2, "u2", 2}},
		{`INSERT INTO notifications (id, event_id, user_id, seq, role, type, message, url, created_at, read_at) VALUES
			(1, 1, 'u1', 1, 'CUSTOMER', 'DELIVERY_STARTED', '배송이 시작되었습니다.', 'https://mypage/orders/1', ?, ?),
			(2, 1, 'u2', 1, 'CUSTOMER', 'DELIVERY_STARTED', '배송이 시작되었습니다.', 'https://mypage/orders/1', ?, NULL),
			(3, 2, 'u1', 2, 'CUSTOMER', 'DELIVERY_STARTED', '배송이 시작되었습니다.', 'https://mypage/orders/1', ?, NULL),
			(4, 2, 'u2', 2, 'CUSTOMER', 'DELIVERY_STARTED', '배송이 시작되었습니다.', 'https://mypage/orders/1', ?, NULL)`,
			[]any{T, T + 5000, T, T + 1000, T + 1000}},
		{`INSERT INTO deliveries (id, notification_id, channel, address, status, attempts, next_attempt_at, last_error, reason, provider_id, sent_at, updated_at) VALUES
			(1, 1, 'sms', '+821012345678', 'sent', 2, ?, 'webhook answered 503', '', 'msg-1', ?, ?),
			(2, 2, 'sms', '', 'skipped', 0, ?, '', 'no phone number', '', NULL, ?),
			(3, 3, 'sms', '+821012345678', 'pending', 0, ?, '', '', '', NULL, ?),
			(4, 4, 'sms', '+821098765432', 'skipped', 0, ?, '', 'per-recipient cap: 10 per 1h0m0s reached', '', NULL, ?)`,
			[]any{T, T + 500, T + 500, T, T, T + 1000, T + 1000, T + 1000, T + 1000}},
		{`INSERT INTO rejected_messages (id, source, queue, message_id, body, code, reason, receive_count, status, event_key, created_at, replayed_at) VALUES (1, 'sqs:orders', 'orders', 'm-1', '{bad', 'invalid_json', 'not JSON', 2, 'rejected', '', ?, NULL)`,
			[]any{T}},
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(context.Background(), s.q, s.args...); err != nil {
			t.Fatalf("round-one rows: %v\n%s", err, s.q)
		}
	}
}

// CheckRoundOne asserts that the rows of WriteRoundOne came through the upgrade whole:
// sequences and read state, delivery statuses (reasons as the contract's codes, the old
// text kept as the detail), the pending SMS still claimable with its data, the rejected
// message, and the users' sequences going on where they stopped.
func CheckRoundOne(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	u1, err := s.ListNotifications(ctx, "u1", 0, 10)
	if err != nil || len(u1) != 2 || u1[0].Seq != 2 || u1[1].Seq != 1 || u1[1].ReadAt == nil || u1[0].ReadAt != nil || u1[1].EventID != "r1-ev-1" {
		t.Fatalf("u1's notifications after the upgrade: %+v, %v", u1, err)
	}
	if n, _ := s.UnreadCount(ctx, "u2"); n != 2 {
		t.Errorf("u2 unread = %d, want 2", n)
	}
	ev1, err := s.EventStatus(ctx, "r1-ev-1")
	if err != nil || len(ev1.Recipients) != 2 {
		t.Fatalf("status of r1-ev-1: %+v, %v", ev1, err)
	}
	sent, noPhone := ev1.Recipients[0].Deliveries[0], ev1.Recipients[1].Deliveries[0]
	if sent.Status != notify.StatusSent || sent.ProviderID != "msg-1" || sent.Attempts != 2 || sent.SentAt == nil || sent.LastError != "webhook answered 503" {
		t.Errorf("sent delivery after the upgrade: %+v", sent)
	}
	if noPhone.Status != notify.StatusSkipped || noPhone.Reason != notify.ReasonNoPhone || noPhone.LastError != "no phone number" {
		t.Errorf("no-phone delivery after the upgrade: %+v, want skipped no_phone", noPhone)
	}
	ev2, err := s.EventStatus(ctx, "r1-ev-2")
	if err != nil || len(ev2.Recipients) != 2 || ev2.Source != "sqs:orders" {
		t.Fatalf("status of r1-ev-2: %+v, %v", ev2, err)
	}
	pending, capped := ev2.Recipients[0].Deliveries[0], ev2.Recipients[1].Deliveries[0]
	if pending.Status != notify.StatusPending || pending.NextAttemptAt == nil {
		t.Errorf("pending delivery after the upgrade: %+v", pending)
	}
	if capped.Status != notify.StatusSkipped || capped.Reason != notify.ReasonCapped || capped.LastError != "per-recipient cap: 10 per 1h0m0s reached" {
		t.Errorf("capped delivery after the upgrade: %+v, want skipped capped with the old text as detail", capped)
	}
	msgs, err := s.ClaimDeliveries(ctx, notify.ChannelSMS, time.UnixMilli(roundOneT+2000), time.Minute, 10)
	if err != nil || len(msgs) != 1 || msgs[0].DeliveryID != pending.ID || msgs[0].Attempt != 1 || msgs[0].Channel != notify.ChannelSMS {
		t.Fatalf("claim after the upgrade: %+v, %v; want the pending SMS", msgs, err)
	}
	var data map[string]any
	if json.Unmarshal(msgs[0].Data, &data) != nil || data["orderId"] != float64(2) {
		t.Errorf("claimed data %s, want the event's", msgs[0].Data)
	}
	rej, err := s.ListRejected(ctx, store.RejectedFilter{})
	if err != nil || len(rej) != 1 || rej[0].ReceiveCount != 2 || rej[0].Status != store.RejectedPending || rej[0].Body != "{bad" {
		t.Errorf("rejected after the upgrade: %+v, %v", rej, err)
	}
	res := accept(t, s, Input("r2-ev-3", "u1", "u2"))
	var seqs []int64
	for _, n := range res[0].Notifications {
		seqs = append(seqs, n.Seq)
	}
	if !slices.Equal(seqs, []int64{3, 3}) {
		t.Errorf("seqs of the first event after the upgrade: %v, want 3 and 3", seqs)
	}
}
