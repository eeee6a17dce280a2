package notify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/notifyd/notifyd/internal/suggest"
)

// decodeConfig decodes a NOTIFY_CONFIG document into cfg. yaml.v3's KnownFields refuses an
// unknown key but names it by the Go type it missed ("field mesage not found in type
// struct { Email *notify.EmailTemplate …"), which says nothing to whoever wrote the file.
// So the document is first walked beside cfg's type and an unknown key is reported by its
// path (types.PRICE_DROP.mesage), the keys allowed there and the nearest one.
func decodeConfig(r io.Reader, cfg any) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := checkKeys(&doc, reflect.TypeOf(cfg), ""); err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config: %w", typeErrorPaths(err, &doc))
	}
	return nil
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// checkKeys reports the first mapping key under n that t has no field for.
func checkKeys(n *yaml.Node, t reflect.Type, path string) error {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		return checkKeys(n.Content[0], t, path)
	}
	if t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil // it reads itself
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			f, ok := fields[key]
			if !ok {
				names := slices.Sorted(func(yield func(string) bool) {
					for k := range fields {
						if !yield(k) {
							return
						}
					}
				})
				return fmt.Errorf("config: line %d: %s is not a known key; %s%s", n.Content[i].Line, join(path, key),
					allowedAt(path, names), suggest.DidYouMean(key, names))
			}
			if err := checkKeys(n.Content[i+1], f, join(path, key)); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := checkKeys(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
	case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			if err := checkKeys(item, t.Elem(), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	}
	return nil
}

// yamlFields maps each key a struct type accepts to its field's type, as yaml.v3 names
// them: the tag's name, else the lowercased field name; inline structs add theirs.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range yamlFields(ft) {
					out[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func allowedAt(path string, names []string) string {
	where := "at the top"
	if path != "" {
		where = "under " + path
	}
	return where + " the keys are " + strings.Join(names, ", ")
}

var typeErrLine = regexp.MustCompile(`^line (\d+): `)

// typeErrorPaths puts the key path in front of each of a yaml.TypeError's messages (which
// name only a line and Go types), found by the line in the document.
func typeErrorPaths(err error, doc *yaml.Node) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		msgs[i] = m
		if sm := typeErrLine.FindStringSubmatch(m); sm != nil {
			line, _ := strconv.Atoi(sm[1])
			if p := pathAtLine(doc, line, ""); p != "" {
				msgs[i] = p + ": " + m
			}
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}

// pathAtLine finds the key path of the value that starts on line.
func pathAtLine(n *yaml.Node, line int, path string) string {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if p := pathAtLine(c, line, path); p != "" {
				return p
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Line == line && v.Kind != yaml.MappingNode {
				return join(path, k.Value) // a scalar or a list that starts on the line
			}
			if p := pathAtLine(v, line, join(path, k.Value)); p != "" {
				return p
			}
			if v.Line == line {
				return join(path, k.Value)
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if c.Line == line && c.Kind == yaml.ScalarNode {
				return path + "[" + strconv.Itoa(i) + "]"
			}
			if p := pathAtLine(c, line, path+"["+strconv.Itoa(i)+"]"); p != "" {
				return p
			}
		}
	}
	return ""
}
