package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// CentrifugoVersion is the peer the --peer centrifugo preset installs and runs.
const CentrifugoVersion = "v6.9.1"

// CentrifugoModule is what `go install` builds.
const CentrifugoModule = "github.com/centrifugal/centrifugo/v6@" + CentrifugoVersion

// InstallCentrifugo returns the path of the centrifugo binary in cacheDir/centrifugo-<v>,
// building it with `go install` (GOBIN set to that folder) when it is not there yet. The
// build takes minutes; its output goes to log.
func InstallCentrifugo(ctx context.Context, cacheDir string, log io.Writer) (string, error) {
	dir := filepath.Join(cacheDir, "centrifugo-"+CentrifugoVersion)
	bin := filepath.Join(dir, "centrifugo")
	if fi, err := os.Stat(bin); err == nil && fi.Mode().IsRegular() {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	fmt.Fprintf(log, "notify-bench: installing %s into %s (takes minutes)\n", CentrifugoModule, dir)
	cmd := exec.CommandContext(ctx, "go", "install", CentrifugoModule)
	cmd.Env = append(os.Environ(), "GOBIN="+dir)
	cmd.Dir = os.TempDir() // outside any module: go install pkg@version
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go install %s: %w", CentrifugoModule, err)
	}
	return bin, nil
}

// CentrifugoConfig is the peer's configuration file: memory engine, unidirectional SSE,
// every user subscribed to its personal channel #<user> on connect, HS256 connection
// tokens and an HTTP API key; logs at error level.
func CentrifugoConfig(port int, secret, apiKey string) ([]byte, error) {
	cfg := map[string]any{
		"log":         map[string]any{"level": "error"},
		"http_server": map[string]any{"address": "127.0.0.1", "port": port},
		"engine":      map[string]any{"type": "memory"},
		"uni_sse":     map[string]any{"enabled": true},
		"websocket":   map[string]any{"disabled": true},
		"health":      map[string]any{"enabled": true},
		"http_api":    map[string]any{"key": apiKey},
		"client": map[string]any{
			"token":                              map[string]any{"hmac_secret_key": secret},
			"subscribe_to_user_personal_channel": map[string]any{"enabled": true},
		},
	}
	return json.MarshalIndent(cfg, "", "  ")
}

// Centrifugo is a running peer the bench started, with the Peer that loads it.
type Centrifugo struct {
	*Process
	Peer Peer
}

// SpawnCentrifugo writes a configuration into a temporary folder, starts bin on a free
// loopback port and waits for /health.
func SpawnCentrifugo(ctx context.Context, bin string, stderr io.Writer) (*Centrifugo, error) {
	secret, apiKey := randomHex(32), randomHex(16)
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	_, portStr, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portStr)
	conf, err := CentrifugoConfig(port, secret, apiKey)
	if err != nil {
		return nil, err
	}
	p, err := startProcess(ctx, "centrifugo", bin, func(dir string) ([]string, error) {
		path := filepath.Join(dir, "config.json")
		return []string{"--config", path}, os.WriteFile(path, conf, 0o600)
	}, nil, addr, "/health", stderr)
	if err != nil {
		return nil, err
	}
	peer, err := CentrifugoPeer("http://"+addr, secret, apiKey)
	if err != nil {
		p.Stop()
		return nil, err
	}
	return &Centrifugo{Process: p, Peer: peer}, nil
}

// CentrifugoPeer is the load for a Centrifugo at base (http://host:port).
func CentrifugoPeer(base, secret, apiKey string) (Peer, error) {
	sub, err := ParseTemplate(base+`/connection/uni_sse?cf_connect={"token":"{token}"}`, "{user}", "{token}")
	if err != nil {
		return Peer{}, err
	}
	pub, err := ParseTemplate(base+"/api/publish", "{user}")
	if err != nil {
		return Peer{}, err
	}
	body, err := ParseTemplate(`{"channel":"#{user}","data":{event}}`, "{user}", "{event}")
	if err != nil {
		return Peer{}, err
	}
	h := http.Header{}
	h.Set("X-API-Key", apiKey)
	h.Set("Content-Type", "application/json")
	return Peer{Name: "centrifugo " + CentrifugoVersion, Subscribe: sub, Publish: pub, Body: body, Header: h, Token: SubjectTokens(secret)}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// healthy polls url until it answers 200, the process exits or limit passes.
func healthy(ctx context.Context, name, url string, exit chan error, limit time.Duration) error {
	hc := &http.Client{Timeout: time.Second}
	defer hc.CloseIdleConnections()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case err := <-exit:
			exit <- err
			return fmt.Errorf("%s exited at start: %v", name, err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if resp, err := hc.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("%s did not become healthy in time", name)
}
