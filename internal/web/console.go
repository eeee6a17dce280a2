package web

import (
	"io/fs"
	"net/http"

	"github.com/notifyd/notifyd/internal/httpapi"
)

// mountConsole registers the operator's console: GET /console (the page) and
// GET /console/{asset} (its modules and style). The files hold no data: every screen reads
// the admin API with the admin token the operator signs in with, so the page itself needs
// no guard.
func mountConsole(s *httpapi.Server) {
	page, _ := static.ReadFile("static/console/index.html")
	s.Route("GET /console", func(w http.ResponseWriter, r *http.Request) {
		consoleHeaders(w.Header())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	files := map[string]http.HandlerFunc{}
	entries, _ := fs.ReadDir(static, "static/console")
	for _, e := range entries {
		if !e.IsDir() && e.Name() != "index.html" {
			files[e.Name()] = assetHandler("console/" + e.Name())
		}
	}
	s.Route("GET /console/{asset}", func(w http.ResponseWriter, r *http.Request) {
		if h, ok := files[r.PathValue("asset")]; ok {
			h(w, r)
			return
		}
		http.NotFound(w, r)
	})
}

// consoleHeaders are the inbox page's, but for styles: the email preview is the email's
// own HTML in a sandboxed frame (no scripts, no same origin), and a srcdoc frame inherits
// the page's policy, so the inline styles emails are made of must be allowed for it to
// look as it will in a mail client. Scripts stay the console's own files only.
func consoleHeaders(h http.Header) {
	pageHeaders(h)
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
}
