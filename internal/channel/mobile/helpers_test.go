package mobile

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/channel/mobile/mobiletest"
)

// clock is a settable time for the token lifetimes.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// classified is what a platform's answer must become: a dead token, or an error of kind
// asking for after.
type classified struct {
	reply mobiletest.Reply
	dead  bool
	kind  channel.Kind
	after time.Duration
}

// checkClassified scripts each reply for token and checks what the push returns.
func checkClassified(t *testing.T, p Platform, script func(string, ...mobiletest.Reply), token string, cases []classified) {
	t.Helper()
	for _, tc := range cases {
		script(token, tc.reply)
		_, err := p.Push(context.Background(), testPush(token))
		if errors.Is(err, errDead) != tc.dead || (!tc.dead && (channel.KindOf(err) != tc.kind || channel.RetryAfterOf(err) != tc.after)) {
			t.Errorf("%+v: %v (dead %v, kind %v, after %v)", tc.reply, err, errors.Is(err, errDead), channel.KindOf(err), channel.RetryAfterOf(err))
		}
	}
}
