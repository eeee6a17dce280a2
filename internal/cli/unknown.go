package cli

import (
	"slices"
	"strings"

	"github.com/notifyd/notifyd/internal/suggest"
)

// UnknownEnv returns one warning for each variable in environ (KEY=value lines) that
// starts with prefix but is not in known, with the nearest known name when one is close:
// a misspelled setting (NOTIFY_HTTP_ADDRESS) would otherwise be ignored without a word.
func UnknownEnv(environ []string, prefix string, known []string) []string {
	var out []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, prefix) || slices.Contains(known, k) {
			continue
		}
		out = append(out, "unknown environment variable "+k+" is ignored"+suggest.DidYouMean(k, known))
	}
	slices.Sort(out)
	return out
}
