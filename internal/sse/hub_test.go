package sse_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/internal/sse"
	"github.com/notifyd/notifyd/internal/store/sqlite"
)

type rig struct {
	hub    *sse.Hub
	in     *ingest.Service
	silent *ingest.Service // stores without telling the hub, like a lost fan-out message
	url    string
}

type hubPublisher struct{ h *sse.Hub }

func (p hubPublisher) Publish(_ context.Context, ns []notify.Notification) { p.h.Deliver(ns) }

func newRig(t *testing.T, o sse.Options) *rig {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "n.db"))
	if err != nil {
		t.Fatal(err)
	}
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	h := sse.NewHub(st, o)
	in := ingest.New(st, ingest.Options{Publisher: hubPublisher{h}})
	silent := ingest.New(st, ingest.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h.Serve(w, r, r.URL.Query().Get("user")); err != nil {
			http.Error(w, err.Error(), http.StatusTooManyRequests)
		}
	}))
	t.Cleanup(func() { srv.Close(); h.Close(); in.Close(); silent.Close(); st.Close() })
	return &rig{hub: h, in: in, silent: silent, url: srv.URL}
}

// post stores one notification for user, message of size bytes.
func (r *rig) post(t testing.TB, user, key string, size int) { r.postVia(t, r.in, user, key, size) }

func (r *rig) postVia(t testing.TB, in *ingest.Service, user, key string, size int) {
	msg := strings.Repeat("가", max(1, size/3))
	ev := notify.Event{Type: "QUESTION_REGISTERED", Message: msg, URL: "https://store/1/q", EventID: key,
		Recipients: []notify.Recipient{{UserID: user, Role: notify.RoleOwner}}}
	res, err := in.Accept(context.Background(), []ingest.Input{{Event: ev, Source: "test"}})
	if err != nil {
		t.Errorf("accept: %v", err)
	} else if res[0].Err != nil {
		t.Errorf("accept: %v", res[0].Err)
	}
}

// client reads a stream's ids (and counts heartbeat comments).
type client struct {
	ids        chan int64
	heartbeats chan struct{}
	comments   chan string // comment lines other than heartbeats
	opening    chan int64  // the id of the stream's opening block (its position)
	conn       net.Conn
}

func dial(t *testing.T, url, user, lastID string) *client {
	t.Helper()
	c, err := dialErr(t, url, user, lastID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// dialErr opens a stream and waits for its status line; safe to call from any goroutine.
func dialErr(t *testing.T, url, user, lastID string) (*client, error) {
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { c.Close() })
	req := "GET /?user=" + user + " HTTP/1.1\r\nHost: x\r\n"
	if lastID != "" {
		req += "Last-Event-ID: " + lastID + "\r\n"
	}
	if _, err := c.Write([]byte(req + "\r\n")); err != nil {
		return nil, err
	}
	br := bufio.NewReader(c)
	status, err := br.ReadString('\n')
	if err != nil || !strings.Contains(status, " 200 ") {
		return nil, fmt.Errorf("stream status %q %v", status, err)
	}
	cl := &client{ids: make(chan int64, 100000), heartbeats: make(chan struct{}, 1000), comments: make(chan string, 100), opening: make(chan int64, 1), conn: c}
	go func() {
		defer close(cl.ids)
		prev := ""
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			after := prev
			prev = line
			if id, ok := strings.CutPrefix(line, "id: "); ok && strings.HasPrefix(after, "retry: ") {
				n, _ := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
				cl.opening <- n // the opening block, not a notification
				continue
			}
			if line == ":\n" {
				select {
				case cl.heartbeats <- struct{}{}:
				default:
				}
			} else if strings.HasPrefix(line, ":") {
				select {
				case cl.comments <- line:
				default:
				}
			}
			if id, ok := strings.CutPrefix(line, "id: "); ok {
				n, _ := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
				cl.ids <- n
			}
		}
	}()
	return cl, nil
}

// expect reads ids from..to in order, failing on a gap, a repeat or a timeout.
func (c *client) expect(t *testing.T, from, to int64) {
	t.Helper()
	for want := from; want <= to; want++ {
		select {
		case got, ok := <-c.ids:
			if !ok {
				t.Fatalf("stream ended before id %d", want)
			}
			if got != want {
				t.Fatalf("got id %d, want %d (gap or duplicate)", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no id %d within 10s", want)
		}
	}
}

// Streams that connect while notifications are being committed, from every Last-Event-ID,
// each see every later notification exactly once, in order: no gap and no duplicate at
// the replay/live boundary.
func TestReplayLiveSwitchOverRace(t *testing.T) {
	r := newRig(t, sse.Options{MaxPerUser: -1})
	const total = 400
	var posted atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 1; i <= total; i++ {
			r.post(t, "racer", fmt.Sprintf("race-%d", i), 10)
			posted.Store(int64(i))
		}
	})
	var clients []*client
	var froms []int64
	for k := 0; k < 24; k++ {
		last := int64(k * 10)
		for posted.Load() < last { // connect while the writer is just past this id
			time.Sleep(100 * time.Microsecond)
		}
		clients = append(clients, dial(t, r.url, "racer", strconv.FormatInt(last, 10)))
		froms = append(froms, last+1)
	}
	wg.Wait()
	for i, c := range clients {
		c.expect(t, froms[i], total)
	}
}

// The stream opens with an id-only block at its position: the newest seq without a
// Last-Event-ID, the given one with it (an id beyond the newest counts as the newest). A
// client that had no notification yet and reconnects with that id gets what was committed
// while it was away.
func TestOpeningPositionResumes(t *testing.T) {
	r := newRig(t, sse.Options{})
	r.post(t, "u", "o1", 10)
	r.post(t, "u", "o2", 10)
	c := dial(t, r.url, "u", "")
	at := c.openedAt(t)
	if at != 2 {
		t.Fatalf("stream without Last-Event-ID opened at %d, want 2 (the newest)", at)
	}
	waitConns(t, r.hub, 1)
	c.conn.Close() // the client goes away before any notification
	waitConns(t, r.hub, 0)
	r.post(t, "u", "o3", 10) // committed while it was away
	c = dial(t, r.url, "u", strconv.FormatInt(at, 10))
	if got := c.openedAt(t); got != 2 {
		t.Errorf("stream with Last-Event-ID 2 opened at %d, want 2", got)
	}
	c.expect(t, 3, 3)
	if got := dial(t, r.url, "u", "99").openedAt(t); got != 3 {
		t.Errorf("stream with Last-Event-ID 99 opened at %d, want 3 (the newest)", got)
	}
}

// openedAt is the position the stream opened with.
func (c *client) openedAt(t *testing.T) int64 {
	t.Helper()
	select {
	case at := <-c.opening:
		return at
	case <-time.After(30 * time.Second):
		t.Fatal("no opening block within 30s")
		return 0
	}
}

// A live event that arrives ahead of a gap is not written first: the stream catches up
// from the store and writes the missing ones in order. An offered seq the store does not
// have is never written.
func TestGapHealsFromStore(t *testing.T) {
	r := newRig(t, sse.Options{})
	c := dial(t, r.url, "u", "")
	waitConns(t, r.hub, 1)
	r.post(t, "u", "g1", 10)
	c.expect(t, 1, 1)
	r.postVia(t, r.silent, "u", "g2", 10) // lost on the way to the hub
	r.postVia(t, r.silent, "u", "g3", 10)
	r.post(t, "u", "g4", 10)
	c.expect(t, 2, 4)

	r.hub.Deliver([]notify.Notification{{UserID: "u", Seq: 9, Message: "not stored"}})
	select {
	case id := <-c.ids:
		t.Fatalf("wrote id %d that the store does not have", id)
	case <-time.After(300 * time.Millisecond):
	}
}

// Resync finds streams behind the store (a replica that missed fan-out messages while
// Redis was away) and catches them up.
func TestResync(t *testing.T) {
	r := newRig(t, sse.Options{})
	c := dial(t, r.url, "u", "")
	waitConns(t, r.hub, 1)
	r.postVia(t, r.silent, "u", "r1", 10)
	r.postVia(t, r.silent, "u", "r2", 10)
	r.hub.Resync(context.Background())
	c.expect(t, 1, 2)
}

func waitConns(t *testing.T, h *sse.Hub, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // a bound for failures: passing takes ms
	for h.Conns() != n {
		if time.Now().After(deadline) {
			t.Fatalf("hub has %d streams, want %d", h.Conns(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A client that stops reading is dropped once it is too far behind, and never stalls the
// others.
func TestSlowClientDropped(t *testing.T) {
	r := newRig(t, sse.Options{MaxPending: 16 << 10, WriteTimeout: 500 * time.Millisecond})
	slow, err := net.Dial("tcp", strings.TrimPrefix(r.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	if tc, ok := slow.(*net.TCPConn); ok {
		tc.SetReadBuffer(4096)
	}
	slow.Write([]byte("GET /?user=shared HTTP/1.1\r\nHost: x\r\n\r\n")) // and never read
	waitConns(t, r.hub, 1)
	fast := dial(t, r.url, "shared", "")
	waitConns(t, r.hub, 2)

	// Far more than the kernel's socket buffers hold: 3,000 notifications of ~6 KB.
	const n, batch = 3000, 100
	for i := 0; i < n; i += batch {
		var ins []ingest.Input
		for k := 1; k <= batch; k++ {
			ins = append(ins, ingest.Input{Event: notify.Event{Type: "QUESTION_REGISTERED", Message: strings.Repeat("가", 1990), URL: "https://store/1/q",
				EventID: fmt.Sprintf("slow-%d", i+k), Recipients: []notify.Recipient{{UserID: "shared", Role: notify.RoleOwner}}}})
		}
		if _, err := r.in.Accept(context.Background(), ins); err != nil {
			t.Fatal(err)
		}
	}
	// Every post above returned while the slow client held its socket full: nothing
	// waited on it. The fast client gets everything, the slow one is dropped.
	fast.expect(t, 1, n)
	waitConns(t, r.hub, 1)
}

// Heartbeats reach idle streams, and a stream whose client went away is noticed and
// forgotten at the next heartbeat.
func TestHeartbeatAndClosedClients(t *testing.T) {
	r := newRig(t, sse.Options{Heartbeat: 50 * time.Millisecond})
	c := dial(t, r.url, "idle", "")
	select {
	case <-c.heartbeats:
	case <-time.After(30 * time.Second):
		t.Fatal("no heartbeat comment within 30s")
	}
	gone := dial(t, r.url, "gone", "")
	waitConns(t, r.hub, 2)
	gone.conn.Close()
	waitConns(t, r.hub, 1)
}

// Close ends every stream.
func TestCloseEndsStreams(t *testing.T) {
	r := newRig(t, sse.Options{})
	c := dial(t, r.url, "u", "")
	waitConns(t, r.hub, 1)
	r.hub.Close()
	select {
	case _, ok := <-c.ids:
		if ok {
			t.Fatal("unexpected event")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("stream still open 30s after Close")
	}
}
