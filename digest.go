package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"
	"time"
)

// Digest is a type's digest setting: a user's events of the type whose Key renders the
// same, within Window of the first one, become ONE notification at the window's end, its
// text Message rendered over {{.count}} and the first event's data.
type Digest struct {
	Window  time.Duration
	Key     string // text/template over the event's data ("" = one window per user and type)
	Message string // text/template over the first event's data plus count

	key, message *template.Template
}

// DigestOf is what a prepared event of a digest type carries to the store.
type DigestOf struct {
	Window  time.Duration
	Key     string // rendered
	Message string // the template text, rendered when the window closes
}

type digestConfig struct {
	Window  string `yaml:"window"`
	Key     string `yaml:"key"`
	Message string `yaml:"message"`
}

func (c *digestConfig) parse(where string) (*Digest, error) {
	w, err := time.ParseDuration(strings.TrimSpace(c.Window))
	if err != nil || w <= 0 {
		return nil, fmt.Errorf("config: %s.window: %q is not a positive duration such as 10m", where, c.Window)
	}
	if strings.TrimSpace(c.Message) == "" {
		return nil, fmt.Errorf("config: %s.message is required", where)
	}
	return &Digest{Window: w, Key: c.Key, Message: c.Message}, nil
}

func (d *Digest) compile(typeName string) error {
	var err error
	if d.key, err = parseTemplate(typeName+".digest.key", d.Key); err != nil {
		return err
	}
	if d.message, err = parseTemplate(typeName+".digest.message", d.Message); err != nil {
		return err
	}
	return nil
}

func (d *Digest) of(data map[string]any) (*DigestOf, error) {
	key, err := render(d.key, data, "digest key")
	if err != nil {
		return nil, err
	}
	return &DigestOf{Window: d.Window, Key: key, Message: d.Message}, nil
}

// RenderDigest renders a digest's message template over the first event's data, with
// count (the events in the window) added as {{.count}}.
func RenderDigest(message string, count int, data json.RawMessage) (string, error) {
	t, err := template.New("digest").Parse(message)
	if err != nil {
		return "", fmt.Errorf("digest message: %w", err)
	}
	fields := map[string]any{}
	if len(data) > 0 {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&fields); err != nil {
			return "", fmt.Errorf("digest data: %w", err)
		}
	}
	fields["count"] = count
	var b strings.Builder
	if err := t.Execute(&b, fields); err != nil {
		return "", fmt.Errorf("digest message: %w", err)
	}
	return strings.TrimSpace(b.String()), nil
}
