package web_test

import (
	"bytes"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// tcpProxy forwards TCP connections from a loopback port to a target address, so a test
// can put it between the browser and the app and cut every open connection as a network
// failure would. It records the bytes of each forwarded connection, both ways.
type tcpProxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	hold   chan struct{} // while not nil, new connections wait for it to close before they are forwarded
	logs   []*connLog
	closed bool
}

// connLog is what went through one forwarded connection.
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

// startProxy listens on 127.0.0.1:0 and forwards to target (host:port) until the test ends.
func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Go(p.accept)
	t.Cleanup(p.close)
	return p
}

// URL is the proxy's base URL.
func (p *tcpProxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *tcpProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.add(c) {
			return
		}
		p.mu.Lock()
		hold := p.hold
		p.mu.Unlock()
		p.wg.Go(func() { p.forward(c, hold) })
	}
}

// add registers c to be cut; it closes c and reports false once the proxy is closed.
func (p *tcpProxy) add(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		_ = c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *tcpProxy) remove(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	_ = c.Close()
}

func (p *tcpProxy) forward(c net.Conn, hold chan struct{}) {
	defer p.remove(c)
	if hold != nil {
		<-hold
	}
	u, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	if !p.add(u) {
		return
	}
	defer p.remove(u)
	l := &connLog{}
	p.mu.Lock()
	p.logs = append(p.logs, l)
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn, buf *bytes.Buffer) {
		_, _ = io.Copy(dst, io.TeeReader(src, logWriter{l, buf}))
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

// cut closes every open connection, both sides, as a network failure would. The proxy
// keeps listening: new connections go through (or wait, after holdNew).
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
	}
}

// holdNew makes connections accepted from now on wait before they are forwarded, until
// release is called: the client's reconnection is pending, not refused.
func (p *tcpProxy) holdNew() (release func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := make(chan struct{})
	p.hold = ch
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.hold == ch { // not released yet, by this or by close
			p.hold = nil
			close(ch)
		}
	}
}

// requests returns what clients sent on each forwarded connection, in the order the
// connections were forwarded.
func (p *tcpProxy) requests() []string {
	return p.texts(func(l *connLog) *bytes.Buffer { return &l.up })
}

// responses returns what the target sent on each forwarded connection.
func (p *tcpProxy) responses() []string {
	return p.texts(func(l *connLog) *bytes.Buffer { return &l.down })
}

func (p *tcpProxy) texts(which func(*connLog) *bytes.Buffer) []string {
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

func (p *tcpProxy) close() {
	p.mu.Lock()
	p.closed = true
	if p.hold != nil {
		close(p.hold)
		p.hold = nil
	}
	p.mu.Unlock()
	_ = p.ln.Close()
	p.cut()
	p.wg.Wait()
}

// requestHeads splits what a client sent on one connection into its HTTP/1.1 requests
// (keep-alive connections carry several) and returns each one's head: request line and
// headers, without the blank line and body.
func requestHeads(sent string) []string {
	var heads []string
	for sent != "" {
		head, rest, ok := strings.Cut(sent, "\r\n\r\n")
		if !ok {
			break
		}
		heads = append(heads, head)
		if v, ok := headerValue(head, "Content-Length"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n > len(rest) {
				break
			}
			rest = rest[n:]
		}
		sent = rest
	}
	return heads
}

// headerValue returns the value of the first header named name (case-insensitive) in a
// request head, and whether it is there.
func headerValue(head, name string) (string, bool) {
	for _, line := range strings.Split(head, "\r\n")[1:] {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}
