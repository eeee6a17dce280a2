package mysql

import (
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	cfg, pool, err := ParseURL("mysql://app:p%40ss@db.internal/notify")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "app" || cfg.Passwd != "p@ss" || cfg.Addr != "db.internal:3306" || cfg.DBName != "notify" || cfg.Net != "tcp" {
		t.Fatalf("got %+v", cfg)
	}
	if !cfg.InterpolateParams || cfg.Params["sql_mode"] != "'TRADITIONAL'" || cfg.Collation != "utf8mb4_unicode_ci" {
		t.Fatalf("defaults missing: %+v", cfg)
	}
	if pool != (Pool{MaxOpen: 20, MaxIdle: 20, MaxLifetime: 5 * time.Minute}) {
		t.Fatalf("pool = %+v", pool)
	}

	cfg, pool, err = ParseURL("mysql://root@127.0.0.1:3307/x?interpolateParams=false&readTimeout=3s&maxOpenConns=4&connMaxLifetime=1m")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.InterpolateParams || cfg.ReadTimeout != 3*time.Second || cfg.Addr != "127.0.0.1:3307" || cfg.Params["sql_mode"] != "'TRADITIONAL'" {
		t.Fatalf("overrides not applied: %+v", cfg)
	}
	if _, ok := cfg.Params["maxOpenConns"]; ok {
		t.Fatal("pool parameter leaked to the driver")
	}
	if pool != (Pool{MaxOpen: 4, MaxIdle: 4, MaxLifetime: time.Minute}) {
		t.Fatalf("pool = %+v", pool)
	}

	for _, bad := range []string{"postgres://h/db", "mysql://h:3306/", "mysql://h/a/b", "mysql://h/db?maxOpenConns=x", "mysql://h/db?tls=nonsense"} {
		if _, _, err := ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) succeeded, want an error", bad)
		}
	}
}
