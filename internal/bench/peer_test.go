package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakePeer speaks a Centrifugo-like protocol over net/http: a chunked SSE stream per user
// (the user comes from a token), and a publish API that wants an API key.
type fakePeer struct {
	mu    sync.Mutex
	users map[string]chan []byte
}

func (f *fakePeer) ch(user string) chan []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.users[user]
	if !ok {
		c = make(chan []byte, 64)
		f.users[user] = c
	}
	return c
}

func (f *fakePeer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/sub":
		var connect struct{ Token string }
		if err := json.Unmarshal([]byte(r.URL.Query().Get("cf_connect")), &connect); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		user, ok := strings.CutPrefix(connect.Token, "tok-")
		if !ok {
			http.Error(w, "bad token", http.StatusUnauthorized)
			return
		}
		c := f.ch(user)
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "\r\ndata: {\"connect\":{}}\n\n")
		w.(http.Flusher).Flush()
		for {
			select {
			case <-r.Context().Done():
				return
			case b := <-c:
				fmt.Fprintf(w, "id: 99\ndata: %s\n\n", b) // ids that are not notifyd's: not checked
				w.(http.Flusher).Flush()
			}
		}
	case "/api/publish":
		if r.Header.Get("X-API-Key") != "k" {
			fmt.Fprint(w, `{"error":{"code":401}}`)
			return
		}
		var pub struct {
			Channel string          `json:"channel"`
			Data    json.RawMessage `json:"data"`
		}
		if err := json.NewDecoder(r.Body).Decode(&pub); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.ch(strings.TrimPrefix(pub.Channel, "#")) <- append([]byte(`{"pub":{"data":`), append(pub.Data, "}}"...)...)
		fmt.Fprint(w, `{"result":{}}`)
	default:
		http.NotFound(w, r)
	}
}

func TestRunAgainstAPeer(t *testing.T) {
	srv := httptest.NewServer(&fakePeer{users: map[string]chan []byte{}})
	defer srv.Close()
	run := func(key string, wait time.Duration) *Result {
		sub, _ := ParseTemplate(srv.URL+`/sub?cf_connect={"token":"{token}"}`, "{user}", "{token}")
		pub, _ := ParseTemplate(srv.URL+"/api/publish", "{user}")
		body, _ := ParseTemplate(`{"channel":"#{user}","data":{event}}`, "{user}", "{event}")
		peer := &Peer{Name: "fake", Subscribe: sub, Publish: pub, Body: body, Header: http.Header{"X-Api-Key": {key}},
			Token: func(u string) string { return "tok-" + u }}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		res, err := Run(ctx, Config{Conns: 8, Events: 40, Publishers: 2, Peer: peer, PID: os.Getpid(), Timeout: wait})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := run("k", 30*time.Second)
	if res.Received != 40 || res.Expected != 40 || res.PublishErrors != 0 || res.Gaps != 0 || res.StreamErrors != 0 {
		t.Fatalf("received %d of %d, publish errors %d (%s), gaps %d, stream errors %d",
			res.Received, res.Expected, res.PublishErrors, res.ErrorSample, res.Gaps, res.StreamErrors)
	}
	if res.Latency.P50 <= 0 || res.Proc.CPUPerEventMicros <= 0 {
		t.Fatalf("latency %+v, proc %+v", res.Latency, res.Proc)
	}
	// An API error answered with 200 counts as a publish error.
	res = run("wrong", 100*time.Millisecond)
	if res.PublishErrors != 40 || !strings.Contains(res.ErrorSample, "401") {
		t.Fatalf("publish errors %d, sample %q", res.PublishErrors, res.ErrorSample)
	}
}
