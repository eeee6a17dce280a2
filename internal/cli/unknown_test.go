package cli

import (
	"strings"
	"testing"
)

// One warning per unknown NOTIFY_* variable, with the nearest known name when one is
// close; known ones and other prefixes draw none.
func TestUnknownEnv(t *testing.T) {
	known := []string{"NOTIFY_HTTP_ADDR", "NOTIFY_AUTH", "NOTIFY_SERVER"}
	got := UnknownEnv([]string{"NOTIFY_HTTP_ADDRESS=:8080", "NOTIFY_AUTH=dev", "NOTIFY_SERVER=x", "PATH=/bin", "NOTIFY_ZZZZZZZZZZZZZZZZZZZZ=1"}, "NOTIFY_", known)
	if len(got) != 2 {
		t.Fatalf("warnings %q, want 2", got)
	}
	if !strings.Contains(got[0], "NOTIFY_HTTP_ADDRESS") || !strings.Contains(got[0], `did you mean "NOTIFY_HTTP_ADDR"?`) {
		t.Errorf("warning %q", got[0])
	}
	if strings.Contains(got[1], "did you mean") {
		t.Errorf("a far name got a suggestion: %q", got[1])
	}
}
