package app

import "testing"

func TestFanoutKind(t *testing.T) {
	const pg, my, redis = "postgres://h/db", "mysql://h/db", "redis://h:6379/0"
	for _, c := range []struct {
		fanout, db, redis, want string
	}{
		{"", "sqlite:x.db", "", "local"},
		{"auto", "sqlite:x.db", redis, "redis"},
		{"auto", pg, "", "postgres"},
		{"auto", "postgresql://h/db", "", "postgres"},
		{"auto", pg, redis, "redis"},
		{"auto", my, "", "local"},
		{"local", pg, redis, "local"},
		{"postgres", pg, redis, "postgres"},
		{"redis", my, redis, "redis"},
		{"postgres", my, "", ""},      // needs a PostgreSQL store
		{"redis", pg, "", ""},         // needs a Redis URL
		{"kafka", "sqlite:x", "", ""}, // unknown
	} {
		got, err := fanoutKind(Config{Fanout: c.fanout, DatabaseURL: c.db, RedisURL: c.redis})
		if got != c.want || (err != nil) != (c.want == "") {
			t.Errorf("fanout %q, db %q, redis %q: got %q, %v; want %q", c.fanout, c.db, c.redis, got, err, c.want)
		}
	}
}
