// Package web is the embedded web inbox: one page with a bell, an unread badge and a
// live list fed by the SSE stream, its static assets, and the OpenAPI document.
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"

	"github.com/notifyd/notifyd/internal/httpapi"
)

//go:embed static
var static embed.FS

// Options configure the inbox page.
type Options struct {
	// Auth is the server's auth mode: "dev" (the page asks for a user id) or "jwt" (the
	// page asks for a token, or uses the notify_token cookie). Default "dev".
	Auth string
	// WebPush shows the "allow browser notifications" control (the server has VAPID keys).
	WebPush bool
}

// Mount registers GET / (the inbox page), GET /static/<asset> for each asset,
// GET /embed.js (the <notifyd-inbox> element other sites embed; CORS is the server's, for
// NOTIFY_CORS_ORIGINS), GET /openapi.yaml and the operator's console (/console) on s.
func Mount(s *httpapi.Server, o Options) {
	if o.Auth == "" {
		o.Auth = "dev"
	}
	page, err := renderPage(o)
	if err != nil {
		panic(fmt.Sprintf("web: %v", err)) // the embedded template is fixed at build time
	}
	s.Route("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		pageHeaders(w.Header())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	for _, name := range assets() {
		s.Route("GET /static/"+name, assetHandler(name))
	}
	s.Route("GET /embed.js", scriptHandler(embedScript()))
	s.Route("GET /openapi.yaml", openAPI)
	// The service worker is served from the root so that its scope covers the page.
	s.Route("GET /sw.js", assetHandler("sw.js"))
	mountConsole(s)
}

// renderPage fills the auth mode into the page once, at mount time.
func renderPage(o Options) ([]byte, error) {
	t, err := template.ParseFS(static, "static/index.html")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, o); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// assets lists the embedded files served under /static/ (everything but the page; the
// embed script's parts, in static/embed/, are served joined as /embed.js).
func assets() []string {
	var out []string
	entries, _ := fs.ReadDir(static, "static")
	for _, e := range entries {
		if !e.IsDir() && e.Name() != "index.html" && e.Name() != "sw.js" {
			out = append(out, e.Name())
		}
	}
	return out
}

var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

func assetHandler(name string) http.HandlerFunc {
	body, _ := static.ReadFile("static/" + name)
	ctype := contentTypes[path.Ext(name)]
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	return serve(body, ctype)
}

func scriptHandler(body []byte) http.HandlerFunc { return serve(body, contentTypes[".js"]) }

// embedParts are the files of the <notifyd-inbox> script, in the order they are joined.
var embedParts = []string{"i18n.js", "style.js", "dom.js", "settings.js", "element.js"}

// embedScript joins the element's parts into one script that works as a classic script
// and as a module: one function scope, nothing global but the custom element.
func embedScript() []byte {
	var b bytes.Buffer
	b.WriteString(`/* <notifyd-inbox>: notifyd's inbox as a custom element for any page.
 *   <script src="https://notify.example/embed.js"></script>   (or type="module")
 *   <notifyd-inbox server="https://notify.example" token="JWT" lang="ko"></notifyd-inbox>
 * The token comes from the attribute, or from el.tokenProvider = async () => token,
 * called again whenever the server refuses the token. No framework, no globals. */
(function () {
'use strict';
if (typeof customElements === 'undefined' || customElements.get('notifyd-inbox')) return;
`)
	for _, name := range embedParts {
		part, err := static.ReadFile("static/embed/" + name)
		if err != nil {
			panic(fmt.Sprintf("web: embed part %s: %v", name, err)) // fixed at build time
		}
		b.WriteString("\n")
		b.Write(part)
	}
	b.WriteString("})();\n")
	return b.Bytes()
}

func serve(body []byte, ctype string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(body)
	}
}

// pageHeaders keeps the page to its own origin: no inline script, no framing, no
// referrer leaking to the links it opens.
func pageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
}
