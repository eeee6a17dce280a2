package ingest

import (
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// A commit's deadline grows with the notifications it writes, so one broadcast to 95,000
// users is not cut off at the small-commit deadline.
func TestCommitDeadlineGrowsWithTargets(t *testing.T) {
	input := func(targets int) store.AcceptInput {
		return store.AcceptInput{Prepared: &notify.Prepared{Targets: make([]notify.Target, targets)}}
	}
	for _, c := range []struct {
		in   []store.AcceptInput
		want time.Duration
	}{
		{nil, storeTimeout},
		{[]store.AcceptInput{input(1), input(3)}, storeTimeout + 4*perNotification},
		{[]store.AcceptInput{input(95_000)}, storeTimeout + 95_000*perNotification},
		{[]store.AcceptInput{{}}, storeTimeout}, // nothing prepared: nothing written
	} {
		if got := commitDeadline(c.in); got != c.want {
			t.Errorf("commitDeadline(%d inputs) = %v, want %v", len(c.in), got, c.want)
		}
	}
	if got := commitDeadline([]store.AcceptInput{input(95_000)}); got < 30*time.Second {
		t.Errorf("a 95,000-recipient broadcast gets %v", got)
	}
}
