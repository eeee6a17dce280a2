package suggest

import (
	"strings"
	"testing"
)

func TestClosest(t *testing.T) {
	valid := []string{"message", "url", "channels", "quietHours"}
	for got, want := range map[string]string{"mesage": "message", "chanels": "channels", "quiethours": "quietHours", "ulr": "url"} {
		if s, ok := Closest(got, valid); !ok || s != want {
			t.Errorf("Closest(%q) = %q, %v; want %q", got, s, ok, want)
		}
	}
	for _, far := range []string{"templates", "x", ""} {
		if s, ok := Closest(far, valid); ok {
			t.Errorf("Closest(%q) = %q: too far to suggest", far, s)
		}
	}
	err := OneOf("NOTIFY_LOG_LEVEL", "inf", "debug", "info", "warn", "error")
	if !strings.Contains(err.Error(), "NOTIFY_LOG_LEVEL") || !strings.Contains(err.Error(), "debug, info, warn, error") || !strings.Contains(err.Error(), `did you mean "info"`) {
		t.Errorf("OneOf: %v", err)
	}
}
