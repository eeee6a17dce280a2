package httpapi

import (
	"net/http"
	"strings"
)

// cors answers cross-origin requests from the configured origins only, so a shop's pages
// can embed the inbox (GET /embed.js, the user routes, the SSE stream).
//
// The element authenticates with a bearer token (a header, or access_token on the
// stream), never with cookies, so no Access-Control-Allow-Credentials is sent: another
// origin can never ride on a notify_token cookie. Admin and ingest routes are not
// opened to other origins.
type cors struct {
	origins map[string]bool
}

func newCORS(origins []string) cors {
	c := cors{origins: map[string]bool{}}
	for _, o := range origins {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			c.origins[o] = true
		}
	}
	return c
}

// corsPath reports whether a path is one a page of another origin may use.
func corsPath(p string) bool {
	return p == "/embed.js" || p == "/v1/preferences" || p == "/v1/consents" || p == "/v1/notifications" || strings.HasPrefix(p, "/v1/notifications/")
}

// handle sets the CORS headers for an allowed origin and answers a preflight; it reports
// whether the request has been answered.
func (c cors) handle(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || len(c.origins) == 0 || !corsPath(r.URL.Path) {
		return false
	}
	h := w.Header()
	h.Add("Vary", "Origin")
	if !c.origins[origin] {
		return false // no CORS headers: the browser keeps the answer from the page
	}
	h.Set("Access-Control-Allow-Origin", origin)
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		h.Add("Vary", "Access-Control-Request-Method")
		h.Add("Vary", "Access-Control-Request-Headers")
		h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH")
		h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID, X-User-Id")
		h.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	h.Set("Access-Control-Expose-Headers", "Retry-After")
	return false
}
