package sse

import (
	"net"
	"testing"
	"time"
)

// The prober tells a client that closed its side from one that is idle and from one that
// sent bytes (readable, but still there), over more streams than one poll(2) asks about.
func TestProberFindsClosedClients(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const n = pollChunk + 3
	clients := make([]net.Conn, n)
	batch := make([]*conn, n)
	for i := range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		clients[i], batch[i] = c, newConn("u", s)
		if batch[i].fd < 0 {
			t.Fatal("a TCP stream has no descriptor to poll")
		}
	}
	closed := map[int]bool{1: true, pollChunk + 1: true}
	for i := range closed {
		clients[i].Close()
	}
	if _, err := clients[2].Write([]byte("x")); err != nil { // readable, not gone
		t.Fatal(err)
	}
	p := newProber()
	deadline := time.Now().Add(5 * time.Second)
	for {
		gone := p.check(batch)
		wrong := -1
		for i, g := range gone {
			if g != closed[i] {
				wrong = i
				break
			}
		}
		if wrong < 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream %d: gone = %v, want %v", wrong, gone[wrong], closed[wrong])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
