package notify

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// languageTag is the shape of a labels key: a language ("ko"), optionally with a region
// or script ("en-US", "zh-Hant"), as the element's lang attribute and navigator.language
// give it.
var languageTag = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// maxLabel bounds a type's label in characters: it is a settings row's title.
const maxLabel = 64

// checkLabels validates a type's labels from NOTIFY_CONFIG: language keys, and short,
// single-line, non-empty names.
func checkLabels(labels map[string]string, where string) error {
	for lang, label := range labels {
		if !languageTag.MatchString(lang) {
			return fmt.Errorf("config: %s: %q is not a language (want e.g. ko, en or en-US)", where, lang)
		}
		if strings.TrimSpace(label) == "" || utf8.RuneCountInString(label) > maxLabel || strings.ContainsAny(label, "\r\n") {
			return fmt.Errorf("config: %s.%s: want one line of 1 to %d characters", where, lang, maxLabel)
		}
	}
	return nil
}
