package ctl_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
)

// Every time notifyctl prints is in the local zone (TZ) to the second, with the zone's
// name, as the server's UTC instant: the topic commands' "since" (they printed RFC 3339
// in UTC) and purge's cutoffs (they printed local times without the zone's name).
func TestTimesInTheLocalZone(t *testing.T) {
	_, server := startApp(t, app.Config{IngestToken: "s3cret", Retention: 30 * 24 * time.Hour})
	c := newCtl(t, server)
	before := time.Now().Add(-time.Second)
	c.ok("--token", "s3cret", "topic", "subscribe", "restock:product-123", "7")
	after := time.Now().Add(time.Second)
	zone := regexp.QuoteMeta(time.Now().Format("MST"))
	local := func(what, out, pattern string, lo, hi time.Time) {
		t.Helper()
		m := regexp.MustCompile(pattern + ` (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ` + zone + `\b`).FindStringSubmatch(out)
		if m == nil {
			t.Errorf("%s printed\n%s\nwant %q followed by a time in the local zone %s", what, out, pattern, zone)
			return
		}
		at, err := time.ParseInLocation(time.DateTime, m[1], time.Local)
		if err != nil || at.Before(lo.Truncate(time.Second)) || at.After(hi) {
			t.Errorf("%s: %s is %v (%v), want between %v and %v", what, pattern, at, err, lo, hi)
		}
	}
	local("topic list", c.ok("--token", "s3cret", "topic", "list", "7").stdout, "since", before, after)
	local("topic subscribers", c.ok("--token", "s3cret", "topic", "subscribers", "restock:product-123").stdout, "since", before, after)

	before = time.Now().Add(-30*24*time.Hour - time.Second)
	r := c.ok("--token", "s3cret", "purge", "--dry-run")
	local("purge --dry-run", r.stdout, "webhook messages +created before", before, time.Now().Add(-30*24*time.Hour+time.Second))
}
