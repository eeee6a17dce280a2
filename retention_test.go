package notify

import (
	"strings"
	"testing"
	"time"
)

func TestParseRetention(t *testing.T) {
	for in, want := range map[string]time.Duration{"180d": 180 * 24 * time.Hour, "1d": 24 * time.Hour, "36h": 36 * time.Hour, " 30d ": 30 * 24 * time.Hour} {
		if got, err := ParseRetention(in); err != nil || got != want {
			t.Errorf("ParseRetention(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	// Tried: fractions of days, units Go does not know, nothing, zero, negative.
	for _, in := range []string{"1.5d", "2w", "", "0d", "-1h", "d"} {
		if got, err := ParseRetention(in); err == nil {
			t.Errorf("ParseRetention(%q) = %v, want an error", in, got)
		}
	}
	for d, want := range map[time.Duration]string{180 * 24 * time.Hour: "180d", 36 * time.Hour: "36h0m0s"} {
		if got := FormatRetention(d); got != want {
			t.Errorf("FormatRetention(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestRegistryRetain(t *testing.T) {
	reg, err := LoadRegistry(strings.NewReader("types:\n  ORDER_CREATED:\n    retain: 30d\n  PRICE_DROP:\n    message: hi\n"))
	if err != nil {
		t.Fatal(err)
	}
	if typ, _ := reg.Lookup("ORDER_CREATED"); typ.Retain != 30*24*time.Hour {
		t.Errorf("ORDER_CREATED retain = %v, want 30 days", typ.Retain)
	}
	if typ, _ := reg.Lookup("PRICE_DROP"); typ.Retain != 0 {
		t.Errorf("PRICE_DROP retain = %v, want 0 (the default retention)", typ.Retain)
	}
	_, err = LoadRegistry(strings.NewReader("types:\n  ORDER_CREATED:\n    retain: forever\n"))
	if err == nil || !strings.Contains(err.Error(), "types.ORDER_CREATED.retain") {
		t.Errorf("retain: forever = %v, want an error naming the field", err)
	}
}
