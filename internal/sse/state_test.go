package sse_test

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/sse"
)

// frames dials user's stream and sends each complete event (its lines) on the channel.
func frames(t *testing.T, url, user string) <-chan []string {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Write([]byte("GET /?user=" + user + " HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	// The status line comes after the hub registered the stream: from here on, nothing
	// committed is missed.
	if status, err := br.ReadString('\n'); err != nil || !strings.Contains(status, " 200 ") {
		t.Fatalf("stream status %q %v", status, err)
	}
	out := make(chan []string, 100)
	go func() {
		defer close(out)
		var cur []string
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			if line != "" {
				cur = append(cur, line)
				continue
			}
			if len(cur) > 0 && (strings.HasPrefix(cur[0], "id:") || strings.HasPrefix(cur[0], "event:")) {
				out <- cur
			}
			cur = nil
		}
	}()
	return out
}

func next(t *testing.T, ch <-chan []string) []string {
	t.Helper()
	select {
	case f, ok := <-ch:
		if !ok {
			t.Fatal("stream ended")
		}
		return f
	case <-time.After(10 * time.Second):
		t.Fatal("no frame within 10s")
	}
	return nil
}

// A state change reaches every stream of its user (and no one else's) as an event without
// an id, so the next notification still carries the next sequence number.
func TestDeliverState(t *testing.T) {
	r := newRig(t, sse.Options{})
	a1, a2, b := frames(t, r.url, "ua"), frames(t, r.url, "ua"), frames(t, r.url, "ub")
	r.post(t, "ua", "k1", 10)
	r.post(t, "ub", "k2", 10)
	for _, ch := range []<-chan []string{a1, a2, b} {
		if f := next(t, ch); f[0] != "id: 1" {
			t.Fatalf("first frame %q, want id 1", f)
		}
	}
	at := time.UnixMilli(1_800_000_000_000).UTC()
	r.hub.DeliverState(notify.StateChange{UserID: "ua", IDs: []int64{1}, ArchivedAt: &at})
	want := []string{"event: state", `data: {"ids":[1],"archivedAt":"2027-01-15T08:00:00Z"}`}
	for _, ch := range []<-chan []string{a1, a2} {
		if f := next(t, ch); strings.Join(f, "|") != strings.Join(want, "|") {
			t.Fatalf("state frame %q, want %q", f, want)
		}
	}
	r.post(t, "ua", "k3", 10)
	r.post(t, "ub", "k4", 10)
	if f := next(t, a1); f[0] != "id: 2" {
		t.Fatalf("after the state frame: %q, want id 2", f)
	}
	if f := next(t, b); f[0] != "id: 2" {
		t.Fatalf("ub got %q, want its own id 2 (no state frame of ua's)", f)
	}
}
