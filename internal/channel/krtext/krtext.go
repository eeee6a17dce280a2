// Package krtext measures and fits text the way Korean carriers and SMS providers do:
// in EUC-KR (CP949) bytes, where an ASCII character is one byte and a Hangul syllable two.
// An SMS holds 90 bytes, an LMS 2,000 with a subject of 40; the Korean providers
// (internal/channel/sms's solapi and nhn, and the kakao channel's fallback) choose between
// them with Fit.
package krtext

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/korean"

	notify "github.com/notifyd/notifyd"
)

// The carriers' limits, in EUC-KR bytes.
const (
	SMSMax     = 90
	LMSMax     = 2000
	SubjectMax = 40
)

// Kind is SMS (short) or LMS (long) text.
type Kind string

// The kinds of Korean text message.
const (
	SMS Kind = "sms"
	LMS Kind = "lms"
)

// unencodable is what a character EUC-KR cannot hold counts for (an emoji, a Hangul
// jamo sequence outside KS X 1001's table, most CJK beyond it): two bytes, as the
// providers' calculators count any non-ASCII character, so a text they accept as SMS is
// never sent as one that the carrier then splits. Such characters usually arrive as "?"
// on a handset; docs/kakao.md says so.
const unencodable = 2

// Bytes returns the length of s in EUC-KR bytes. Characters EUC-KR cannot hold count
// two bytes each (see unencodable).
func Bytes(s string) int {
	n := 0
	for _, r := range s {
		n += runeBytes(r)
	}
	return n
}

func runeBytes(r rune) int {
	if r < utf8.RuneSelf {
		return 1
	}
	// The library's encoder is CP949 (it holds all 11,172 modern syllables, not only
	// the 2,350 of strict EUC-KR), which is what Korean carriers take. Encoding rune by
	// rune keeps the count exact per character; a text is at most a few kilobytes.
	b, err := korean.EUCKR.NewEncoder().String(string(r))
	if err != nil || len(b) == 0 {
		return unencodable
	}
	return len(b)
}

// Fitted is a text made ready for a Korean carrier.
type Fitted struct {
	Kind      Kind
	Text      string // the body: text and link, cut to fit when it was too long
	Subject   string // for LMS: the first line of the text, cut to SubjectMax bytes
	Truncated bool   // the text was cut to fit LMSMax
}

// Join is the body of a message with a link: the text, a space, the link.
func Join(text, url string) string {
	if url == "" {
		return text
	}
	return text + " " + url
}

// Fit chooses SMS for a body of at most SMSMax bytes and LMS for a longer one; a body
// over LMSMax has its text cut (with "…") so that the link still fits whole.
func Fit(text, url string) Fitted { return FitMarked("", text, url, "") }

// FitMarked is Fit for a body that must start with prefix and end with suffix (an
// advertisement's "(광고)" and opt-out line): the length is measured on the whole marked
// body, and a cut takes from the text only, so the marks and the link stay whole.
func FitMarked(prefix, text, url, suffix string) Fitted {
	body := prefix + Join(text, url) + suffix
	n := Bytes(body)
	if n <= SMSMax {
		return Fitted{Kind: SMS, Text: body}
	}
	f := Fitted{Kind: LMS, Text: body, Subject: Cut(firstLine(prefix+text), SubjectMax)}
	if n <= LMSMax {
		return f
	}
	room := LMSMax - Bytes(prefix+Join("…", url)+suffix) // what the text may take besides the rest
	if room < 0 {
		// A link longer than an LMS: nothing of it would work cut, so the whole body is cut.
		f.Text, f.Truncated = Cut(body, LMSMax), true
		return f
	}
	f.Text, f.Truncated = prefix+Join(strings.TrimRightFunc(Cut(text, room), isSpace)+"…", url)+suffix, true
	return f
}

// Cut returns the longest prefix of s (whole characters) of at most max EUC-KR bytes.
func Cut(s string, max int) string {
	n := 0
	for i, r := range s {
		n += runeBytes(r)
		if n > max {
			return s[:i]
		}
	}
	return s
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}

func isSpace(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == '\r' }

// Domestic turns an E.164 Korean mobile or landline number (+821012345678) into the
// national form Korean providers take (01012345678); ok is false for any other country.
func Domestic(e164 string) (string, bool) {
	rest, ok := strings.CutPrefix(e164, "+82")
	if !ok || len(rest) < 7 || len(rest) > 11 || strings.Trim(rest, "0123456789") != "" {
		return "", false
	}
	return "0" + strings.TrimPrefix(rest, "0"), true
}

// FitMessage fits a message's text and link for a Korean carrier, with its advertising
// marks when it is an advertisement.
func FitMessage(m notify.Message) Fitted {
	prefix, suffix := m.AdMarks()
	return FitMarked(prefix, m.Text, m.URL, suffix)
}
