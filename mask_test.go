package notify_test

import (
	"strings"
	"testing"

	notify "github.com/notifyd/notifyd"
)

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+821012345678", "+8210******78"},
		{"+14155550100", "+141******00"},
		{"+2901234", "+2****34"},
		{"+123456", "+1***56"},
		{"+12345", "***"},
		{"", "***"},
	}
	for _, tt := range tests {
		if got := notify.MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Whatever its length, at least half of a number is masked and its middle never shows.
func TestMaskPhoneHidesHalf(t *testing.T) {
	for n := 7; n <= 16; n++ {
		p := "+" + "1234567890123456"[:n-1]
		got := notify.MaskPhone(p)
		if len(got) != len(p) {
			t.Errorf("MaskPhone(%q) = %q: length changed", p, got)
		}
		if stars := strings.Count(got, "*"); stars < len(p)/2 {
			t.Errorf("MaskPhone(%q) = %q: %d masked, want at least %d", p, got, stars, len(p)/2)
		}
		if !strings.HasSuffix(got, p[len(p)-2:]) {
			t.Errorf("MaskPhone(%q) = %q: last two digits lost", p, got)
		}
	}
}

func TestParseChannel(t *testing.T) {
	for in, want := range map[string]notify.Channel{"inbox": notify.ChannelInbox, "SSE": notify.ChannelInbox, " sms ": notify.ChannelSMS,
		"Email": notify.ChannelEmail, "webpush": notify.ChannelWebPush} {
		if got, ok := notify.ParseChannel(in); !ok || got != want {
			t.Errorf("ParseChannel(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "push", "web-push"} {
		if _, ok := notify.ParseChannel(in); ok {
			t.Errorf("ParseChannel(%q) accepted", in)
		}
	}
}
