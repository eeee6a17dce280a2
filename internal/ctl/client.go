package ctl

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client calls notifyd's HTTP API.
type Client struct {
	Server     string // base URL, e.g. http://127.0.0.1:8080
	Token      string // NOTIFY_INGEST_TOKEN: publish and status
	AdminToken string // NOTIFY_ADMIN_TOKEN: the admin routes (and publish and status)
	User       string // dev auth: the user inbox routes act as
	AuthToken  string // jwt auth: the bearer token inbox routes act with
	HTTP       *http.Client
}

// access says which credentials a request carries.
type access int

const (
	asAdmin    access = iota // the admin token (else the ingest token, which dev auth may accept)
	asUser                   // the user (dev) or the user's token (jwt)
	asProducer               // the ingest token (else the admin token)
)

// request is one API call.
type request struct {
	method string
	path   string // with the query
	body   []byte
	header http.Header
	access access
	user   string // overrides Client.User for asUser
}

func (c *Client) newRequest(ctx context.Context, r request) (*http.Request, error) {
	base := strings.TrimRight(c.Server, "/")
	if _, err := url.ParseRequestURI(base); err != nil || !strings.HasPrefix(base, "http") {
		return nil, fmt.Errorf("--server %q is not an http(s) URL", c.Server)
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, base+r.path, body)
	if err != nil {
		return nil, err
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "notifyctl")
	switch r.access {
	case asAdmin, asProducer:
		tok := cmp.Or(c.AdminToken, c.Token)
		if r.access == asProducer {
			tok = cmp.Or(c.Token, c.AdminToken)
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
	case asUser:
		user := r.user
		if user == "" {
			user = c.User
		}
		if c.AuthToken != "" {
			req.Header.Set("Authorization", "Bearer "+c.AuthToken)
		} else if user != "" {
			req.Header.Set("X-User-Id", user)
		}
	}
	return req, nil
}

// do sends the request and decodes a 2xx JSON answer into out (when not nil). Any other
// answer is returned as a *ProblemError. It returns the status.
func (c *Client) do(ctx context.Context, r request, out any) (int, error) {
	req, err := c.newRequest(ctx, r)
	if err != nil {
		return 0, err
	}
	res, err := c.http().Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", r.method, req.URL.Redacted(), err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return res.StatusCode, fmt.Errorf("%s %s: reading the answer: %w", r.method, req.URL.Path, err)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, problemFrom(res, raw)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return res.StatusCode, fmt.Errorf("%s %s: the answer is not the JSON expected: %w", r.method, req.URL.Path, err)
		}
	}
	return res.StatusCode, nil
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}
