package preview

import (
	"slices"
	"strings"
	"testing"
)

// Byte counts as Korean carriers count them, checked against CP949 as Python's codec
// encodes it: an extended syllable (똠, outside KS X 1001) is 2 bytes like any other, an
// emoji has no encoding and counts 2 as the substitute a carrier puts in; 90 bytes is the
// last SMS, 91 the first LMS.
func TestSMSBytesAndKind(t *testing.T) {
	for _, c := range []struct {
		text        string
		bytes       int
		kind        string
		unencodable []string
	}{
		{"똠방각하", 8, "SMS", nil},
		{"a😀b", 4, "SMS", []string{"😀"}},
		{strings.Repeat("가", 45), 90, "SMS", nil},
		{strings.Repeat("가", 45) + "a", 91, "LMS", nil},
		{strings.Repeat("가", 1000), 2000, "LMS", nil},
		{strings.Repeat("가", 1000) + ".", 2001, "too long", nil},
	} {
		got := smsOf(c.text)
		if got.Bytes != c.bytes || got.Kind != c.kind || !slices.Equal(got.Unencodable, c.unencodable) {
			t.Errorf("%.12q: %d bytes, %s, unencodable %q; want %d, %s, %q", c.text, got.Bytes, got.Kind, got.Unencodable, c.bytes, c.kind, c.unencodable)
		}
	}
}
