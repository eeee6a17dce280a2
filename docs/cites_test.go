package docs_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The documents a user reads (README and the other top-level *.md, docs/*.md) cite only
// what a clone of the repository has: every relative link and every `path/like/this.ext`
// in backquotes names a file or folder that exists, and none points at the design notes the
// project was started from (DESIGN, CONTRACT.md: not in the repository).
func TestDocsCiteOnlyFilesInTheRepository(t *testing.T) {
	root := ".."
	var files []string
	for _, pattern := range []string{"*.md", "docs/*.md"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 5 {
		t.Fatalf("found only %v", files)
	}
	link := regexp.MustCompile(`\]\(([^)\s#]+)(#[^)\s]*)?\)`)
	// A repository path in backquotes: starts at one of the repository's top folders.
	path := regexp.MustCompile("`((?:docs|internal|cmd|examples|scripts|deploy|tools|testdata|publish)/[A-Za-z0-9_./-]*[A-Za-z0-9_])`")
	notes := regexp.MustCompile(`\bDESIGN(\.md| ?§)|CONTRACT\.md|\.\./shared/`)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(raw)
		rel, _ := filepath.Rel(root, f)
		for _, m := range notes.FindAllString(text, -1) {
			t.Errorf("%s cites %q, which a clone of the repository does not have", rel, m)
		}
		for _, m := range link.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(f), target)); err != nil {
				t.Errorf("%s links to %s: %v", rel, target, err)
			}
		}
		for _, m := range path.FindAllStringSubmatch(text, -1) {
			p := m[1]
			if strings.ContainsAny(p, "*") || strings.Contains(p, "...") {
				continue
			}
			if _, err := os.Stat(filepath.Join(root, p)); err != nil {
				t.Errorf("%s names `%s`, which is not in the repository", rel, p)
			}
		}
	}
}

// The sample events carry no sendAt of their own: a fixed date becomes an immediate send
// once it has passed (the scheduled sample had 2026-12-08). Schedule one with
// `notifyctl publish --send-in 10m` or the README's `date` command instead.
func TestSampleEventsHaveNoFixedSendAt(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "examples", "events", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample events: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		events, ok := v.([]any)
		if !ok {
			events = []any{v}
		}
		for _, ev := range events {
			pub, _ := ev.(map[string]any)["publishInformation"].(map[string]any)
			if at, ok := pub["sendAt"]; ok {
				t.Errorf("%s has a fixed sendAt %v; leave it out and schedule with --send-in", f, at)
			}
		}
	}
}
