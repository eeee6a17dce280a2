// Package suggest finds the valid name closest to a misspelled one, for error messages and
// warnings that say "did you mean …".
package suggest

import (
	"fmt"
	"strings"

	"github.com/agnivade/levenshtein"
)

// Closest returns the name in valid nearest to got (case-insensitive edit distance), if it
// is near enough to be a typo: within a third of got's length, and 2 edits for any name
// (a swap of two letters, the commonest slip, costs 2), but never as many as got has.
func Closest(got string, valid []string) (string, bool) {
	g := strings.ToLower(got)
	best, bestD := "", -1
	for _, v := range valid {
		d := levenshtein.ComputeDistance(g, strings.ToLower(v))
		if bestD < 0 || d < bestD {
			best, bestD = v, d
		}
	}
	limit := max(len(got)/3, 2)
	if bestD < 0 || bestD > limit || bestD >= len(got) {
		return "", false
	}
	return best, true
}

// DidYouMean is ` (did you mean "x"?)` for the closest valid name, or "".
func DidYouMean(got string, valid []string) string {
	if s, ok := Closest(got, valid); ok {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// OneOf is the error for a setting whose value is not one of valid: it names the setting,
// the value, every valid value and the nearest one.
func OneOf(setting, got string, valid ...string) error {
	return fmt.Errorf("%s: %q is not one of %s%s", setting, got, strings.Join(valid, ", "), DidYouMean(got, valid))
}
