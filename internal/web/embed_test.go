package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The element stays small: under 30 KB gzipped, as it is served.
func TestEmbedScriptSize(t *testing.T) {
	base := startApp(t)
	res, err := http.Get(base + "/embed.js")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("GET /embed.js: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !bytes.Contains(body, []byte("customElements.define('notifyd-inbox'")) {
		t.Fatal("GET /embed.js does not define <notifyd-inbox>")
	}
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	w.Write(body)
	w.Close()
	const limit = 30 << 10
	t.Logf("embed.js: %d bytes, %d gzipped (limit %d)", len(body), gz.Len(), limit)
	if gz.Len() >= limit {
		t.Fatalf("embed.js is %d bytes gzipped, over the %d limit", gz.Len(), limit)
	}
}
