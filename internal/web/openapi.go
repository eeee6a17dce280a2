package web

import (
	"net/http"

	"github.com/notifyd/notifyd/docs"
)

// openAPI serves docs/openapi.yaml, the description of every route.
func openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Access-Control-Allow-Origin", "*") // so API explorers elsewhere can load it
	_, _ = w.Write(docs.OpenAPI)
}
