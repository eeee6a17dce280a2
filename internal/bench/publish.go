package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// publisher sends cfg.Events events from cfg.Publishers goroutines, cfg.Batch per request,
// paced to cfg.Rate when it is set.
type publisher struct {
	cfg  Config
	id   string
	hc   *http.Client
	url  string
	peer *Peer   // publish to a peer instead of notifyd
	next counter // index of the next event to send

	accepted, errors counter
	mu               sync.Mutex
	firstErr         string
}

func newPublisher(cfg Config, run string, hc *http.Client, base string) *publisher {
	return &publisher{cfg: cfg, id: run, hc: hc, url: base + "/v1/events", peer: cfg.Peer}
}

func (p *publisher) run(ctx context.Context) {
	start := time.Now()
	var wg sync.WaitGroup
	for w := range p.cfg.Publishers {
		wg.Go(func() { p.loop(ctx, start, rand.New(rand.NewPCG(uint64(start.UnixNano()), uint64(w)))) })
	}
	wg.Wait()
}

func (p *publisher) loop(ctx context.Context, start time.Time, r *rand.Rand) {
	var body bytes.Buffer
	var evbuf, user, url []byte
	for ctx.Err() == nil {
		lo := int(p.next.Add(int64(p.cfg.Batch))) - p.cfg.Batch
		if lo >= p.cfg.Events {
			return
		}
		hi := min(lo+p.cfg.Batch, p.cfg.Events)
		if p.cfg.Rate > 0 {
			at := start.Add(time.Duration(float64(lo) / p.cfg.Rate * float64(time.Second)))
			if d := time.Until(at); d > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(d):
				}
			}
		}
		sent := strconv.FormatInt(time.Now().UnixNano(), 36)
		if p.cfg.Publish != nil {
			bodies := make([][]byte, 0, hi-lo)
			for n := lo; n < hi; n++ {
				bodies = append(bodies, p.event(nil, users(r, p.cfg.Conns, p.cfg.Recipients), n, sent))
			}
			p.result(hi-lo, p.cfg.Publish(ctx, bodies))
			continue
		}
		body.Reset()
		b := body.AvailableBuffer()
		if p.peer != nil { // one event per request, for one user
			us := users(r, p.cfg.Conns, 1)
			ev := p.event(evbuf[:0], us, lo, sent)
			evbuf = ev
			user = strconv.AppendInt(append(user[:0], 'u'), int64(us[0]), 10)
			v := Values{User: string(user), Event: ev}
			url = p.peer.Publish.Append(url[:0], v)
			p.result(1, p.post(ctx, string(url), p.peer.Body.Append(b, v)))
			continue
		}
		if p.cfg.Batch > 1 {
			b = append(b, '[')
		}
		for n := lo; n < hi; n++ {
			if n > lo {
				b = append(b, ',')
			}
			b = p.event(b, users(r, p.cfg.Conns, p.cfg.Recipients), n, sent)
		}
		if p.cfg.Batch > 1 {
			b = append(b, ']')
		}
		p.result(hi-lo, p.post(ctx, p.url, b))
	}
}

// event appends event n as NotificationData. Its eventId carries the send time, which the
// SSE side reads back for the latency.
func (p *publisher) event(b []byte, us []int, n int, sent string) []byte {
	b = append(b, `{"whoToNotify":`...)
	if len(us) > 1 {
		b = append(b, '[')
	}
	for k, u := range us {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"userId":"u`...)
		b = strconv.AppendInt(b, int64(u), 10)
		b = append(b, `","role":"`...)
		b = append(b, p.cfg.Role...)
		b = append(b, `"}`...)
	}
	if len(us) > 1 {
		b = append(b, ']')
	}
	b = append(b, `,"publishInformation":{"notificationType":"`...)
	b = append(b, p.cfg.Type...)
	b = append(b, `","eventId":"r`...)
	b = append(b, p.id...)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, '-')
	b = append(b, sent...)
	if p.cfg.Recipients > 1 {
		b = append(b, `","data":{"productId":`...)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, `,"productName":"bench"}}}`...)
		return b
	}
	b = append(b, `","message":"bench notification `...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, `","data":{"orderId":`...)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, `}}}`...)
}

func (p *publisher) post(ctx context.Context, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if p.peer != nil {
		for k, v := range p.peer.Header {
			req.Header[k] = v
		}
	} else if p.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+p.cfg.Token)
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return err
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return &statusError{code: resp.StatusCode, msg: fmt.Sprintf("POST %s: %s: %s", req.URL.Path, resp.Status, bytes.TrimSpace(msg))}
	}
	// Centrifugo's API answers errors with 200 and {"error":{…}}.
	if p.peer != nil && bytes.Contains(msg, []byte(`"error"`)) {
		return fmt.Errorf("POST %s: %s", req.URL.Path, bytes.TrimSpace(msg))
	}
	return nil
}

func (p *publisher) result(n int, err error) {
	if err == nil {
		p.accepted.Add(int64(n))
		return
	}
	p.errors.Add(int64(n))
	p.mu.Lock()
	if p.firstErr == "" {
		p.firstErr = err.Error()
	}
	p.mu.Unlock()
}

func (p *publisher) sample() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.firstErr
}

// statusError is a publish the server answered with a non-2xx status.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }
