package docs

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// exampleConfigs are the NOTIFY_CONFIG examples in the repository: the YAML files under
// examples/ that configure types, and the yaml blocks of README.md and docs/*.md.
func exampleConfigs(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	files, _ := filepath.Glob("../examples/*.yaml")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if regexp.MustCompile(`(?m)^(types|defaults|webhooks|alimtalk):`).Match(b) {
			out[f] = string(b)
		}
	}
	docs, _ := filepath.Glob("*.md")
	block := regexp.MustCompile("(?s)```yaml\n(.*?)```")
	for _, f := range append(docs, "../README.md") {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range block.FindAllStringSubmatch(string(b), -1) {
			out[f+"#"+string(rune('a'+i))] = m[1]
		}
	}
	if _, ok := out["../examples/config-round3.yaml"]; !ok || len(out) < 5 {
		t.Fatalf("found %d example configs (%v): the round-3 example or the docs' blocks are missing", len(out), keys(out))
	}
	return out
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("notify-config.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("notify-config.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("notify-config.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// instance turns a YAML document into what the validator reads (JSON values).
func instance(t *testing.T, name, doc string) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The JSON Schema for NOTIFY_CONFIG accepts every example config in the repository
// (round three's keys included) and rejects a misspelled key, a wrong Kakao fallback and
// a throttle without its limit.
func TestConfigSchema(t *testing.T) {
	s := compileSchema(t)
	for name, doc := range exampleConfigs(t) {
		if err := s.Validate(instance(t, name, doc)); err != nil {
			t.Errorf("%s is refused: %v", name, err)
		}
	}
	for name, doc := range map[string]string{
		"misspelled type key":  "types:\n  PRICE_DROP:\n    mesage: x\n",
		"misspelled top key":   "webhook: []\n",
		"unknown channel":      "types:\n  A:\n    channels: {CUSTOMER: [fax]}\n",
		"kakao fallback":       "types:\n  A:\n    kakao: {template: T, fallback: lms}\n",
		"throttle no limit":    "types:\n  A:\n    throttle: {window: 1h}\n",
		"retain not duration":  "types:\n  A:\n    retain: a month\n",
		"alimtalk button typo": "alimtalk:\n  T:\n    text: x\n    buttons: [{type: WL, nmae: y}]\n",
	} {
		if err := s.Validate(instance(t, name, doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
