package ctl_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
)

// publish --send-in schedules the sample event (which has no sendAt of its own) that long
// from now, and the answer shows the due time in the local zone (TZ; the server answers in
// UTC) with its name; a negative --send-in is refused.
func TestPublishSendIn(t *testing.T) {
	cfg := writeTemp(t, "types:\n  REVIEW_REMINDER:\n    channels: {CUSTOMER: [inbox]}\n")
	_, server := startApp(t, app.Config{ConfigFile: cfg})
	c := newCtl(t, server)
	before := time.Now()
	r := c.ok("publish", "--send-in", "10m", "../../examples/events/review-reminder-scheduled.json")
	zone := time.Now().Format("MST")
	m := regexp.MustCompile(`scheduled for (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ` + regexp.QuoteMeta(zone)).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("publish --send-in 10m printed %q, want the due time in the local zone %s", r.stdout, zone)
	}
	due, err := time.ParseInLocation("2006-01-02 15:04:05", m[1], time.Local)
	if err != nil || due.Before(before.Add(10*time.Minute).Truncate(time.Second)) || due.After(time.Now().Add(10*time.Minute)) {
		t.Errorf("due %v (%v), want 10 minutes after %v", due, err, before)
	}
	r = c.fails(1, "publish", "--send-in", "-5m", "../../examples/events/review-reminder-scheduled.json")
	if !strings.Contains(r.stderr, "--send-in") {
		t.Errorf("negative --send-in: %q", r.stderr)
	}
}

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}
