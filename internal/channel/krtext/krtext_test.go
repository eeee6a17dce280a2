package krtext

import (
	"strings"
	"testing"
)

func TestBytes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc 123", 7},
		{"배송", 4},          // Hangul syllables in KS X 1001: 2 each
		{"똠방각하", 8},        // 똠 is outside strict EUC-KR's 2,350 but in CP949: still 2
		{"가\n나", 5},        // a newline is one byte
		{"😀", unencodable}, // an emoji EUC-KR cannot hold
		{"a😀b", 2 + unencodable},
		{"ㄱ", 2}, // a compatibility jamo is in the table
		{"…", 2}, // the ellipsis Fit adds
		{"€", 2}, // the euro sign: 2 whether CP949 holds it or not
		{"é", 2}, // Latin-1 letters: double-byte in KS X 1001 or unencodable, 2 either way
	} {
		if got := Bytes(c.in); got != c.want {
			t.Errorf("Bytes(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestFitChoosesSMSOrLMS(t *testing.T) {
	sms := strings.Repeat("가", 45) // 90 bytes exactly
	if f := Fit(sms, ""); f.Kind != SMS || f.Truncated || f.Text != sms {
		t.Fatalf("90 bytes: %+v, want SMS as is", f)
	}
	if f := Fit(sms+"a", ""); f.Kind != LMS || f.Truncated {
		t.Fatalf("91 bytes: %+v, want LMS", f)
	}
	// The link counts: 40 syllables (80) + " " + a 10-byte link = 91 bytes.
	if f := Fit(strings.Repeat("가", 40), "http://a.b"); f.Kind != LMS || !strings.HasSuffix(f.Text, " http://a.b") {
		t.Fatalf("text and link over 90: %+v, want LMS ending with the link", f)
	}
	// An emoji counts two bytes: 44 syllables (88) + one emoji = 90 → still SMS; one more byte is LMS.
	if f := Fit(strings.Repeat("가", 44)+"😀", ""); f.Kind != SMS {
		t.Fatalf("88 bytes + emoji: %+v, want SMS", f)
	}
}

func TestFitCutsLongTextKeepingTheLink(t *testing.T) {
	url := "https://shop.example/orders/1001"
	text := strings.Repeat("배송이 시작되었습니다. ", 150) // ~3,000 bytes
	if Bytes(text) < 3000 {
		t.Fatalf("test text is %d bytes, want ≥ 3000", Bytes(text))
	}
	f := Fit(text, url)
	if f.Kind != LMS || !f.Truncated {
		t.Fatalf("3,000 bytes: kind %s truncated %v, want LMS truncated", f.Kind, f.Truncated)
	}
	if n := Bytes(f.Text); n > LMSMax || n < LMSMax-3 {
		t.Fatalf("cut body is %d bytes, want just under %d", n, LMSMax)
	}
	if !strings.HasSuffix(f.Text, "… "+url) {
		t.Fatalf("cut body does not end with … and the link: %q", f.Text[len(f.Text)-60:])
	}
	if Bytes(f.Subject) > SubjectMax || !strings.HasPrefix(text, f.Subject) || f.Subject == "" {
		t.Fatalf("subject %q (%d bytes), want a prefix of the text of at most %d bytes", f.Subject, Bytes(f.Subject), SubjectMax)
	}
}

func TestCutKeepsWholeCharacters(t *testing.T) {
	if got := Cut("가나다", 5); got != "가나" {
		t.Fatalf("Cut(가나다, 5) = %q, want 가나 (never half a syllable)", got)
	}
	if got := Cut("ab😀", 3); got != "ab" {
		t.Fatalf("Cut(ab😀, 3) = %q, want ab", got)
	}
	if got := Cut("short", 40); got != "short" {
		t.Fatalf("Cut(short, 40) = %q", got)
	}
}

func TestDomestic(t *testing.T) {
	for in, want := range map[string]string{"+821012345678": "01012345678", "+82212345678": "0212345678", "+8201012345678": "01012345678"} {
		if got, ok := Domestic(in); !ok || got != want {
			t.Errorf("Domestic(%s) = %q, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"+14155550100", "+8210", "01012345678", "+82-10-1234-5678", ""} {
		if got, ok := Domestic(in); ok {
			t.Errorf("Domestic(%q) = %q, want refused (not a Korean E.164 number)", in, got)
		}
	}
}
