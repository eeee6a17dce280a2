package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/publish"
)

// The timing cases of the fault suite: notifyd SIGKILLed while it releases scheduled
// notifications, while it closes a digest window and while it cancels. Afterwards every
// due notification is visible exactly once with gap-free seqs, and every SMS reached a
// phone at most once.

// scheduledEvent is event with a sendAt.
func scheduledEvent(id, user string, at time.Time) publish.NotificationData {
	ev := event(id, user)
	ev.PublishInformation.SendAt = &at
	return ev
}

// forBackends runs body in parallel on SQLite and MariaDB, each with a fresh database.
func forBackends(t *testing.T, prefix string, body func(t *testing.T, storeEnv []string)) {
	for _, b := range storeBackends[:2] {
		t.Run(prefix+b.name, func(t *testing.T) {
			t.Parallel()
			body(t, b.env(t))
		})
	}
}

// waitVisible waits until each event has its notification (scheduled ones are released).
func waitVisible(t *testing.T, p *proc, ids []string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for _, id := range ids {
		for {
			if code, st := getEventStatus(t, p, id); code == http.StatusOK && len(st.Recipients) > 0 {
				break
			}
			p.pause(deadline, "event "+id+" visible")
		}
	}
}

// Killed inside the release transaction (schedule.release, before its commit) and right
// after it (schedule.after-release, committed but not yet published): the restarted
// process releases what did not commit, nothing twice.
func TestFaultKillDuringRelease(t *testing.T) {
	t.Parallel()
	for _, point := range []string{"schedule.release", "schedule.after-release"} {
		forBackends(t, point+"/", func(t *testing.T, storeEnv []string) {
			prov := newProvider(t)
			p := startNotifyd(t, "notifyd", concat(storeEnv, smsEnv(prov), []string{"NOTIFY_FAULT=" + point})...)
			ids := []string{"rel-1", "rel-2", "rel-3"}
			at := time.Now().Add(time.Second)
			for i, id := range ids {
				if status, _ := postEvent(t, p, scheduledEvent(id, fmt.Sprint(601+i), at)); status != http.StatusAccepted {
					t.Fatalf("POST %s: %d", id, status)
				}
			}
			p.waitKilled(waitLong)
			p2 := p.restart("NOTIFY_FAULT=")
			waitVisible(t, p2, ids, waitLong)
			waitSent(t, p2, ids, waitLong)
			checkStored(t, p2, ids, 601)
			prov.checkOnce(t, ids, 2) // after-release: the killed worker may have sent before the kill
		})
	}
}

// Killed while a digest window closes (inside its transaction): the restart closes it
// once, one notification with every event, one SMS.
func TestFaultKillDuringDigestClose(t *testing.T) {
	t.Parallel()
	forBackends(t, "", testKillDuringDigestClose)
}

func testKillDuringDigestClose(t *testing.T, storeEnv []string) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "types.yaml")
	if err := os.WriteFile(cfg, []byte("types:\n  DELIVERY_STARTED:\n    digest: {window: 1s, key: \"{{.orderId}}\", message: \"{{.count}}건의 배송이 시작되었습니다.\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prov := newProvider(t)
	p := startNotifyd(t, "notifyd", concat(storeEnv, smsEnv(prov), []string{"NOTIFY_FAULT=schedule.digest-close", "NOTIFY_CONFIG=" + cfg})...)
	ids := []string{"dig-1", "dig-2", "dig-3"}
	for _, id := range ids {
		ev := event(id, "701")
		ev.PublishInformation.Data = map[string]any{"orderId": 1}
		if status, _ := postEvent(t, p, ev); status != http.StatusAccepted {
			t.Fatalf("POST %s: %d", id, status)
		}
	}
	p.waitKilled(waitLong)
	p2 := p.restart("NOTIFY_FAULT=")
	waitVisible(t, p2, ids[:1], waitLong)
	waitSent(t, p2, ids[:1], waitLong) // the digest's notification belongs to its first event
	got := inbox(t, p2, "701")
	if len(got) != 1 || got[0].Seq != 1 || !strings.HasPrefix(got[0].Message, "3건의") {
		t.Fatalf("inbox after the restart: %+v, want one digest of 3 as seq 1", got)
	}
	prov.checkOnce(t, ids[:1], 1)
}

// Killed inside the cancel transaction: nothing of it stays (the notification is still
// scheduled); cancelling again after the restart cancels it and it is not released. A
// second scheduled notification of the same user (due in 2 s) shows as seq 1, once.
func TestFaultKillDuringCancel(t *testing.T) {
	t.Parallel()
	forBackends(t, "", testKillDuringCancel)
}

func testKillDuringCancel(t *testing.T, storeEnv []string) {
	prov := newProvider(t)
	p := startNotifyd(t, "notifyd", concat(storeEnv, smsEnv(prov), []string{"NOTIFY_FAULT=schedule.cancel"})...)
	if status, _ := postEvent(t, p, scheduledEvent("cancel-1", "801", time.Now().Add(time.Hour))); status != http.StatusAccepted {
		t.Fatalf("POST: %d", status)
	}
	if status, _ := postEvent(t, p, scheduledEvent("keep-1", "801", time.Now().Add(2*time.Second))); status != http.StatusAccepted {
		t.Fatalf("POST: %d", status)
	}
	req, _ := http.NewRequest(http.MethodDelete, p.URL+"/v1/events/cancel-1", nil)
	if resp, err := httpClient.Do(req); err == nil { // the process dies mid-request
		resp.Body.Close()
		t.Fatalf("DELETE answered %d before the kill", resp.StatusCode)
	}
	p.waitKilled(waitLong)
	p2 := p.restart("NOTIFY_FAULT=")
	status, body := call(t, http.MethodDelete, p2.URL+"/v1/events/cancel-1", nil)
	if status != http.StatusOK || !strings.Contains(string(body), `"status":"cancelled"`) || !strings.Contains(string(body), `"alreadyOut":{"notifications":[]`) {
		t.Fatalf("DELETE after the restart: %d %s", status, body)
	}
	waitVisible(t, p2, []string{"keep-1"}, waitLong)
	waitSent(t, p2, []string{"keep-1"}, waitLong)
	checkInbox(t, p2, "801", []string{"keep-1"})
	prov.checkOnce(t, []string{"keep-1"}, 2)
	if code, st := getEventStatus(t, p2, "cancel-1"); code != http.StatusOK || len(st.Recipients) != 0 {
		t.Errorf("cancel-1 after the cancel: %d %+v, want no notification", code, st)
	}
}
