package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/testenv"
)

// A state change made on one replica (archive, then read-all) reaches the user's stream on
// the other replica through Redis as id-less "state" events, after the notification they
// are about, and the next notification keeps the stream's sequence.
func TestStateChangesCrossReplicas(t *testing.T) {
	t.Parallel()
	dbURL := testenv.MySQLURL(t)
	redis := testenv.StartRedis(t)
	env := []string{"NOTIFY_DATABASE_URL=" + dbURL, "NOTIFY_REDIS_URL=" + redis.URL}
	a, b := startNotifyd(t, "replica-a", env...), startNotifyd(t, "replica-b", env...)
	stream := openStream(t, b, "77")
	next := func(what string) sseEvent {
		t.Helper()
		select {
		case ev, ok := <-stream:
			if !ok {
				t.Fatalf("%s: stream closed", what)
			}
			return ev
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: nothing within 30s", what)
		}
		return sseEvent{}
	}
	_, acc := postEvent(t, a, event("state-1", "77"))
	if ev := next("the notification"); ev.Event != "notification" || ev.ID != "1" {
		t.Fatalf("first event %+v", ev)
	}
	id := acc.NotificationIDs[0]
	if status, body := call(t, "POST", fmt.Sprintf("%s/v1/notifications/%d/archive", a.URL, id), nil, "X-User-Id", "77"); status != http.StatusNoContent {
		t.Fatalf("archive on A: %d %s", status, body)
	}
	if ev := next("the archive"); ev.Event != "state" || ev.ID != "" || !strings.HasPrefix(ev.Data, fmt.Sprintf(`{"ids":[%d],"archivedAt":"`, id)) {
		t.Fatalf("archive reached B as %+v", ev)
	}
	if status, body := call(t, "POST", a.URL+"/v1/notifications/read-all", nil, "X-User-Id", "77"); status != http.StatusOK {
		t.Fatalf("read-all on A: %d %s", status, body)
	}
	if ev := next("the read-all"); ev.Event != "state" || !strings.HasPrefix(ev.Data, `{"upToSeq":1,"readAt":"`) {
		t.Fatalf("read-all reached B as %+v", ev)
	}
	postEvent(t, a, event("state-2", "77"))
	if ev := next("the second notification"); ev.Event != "notification" || ev.ID != "2" {
		t.Fatalf("after the state events: %+v, want notification 2", ev)
	}
}
