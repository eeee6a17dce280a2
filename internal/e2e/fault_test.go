package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/testenv"
	"github.com/notifyd/notifyd/publish"
)

// The fault suite: notifyd killed with SIGKILL at each step of the pipeline, its store
// cut off, its SMS provider failing, a producer repeating itself. Every case ends with
// the same proof, read from the store (the status view and the inbox of a process that
// is still or again running) and from the fake provider: each event stored once, each
// SMS delivered once, under one idempotency key. docs/faults.md explains each case.

const waitLong = 45 * time.Second

func sqliteEnv(t *testing.T) []string {
	return []string{"NOTIFY_DATABASE_URL=sqlite:" + filepath.Join(t.TempDir(), "notify.db")}
}

// storeBackends are the stores a fault case runs on: each env names a fresh database.
var storeBackends = []struct {
	name string
	env  func(t *testing.T) []string
}{
	{"sqlite", sqliteEnv},
	{"mariadb", func(t *testing.T) []string { return []string{"NOTIFY_DATABASE_URL=" + testenv.MySQLURL(t)} }},
	{"postgres", func(t *testing.T) []string { return []string{"NOTIFY_DATABASE_URL=" + testenv.PostgresURL(t)} }},
}

func smsEnv(prov *provider) []string {
	return []string{"NOTIFY_SMS_PROVIDER=webhook", "NOTIFY_SMS_WEBHOOK_URL=" + prov.URL}
}

func concat(envs ...[]string) []string {
	var out []string
	for _, e := range envs {
		out = append(out, e...)
	}
	return out
}

// eventsFor builds one event per id, for users first, first+1, …
func eventsFor(ids []string, first int) []publish.NotificationData {
	evs := make([]publish.NotificationData, len(ids))
	for i, id := range ids {
		evs[i] = event(id, fmt.Sprint(first+i))
	}
	return evs
}

// checkStored asserts each event has exactly one notification for its user.
func checkStored(t *testing.T, p *proc, ids []string, first int) {
	t.Helper()
	for i, id := range ids {
		checkInbox(t, p, fmt.Sprint(first+i), []string{id})
	}
}

// replayIsKnown posts ev again, as a producer whose first POST got no answer would: it was
// stored before the kill, so the answer is 200, a replay.
func replayIsKnown(t *testing.T, p *proc, ev publish.NotificationData) {
	t.Helper()
	if status, a := postEvent(t, p, ev); status != http.StatusOK || !a.Duplicate {
		t.Errorf("POST again after the restart: %d %+v, want 200 and a duplicate", status, a)
	}
}

// Killed after ReceiveMessage returned, before anything was stored: the messages come
// back after their visibility timeout and are accepted, once, by the restarted process.
func TestFaultKillAfterReceive(t *testing.T) {
	t.Parallel()
	q := newQueue(t, 2*time.Second)
	prov := newProvider(t)
	p := startNotifyd(t, "notifyd", concat(sqliteEnv(t), smsEnv(prov), q.env, []string{"NOTIFY_FAULT=sqs.after-receive"})...)
	ids := []string{"recv-1", "recv-2", "recv-3"}
	q.send(t, eventsFor(ids, 101)...)
	p.waitKilled(waitLong)
	if calls, _, _ := prov.snapshot(); len(calls) != 0 {
		t.Fatalf("provider called before anything was stored: %v", calls)
	}

	p2 := p.restart("NOTIFY_FAULT=")
	waitSent(t, p2, ids, waitLong)
	q.waitEmpty(t, p2, waitLong)
	checkStored(t, p2, ids, 101)
	prov.checkOnce(t, ids, 1)
	if got := metric(t, p2, "notifyd_sqs_duplicates_total"); got != 0 {
		t.Errorf("restarted process saw %v duplicate messages, want 0: the killed one stored nothing", got)
	}
	if got := metric(t, p2, "notifyd_sqs_accepted_total"); got != float64(len(ids)) {
		t.Errorf("restarted process accepted %v messages, want %d", got, len(ids))
	}
}

// Killed after the batch was committed, before DeleteMessageBatch: the redelivered
// messages hit their idempotency keys; one notification and one SMS each.
func TestFaultKillAfterCommit(t *testing.T) {
	t.Parallel()
	q := newQueue(t, 2*time.Second)
	prov := newProvider(t)
	p := startNotifyd(t, "notifyd", concat(sqliteEnv(t), smsEnv(prov), q.env, []string{"NOTIFY_FAULT=sqs.after-commit"})...)
	ids := []string{"commit-1", "commit-2", "commit-3"}
	q.send(t, eventsFor(ids, 201)...)
	p.waitKilled(waitLong)

	p2 := p.restart("NOTIFY_FAULT=")
	waitSent(t, p2, ids, waitLong)
	q.waitEmpty(t, p2, waitLong)
	checkStored(t, p2, ids, 201)
	// The killed process may have sent an SMS without recording it (its worker runs as
	// soon as the commit is done): then the restart resends it under the same key.
	prov.checkOnce(t, ids, 2)
	dups, acc := metric(t, p2, "notifyd_sqs_duplicates_total"), metric(t, p2, "notifyd_sqs_accepted_total")
	if dups < 1 || dups+acc != float64(len(ids)) {
		t.Errorf("restarted process: %v duplicate and %v accepted messages, want at least 1 duplicate and %d in all", dups, acc, len(ids))
	}
}

// Killed with the SMS request in flight (the provider has it and holds its answer): the
// lease runs out, the restarted process sends again under the same Idempotency-Key and
// the provider sends nothing twice. Before that, the same kill one step earlier (at
// delivery.before-send): the provider never saw the first attempt.
func TestFaultKillDuringSend(t *testing.T) {
	t.Parallel()
	t.Run("in-flight", func(t *testing.T) {
		t.Parallel()
		prov := newProvider(t)
		p := startNotifyd(t, "notifyd", concat(sqliteEnv(t), smsEnv(prov))...)
		prov.holdRequests()
		ids := []string{"send-1"}
		if status, _ := postEvent(t, p, event(ids[0], "301")); status != http.StatusAccepted {
			t.Fatalf("POST: %d", status)
		}
		select {
		case <-prov.arrived:
		case <-time.After(waitLong):
			t.Fatal("the SMS never reached the provider")
		}
		p.Kill() // the provider still holds the request
		prov.release()

		p2 := p.restart()
		attempts := waitSent(t, p2, ids, waitLong)
		if attempts[ids[0]] != 2 {
			t.Errorf("attempts = %d, want 2 (the killed send and the retry)", attempts[ids[0]])
		}
		checkStored(t, p2, ids, 301)
		prov.checkOnce(t, ids, 2)
		if calls, _, _ := prov.snapshot(); len(calls) != 1 || calls["sms-1"] != 2 {
			t.Errorf("provider calls %v, want the one key twice", calls)
		}
	})
	t.Run("before-send", func(t *testing.T) {
		t.Parallel()
		prov := newProvider(t)
		p := startNotifyd(t, "notifyd", concat(sqliteEnv(t), smsEnv(prov), []string{"NOTIFY_FAULT=delivery.before-send"})...)
		ids := []string{"send-2"}
		// The worker may claim the delivery and die before the answer is written.
		if status := postLost(t, p, event(ids[0], "302")); status != http.StatusAccepted && status != 0 {
			t.Fatalf("POST: %d", status)
		}
		p.waitKilled(waitLong)
		if calls, _, _ := prov.snapshot(); len(calls) != 0 {
			t.Fatalf("provider calls %v before the send point", calls)
		}
		p2 := p.restart("NOTIFY_FAULT=")
		replayIsKnown(t, p2, event(ids[0], "302"))
		waitSent(t, p2, ids, waitLong)
		checkStored(t, p2, ids, 302)
		prov.checkOnce(t, ids, 1)
	})
}

// Killed after the provider accepted the SMS, before the outcome was recorded: the one
// documented window. The restarted process resends once, under the same key, and the
// provider does not send it again.
func TestFaultKillAfterSend(t *testing.T) {
	t.Parallel()
	prov := newProvider(t)
	p := startNotifyd(t, "notifyd", concat(sqliteEnv(t), smsEnv(prov), []string{"NOTIFY_FAULT=delivery.after-send"})...)
	ids := []string{"sent-1"}
	if status := postLost(t, p, event(ids[0], "401")); status != http.StatusAccepted && status != 0 {
		t.Fatalf("POST: %d", status)
	}
	p.waitKilled(waitLong)
	if _, delivered, _ := prov.snapshot(); len(delivered) != 1 {
		t.Fatalf("provider delivered %v before the kill, want one SMS", delivered)
	}

	p2 := p.restart("NOTIFY_FAULT=")
	replayIsKnown(t, p2, event(ids[0], "401"))
	attempts := waitSent(t, p2, ids, waitLong)
	if attempts[ids[0]] != 2 {
		t.Errorf("attempts = %d, want 2", attempts[ids[0]])
	}
	checkStored(t, p2, ids, 401)
	prov.checkOnce(t, ids, 2)
	if calls, _, _ := prov.snapshot(); calls["sms-1"] != 2 {
		t.Errorf("provider calls %v, want exactly one resend of sms-1", calls)
	}
}

// The store unreachable for a while (a TCP proxy between notifyd and MariaDB cut and
// restored): HTTP ingest answers 503, SQS messages stay on the queue; once the store is
// back, the producer's retry is stored and the SQS messages come back and are accepted.
func TestFaultStoreUnavailable(t *testing.T) {
	t.Parallel()
	dbURL := testenv.MySQLURL(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := testenv.StartProxy(t, u.Host)
	u.Host = proxy.Addr()
	q := newQueue(t, 2*time.Second)
	prov := newProvider(t)
	p := startNotifyd(t, "notifyd", concat([]string{"NOTIFY_DATABASE_URL=" + u.String()}, smsEnv(prov), q.env)...)

	before := []string{"store-before"}
	if status, _ := postEvent(t, p, event(before[0], "501")); status != http.StatusAccepted {
		t.Fatalf("POST before the cut: %d", status)
	}
	waitSent(t, p, before, waitLong)

	proxy.Down()
	httpEv := event("store-http", "502")
	if status, _ := postEvent(t, p, httpEv); status != http.StatusServiceUnavailable {
		t.Fatalf("POST while the store is cut off: %d, want 503", status)
	}
	sqsIDs := []string{"store-sqs-1", "store-sqs-2"}
	q.send(t, eventsFor(sqsIDs, 503)...)
	p.waitLog("accept failed, messages will be redelivered", 1, waitLong)
	if n := q.count(t); n != len(sqsIDs) {
		t.Fatalf("%d messages on the queue while the store is cut off, want %d (none deleted)", n, len(sqsIDs))
	}
	if status, _ := call(t, "GET", p.URL+"/readyz", nil); status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the store cut off: %d, want 503", status)
	}

	proxy.Up()
	// The producer retries its refused event: nothing was stored, so it is new (202).
	deadline := time.Now().Add(waitLong)
	for {
		status, _ := postEvent(t, p, httpEv)
		if status == http.StatusAccepted {
			break
		}
		if status != http.StatusServiceUnavailable {
			t.Fatalf("POST after restore: %d, want 202", status)
		}
		p.pause(deadline, "the store to come back")
	}
	all := append(append(append([]string(nil), before...), httpEv.PublishInformation.EventID), sqsIDs...)
	waitSent(t, p, all, waitLong)
	q.waitEmpty(t, p, waitLong)
	checkStored(t, p, all, 501)
	prov.checkOnce(t, all, 1)
}

// The provider fails half its calls (the first of each SMS, 503): every SMS ends sent
// exactly once, and the status view shows the retry as a second attempt.
func TestFaultProviderFailsHalf(t *testing.T) {
	t.Parallel()
	prov := newProvider(t)
	prov.setFailOdd(true)
	p := startNotifyd(t, "notifyd", concat(sqliteEnv(t), smsEnv(prov))...)
	var ids []string
	for i := range 10 {
		ids = append(ids, fmt.Sprintf("flaky-%d", i))
	}
	for i, ev := range eventsFor(ids, 601) {
		if status, _ := postEvent(t, p, ev); status != http.StatusAccepted {
			t.Fatalf("POST %d: %d", i, status)
		}
	}
	attempts := waitSent(t, p, ids, waitLong)
	checkStored(t, p, ids, 601)
	prov.checkOnce(t, ids, 2)
	calls, _, keys := prov.snapshot()
	failed := 0
	for key, n := range calls {
		failed += n / 2
		if a := attempts[keys[key]]; a != n {
			t.Errorf("event %s: status view shows %d attempts, provider saw %d calls", keys[key], a, n)
		}
	}
	if failed != len(ids) {
		t.Errorf("%d calls failed, want %d (one per SMS)", failed, len(ids))
	}
}

// A producer sends the same event ten times at once: one 202, nine 200 with the same
// ids, one notification, one SMS. On SQLite, MariaDB and PostgreSQL.
func TestFaultConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	for _, b := range storeBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			prov := newProvider(t)
			p := startNotifyd(t, "notifyd", concat(b.env(t), smsEnv(prov))...)
			ids := []string{"twice-" + b.name}
			body := mustJSON(t, event(ids[0], "701"))

			type answer struct {
				status int
				body   []byte
			}
			answers := make([]answer, 10)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range answers {
				wg.Go(func() {
					<-start
					answers[i].status, answers[i].body = call(t, "POST", p.URL+"/v1/events", body, "Content-Type", "application/json")
				})
			}
			close(start)
			wg.Wait()

			fresh, replays := 0, 0
			var first accepted
			for i, a := range answers {
				var got accepted
				if err := jsonUnmarshal(a.body, &got); err != nil || (a.status != http.StatusAccepted && a.status != http.StatusOK) {
					t.Fatalf("answer %d: %d %s", i, a.status, a.body)
				}
				if a.status == http.StatusAccepted {
					fresh++
				} else {
					replays++
				}
				if i == 0 {
					first = got
				} else if fmt.Sprint(got.NotificationIDs) != fmt.Sprint(first.NotificationIDs) || got.EventID != first.EventID {
					t.Errorf("answer %d: %+v, answer 0: %+v", i, got, first)
				}
			}
			if fresh != 1 || replays != 9 {
				t.Errorf("%d answers 202 and %d answers 200, want 1 and 9", fresh, replays)
			}
			waitSent(t, p, ids, waitLong)
			checkStored(t, p, ids, 701)
			prov.checkOnce(t, ids, 1)
		})
	}
}
