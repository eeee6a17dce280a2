package krtext

import (
	"strings"
	"testing"

	notify "github.com/notifyd/notifyd"
)

// TestFitMessageMeasuresTheMarkedText: an advertisement's "(광고) " and footer count in the
// EUC-KR length (a text that alone fits an SMS becomes an LMS), and a cut keeps both marks
// and the link whole.
func TestFitMessageMeasuresTheMarkedText(t *testing.T) {
	footer := "무료수신거부 080-000-0000"
	text := strings.Repeat("가", 40) // 80 bytes: an SMS alone
	plain := FitMessage(notify.Message{Text: text})
	if plain.Kind != SMS {
		t.Fatalf("80 bytes alone: %s, want sms", plain.Kind)
	}
	ad := FitMessage(notify.Message{Text: text, Advertising: true, AdFooter: footer})
	if ad.Kind != LMS || ad.Text != "(광고) "+text+"\n"+footer || ad.Truncated {
		t.Fatalf("the same text as an advertisement: %+v, want an LMS with the marks", ad)
	}
	long := FitMessage(notify.Message{Text: strings.Repeat("나", 1500), URL: "https://shop.example/sale", Advertising: true, AdFooter: footer})
	if !long.Truncated || Bytes(long.Text) > LMSMax || !strings.HasPrefix(long.Text, "(광고) 나") ||
		!strings.HasSuffix(long.Text, "… https://shop.example/sale\n"+footer) {
		t.Fatalf("a 3,000-byte advertisement: %d bytes, truncated %v, starts %q, ends %q", Bytes(long.Text), long.Truncated,
			long.Text[:20], long.Text[len(long.Text)-60:])
	}
}
