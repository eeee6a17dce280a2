package httpapi

import (
	"net/http"
	"path"
	"strings"

	notify "github.com/notifyd/notifyd"
)

// serveMux routes r, answering what no route takes as problem+json, like every other
// error: an unknown path 404 not_found; a known path with another method 405
// method_not_allowed, with Allow. A path that is not clean (a doubled slash, "/./",
// "/../") is a 404 too, not the redirect to the clean path that http.ServeMux answers:
// an API client follows no redirect for a POST, and one path per resource keeps logs,
// metrics and caches in step.
func (s *Server) serveMux(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.Path; p != cleanPath(p) {
		writeProblem(w, problemOf(notify.Errorf(notify.CodeNotFound, "no route for %s %s: the path is not clean (doubled slash or dot segment)", r.Method, p)))
		return
	}
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	// No pattern: the mux's own answer is a plain-text 404 or a 405 with Allow. Keep its
	// status and Allow, and answer in problem+json instead.
	rec := &headerRecorder{h: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", rec.h.Get("Allow"))
		writeProblem(w, problemOf(notify.Errorf(notify.CodeMethodNotAllowed, "%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, rec.h.Get("Allow"))))
		return
	}
	if rec.status != http.StatusNotFound {
		h.ServeHTTP(w, r) // anything else the mux answers (a redirect of a subtree) as it is
		return
	}
	writeProblem(w, problemOf(notify.Errorf(notify.CodeNotFound, "no route for %s %s", r.Method, r.URL.Path)))
}

// cleanPath is p with doubled slashes and dot segments removed, keeping a trailing slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// headerRecorder keeps the status and headers a handler writes, and discards its body.
type headerRecorder struct {
	h      http.Header
	status int
}

func (r *headerRecorder) Header() http.Header { return r.h }
func (r *headerRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *headerRecorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return len(b), nil
}
