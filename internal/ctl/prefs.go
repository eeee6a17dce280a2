package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"text/tabwriter"
)

type quietHours struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type preferences struct {
	Channels   map[string]bool            `json:"channels"`
	Types      map[string]map[string]bool `json:"types"`
	QuietHours *quietHours                `json:"quietHours"`
	Available  []struct {
		Type     string   `json:"type"`
		Channels []string `json:"channels"`
		Required bool     `json:"required"`
	} `json:"available,omitempty"`
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runPrefs is "prefs get|set <user>" over the admin routes /v1/users/{userId}/preferences.
// set reads the current preferences, changes what its flags name and writes them back.
func runPrefs(ctx context.Context, e *env, args []string) error {
	const usage = "get <user> | set <user> [--sms on|off] [--email on|off] [--webpush on|off] [--type T.CHANNEL=on|off]... [--quiet HH:MM-HH:MM|off]"
	if len(args) == 0 {
		e.flags("prefs", usage).Usage()
		return errUsage
	}
	sub, args := args[0], args[1:]
	fs := e.flags("prefs "+sub, "<user>")
	channels := map[string]*string{}
	var types listFlag
	var quiet *string
	if sub == "set" {
		for _, c := range []string{"sms", "email", "webpush", "mobile"} {
			channels[c] = fs.String(c, "", "on or off: the "+c+" channel for every type")
		}
		fs.Var(&types, "type", "TYPE.CHANNEL=on|off, e.g. QUESTION_REGISTERED.sms=off (repeatable)")
		quiet = fs.String("quiet", "", "quiet hours in the user's zone, e.g. 22:00-07:00, or off")
	}
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	path := userPath(pos[0]) + "/preferences"
	var p preferences
	if _, err := e.g.do(ctx, request{method: http.MethodGet, path: path, access: asAdmin}, &p); err != nil {
		return err
	}
	switch sub {
	case "get":
	case "set":
		changed := false
		for c, v := range channels {
			if *v == "" {
				continue
			}
			on, err := onOff("--"+c, *v)
			if err != nil {
				return err
			}
			p.Channels[c], changed = on, true
		}
		for _, t := range types {
			name, value, ok := strings.Cut(t, "=")
			typ, ch, ok2 := strings.Cut(name, ".")
			if !ok || !ok2 {
				return fmt.Errorf("--type %q: want TYPE.CHANNEL=on|off", t)
			}
			on, err := onOff("--type "+name, value)
			if err != nil {
				return err
			}
			if p.Types[typ] == nil {
				p.Types[typ] = map[string]bool{}
			}
			p.Types[typ][ch], changed = on, true
		}
		if *quiet != "" {
			changed = true
			if *quiet == "off" {
				p.QuietHours = nil
			} else if start, end, ok := strings.Cut(*quiet, "-"); ok {
				p.QuietHours = &quietHours{start, end}
			} else {
				return fmt.Errorf("--quiet %q: want HH:MM-HH:MM or off", *quiet)
			}
		}
		if !changed {
			return fmt.Errorf("nothing to set: give --sms, --email, --webpush, --type or --quiet")
		}
		p.Available = nil
		raw, _ := json.Marshal(p)
		if _, err := e.g.do(ctx, request{method: http.MethodPut, path: path, body: raw, access: asAdmin}, &p); err != nil {
			return err
		}
	default:
		fmt.Fprintf(e.Stderr, "notifyctl prefs: unknown subcommand %q (get or set)\n", sub)
		return errUsage
	}
	if e.g.JSON {
		return e.printJSON(p)
	}
	return e.printPrefs(pos[0], p)
}

func onOff(flag, v string) (bool, error) {
	switch v {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, fmt.Errorf("%s: %q is not on or off", flag, v)
}

// printPrefs shows every type with the state of each of its channels for this user.
func (e *env) printPrefs(user string, p preferences) error {
	var chans []string
	for _, c := range []string{"sms", "email", "webpush", "mobile"} {
		chans = append(chans, c+" "+map[bool]string{true: "on", false: "off"}[p.Channels[c]])
	}
	quiet := "none"
	if p.QuietHours != nil {
		quiet = p.QuietHours.Start + "-" + p.QuietHours.End
	}
	fmt.Fprintf(e.Stdout, "user      %s\nchannels  %s\nquiet     %s\n\n", user, strings.Join(chans, ", "), quiet)
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tCHANNELS")
	for _, a := range p.Available {
		var cs []string
		for _, c := range a.Channels {
			state := "on"
			switch {
			case c == "inbox" || a.Required:
			case !p.Channels[c] && slices.Contains([]string{"sms", "email", "webpush", "mobile"}, c):
				state = "off (channel)"
			case p.Types[a.Type] != nil && !p.Types[a.Type][c] && hasKey(p.Types[a.Type], c):
				state = "off"
			}
			cs = append(cs, c+" "+state)
		}
		name := a.Type
		if a.Required {
			name += " (required)"
		}
		fmt.Fprintf(tw, "%s\t%s\n", name, strings.Join(cs, ", "))
	}
	return tw.Flush()
}

func hasKey(m map[string]bool, k string) bool { _, ok := m[k]; return ok }
