package notify

// Reading NOTIFY_CONFIG: the YAML file's shape and its parsing into event types over the
// built-in ones. The types themselves, and preparing an event, are in registry.go.

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// configFile is the NOTIFY_CONFIG YAML.
type configFile struct {
	// Defaults apply to every type that does not set its own channels.
	Defaults struct {
		Channels map[string][]string `yaml:"channels"`
	} `yaml:"defaults"`
	// Types add event types or override built-in ones, by name.
	Types map[string]struct {
		Email      *EmailTemplate      `yaml:"email"`
		Message    *string             `yaml:"message"`
		URL        *string             `yaml:"url"`
		Channels   map[string][]string `yaml:"channels"`
		Required   *bool               `yaml:"required"`
		QuietHours *bool               `yaml:"quietHours"`
		Escalate   map[string]string   `yaml:"escalate"`
		Digest     *digestConfig       `yaml:"digest"`
		Throttle   *throttleConfig     `yaml:"throttle"`
		Labels     map[string]string   `yaml:"labels"`
		Kakao      *Kakao              `yaml:"kakao"`
		// Advertising: true marks a type as advertising (no kakao channel allowed).
		Advertising *bool   `yaml:"advertising"`
		Retain      *string `yaml:"retain"`
	} `yaml:"types"`
	// Alimtalk holds the Kakao-approved AlimTalk templates by code.
	Alimtalk map[string]AlimTalkTemplate `yaml:"alimtalk"`
	// Webhooks receive state changes (delivery.sent, notification.read, …).
	Webhooks []Webhook `yaml:"webhooks"`
	// Replace drops the built-in types, so only the file's types are known.
	Replace bool `yaml:"replace"`
}

// LoadRegistry reads a NOTIFY_CONFIG YAML file over the built-in types:
//
//	defaults:
//	  channels: {CUSTOMER: [sse, sms], OWNER: [sse], ADMIN: [sse]}
//	types:
//	  PRICE_DROP:
//	    message: "{{.productName}} 가격이 내려갔습니다."
//	    url: "https://shop/products/{{.productId}}"
//	    channels: {CUSTOMER: [sse]}
func LoadRegistry(r io.Reader) (*Registry, error) {
	var cfg configFile
	if err := decodeConfig(r, &cfg); err != nil {
		return nil, err
	}
	defaults := DefaultChannels()
	if len(cfg.Defaults.Channels) > 0 {
		var err error
		if defaults, err = parseChannels(cfg.Defaults.Channels, "defaults.channels"); err != nil {
			return nil, err
		}
	}
	if err := checkWebhooks(cfg.Webhooks); err != nil {
		return nil, err
	}
	reg := &Registry{types: map[string]*EventType{}, webhooks: cfg.Webhooks}
	if !cfg.Replace {
		for _, t := range builtinTypes {
			t.Channels = defaults
			if err := reg.add(t); err != nil {
				return nil, err
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Types)) {
		spec := cfg.Types[name]
		t := EventType{Name: strings.TrimSpace(name), Channels: defaults}
		if old, ok := reg.types[t.Name]; ok {
			t = *old
		}
		if spec.Message != nil {
			t.Message = *spec.Message
		}
		if spec.URL != nil {
			t.URL = *spec.URL
		}
		if spec.Email != nil {
			if err := spec.Email.check(t.Name); err != nil {
				return nil, err
			}
			t.Email = spec.Email
		}
		if len(spec.Channels) > 0 {
			chans, err := parseChannels(spec.Channels, "types."+name+".channels")
			if err != nil {
				return nil, err
			}
			t.Channels = maps.Clone(defaults)
			maps.Copy(t.Channels, chans)
		}
		if spec.Required != nil {
			t.Required = *spec.Required
		}
		if spec.QuietHours != nil {
			t.QuietHours = *spec.QuietHours
		}
		if spec.Escalate != nil {
			esc, err := parseEscalate(spec.Escalate, "types."+name+".escalate")
			if err != nil {
				return nil, err
			}
			t.Escalate = esc
		}
		if spec.Labels != nil {
			if err := checkLabels(spec.Labels, "types."+name+".labels"); err != nil {
				return nil, err
			}
			// Merged over the type's own (a built-in's): renaming it in one language
			// keeps the others.
			labels := maps.Clone(t.Labels)
			if labels == nil {
				labels = map[string]string{}
			}
			maps.Copy(labels, spec.Labels)
			t.Labels = labels
		}
		if spec.Advertising != nil {
			t.Advertising = *spec.Advertising
		}
		if spec.Kakao != nil {
			k := *spec.Kakao
			if err := k.compile(t.Name, cfg.Alimtalk); err != nil {
				return nil, err
			}
			t.Kakao = &k
		}
		if spec.Retain != nil {
			d, err := ParseRetention(*spec.Retain)
			if err != nil {
				return nil, fmt.Errorf("config: types.%s.retain: %w", name, err)
			}
			t.Retain = d
		}
		if spec.Digest != nil {
			d, err := spec.Digest.parse("types." + name + ".digest")
			if err != nil {
				return nil, err
			}
			t.Digest = d
		}
		if spec.Throttle != nil {
			th, err := spec.Throttle.parse("types." + name + ".throttle")
			if err != nil {
				return nil, err
			}
			t.Throttle = th
		}
		if err := reg.add(t); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

func parseChannels(in map[string][]string, where string) (map[Role][]Channel, error) {
	out := map[Role][]Channel{}
	for roleName, names := range in {
		role, ok := ParseRole(roleName)
		if !ok {
			return nil, fmt.Errorf("config: %s: unknown role %q", where, roleName)
		}
		chans := []Channel{}
		for _, n := range names {
			c, ok := ParseChannel(n)
			if !ok {
				return nil, fmt.Errorf("config: %s.%s: unknown channel %q (want inbox, sms, email, webpush or kakao; sse is the old name of inbox)", where, roleName, n)
			}
			if !slices.Contains(chans, c) {
				chans = append(chans, c)
			}
		}
		out[role] = chans
	}
	return out, nil
}

func parseEscalate(in map[string]string, where string) (map[Channel]time.Duration, error) {
	out := make(map[Channel]time.Duration, len(in))
	for name, v := range in {
		c, ok := ParseChannel(name)
		if !ok || c == ChannelInbox {
			return nil, fmt.Errorf("config: %s: %q is not a channel that can wait (sms)", where, name)
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("config: %s.%s: %q is not a positive duration such as 5m", where, name, v)
		}
		out[c] = d
	}
	return out, nil
}
