// Package apicheck checks, in tests, that notifyd answers as docs/openapi.yaml says:
// every request a test makes to a watched server, and its response, are validated against
// the spec by a library (libopenapi-validator, which reads OpenAPI 3.1), and a mismatch
// fails the test that owns the server, naming the operation and what did not match.
//
// A package installs the checking transport once, in TestMain, before any goroutine makes
// a request (Install); a test registers each notifyd it starts (Watch). apptest.Start and
// the e2e harness do that for every server they start, so a new route, or a new status,
// that the spec does not describe fails the tests that call it, with its path, until the
// spec has it. Requests to anything else (goaws, provider mocks) pass through unchecked.
package apicheck

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"

	"github.com/notifyd/notifyd/docs"
)

var state struct {
	mu        sync.Mutex
	installed bool
	v         validator.Validator
	owners    map[string]testing.TB // host:port of a watched server → its test
}

// Spec returns the validator of docs/openapi.yaml, or the errors building it.
func Spec() (validator.Validator, error) {
	doc, err := libopenapi.NewDocument(docs.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("docs/openapi.yaml: %w", err)
	}
	// Security is checked by the auth tests, against the real credentials.
	v, errs := validator.NewValidator(doc, config.WithoutSecurityValidation())
	if len(errs) > 0 {
		return nil, fmt.Errorf("docs/openapi.yaml: %v", errs)
	}
	return v, nil
}

// Install wraps http.DefaultTransport with the checking transport. Call it from TestMain
// before m.Run: replacing the transport while requests are in flight would race.
func Install() {
	v, err := Spec()
	if err != nil {
		panic(err)
	}
	state.mu.Lock()
	defer state.mu.Unlock()
	if state.installed {
		return
	}
	state.installed, state.v, state.owners = true, v, map[string]testing.TB{}
	http.DefaultTransport = &transport{next: http.DefaultTransport}
}

// Watch checks every request of this test binary to baseURL (http://host:port) until t
// ends. It does nothing in a package that did not Install.
func Watch(t testing.TB, baseURL string) {
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatalf("apicheck: %v", err)
	}
	state.mu.Lock()
	defer state.mu.Unlock()
	if !state.installed {
		return
	}
	state.owners[u.Host] = t
	t.Cleanup(func() {
		state.mu.Lock()
		defer state.mu.Unlock()
		if state.owners[u.Host] == t {
			delete(state.owners, u.Host)
		}
	})
}

type transport struct{ next http.RoundTripper }

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	state.mu.Lock()
	t := state.owners[req.URL.Host]
	state.mu.Unlock()
	if t == nil || preflight(req) {
		return tr.next.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	resp, err := tr.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	var respBody []byte
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		// A stream is checked by its status and headers only: its body never ends.
		respBody, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(respBody))
		if err != nil {
			return resp, nil // the caller sees the short body; nothing to check
		}
	}
	if msg := check(req, reqBody, resp, respBody); msg != "" {
		t.Errorf("%s", msg)
	}
	return resp, nil
}

// preflight reports whether req is a CORS preflight: OPTIONS naming the method the browser
// means to send (Access-Control-Request-Method). The CORS middleware answers those for
// every path, before any route, so they are not operations of the API and the spec does
// not list them (OpenAPI describes what a client calls, not the browser's permission
// check). Any other OPTIONS request is checked like the rest.
func preflight(req *http.Request) bool {
	return req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != ""
}

// Check validates one finished exchange (the bodies read already) against the spec and
// describes the mismatches, or returns "": for a test that checks one answer directly.
func Check(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) string {
	state.mu.Lock()
	if state.v == nil {
		v, err := Spec()
		if err != nil {
			state.mu.Unlock()
			return err.Error()
		}
		state.v = v
	}
	state.mu.Unlock()
	return check(req, reqBody, resp, respBody)
}

// check validates one exchange and describes the mismatches, or returns "". The request
// is checked only when the server accepted it (2xx): tests send invalid requests on
// purpose, and answering those with a declared 4xx is right.
func check(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) string {
	creq := req.Clone(req.Context())
	creq.Body = io.NopCloser(bytes.NewReader(reqBody))
	cresp := *resp
	cresp.Body = io.NopCloser(bytes.NewReader(respBody))
	cresp.Request = creq
	state.mu.Lock()
	defer state.mu.Unlock()
	var problems []string
	if resp.StatusCode/100 == 2 {
		if ok, errs := state.v.ValidateHttpRequest(creq); !ok {
			for _, e := range errs {
				problems = append(problems, "request: "+describe(e.Message, e.Reason, e.SchemaValidationErrors))
			}
		}
	}
	creq.Body = io.NopCloser(bytes.NewReader(reqBody))
	if ok, errs := state.v.ValidateHttpResponse(creq, &cresp); !ok {
		for _, e := range errs {
			problems = append(problems, "response: "+describe(e.Message, e.Reason, e.SchemaValidationErrors))
		}
	}
	if len(problems) == 0 {
		return ""
	}
	body := respBody
	if len(body) > 300 {
		body = append(body[:300:300], "…"...)
	}
	return fmt.Sprintf("docs/openapi.yaml does not describe %s %s → %d %s:\n  %s\n  body: %s",
		req.Method, req.URL.Path, resp.StatusCode, resp.Header.Get("Content-Type"), strings.Join(problems, "\n  "), body)
}

// describe is one validation error on a line: what failed, why, and each schema failure
// with where in the body it is.
func describe(msg, reason string, fails []*verrors.SchemaValidationFailure) string {
	s := msg
	if reason != "" && reason != msg {
		s += ": " + reason
	}
	for _, f := range fails {
		s += fmt.Sprintf(" [%s: %s]", f.FieldPath, f.Reason)
	}
	return s
}
