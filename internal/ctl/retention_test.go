package ctl_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
	"github.com/notifyd/notifyd/internal/store/sqlite"
)

// With a retention of a millisecond, an event's notification shows in purge --dry-run
// once its SMS went (not before: a delivery still to go keeps it), purge deletes it, the
// inbox is empty after, and backup copies the database notifyd is running on.
func TestPurgeAndBackup(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "notify.db")
	_, server := startApp(t, app.Config{IngestToken: "s3cret", Retention: time.Millisecond, DatabaseURL: db})
	c := newCtl(t, server)
	c.stdin = `{"whoToNotify":[{"userId":7,"role":"CUSTOMER","phoneNumber":"+821012345678"}],
	  "publishInformation":{"notificationType":"DELIVERY_STARTED","message":"배송이 시작되었습니다.","url":"https://mypage/orders/1","eventId":"purge-1"}}`
	c.ok("--token", "s3cret", "publish", "-f", "-")

	apptest.Eventually(t, "the notification to be purgeable (its SMS sent)", func() bool {
		r := c.ok("--token", "s3cret", "purge", "--dry-run")
		return strings.HasPrefix(r.stdout, "would purge 1 notifications, 1 delivery,")
	})
	r := c.ok("--token", "s3cret", "purge", "--dry-run")
	contains(t, "purge --dry-run", r.stdout, "DELIVERY_STARTED", "created before", "webhook messages")
	if r := c.run("purge", "--dry-run"); r.code != 1 || !strings.Contains(r.stderr, "401") && !strings.Contains(r.stderr, "unauthorized") {
		t.Errorf("purge --dry-run without the admin token: exit %d, %q; want refused", r.code, r.stderr)
	}

	dest := filepath.Join(t.TempDir(), "copy.db")
	r = c.ok("backup", dest, "--database-url", db)
	contains(t, "backup", r.stdout, "integrity ok")
	if err := sqlite.CheckIntegrity(t.Context(), dest); err != nil {
		t.Fatal(err)
	}
	if r := c.run("backup", dest, "--database-url", "postgres://localhost/notify"); r.code != 1 || !strings.Contains(r.stderr, "pg_dump") {
		t.Errorf("backup of a PostgreSQL URL: exit %d, %q; want a pointer to pg_dump", r.code, r.stderr)
	}

	r = c.ok("--token", "s3cret", "purge")
	if !strings.HasPrefix(r.stdout, "purged 1 notifications, 1 delivery,") {
		t.Fatalf("purge: %q", r.stdout)
	}
	r = c.ok("--user", "7", "list", "7")
	if strings.Contains(r.stdout, "배송이 시작되었습니다") {
		t.Fatalf("after the purge the inbox still lists it:\n%s", r.stdout)
	}
}
