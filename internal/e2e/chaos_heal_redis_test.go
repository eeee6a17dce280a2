package e2e

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/testenv"
)

// Two replicas on MariaDB with a private Redis between them, 20 open streams (half on
// each), and Redis restarts (killed, started again empty on the same port) while events
// and state changes go to the replica that does not hold the user's stream. Both are
// stored; their pushes to the other replica fail and are retried, and whatever is
// published before the other replica has re-subscribed is lost to it. Every stream still
// gets every notification once with gap-free ids (the resync after re-subscribing), and
// every stream learns of the state change made during the outage: the state event itself,
// or the {"refresh":true} state event that the resync sends every stream, on which a
// client lists again (or a reconnection, after which it lists anyway). Before, a state
// event lost between replicas was not healed at all.
func TestChaosRedisRestartHeals(t *testing.T) {
	t.Parallel()
	const users = 20
	dbURL := testenv.MySQLURL(t)
	redis := testenv.StartRedis(t) // private, on a free port: never the shared 6379
	env := concat([]string{"NOTIFY_DATABASE_URL=" + dbURL, "NOTIFY_REDIS_URL=" + redis.URL}, smsEnv(newProvider(t)), []string{replicaLease})
	replicas := []*proc{startNotifyd(t, "replica-a", env...), startNotifyd(t, "replica-b", env...)}

	followers := make([]*follower, users+1)
	for u := 1; u <= users; u++ { // user u's stream is on replica u%2; the other takes their events
		followers[u] = follow(t, replicas[u%2], strconv.Itoa(u), 2)
	}
	want := make([]map[string]bool, users+1)
	before := make([]int64, users+1) // the notification each user marks read during the outage
	for u := 1; u <= users; u++ {
		id := fmt.Sprintf("redis-before-%02d", u)
		want[u] = map[string]bool{id: true}
		status, acc := postEvent(t, replicas[(u+1)%2], event(id, strconv.Itoa(u)))
		if status != 202 || len(acc.NotificationIDs) != 1 {
			t.Fatalf("POST event for user %d: %d %+v", u, status, acc)
		}
		before[u] = acc.NotificationIDs[0]
		readMark := fmt.Sprintf(`"ids":[%d],"readAt"`, before[u])
		followers[u].expectState(func(data string) bool {
			return data == "" || strings.Contains(data, readMark) || data == `{"refresh":true}`
		})
	}

	redis.Stop()
	for _, r := range replicas {
		r.waitLog("redis subscription down", 1, 30*time.Second)
	}
	for u := 1; u <= users; u++ {
		other, user := replicas[(u+1)%2], strconv.Itoa(u)
		id := fmt.Sprintf("redis-during-%02d", u)
		want[u][id] = true
		if status, _ := postEvent(t, other, event(id, user)); status != 202 {
			t.Fatalf("POST event for user %d while Redis is down: %d", u, status)
		}
		if status, body := call(t, "POST", fmt.Sprintf("%s/v1/notifications/%d/read", other.URL, before[u]), nil, "X-User-Id", user); status != http.StatusNoContent {
			t.Fatalf("mark read for user %d while Redis is down: %d %s", u, status, body)
		}
	}
	for _, r := range replicas { // the outage hit the pushes between the replicas
		r.waitLog("publish to redis failed; trying again", 1, 30*time.Second)
	}
	if err := redis.Start(); err != nil {
		t.Fatalf("redis start on port %d: %v", redis.Port, err)
	}

	deadline := time.Now().Add(45 * time.Second) // under the one-minute resync
	for u := 1; u <= users; u++ {
		followers[u].wait(t, want[u], time.Until(deadline))
	}
	for u := 1; u <= users; u++ { // what a client lists after the refresh: the state made during the outage
		for _, n := range inbox(t, replicas[u%2], strconv.Itoa(u)) {
			if n.ID == before[u] && !n.Read {
				t.Errorf("user %d: notification %d not read in the list after the outage", u, before[u])
			}
		}
	}
}
