package sqlstore

import (
	"context"
	"testing"
	"time"
)

func TestTurnsBackgroundWaitsForEarlierForeground(t *testing.T) {
	tr := newTurns()
	end := tr.foreground()
	got := make(chan error, 1)
	go func() { got <- tr.background(context.Background()) }()
	select {
	case err := <-got:
		t.Fatalf("background went ahead of a running foreground transaction: %v", err)
	case <-time.After(20 * time.Millisecond): // the negative: it must still be waiting
	}
	end()
	if err := <-got; err != nil {
		t.Fatalf("background after the foreground ended: %v", err)
	}
}

func TestTurnsBackgroundDoesNotWaitForLaterForeground(t *testing.T) {
	tr := newTurns()
	first := tr.foreground()
	turn := tr.ask()
	got := make(chan error, 1)
	later := tr.foreground() // begun after the background call asked
	defer later()
	go func() { got <- tr.wait(context.Background(), turn) }()
	first()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("background waited for a foreground transaction that began after it asked")
	}
}

func TestTurnsBackgroundEndsWithContext(t *testing.T) {
	tr := newTurns()
	defer tr.foreground()()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := tr.background(ctx); err == nil {
		t.Fatal("background with a cancelled context and a running foreground returned nil")
	}
}
