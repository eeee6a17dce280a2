package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// topicPairTests are the topic and throttle cases of RunPair.
var topicPairTests = []struct {
	name string
	fn   func(t *testing.T, a, b store.Store)
}{
	{"ThrottleExactAcrossReplicas", testThrottlePair},
	{"TwoReplicasFanOutEachOnce", testTopicPair},
}

// testThrottlePair accepts 10 events of a type throttled to 3, five on each replica at
// once: exactly 3 notifications, whoever counted first.
func testThrottlePair(t *testing.T, a, b store.Store) {
	var mu sync.Mutex
	stored, throttled := 0, 0
	both(t, a, b, func(s store.Store, replica int) error {
		for i := range 5 {
			res, err := s.Accept(context.Background(), []store.AcceptInput{ThrottledInput(fmt.Sprintf("e%d-%d", replica, i), "store-1", 3, time.Hour, "u1")})
			if err != nil {
				return err
			}
			mu.Lock()
			stored += len(res[0].Notifications)
			throttled += len(res[0].Throttled)
			mu.Unlock()
		}
		return nil
	})
	if stored != 3 || throttled != 7 {
		t.Fatalf("10 events with a limit of 3 over two replicas: %d stored, %d throttled; want 3 and 7", stored, throttled)
	}
}

// testTopicPair works one topic event from both replicas at once, in small pages: each
// subscriber gets it once, with gap-free seqs.
func testTopicPair(t *testing.T, a, b store.Store) {
	const n = 300
	for i := range n {
		subscribe(t, a, "t", fmt.Sprintf("u%03d", i), false, time.Now().Add(-time.Second))
	}
	accept(t, a, TopicInput("e1", "t"), TopicInput("e2", "t"))
	var mu sync.Mutex
	var got []notify.Notification
	both(t, a, b, func(s store.Store, _ int) error {
		out := DrainTopic(t, s, 7)
		mu.Lock()
		got = append(got, out...)
		mu.Unlock()
		return nil
	})
	seen := map[string][]int64{}
	for _, nt := range got {
		seen[nt.UserID] = append(seen[nt.UserID], nt.Seq)
	}
	if len(got) != 2*n || len(seen) != n {
		t.Fatalf("%d notifications to %d users, want %d to %d", len(got), len(seen), 2*n, n)
	}
	for u, seqs := range seen {
		if len(seqs) != 2 || seqs[0]+seqs[1] != 3 {
			t.Fatalf("%s has seqs %v, want 1 and 2", u, seqs)
		}
	}
}
