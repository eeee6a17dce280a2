package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/notifyd/notifyd/publish"
)

// load is the steady traffic of a chaos case: events for a fixed set of users, each with a
// phone (so each event is one notification and one SMS), half POSTed over HTTP to the
// replicas in turn, half published to SQS, at a fixed rate for as long as the case runs.
// The producers behave like real ones: a 5xx, a 429 or a broken connection is retried
// with the same event (its eventId is the idempotency key) until it is acknowledged. Only
// acknowledged events count as sent, and every one of them must arrive.
type load struct {
	t     *testing.T
	name  string
	users int
	procs []*proc
	sqs   *publish.SQS

	stopGen context.CancelFunc
	giveUp  context.Context // producers stop retrying when it ends (and fail the test)
	gen     sync.WaitGroup
	workers sync.WaitGroup
	httpCh  chan publish.NotificationData
	sqsCh   chan publish.NotificationData

	mu      sync.Mutex
	acked   map[string]string // eventId → user, once acknowledged
	retries map[string]int    // why producers retried: "http 503", "http error", "sqs error", …
}

var producerClient = &http.Client{Timeout: 10 * time.Second}

// startLoad offers perSecond events a second (half HTTP, half SQS) for users "1"…"users"
// until stop.
func startLoad(t *testing.T, name string, perSecond, users int, procs []*proc, q *sqsQueue) *load {
	l := &load{t: t, name: name, users: users, procs: procs, sqs: publish.NewSQS(q.g.SQS(), q.URL),
		httpCh: make(chan publish.NotificationData, 1<<14), sqsCh: make(chan publish.NotificationData, 1<<14),
		acked: map[string]string{}, retries: map[string]int{}}
	var genCtx context.Context
	genCtx, l.stopGen = context.WithCancel(context.Background())
	var cancel context.CancelFunc
	l.giveUp, cancel = context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(func() {
		if t.Failed() { // the case is over: do not retry against a dependency still down
			cancel()
		}
		l.stop()
		cancel()
	})
	for w := range 4 {
		l.workers.Go(func() {
			for ev := range l.httpCh {
				l.post(ev, w)
			}
		})
	}
	for range 2 {
		l.workers.Go(func() {
			for ev := range l.sqsCh {
				l.publish(ev)
			}
		})
	}
	l.gen.Go(func() {
		defer close(l.httpCh)
		defer close(l.sqsCh)
		tick := time.NewTicker(time.Second / time.Duration(perSecond))
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-genCtx.Done():
				return
			case <-tick.C:
			}
			user := strconv.Itoa(1 + n%users)
			if n%2 == 0 {
				l.httpCh <- event(fmt.Sprintf("%s-h%05d", name, n), user)
			} else {
				l.sqsCh <- event(fmt.Sprintf("%s-q%05d", name, n), user)
			}
		}
	})
	return l
}

// stop ends the offered load and waits until the producers have every offered event
// acknowledged (or gave up, which fails the test). Safe to call more than once.
func (l *load) stop() {
	l.stopGen()
	l.gen.Wait()
	l.workers.Wait()
}

func (l *load) retried(why string) {
	l.mu.Lock()
	l.retries[why]++
	l.mu.Unlock()
}

func (l *load) ack(ev publish.NotificationData) {
	l.mu.Lock()
	l.acked[ev.PublishInformation.EventID] = ev.WhoToNotify[0].UserID
	l.mu.Unlock()
}

// pause waits before a retry; false when the producer must give up.
func (l *load) pause() bool {
	select {
	case <-l.giveUp.Done():
		return false
	case <-time.After(200 * time.Millisecond):
		return true
	}
}

// post POSTs ev until a replica acknowledges it (202 new, 200 already stored), each
// attempt to the next replica.
func (l *load) post(ev publish.NotificationData, worker int) {
	body := mustJSON(l.t, ev)
	id := ev.PublishInformation.EventID
	for attempt := 0; ; attempt++ {
		p := l.procs[(worker+attempt)%len(l.procs)]
		resp, err := producerClient.Post(p.URL+"/v1/events", "application/json", bytes.NewReader(body))
		if err == nil {
			resp.Body.Close()
			switch {
			case resp.StatusCode == http.StatusAccepted || resp.StatusCode == http.StatusOK:
				l.ack(ev)
				return
			case resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests:
				l.t.Errorf("producer: POST %s answered %d", id, resp.StatusCode)
				return
			}
			l.retried("http " + strconv.Itoa(resp.StatusCode))
		} else {
			l.retried("http error")
		}
		if !l.pause() {
			l.gaveUp("POST "+id, attempt+1, err)
			return
		}
	}
}

// publish sends ev to the queue until SQS acknowledges it.
func (l *load) publish(ev publish.NotificationData) {
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(l.giveUp, 10*time.Second)
		_, err := l.sqs.Send(ctx, ev)
		cancel()
		if err == nil {
			l.ack(ev)
			return
		}
		l.retried("sqs error")
		if !l.pause() {
			l.gaveUp("publish "+ev.PublishInformation.EventID, attempt+1, err)
			return
		}
	}
}

// gaveUp fails the test for an event its producer could not get acknowledged, unless the
// test failed already (then the producers were told to stop).
func (l *load) gaveUp(what string, attempts int, err error) {
	if !l.t.Failed() {
		l.t.Errorf("producer: gave up on %s after %d attempts (last error: %v)", what, attempts, err)
	}
}

// sent returns the acknowledged events (eventId → user) and, per user, their count.
func (l *load) sent() (events map[string]string, perUser map[string]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	events, perUser = map[string]string{}, map[string]int{}
	for id, u := range l.acked {
		events[id] = u
		perUser[u]++
	}
	return events, perUser
}

func (l *load) retryCounts() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int{}
	for k, v := range l.retries {
		out[k] = v
	}
	return out
}
