package email

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// Header line limits (RFC 5322 §2.1.1 asks for 78 characters; an RFC 2047 encoded word
// may be at most 75) and the prefix the first line carries.
const (
	maxLine     = 78
	maxWord     = 75
	subjectName = "Subject: "
)

// subjectValue encodes and folds a Subject so that parsers read it back exactly. go-mail
// folds a header before any word that does not fit, even the first, so a long encoded
// subject came out as "Subject:" and a bare line break: legal folding, but Python's email
// package then reads the subject with a leading space. Here the first word always stays
// on the Subject line; later lines start with one space. Non-ASCII text becomes
// base64 encoded words (shorter than Q for Korean) of whole characters, each under the
// length limit; the space folded between two encoded words is dropped by decoders
// (RFC 2047 §6.2). The result goes in as a preformatted header.
func subjectValue(s string) string {
	if plainASCII(s) {
		return fold(strings.Fields(s), len(subjectName))
	}
	var words []string
	first := true
	for s != "" {
		limit := maxWord
		if first {
			limit = min(maxWord, maxLine-len(subjectName))
		}
		n := chunk(s, limit)
		// Encoded by hand: mime.BEncoding leaves a chunk that happens to be ASCII as it is,
		// and a bare word between encoded ones would keep the space folded before it.
		words = append(words, "=?UTF-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s, first = s[n:], false
	}
	return strings.Join(words, "\r\n ")
}

// chunk is the longest prefix of s, in whole characters (at least one), whose base64
// encoded word fits in limit.
func chunk(s string, limit int) int {
	n := 0
	for n < len(s) {
		_, size := utf8.DecodeRuneInString(s[n:])
		if n > 0 && encodedLen(n+size) > limit {
			break
		}
		n += size
	}
	return n
}

// encodedLen is the length of "=?UTF-8?b?…?=" for n bytes.
func encodedLen(n int) int { return len("=?UTF-8?b??=") + (n+2)/3*4 }

// fold joins words with spaces, breaking a line before a word that would pass maxLine
// (never before the first).
func fold(words []string, used int) string {
	var b strings.Builder
	for i, w := range words {
		switch {
		case i == 0:
		case used+1+len(w) > maxLine:
			b.WriteString("\r\n")
			used = 0
		}
		if i > 0 {
			b.WriteByte(' ')
			used++
		}
		b.WriteString(w)
		used += len(w)
	}
	return b.String()
}

// plainASCII reports whether s can go as is: printable ASCII that no decoder would take
// for an encoded word.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return !strings.Contains(s, "=?")
}
