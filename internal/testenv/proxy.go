package testenv

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy forwards TCP connections from a loopback port to a target, so a test can stand
// it between a client and a server and fail the network: cut the open connections, refuse
// new ones for a while, or hold new ones pending. It records the bytes of each forwarded
// connection, both ways.
type Proxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	refuse  bool          // new connections are accepted and closed at once
	hold    chan struct{} // while not nil, new connections wait for it to close
	stall   chan struct{} // while not nil, no byte is forwarded until it closes
	logs    []*connLog
	stopped bool
}

type connLog struct {
	mu       sync.Mutex
	up, down bytes.Buffer // client to target, target to client
}

type logWriter struct {
	l   *connLog
	buf *bytes.Buffer
}

func (w logWriter) Write(p []byte) (int, error) {
	w.l.mu.Lock()
	defer w.l.mu.Unlock()
	return w.buf.Write(p)
}

// StartProxy listens on 127.0.0.1:0 and forwards to target (host:port) until the test
// ends.
func StartProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Go(p.accept)
	t.Cleanup(p.stop)
	return p
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// URL is the proxy's base http URL.
func (p *Proxy) URL() string { return "http://" + p.Addr() }

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // stopped
		}
		p.mu.Lock()
		refuse, hold := p.refuse, p.hold
		p.mu.Unlock()
		if refuse {
			_ = c.Close()
			continue
		}
		if !p.add(c) {
			return
		}
		p.wg.Go(func() { p.forward(c, hold) })
	}
}

// add registers c to be cut; it closes c and reports false once the proxy is stopped.
func (p *Proxy) add(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		_ = c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) remove(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	_ = c.Close()
}

func (p *Proxy) forward(c net.Conn, hold chan struct{}) {
	defer p.remove(c)
	if hold != nil {
		<-hold
	}
	u, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	p.mu.Lock()
	refused := p.refuse
	p.mu.Unlock()
	if refused || !p.add(u) {
		_ = u.Close()
		return
	}
	defer p.remove(u)
	l := &connLog{}
	p.mu.Lock()
	p.logs = append(p.logs, l)
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn, buf *bytes.Buffer) {
		_, _ = io.Copy(dst, io.TeeReader(src, stallGate{p, logWriter{l, buf}}))
		// One side ended or failed: end the other too.
		_ = dst.Close()
		_ = src.Close()
		done <- struct{}{}
	}
	go pipe(u, c, &l.up)
	go pipe(c, u, &l.down)
	<-done
	<-done
}

// Cut closes every open connection, both sides, as a network failure would. New
// connections still go through (or wait, after HoldNew).
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
	}
}

// Down cuts every open connection and refuses new ones until Up.
func (p *Proxy) Down() {
	p.mu.Lock()
	p.refuse = true
	p.mu.Unlock()
	p.Cut()
}

// Up forwards new connections again after Down.
func (p *Proxy) Up() {
	p.mu.Lock()
	p.refuse = false
	p.mu.Unlock()
}

// HoldNew makes connections accepted from now on wait before they are forwarded, until
// release is called: the client's reconnection is pending, not refused.
func (p *Proxy) HoldNew() (release func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := make(chan struct{})
	p.hold = ch
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.hold == ch { // not released yet, by this or by stop
			p.hold = nil
			close(ch)
		}
	}
}

// Requests returns what clients sent on each forwarded connection, in the order the
// connections were forwarded.
func (p *Proxy) Requests() []string {
	return p.texts(func(l *connLog) *bytes.Buffer { return &l.up })
}

// Responses returns what the target sent on each forwarded connection.
func (p *Proxy) Responses() []string {
	return p.texts(func(l *connLog) *bytes.Buffer { return &l.down })
}

func (p *Proxy) texts(which func(*connLog) *bytes.Buffer) []string {
	p.mu.Lock()
	logs := append([]*connLog(nil), p.logs...)
	p.mu.Unlock()
	out := make([]string, len(logs))
	for i, l := range logs {
		l.mu.Lock()
		out[i] = which(l).String()
		l.mu.Unlock()
	}
	return out
}

// Stall stops forwarding bytes, both ways, on open and new connections, which stay
// open: the target looks hung (a database that stopped answering), not gone. resume
// forwards again.
func (p *Proxy) Stall() (resume func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := make(chan struct{})
	p.stall = ch
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.stall == ch { // not resumed yet, by this or by stop
			p.stall = nil
			close(ch)
		}
	}
}

// stallGate holds each chunk read from one side, before it is forwarded, while the proxy
// is stalled.
type stallGate struct {
	p *Proxy
	w io.Writer
}

func (g stallGate) Write(b []byte) (int, error) {
	g.p.mu.Lock()
	ch := g.p.stall
	g.p.mu.Unlock()
	if ch != nil {
		<-ch
	}
	return g.w.Write(b)
}

func (p *Proxy) stop() {
	p.mu.Lock()
	p.stopped = true
	if p.hold != nil {
		close(p.hold)
		p.hold = nil
	}
	if p.stall != nil {
		close(p.stall)
		p.stall = nil
	}
	p.mu.Unlock()
	_ = p.ln.Close()
	p.Cut()
	p.wg.Wait()
}
