package storetest

import (
	"context"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// reportTests are the delivery reports and the AlimTalk fallback (#24).
var reportTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"RefusalCreatesOneFallback", testRefusalFallback},
	{"ReportsApplyOnceAndWaitForTheirSend", testReports},
	{"UndeliveredReportFallsBackOnce", testReportFallback},
}

// kakaoInput is Input routed to kakao instead of SMS.
func kakaoInput(key string, users ...string) store.AcceptInput {
	in := Input(key, users...)
	for i := range in.Prepared.Targets {
		in.Prepared.Targets[i].Channels = []notify.Channel{notify.ChannelInbox, notify.ChannelKakao}
	}
	return in
}

func claimKakao(t *testing.T, s store.Store, now time.Time) []notify.Message {
	t.Helper()
	msgs, err := s.ClaimDeliveries(context.Background(), notify.ChannelKakao, now, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func channelDeliveries(t *testing.T, s store.Store, key string) map[notify.Channel]notify.Delivery {
	t.Helper()
	st, err := s.EventStatus(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	out := map[notify.Channel]notify.Delivery{}
	for _, d := range st.Recipients[0].Deliveries {
		out[d.Channel] = d
	}
	return out
}

// A refusal at the call creates the fallback SMS, with the AlimTalk's text, in the same
// write; the fallback SMS is then claimed and sent like any SMS, and its id shows on the
// kakao delivery.
func testRefusalFallback(t *testing.T, s store.Store) {
	ctx := context.Background()
	accept(t, s, kakaoInput("k1", "u1"))
	now := time.Now()
	msgs := claimKakao(t, s, now)
	if len(msgs) != 1 || msgs[0].To != "+821012345678" {
		t.Fatalf("kakao claims = %+v, want one to the buyer's phone", msgs)
	}
	o := store.Outcome{Status: notify.StatusFailed, Provider: "nhn", ProviderCode: "3018", Error: "not a KakaoTalk user", Refused: true,
		FallbackPlan: "lms", FallbackText: "김민수님, 배송이 시작되었습니다.", At: now}
	if err := s.CompleteDelivery(ctx, msgs[0].DeliveryID, msgs[0].Attempt, o); err != nil {
		t.Fatal(err)
	}
	sms, err := s.ClaimDeliveries(ctx, notify.ChannelSMS, now, time.Minute, 10)
	if err != nil || len(sms) != 1 {
		t.Fatalf("fallback sms claims = %+v, %v; want one", sms, err)
	}
	if sms[0].Text != o.FallbackText || sms[0].To != "+821012345678" || sms[0].URL != "https://mypage/orders/1" {
		t.Fatalf("fallback sms = %+v, want the AlimTalk's text to the same phone with the link", sms[0])
	}
	if err := s.CompleteDelivery(ctx, sms[0].DeliveryID, sms[0].Attempt, store.Outcome{Status: notify.StatusSent, Provider: "nhn", ProviderID: "sms-1", At: now}); err != nil {
		t.Fatal(err)
	}
	ds := channelDeliveries(t, s, "k1")
	k := ds[notify.ChannelKakao]
	if k.Status != notify.StatusFailed || k.Fallback != "lms" || k.FallbackProviderID != "sms-1" || k.ProviderCode != "3018" {
		t.Fatalf("kakao delivery = %+v, want failed, fallback lms with the SMS's id, code 3018", k)
	}
}

// A report before its send's commit is kept and applied once the send is recorded; a
// replay is a duplicate; a report for an unknown message is kept, then dropped when old.
func testReports(t *testing.T, s store.Store) {
	ctx := context.Background()
	s.SetWebhooks([]store.WebhookTarget{{Endpoint: "https://a.example/hook", Events: []string{notify.WebhookDeliveryDelivered}}})
	accept(t, s, kakaoInput("k2", "u1"))
	now := time.Now()
	msgs := claimKakao(t, s, now)
	early := store.Report{Provider: "nhn", MessageID: "req-1/1", Status: notify.StatusDelivered, Code: "1000", At: now}
	res, err := s.ApplyReport(ctx, early)
	if err != nil || res.Duplicate || res.DeliveryID != 0 {
		t.Fatalf("early report = %+v, %v; want kept, not applied", res, err)
	}
	if d := channelDeliveries(t, s, "k2")[notify.ChannelKakao]; d.Status != notify.StatusSending {
		t.Fatalf("before the send is recorded the delivery is %s", d.Status)
	}
	if err := s.CompleteDelivery(ctx, msgs[0].DeliveryID, msgs[0].Attempt, store.Outcome{Status: notify.StatusSent, Provider: "nhn", ProviderID: "req-1/1", At: now}); err != nil {
		t.Fatal(err)
	}
	n, err := s.ApplyPendingReports(ctx, now, now.Add(-time.Hour), 100)
	if err != nil || n != 1 {
		t.Fatalf("ApplyPendingReports = %d, %v; want 1", n, err)
	}
	d := channelDeliveries(t, s, "k2")[notify.ChannelKakao]
	if d.Status != notify.StatusDelivered || d.ProviderCode != "1000" {
		t.Fatalf("after the pending report: %+v, want delivered 1000", d)
	}
	if n, err := s.ApplyPendingReports(ctx, now, now.Add(-time.Hour), 100); err != nil || n != 0 {
		t.Fatalf("second ApplyPendingReports = %d, %v; want 0", n, err)
	}
	// A replay changes nothing; a contradicting later report for a final delivery neither.
	if res, err := s.ApplyReport(ctx, early); err != nil || !res.Duplicate {
		t.Fatalf("replayed report = %+v, %v; want duplicate", res, err)
	}
	late := store.Report{Provider: "nhn", MessageID: "req-1/1", Status: notify.StatusUndelivered, Code: "3018", Refused: true, At: now}
	if res, err := s.ApplyReport(ctx, late); err != nil || res.FallbackID != 0 {
		t.Fatalf("report after delivered = %+v, %v", res, err)
	}
	if d := channelDeliveries(t, s, "k2")[notify.ChannelKakao]; d.Status != notify.StatusDelivered {
		t.Fatalf("a report after delivered changed it to %s", d.Status)
	}
	rows, err := s.ListOutbox(ctx, store.OutboxFilter{})
	if err != nil || len(rows) != 1 || rows[0].Event != notify.WebhookDeliveryDelivered {
		t.Fatalf("outbox = %+v, %v; want one delivery.delivered", rows, err)
	}
	// A report for a message never sent is kept, then dropped once older than the window.
	if res, err := s.ApplyReport(ctx, store.Report{Provider: "nhn", MessageID: "nobody", Status: notify.StatusDelivered, At: now.Add(-2 * time.Hour)}); err != nil || res.DeliveryID != 0 {
		t.Fatalf("unknown report = %+v, %v", res, err)
	}
	if _, err := s.ApplyPendingReports(ctx, now, now.Add(-time.Hour), 100); err != nil {
		t.Fatal(err)
	}
	if res, err := s.ApplyReport(ctx, store.Report{Provider: "nhn", MessageID: "nobody", Status: notify.StatusDelivered, At: now}); err != nil || res.Duplicate {
		t.Fatalf("after the drop, the same report is new again: %+v, %v", res, err)
	}
	if _, err := s.ApplyReport(ctx, store.Report{Provider: "nhn", MessageID: "x", Status: notify.StatusSent}); err == nil {
		t.Fatal("a report with status sent was taken")
	}
}

// An undelivered report of a refusal falls back once, even reported twice under two
// codes; AwaitingReport lists sent deliveries without a report.
func testReportFallback(t *testing.T, s store.Store) {
	ctx := context.Background()
	accept(t, s, kakaoInput("k3", "u1", "u2"))
	now := time.Now()
	msgs := claimKakao(t, s, now)
	if len(msgs) != 2 {
		t.Fatalf("claims = %d", len(msgs))
	}
	for i, m := range msgs {
		o := store.Outcome{Status: notify.StatusSent, Provider: "solapi", ProviderID: []string{"M1", "M2"}[i], FallbackPlan: "sms", FallbackText: "짧은 안내", At: now}
		if err := s.CompleteDelivery(ctx, m.DeliveryID, m.Attempt, o); err != nil {
			t.Fatal(err)
		}
	}
	aw, err := s.AwaitingReport(ctx, "solapi", now.Add(time.Second), 10)
	if err != nil || len(aw) != 2 || aw[0].ProviderID != "M1" {
		t.Fatalf("AwaitingReport = %+v, %v; want M1, M2", aw, err)
	}
	if aw, _ := s.AwaitingReport(ctx, "nhn", now.Add(time.Second), 10); len(aw) != 0 {
		t.Fatalf("AwaitingReport(nhn) = %+v, want none", aw)
	}
	res, err := s.ApplyReport(ctx, store.Report{Provider: "solapi", MessageID: "M1", Status: notify.StatusUndelivered, Code: "3019", Refused: true, At: now})
	if err != nil || res.DeliveryID == 0 || res.FallbackID == 0 {
		t.Fatalf("refusal report = %+v, %v; want applied with a fallback", res, err)
	}
	if res, err := s.ApplyReport(ctx, store.Report{Provider: "solapi", MessageID: "M1", Status: notify.StatusUndelivered, Code: "3018", Refused: true, At: now}); err != nil || !res.Duplicate || res.FallbackID != 0 {
		t.Fatalf("second refusal (same status, another code) = %+v, %v; want a duplicate, no second fallback", res, err)
	}
	sms, err := s.ClaimDeliveries(ctx, notify.ChannelSMS, now, time.Minute, 10)
	if err != nil || len(sms) != 1 || sms[0].UserID != "u1" || sms[0].Text != "짧은 안내" {
		t.Fatalf("fallback claims = %+v, %v; want one for u1", sms, err)
	}
	if aw, _ := s.AwaitingReport(ctx, "solapi", now.Add(time.Second), 10); len(aw) != 1 || aw[0].ProviderID != "M2" {
		t.Fatalf("AwaitingReport after M1's report = %+v, want M2 only", aw)
	}
	if d := channelDeliveries(t, s, "k3")[notify.ChannelKakao]; d.Status != notify.StatusUndelivered || d.Fallback != "sms" || d.ProviderCode != "3019" {
		t.Fatalf("u1's kakao = %+v, want undelivered 3019, fallback sms", d)
	}
}
