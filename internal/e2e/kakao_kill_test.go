package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/channel/nhn/nhntest"
	"github.com/notifyd/notifyd/publish"
)

const kakaoKillConfig = `
alimtalk:
  TPL_DELIVERY_STARTED:
    text: "#{고객명}님, 배송이 시작되었습니다.\n송장번호: #{송장번호}"
types:
  DELIVERY_STARTED:
    channels: {CUSTOMER: [inbox, kakao]}
    kakao:
      template: TPL_DELIVERY_STARTED
      variables: {"고객명": "{{.buyerName}}", "송장번호": "{{.invoiceNo}}"}
`

// SIGKILL during a batch of 200 AlimTalks, half of them to buyers without KakaoTalk (each
// of whom gets an SMS instead): after the restart every buyer has exactly one message
// across AlimTalk and SMS. NHN takes an AlimTalk and holds its answer a moment, so the kill
// cuts sends NHN took but notifyd had not recorded; their retries carry the same
// idempotency key and NHN's -1005 counts as the send.
func TestKakaoKillDuringBatch(t *testing.T) {
	t.Parallel()
	f := nhntest.New(t)
	f.Set(func(f *nhntest.Fake) { f.Delay = 30 * time.Millisecond })
	cfg := filepath.Join(t.TempDir(), "kakao.yaml")
	if err := os.WriteFile(cfg, []byte(kakaoKillConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	env := concat(sqliteEnv(t), []string{"NOTIFY_CONFIG=" + cfg, "NOTIFY_KAKAO_PROVIDER=nhn", "NOTIFY_SMS_PROVIDER=nhn",
		"NOTIFY_KAKAO_SENDER_KEY=" + nhntest.SenderKey, "NOTIFY_NHN_APP_KEY=" + nhntest.AppKey, "NOTIFY_NHN_SECRET_KEY=" + nhntest.SecretKey,
		"NOTIFY_NHN_KAKAO_URL=" + f.URL, "NOTIFY_NHN_SMS_URL=" + f.URL, "NOTIFY_SMS_FROM=" + nhntest.SendNo, "NOTIFY_KAKAO_CONCURRENCY=4"})
	p := startNotifyd(t, "notifyd", env...)

	const n, first = 200, 7000
	var ids []string
	var evs []publish.NotificationData
	for i := range n {
		user := fmt.Sprint(first + i)
		if i%2 == 1 {
			f.Set(func(f *nhntest.Fake) { f.NoKakao["0"+strings.TrimPrefix(phone(user), "+82")] = true })
		}
		id := fmt.Sprintf("kakao-kill-%d", i)
		ids = append(ids, id)
		ev := publish.ForOne(publish.Customer(user, phone(user)), publish.Info{NotificationType: "DELIVERY_STARTED", Message: "배송이 시작되었습니다.",
			EventID: id, Data: map[string]string{"buyerName": "구매자" + user, "invoiceNo": "INV" + user, "orderId": user}})
		evs = append(evs, ev)
	}
	// One request, one batch: every event is stored before any AlimTalk goes out.
	if status, body := call(t, "POST", p.URL+"/v1/events", mustJSON(t, evs), "Content-Type", "application/json"); status != http.StatusAccepted {
		t.Fatalf("POST the batch: %d %.300s", status, body)
	}
	deadline := time.Now().Add(waitLong)
	for at, _ := f.Counts(); at < 30; at, _ = f.Counts() {
		p.pause(deadline, "30 AlimTalks taken")
	}
	p.Kill()
	at, texts := f.Counts()
	t.Logf("killed after NHN took %d AlimTalks and %d texts", at, texts)
	p = p.restart()

	// Every buyer's kakao delivery is final, and a refused one's SMS is sent.
	deadline = time.Now().Add(waitLong)
	for _, id := range ids {
		for !kakaoDone(t, p, id) {
			p.pause(deadline, id+" done")
		}
	}
	per := f.PerRecipient()
	for i := range n {
		no := "0" + strings.TrimPrefix(phone(fmt.Sprint(first+i)), "+82")
		if per[no] != 1 {
			t.Errorf("buyer %d (%s): %d messages across AlimTalk and SMS, want exactly 1", i, no, per[no])
		}
	}
}

// kakaoDone reports whether an event's kakao delivery is final and, if it was refused,
// its fallback SMS sent.
func kakaoDone(t *testing.T, p *proc, id string) bool {
	_, st := getEventStatus(t, p, id)
	if len(st.Recipients) == 0 {
		return false
	}
	ch := map[string]string{}
	for _, c := range st.Recipients[0].Channels {
		ch[c.Channel] = c.Status
	}
	switch ch["kakao"] {
	case "sent", "delivered":
		return true
	case "failed":
		return ch["sms"] == "sent"
	}
	return false
}
