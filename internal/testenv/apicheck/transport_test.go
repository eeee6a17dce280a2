package apicheck_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/notifyd/notifyd/internal/testenv/apicheck"
)

func TestMain(m *testing.M) {
	apicheck.Install()
	os.Exit(m.Run())
}

// recorder is the test a watched server belongs to, keeping what the checker reports.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	errs := r.errs
	r.errs = nil
	return errs
}

// The checking transport fails the owning test on what the spec does not describe — a
// body off its schema, an OPTIONS request that is no CORS preflight, a JSON body sent
// without its Content-Type — with the method, path and status, and lets a true CORS
// preflight (OPTIONS with Access-Control-Request-Method) and a described exchange through.
func TestTransportReportsMismatches(t *testing.T) {
	marked := "1"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodOptions:
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH")
			w.WriteHeader(http.StatusNoContent)
		case r.URL.Path == "/v1/notifications/read-all":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"marked":%s}`, marked)
		case r.URL.Path == "/v1/consents":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"adConsent":true,"nightAdConsent":false}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	rec := &recorder{TB: t}
	apicheck.Watch(rec, srv.URL)

	send := func(method, path, body string, header ...string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-User-Id", "7")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	for _, tc := range []struct {
		name, method, path, body string
		header                   []string
		want                     string // "" for no report
	}{
		{"described", "POST", "/v1/notifications/read-all", "", nil, ""},
		{"a CORS preflight", "OPTIONS", "/v1/notifications/read-all", "", []string{"Origin", "https://shop.example", "Access-Control-Request-Method", "POST"}, ""},
		{"an OPTIONS that is no preflight", "OPTIONS", "/v1/notifications/read-all", "", nil, "OPTIONS /v1/notifications/read-all → 204"},
		{"a JSON body with its Content-Type", "PUT", "/v1/consents", `{"adConsent":true}`, []string{"Content-Type", "application/json"}, ""},
		{"a JSON body without a Content-Type", "PUT", "/v1/consents", `{"adConsent":true}`, nil, "PUT /v1/consents → 200"},
	} {
		send(tc.method, tc.path, tc.body, tc.header...)
		errs := rec.take()
		switch {
		case tc.want == "" && len(errs) > 0:
			t.Errorf("%s: reported\n%s", tc.name, strings.Join(errs, "\n"))
		case tc.want != "" && (len(errs) == 0 || !strings.Contains(errs[0], tc.want)):
			t.Errorf("%s: reported %q, want a report naming %q", tc.name, errs, tc.want)
		}
	}
	marked = "-1"
	send("POST", "/v1/notifications/read-all", "")
	if errs := rec.take(); len(errs) != 1 || !strings.Contains(errs[0], "POST /v1/notifications/read-all → 200") || !strings.Contains(errs[0], "marked") {
		t.Errorf("a body off its schema: reported %q, want one report naming the field", errs)
	}
}
