// Package docs embeds the documents notifyd serves itself: the OpenAPI description of
// its HTTP API.
package docs

import _ "embed"

// OpenAPI is openapi.yaml, the OpenAPI 3.1 description of every route.
//
//go:embed openapi.yaml
var OpenAPI []byte
