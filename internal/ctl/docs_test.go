package ctl

import (
	"os"
	"strings"
	"testing"
)

// Every command has its section in docs/notifyctl.md.
func TestEveryCommandDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/notifyctl.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, c := range commands() {
		if !strings.Contains(doc, "\n## "+c.name+"\n") {
			t.Errorf("docs/notifyctl.md has no section \"## %s\"", c.name)
		}
	}
}
