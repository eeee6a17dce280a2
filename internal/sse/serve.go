package sse

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	notify "github.com/notifyd/notifyd"
)

// parseLastEventID reads the Last-Event-ID header, or else the lastEventId query
// parameter (for clients that cannot set headers). ok is false when neither is given.
func parseLastEventID(r *http.Request) (seq int64, ok bool, err error) {
	field, v := "Last-Event-ID", r.Header.Get("Last-Event-ID")
	if v == "" {
		field, v = "lastEventId", r.URL.Query().Get("lastEventId")
	}
	if v == "" {
		return 0, false, nil
	}
	seq, err = strconv.ParseInt(v, 10, 64)
	if err != nil || seq < 0 {
		return 0, false, notify.FieldErrorf(notify.CodeInvalidQuery, field, "must be a non-negative integer (a notification seq)")
	}
	return seq, true, nil
}

// Serve turns the request into userID's stream. Before the stream starts it returns a
// *notify.Error for the caller to answer (bad Last-Event-ID, shutting down); once it
// has taken over the connection it returns nil and the request goroutine may end.
//
// Without a Last-Event-ID the stream starts at the user's newest notification; with one,
// every newer notification is replayed first. An id beyond the newest is treated as the
// newest, so a stale or forged id can never hide later notifications. The stream opens
// with an id-only block giving that starting point, which a reconnecting client sends back.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, userID string) error {
	if h.closed.Load() {
		return notify.Errorf(notify.CodeUnavailable, "shutting down")
	}
	lastID, hasLast, err := parseLastEventID(r)
	if err != nil {
		return err
	}
	nc, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return fmt.Errorf("sse: cannot take over the connection: %w", err)
	}
	// Clear every deadline net/http may have set: the non-blocking reads and writes of
	// the heartbeat and the hub fail at once on an expired one.
	_ = nc.SetDeadline(time.Time{})

	// Register before reading the user's newest seq and before the client sees the
	// headers: whatever is committed from now on is either offered live (and noted while
	// catching up) or newer than what we read, so nothing falls between.
	c := newConn(userID, nc)
	c.catching = true
	if old := h.register(c); old != nil {
		h.evict(old)
	}

	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	seqs, err := h.st.LastSeqs(ctx, []string{userID})
	cancel()
	if err != nil {
		h.log.Warn("sse: reading the user's sequence failed", "err", err)
		_ = nc.SetWriteDeadline(time.Now().Add(h.o.WriteTimeout))
		_, _ = nc.Write([]byte(unavailableResponse))
		h.drop(c, "store error")
		_ = nc.Close() // if it was evicted meanwhile, drop left it to us
		return nil
	}
	newest := seqs[userID]
	c.mu.Lock()
	c.last = newest
	if hasLast && lastID < newest {
		c.last = lastID
	}
	at := c.last // catching: only the catch-up, enqueued below, moves it
	c.mu.Unlock()

	// The opening block names the stream's position as its id: an EventSource takes an
	// id-only block as its last event id without firing an event, so a client that has
	// had no notification yet still reconnects with Last-Event-ID and is replayed what
	// was committed while it was away, instead of starting over at the newest then.
	head := "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\n" +
		"Connection: close\r\nX-Accel-Buffering: no\r\n" + extraHeaders(w.Header()) + "\r\n" +
		"retry: " + strconv.FormatInt(h.o.Retry.Milliseconds(), 10) + "\nid: " + strconv.FormatInt(at, 10) + "\n\n"
	_ = nc.SetWriteDeadline(time.Now().Add(h.o.WriteTimeout))
	_, err = nc.Write([]byte(head))
	c.mu.Lock()
	evicted := c.evicted
	c.started = !evicted
	c.mu.Unlock()
	if evicted { // a newer stream of this user took its place while it started
		_, _ = nc.Write(evictedFrame)
		_ = nc.Close()
		return nil
	}
	_ = nc.SetWriteDeadline(time.Time{})
	if err != nil {
		h.drop(c, "client closed")
		return nil
	}
	h.enqueue(c) // replays (last, newest] and anything offered meanwhile, then goes live
	return nil
}

// extraHeaders carries the headers a middleware set before the hijack (CORS) into the
// stream's own response head; the stream's own fields win.
func extraHeaders(h http.Header) string {
	var b strings.Builder
	for k, vs := range h {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Type", "Cache-Control", "Connection", "X-Accel-Buffering", "Content-Length", "Transfer-Encoding":
			continue
		}
		for _, v := range vs {
			if strings.ContainsAny(k+v, "\r\n") {
				continue
			}
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	return b.String()
}

const unavailableBody = `{"type":"urn:notifyd:problem:unavailable","title":"Service unavailable","status":503,"detail":"cannot read the stream's position from the store; retry","code":"unavailable"}`

var unavailableResponse = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\nConnection: close\r\n" +
	"Content-Length: " + strconv.Itoa(len(unavailableBody)) + "\r\n\r\n" + unavailableBody
