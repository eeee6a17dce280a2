package notify

import (
	"strings"
	"testing"
)

// A misspelled key in NOTIFY_CONFIG is named by its path, with the keys allowed there and
// the nearest one, never by a Go type; a value of the wrong type is named by its path too.
func TestConfigErrorsNameTheKeyPath(t *testing.T) {
	for _, c := range []struct {
		name, doc string
		want      []string
	}{
		{"misspelled type key", "types:\n  PRICE_DROP:\n    mesage: \"{{.productName}}\"\n",
			[]string{"types.PRICE_DROP.mesage is not a known key", `did you mean "message"?`, "line 3", "channels"}},
		{"misspelled top key", "webhook:\n  - url: https://x.example/h\n", []string{"webhook is not a known key", `did you mean "webhooks"?`, "at the top"}},
		{"in a list", "webhooks:\n  - url: https://x.example/h\n    secrt: s\n", []string{"webhooks[0].secrt", `did you mean "secret"?`}},
		{"in an email template", "types:\n  A:\n    email: {subjct: x, text: y}\n", []string{"types.A.email.subjct", `did you mean "subject"?`}},
		{"wrong type", "types:\n  A:\n    required: [yes]\n", []string{"types.A.required:"}},
	} {
		_, err := LoadRegistry(strings.NewReader(c.doc))
		if err == nil {
			t.Errorf("%s: loaded", c.name)
			continue
		}
		for _, w := range append(c.want, "config: ") {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", c.name, err, w)
			}
		}
		if strings.Contains(err.Error(), "struct {") || strings.Contains(err.Error(), "notify.") {
			t.Errorf("%s: %q shows a Go type", c.name, err)
		}
	}
}
