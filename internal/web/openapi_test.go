package web_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/docs"
	"github.com/notifyd/notifyd/internal/httpapi"
	"github.com/notifyd/notifyd/internal/web"
)

type openAPIDoc struct {
	OpenAPI string                    `yaml:"openapi"`
	Paths   map[string]map[string]any `yaml:"paths"`
	Comps   struct {
		Schemas map[string]struct {
			Enum []string `yaml:"enum"`
		} `yaml:"schemas"`
	} `yaml:"components"`
}

func parseOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := yaml.Unmarshal(docs.OpenAPI, &doc); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi: got %q, want 3.1.x", doc.OpenAPI)
	}
	return doc
}

var wildcard = regexp.MustCompile(`\{([A-Za-z0-9_]+)(\.\.\.)?\}`)

// openAPIPath turns a ServeMux pattern's path into an OpenAPI path: {$} ends at the
// slash before it, {name} and {name...} are both path parameters.
func openAPIPath(p string) string {
	p = strings.TrimSuffix(p, "{$}")
	return wildcard.ReplaceAllString(p, "{$1}")
}

// TestOpenAPIDescribesEveryRoute fails when the server has a route docs/openapi.yaml
// does not describe.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc := parseOpenAPI(t)
	s := httpapi.New(httpapi.Options{Mount: func(s *httpapi.Server) { web.Mount(s, web.Options{Auth: "dev"}) }})
	routes := s.Routes()
	if len(routes) < 10 {
		t.Fatalf("got %d routes, want the full table: %v", len(routes), routes)
	}
	for _, r := range routes {
		method, path, ok := strings.Cut(r, " ")
		if !ok {
			t.Errorf("route %q has no method; every route should name one", r)
			continue
		}
		op := openAPIPath(path)
		item, ok := doc.Paths[op]
		if !ok {
			t.Errorf("route %q: path %q is not in docs/openapi.yaml", r, op)
			continue
		}
		if _, ok := item[strings.ToLower(method)]; !ok {
			t.Errorf("route %q: docs/openapi.yaml has %s but no %s operation", r, op, method)
		}
	}
}

// TestOpenAPIListsEveryErrorCode keeps the ErrorCode enum in step with the codes.
func TestOpenAPIListsEveryErrorCode(t *testing.T) {
	doc := parseOpenAPI(t)
	codes := []notify.Code{notify.CodeInvalidJSON, notify.CodeInvalidEvent, notify.CodeUnknownType, notify.CodeNoRecipient,
		notify.CodeTooManyRecipients, notify.CodeTooLarge, notify.CodeIdempotency, notify.CodeUnauthorized, notify.CodeForbidden,
		notify.CodeNotFound, notify.CodeRateLimited, notify.CodeTooManyStreams, notify.CodeUnavailable, notify.CodeInternal,
		notify.CodeInvalidQuery, notify.CodeMethodNotAllowed}
	enum := map[string]bool{}
	for _, c := range doc.Comps.Schemas["ErrorCode"].Enum {
		enum[c] = true
	}
	for _, c := range codes {
		if !enum[string(c)] {
			t.Errorf("error code %q is not in components.schemas.ErrorCode", c)
		}
		if !strings.Contains(string(docs.OpenAPI), "| `"+string(c)+"` |") {
			t.Errorf("error code %q is not in the status table of info.description", c)
		}
	}
}

func TestServesOpenAPIAndPage(t *testing.T) {
	s := httpapi.New(httpapi.Options{Mount: func(s *httpapi.Server) { web.Mount(s, web.Options{Auth: "jwt"}) }})
	for _, tc := range []struct{ path, ctype, contains string }{
		{"/openapi.yaml", "application/yaml", "openapi: 3.1"},
		{"/", "text/html", `data-auth="jwt"`},
		{"/static/inbox.js", "text/javascript", "EventSource"},
		{"/static/inbox.css", "text/css", "Noto Sans KR"},
	} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), tc.ctype) || !strings.Contains(rec.Body.String(), tc.contains) {
			t.Errorf("GET %s: got %d %q, want 200 %s containing %q", tc.path, rec.Code, rec.Header().Get("Content-Type"), tc.ctype, tc.contains)
		}
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/nope", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET /nope: got %d, want 404 (only / serves the page)", rec.Code)
	}
}
