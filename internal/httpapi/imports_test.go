package httpapi

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The HTTP layer knows nothing of channel providers: masking a number is the domain's
// (notify.MaskPhone), sending is the delivery engine's.
func TestNoChannelImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		ast, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range ast.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			if strings.Contains(path, "/internal/channel") || strings.Contains(path, "/internal/sms") || strings.Contains(path, "/internal/delivery") {
				t.Errorf("%s imports %s", f, path)
			}
		}
	}
}
