package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/testenv"
	"github.com/notifyd/notifyd/publish"
)

// follower is a browser's EventSource on one user's stream: it reconnects after the
// stream ends, resuming from its Last-Event-ID, and checks that the ids it is given run
// 1, 2, 3, … with no gap and no repeat.
type follower struct {
	user      string
	want      int
	done      chan struct{}
	connected chan struct{} // closed when the first connection is up

	mu     sync.Mutex
	events []string // event ids, in seq order
	bad    string   // the first gap or repeat seen
	opens  int
	up     bool // connected was closed
	// healed, once set by expectState, reports whether a state event (its data) or a
	// new connection (data "") brings the awaited state; the follower keeps reading
	// until it has, as well as its notifications.
	healed   func(data string) bool
	stateSet bool // healed was satisfied
}

// follow opens the stream and returns once it is connected.
func follow(t *testing.T, p *proc, user string, want int) *follower {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f := &follower{user: user, want: want, done: make(chan struct{}), connected: make(chan struct{})}
	go func() {
		defer close(f.done)
		for ctx.Err() == nil && !f.complete() {
			f.session(ctx, p)
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-f.done })
	select {
	case <-f.connected:
	case <-time.After(30 * time.Second):
		t.Fatalf("user %s: stream not connected within 30s", user)
	}
	return f
}

func (f *follower) complete() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.events) >= f.want && (f.healed == nil || f.stateSet) || f.bad != ""
}

// expectState makes the follower wait also for a state event that healed accepts, or a
// reconnection (a client lists again when it reconnects: healed("") decides).
func (f *follower) expectState(healed func(data string) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.healed, f.stateSet = healed, false
}

func (f *follower) sawState(data string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.healed != nil && !f.stateSet && f.healed(data) {
		f.stateSet = true
	}
}

// session reads one connection of the stream until it ends or the follower has all.
func (f *follower) session(ctx context.Context, p *proc) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/v1/notifications/stream", nil)
	req.Header.Set("X-User-Id", f.user)
	f.mu.Lock()
	req.Header.Set("Last-Event-ID", strconv.Itoa(len(f.events))) // 0 too: replay all
	f.opens++
	f.mu.Unlock()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return
	}
	f.mu.Lock()
	reconnect := f.up
	if !f.up {
		f.up = true
		close(f.connected)
	}
	f.mu.Unlock()
	if reconnect {
		f.sawState("")
	}
	sc := bufio.NewScanner(resp.Body)
	var id, kind, data string
	for sc.Scan() && !f.complete() {
		line := sc.Text()
		switch {
		case line == "":
			switch kind {
			case "notification":
				f.add(id, data)
			case "state":
				f.sawState(data)
			}
			id, kind, data = "", "", ""
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "event: "):
			kind = line[7:]
		case strings.HasPrefix(line, "data: "):
			data += line[6:]
		}
	}
}

func (f *follower) add(id, data string) {
	var d struct {
		Seq     int64  `json:"seq"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal([]byte(data), &d)
	f.mu.Lock()
	defer f.mu.Unlock()
	if want := int64(len(f.events) + 1); id != strconv.FormatInt(want, 10) || d.Seq != want {
		if f.bad == "" {
			f.bad = fmt.Sprintf("got id %s seq %d, want seq %d", id, d.Seq, want)
		}
		return
	}
	f.events = append(f.events, d.Message[strings.LastIndexByte(d.Message, ' ')+1:])
}

// wait waits until the follower has its notifications and checks they are exactly ids.
func (f *follower) wait(t *testing.T, ids map[string]bool, timeout time.Duration) {
	t.Helper()
	select {
	case <-f.done:
	case <-time.After(timeout):
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.bad != "" {
		t.Fatalf("user %s: %s (in order, no gap, no duplicate)", f.user, f.bad)
	}
	if len(f.events) != f.want {
		t.Fatalf("user %s: %d of %d notifications arrived in time (%d connections)", f.user, len(f.events), f.want, f.opens)
	}
	if f.healed != nil && !f.stateSet {
		t.Fatalf("user %s: the awaited state event did not arrive in time (%d connections)", f.user, f.opens)
	}
	seen := map[string]bool{}
	for _, id := range f.events {
		if !ids[id] || seen[id] {
			t.Fatalf("user %s: event %q is not one of theirs, or came twice", f.user, id)
		}
		seen[id] = true
	}
}

// Two notifyd processes share one PostgreSQL database and one goaws queue, and nothing
// else: no Redis, live pushes cross between them over LISTEN/NOTIFY (NOTIFY_FANOUT=auto
// picks it for a postgres:// store). As with MariaDB and Redis: every user receives each
// of their notifications exactly once and in seq order, whichever replica consumed it;
// both serve the same inbox; each SMS goes out once.
func TestReplicasOnPostgresOnly(t *testing.T) {
	t.Parallel()
	const users, perUser = 20, 10
	dbURL := testenv.PostgresURL(t)
	q := newQueue(t, 3*time.Second)
	prov := newProvider(t)
	env := concat([]string{"NOTIFY_DATABASE_URL=" + dbURL}, smsEnv(prov), q.env, []string{replicaLease})
	replicas := []*proc{startNotifyd(t, "replica-a", env...), startNotifyd(t, "replica-b", env...)}

	var events []publish.NotificationData
	want := make([]map[string]bool, users+1)
	var ids []string
	for i := range users * perUser {
		u := 1 + i%users
		id := fmt.Sprintf("pg-replica-%03d", i)
		events = append(events, event(id, strconv.Itoa(u)))
		if want[u] == nil {
			want[u] = map[string]bool{}
		}
		want[u][id] = true
		ids = append(ids, id)
	}
	followers := make([]*follower, users+1)
	for u := 1; u <= users; u++ { // user u's stream is on replica u%2
		followers[u] = follow(t, replicas[u%2], strconv.Itoa(u), perUser)
	}
	q.send(t, events...)
	for u := 1; u <= users; u++ {
		followers[u].wait(t, want[u], 90*time.Second)
	}

	waitSent(t, replicas[0], ids, 90*time.Second)
	q.waitEmpty(t, replicas[0], 30*time.Second)
	for u := 1; u <= users; u++ {
		user := strconv.Itoa(u)
		var uids []string
		for id := range want[u] {
			uids = append(uids, id)
		}
		checkInbox(t, replicas[0], user, uids)
		if a, b := inbox(t, replicas[0], user), inbox(t, replicas[1], user); fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("user %d: replica a's inbox %v, replica b's %v", u, a, b)
		}
	}
	prov.checkOnce(t, ids, 1)
	crossed := 0.0
	for _, r := range replicas {
		crossed += metric(t, r, "notifyd_fanout_received_total")
		t.Logf("%s: accepted %v SQS messages, received %v notifications over NOTIFY", r.name,
			metric(t, r, "notifyd_sqs_accepted_total"), metric(t, r, "notifyd_fanout_received_total"))
	}
	if crossed == 0 {
		t.Error("no notification crossed between the replicas over LISTEN/NOTIFY")
	}
	for _, r := range replicas {
		r.Term()
	}
}
