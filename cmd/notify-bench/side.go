package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/notifyd/notifyd/internal/bench"
)

// peerFlags describe the server notifyd is compared with (--peer).
type peerFlags struct {
	kind      string // "", centrifugo, url
	name      string
	subscribe string
	publish   string
	body      string
	headers   stringList
	jwtSecret string
	pid       int
	cache     string
	syncs     string // notifyd passes: --sqlite-sync values, comma-separated
	probes    int
}

// sideBySide runs the same load against notifyd (once per --sqlite-sync value) and the
// peer, one after another in this process, and prints one table.
func sideBySide(ctx context.Context, cfg bench.Config, spawn, dbURL string, serverArgs []string, pf peerFlags, asJSON bool) error {
	if spawn == "" {
		return errors.New("--peer needs --spawn: the bench starts notifyd for its passes")
	}
	var centrifugo string
	if pf.kind == "centrifugo" { // build first: a build during a pass would load the machine
		bin, err := bench.InstallCentrifugo(ctx, pf.cache, os.Stderr)
		if err != nil {
			return err
		}
		centrifugo = bin
	}
	var passes []bench.Pass
	for _, sync := range strings.Split(pf.syncs, ",") {
		sync = strings.TrimSpace(sync)
		name := "notifyd"
		if dbURL == "" {
			name += " sync=" + sync
		}
		passes = append(passes, notifydPass(ctx, cfg, name, spawn, dbURL, sync, serverArgs, pf.probes))
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	passes = append(passes, peerPass(ctx, cfg, pf, centrifugo))
	if asJSON {
		return writeJSONPasses(passes)
	}
	return bench.WriteSideBySide(os.Stdout, passes)
}

func notifydPass(ctx context.Context, cfg bench.Config, name, spawn, dbURL, sync string, serverArgs []string, probes int) bench.Pass {
	p := bench.Pass{Name: name}
	srv, err := bench.Spawn(ctx, spawn, dbURL, sync, serverArgs, nil, os.Stderr)
	if err != nil {
		p.Err = err
		return p
	}
	defer srv.Stop()
	fmt.Fprintf(os.Stderr, "notify-bench: %s pid %d on %s\n", name, srv.PID(), srv.Addr)
	p.Fsync, _ = bench.FsyncMedian(srv.Dir, probes)
	cfg.Addr, cfg.PID = srv.Addr, srv.PID()
	p.Result, p.Err = bench.Run(ctx, cfg)
	return p
}

func peerPass(ctx context.Context, cfg bench.Config, pf peerFlags, centrifugo string) bench.Pass {
	p := bench.Pass{Name: pf.name}
	dir := os.TempDir()
	switch pf.kind {
	case "centrifugo":
		c, err := bench.SpawnCentrifugo(ctx, centrifugo, os.Stderr)
		if err != nil {
			p.Err = err
			return p
		}
		defer c.Stop()
		if p.Name == "" {
			p.Name = c.Peer.Name
		}
		fmt.Fprintf(os.Stderr, "notify-bench: %s pid %d on %s\n", p.Name, c.PID(), c.Addr)
		cfg.Peer, cfg.PID, dir = &c.Peer, c.PID(), c.Dir
	default:
		peer, err := urlPeer(pf)
		if err != nil {
			p.Err = err
			return p
		}
		if p.Name == "" {
			p.Name = "peer"
		}
		cfg.Peer, cfg.PID = peer, pf.pid
	}
	p.Fsync, _ = bench.FsyncMedian(dir, pf.probes)
	p.Result, p.Err = bench.Run(ctx, cfg)
	return p
}

// urlPeer is a peer given by templates (--peer url).
func urlPeer(pf peerFlags) (*bench.Peer, error) {
	sub, err := bench.ParseTemplate(pf.subscribe, "{user}", "{token}")
	if err != nil {
		return nil, fmt.Errorf("--peer-subscribe: %w", err)
	}
	pub, err := bench.ParseTemplate(pf.publish, "{user}")
	if err != nil {
		return nil, fmt.Errorf("--peer-publish: %w", err)
	}
	body, err := bench.ParseTemplate(pf.body, "{user}", "{event}")
	if err != nil {
		return nil, fmt.Errorf("--peer-body: %w", err)
	}
	if pf.subscribe == "" || pf.publish == "" {
		return nil, errors.New("--peer url needs --peer-subscribe and --peer-publish")
	}
	if _, _, err := bench.StreamRequest(sub, bench.Values{User: "u0", Token: "t"}); err != nil {
		return nil, err
	}
	peer := &bench.Peer{Name: pf.name, Subscribe: sub, Publish: pub, Body: body, Header: http.Header{}}
	for _, h := range pf.headers {
		k, v, err := bench.ParseHeader(h)
		if err != nil {
			return nil, fmt.Errorf("--peer-header: %w", err)
		}
		peer.Header.Add(k, v)
	}
	if sub.Uses("{token}") {
		if pf.jwtSecret == "" {
			return nil, errors.New("--peer-subscribe uses {token}: set --peer-jwt-secret")
		}
		peer.Token = bench.SubjectTokens(pf.jwtSecret)
	}
	return peer, nil
}

func defaultCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		d = os.TempDir()
	}
	return filepath.Join(d, "notify-bench")
}

func writeJSONPasses(passes []bench.Pass) error {
	type out struct {
		Name    string        `json:"name"`
		FsyncMs float64       `json:"fsyncMedianMs"`
		Error   string        `json:"error,omitempty"`
		Result  *bench.Result `json:"result,omitempty"`
	}
	all := make([]out, 0, len(passes))
	for _, p := range passes {
		o := out{Name: p.Name, FsyncMs: float64(p.Fsync) / 1e6, Result: p.Result}
		if p.Err != nil {
			o.Error = p.Err.Error()
		}
		all = append(all, o)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(all)
}
