package e2e

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/testenv"
	"github.com/notifyd/notifyd/publish"
)

// Two notifyd processes share one MariaDB database, one Redis and one goaws queue. Events
// published to the queue are consumed by either; each user's stream is held by one of
// them; every user receives each of their notifications exactly once and in seq order,
// whichever replica consumed it; both serve the same inbox; each SMS goes out once.
func TestReplicasShareQueueStoreAndStreams(t *testing.T) {
	t.Parallel()
	const users, perUser = 20, 10
	dbURL := testenv.MySQLURL(t)
	redis := testenv.StartRedis(t)
	q := newQueue(t, 3*time.Second)
	prov := newProvider(t)
	env := concat([]string{"NOTIFY_DATABASE_URL=" + dbURL, "NOTIFY_REDIS_URL=" + redis.URL}, smsEnv(prov), q.env, []string{replicaLease})
	replicas := []*proc{startNotifyd(t, "replica-a", env...), startNotifyd(t, "replica-b", env...)}

	// User u's stream is on replica u%2.
	streams := make([]<-chan sseEvent, users+1)
	for u := 1; u <= users; u++ {
		streams[u] = openStream(t, replicas[u%2], strconv.Itoa(u))
	}

	var events []publish.NotificationData
	want := make([]map[string]bool, users+1) // user → its event ids
	var ids []string
	for i := range users * perUser {
		u := 1 + i%users
		id := fmt.Sprintf("replica-%03d", i)
		events = append(events, event(id, strconv.Itoa(u)))
		if want[u] == nil {
			want[u] = map[string]bool{}
		}
		want[u][id] = true
		ids = append(ids, id)
	}
	q.send(t, events...)

	deadline := time.After(90 * time.Second)
	for u := 1; u <= users; u++ {
		seen := map[string]bool{}
		for seq := int64(1); seq <= perUser; seq++ {
			var ev sseEvent
			select {
			case e, ok := <-streams[u]:
				if !ok {
					t.Fatalf("user %d: stream closed after %d events", u, seq-1)
				}
				ev = e
			case <-deadline:
				t.Fatalf("user %d: %d of %d notifications arrived in time", u, seq-1, perUser)
			}
			var data struct {
				Seq     int64  `json:"seq"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal([]byte(ev.Data), &data); err != nil {
				t.Fatalf("user %d: event data %q: %v", u, ev.Data, err)
			}
			if ev.ID != strconv.FormatInt(seq, 10) || data.Seq != seq {
				t.Fatalf("user %d: got id %s seq %d, want seq %d (in order, no gap, no duplicate)", u, ev.ID, data.Seq, seq)
			}
			id := data.Message[strings.LastIndexByte(data.Message, ' ')+1:]
			if !want[u][id] || seen[id] {
				t.Fatalf("user %d: seq %d is event %q: not one of theirs, or seen before", u, seq, id)
			}
			seen[id] = true
		}
	}

	waitSent(t, replicas[0], ids, 90*time.Second)
	q.waitEmpty(t, replicas[0], 30*time.Second)
	for u := 1; u <= users; u++ {
		select {
		case ev, ok := <-streams[u]:
			if ok {
				t.Errorf("user %d: an extra event after all %d: %+v", u, perUser, ev)
			}
		default:
		}
		var uids []string
		for id := range want[u] {
			uids = append(uids, id)
		}
		user := strconv.Itoa(u)
		checkInbox(t, replicas[0], user, uids)
		a, b := inbox(t, replicas[0], user), inbox(t, replicas[1], user)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("user %d: replica a's inbox %v, replica b's %v", u, a, b)
		}
	}
	prov.checkOnce(t, ids, 1)
	for _, r := range replicas {
		t.Logf("%s: received %v SQS messages, accepted %v", r.name, metric(t, r, "notifyd_sqs_received_total"), metric(t, r, "notifyd_sqs_accepted_total"))
	}
	for _, r := range replicas {
		r.Term()
	}
}
