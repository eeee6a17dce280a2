package notify

import (
	"fmt"
	"strings"
	"text/template"
	"time"
)

// Throttle is a type's throttle setting: a user gets at most Limit notifications of the
// type whose Key renders the same within Window; past it, the user gets none of them
// until the window ends. Where a digest merges a burst into one notification, a throttle
// drops what is over the limit (docs/topics.md compares the two).
type Throttle struct {
	Limit  int
	Window time.Duration
	Key    string // text/template over the event's data ("" = one count per user and type)

	key *template.Template
}

// ThrottleOf is what a prepared event of a throttled type carries to the store, which
// counts it inside the accepting transaction.
type ThrottleOf struct {
	Limit  int
	Window time.Duration
	Key    string // rendered
}

type throttleConfig struct {
	Limit  int    `yaml:"limit"`
	Window string `yaml:"window"`
	Key    string `yaml:"key"`
}

func (c *throttleConfig) parse(where string) (*Throttle, error) {
	if c.Limit < 1 {
		return nil, fmt.Errorf("config: %s.limit: %d is not a positive number of notifications", where, c.Limit)
	}
	w, err := time.ParseDuration(strings.TrimSpace(c.Window))
	if err != nil || w <= 0 {
		return nil, fmt.Errorf("config: %s.window: %q is not a positive duration such as 1h", where, c.Window)
	}
	return &Throttle{Limit: c.Limit, Window: w, Key: c.Key}, nil
}

func (t *Throttle) compile(typeName string) error {
	var err error
	t.key, err = parseTemplate(typeName+".throttle.key", t.Key)
	return err
}

func (t *Throttle) of(data map[string]any) (*ThrottleOf, error) {
	key, err := render(t.key, data, "throttle key")
	if err != nil {
		return nil, err
	}
	return &ThrottleOf{Limit: t.Limit, Window: t.Window, Key: key}, nil
}
