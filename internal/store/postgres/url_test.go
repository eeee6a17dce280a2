package postgres

import (
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	cfg, pool, err := ParseURL("postgres://app:p%40ss@db.internal/notify")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "app" || cfg.Password != "p@ss" || cfg.Host != "db.internal" || cfg.Port != 5432 || cfg.Database != "notify" {
		t.Fatalf("got %+v", cfg)
	}
	if cfg.ConnectTimeout != 5*time.Second || cfg.RuntimeParams["application_name"] != "notifyd" {
		t.Fatalf("defaults missing: timeout %v, params %v", cfg.ConnectTimeout, cfg.RuntimeParams)
	}
	if pool != (Pool{MaxOpen: 20, MaxIdle: 20, MaxLifetime: 5 * time.Minute}) {
		t.Fatalf("pool = %+v", pool)
	}

	cfg, pool, err = ParseURL("postgresql://postgres@127.0.0.1:5433/x?sslmode=disable&connect_timeout=2&maxOpenConns=4&connMaxLifetime=1m&search_path=notify")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 5433 || cfg.ConnectTimeout != 2*time.Second || cfg.TLSConfig != nil || cfg.RuntimeParams["search_path"] != "notify" {
		t.Fatalf("overrides not applied: %+v", cfg)
	}
	if _, ok := cfg.RuntimeParams["maxOpenConns"]; ok {
		t.Fatal("pool parameter leaked to the server settings")
	}
	if pool != (Pool{MaxOpen: 4, MaxIdle: 4, MaxLifetime: time.Minute}) {
		t.Fatalf("pool = %+v", pool)
	}

	for _, bad := range []string{"mysql://h/db", "postgres://h:5432/", "postgres://h/a/b", "postgres://h/db?maxOpenConns=x", "postgres://h/db?sslmode=nonsense"} {
		if _, _, err := ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) succeeded, want an error", bad)
		}
	}
}
