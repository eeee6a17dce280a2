package sse_test

import (
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/sse"
)

// CloseUser ends every stream of that user and only theirs.
func TestCloseUser(t *testing.T) {
	r := newRig(t, sse.Options{})
	gone1, gone2 := dial(t, r.url, "gone", ""), dial(t, r.url, "gone", "")
	stays := dial(t, r.url, "stays", "") // each dial returns once the hub holds the stream
	if n := r.hub.CloseUser("gone"); n != 2 {
		t.Fatalf("CloseUser closed %d streams, want 2", n)
	}
	for _, c := range []*client{gone1, gone2} {
		select {
		case _, ok := <-c.ids:
			if ok {
				t.Fatal("an id on a closed stream")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the stream of an erased user is still open")
		}
	}
	r.post(t, "stays", "s-1", 10)
	stays.expect(t, 1, 1)
	if n := r.hub.CloseUser("nobody"); n != 0 {
		t.Fatalf("CloseUser of nobody: %d", n)
	}
}
