package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httputil"
	"strings"
	"time"
)

// sourceIP is the loopback address stream i is opened from: 127.0.0.(2 + i mod n). One
// address has one ephemeral-port range, so many streams need several addresses.
func sourceIP(i, n int) net.IP { return net.IPv4(127, 0, 0, byte(2+i%max(n, 1))) }

// openStream opens one SSE stream: it connects from src to hostport, sends GET target and
// reads the response head. The reader it returns starts at the stream's first byte
// (de-chunked when the server chunks it). It is written by hand, not with net/http, so
// that a stream costs one goroutine and a 1 KiB buffer on the bench's side.
func openStream(ctx context.Context, src net.IP, hostport, target string) (net.Conn, *bufio.Reader, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 10 * time.Second}
	var nc net.Conn
	var err error
	for attempt := range 3 { // a full accept queue drops SYNs; try again shortly
		if nc, err = d.DialContext(ctx, "tcp", hostport); err == nil {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("dial: %w", err)
	}
	req := "GET " + target + " HTTP/1.1\r\nHost: " + hostport + "\r\nAccept: text/event-stream\r\n\r\n"
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(nc, req); err != nil {
		nc.Close()
		return nil, nil, err
	}
	br := bufio.NewReaderSize(nc, 1024)
	status, err := br.ReadSlice('\n')
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	if !bytes.HasPrefix(status, []byte("HTTP/1.1 200")) {
		rest, _ := br.Peek(br.Buffered())
		nc.Close()
		return nil, nil, fmt.Errorf("%q %q", status, rest)
	}
	chunked := false
	for n := 0; ; n++ { // headers, bounded
		line, err := br.ReadSlice('\n')
		if err != nil || n > 64 {
			nc.Close()
			return nil, nil, fmt.Errorf("reading headers: %w", errors.Join(err, errors.New("bad response head")))
		}
		if len(bytes.TrimSpace(line)) == 0 {
			break
		}
		chunked = chunked || isChunked(line)
	}
	_ = nc.SetDeadline(time.Time{})
	if chunked { // a net/http server's stream (the peer's); notifyd writes the raw stream
		br = bufio.NewReaderSize(httputil.NewChunkedReader(br), 1024)
	}
	return nc, br, nil
}

// isChunked reports whether a response header line is Transfer-Encoding: chunked.
func isChunked(line []byte) bool {
	name, value, ok := bytes.Cut(line, []byte(":"))
	return ok && strings.EqualFold(string(bytes.TrimSpace(name)), "Transfer-Encoding") &&
		strings.EqualFold(string(bytes.TrimSpace(value)), "chunked")
}
