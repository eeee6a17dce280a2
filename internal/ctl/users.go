package ctl

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
)

type profile struct {
	UserID      string `json:"userId"`
	PhoneNumber string `json:"phoneNumber"`
	Email       string `json:"email"`
	TimeZone    string `json:"timeZone"`
	Locale      string `json:"locale"`
}

type erased struct {
	UserID        string `json:"userId"`
	Profile       bool   `json:"profile"`
	Preferences   bool   `json:"preferences"`
	Notifications int64  `json:"notifications"`
	Deliveries    int64  `json:"deliveries"`
}

func userPath(user string) string { return "/v1/users/" + url.PathEscape(user) }

// runUser is "user get|set|delete <user>" over the admin routes /v1/users/{userId}.
func runUser(ctx context.Context, e *env, args []string) error {
	const usage = "get <user> | set <user> [--phone P] [--email E] [--tz ZONE] [--locale ko|en] | delete <user>"
	if len(args) == 0 {
		e.flags("user", usage).Usage()
		return errUsage
	}
	sub, args := args[0], args[1:]
	fs := e.flags("user "+sub, "<user>")
	fields := map[string]*string{}
	if sub == "set" {
		for _, f := range []struct{ flag, json, help string }{
			{"phone", "phoneNumber", "E.164 phone number (\"\" clears it)"},
			{"email", "email", "email address (\"\" clears it)"},
			{"tz", "timeZone", "IANA time zone, e.g. Asia/Seoul (\"\" clears it)"},
			{"locale", "locale", "ko or en (\"\" clears it)"},
		} {
			fields[f.json] = fs.String(f.flag, "", f.help)
		}
	}
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	path := userPath(pos[0])
	switch sub {
	case "get":
		return e.showProfile(ctx, request{method: http.MethodGet, path: path, access: asAdmin})
	case "set":
		// Only the flags given are sent: the others keep their value.
		body := map[string]string{}
		set := map[string]string{"phone": "phoneNumber", "email": "email", "tz": "timeZone", "locale": "locale"}
		fs.Visit(func(f *flag.Flag) {
			if k, ok := set[f.Name]; ok {
				body[k] = *fields[k]
			}
		})
		if len(body) == 0 {
			return fmt.Errorf("nothing to set: give --phone, --email, --tz or --locale")
		}
		raw, _ := json.Marshal(body)
		return e.showProfile(ctx, request{method: http.MethodPut, path: path, body: raw, access: asAdmin})
	case "delete":
		var out erased
		if _, err := e.g.do(ctx, request{method: http.MethodDelete, path: path, access: asAdmin}, &out); err != nil {
			return err
		}
		if e.g.JSON {
			return e.printJSON(out)
		}
		fmt.Fprintf(e.Stdout, "erased user %s: %s, %s, profile %s, preferences %s\n", out.UserID,
			plural(int(out.Notifications), "notification"), deliveries(out.Deliveries), yesNo(out.Profile), yesNo(out.Preferences))
		return nil
	default:
		fmt.Fprintf(e.Stderr, "notifyctl user: unknown subcommand %q (get, set or delete)\n", sub)
		return errUsage
	}
}

func (e *env) showProfile(ctx context.Context, r request) error {
	var p profile
	if _, err := e.g.do(ctx, r, &p); err != nil {
		return err
	}
	if e.g.JSON {
		return e.printJSON(p)
	}
	fmt.Fprintf(e.Stdout, "user      %s\nphone     %s\nemail     %s\ntime zone %s\nlocale    %s\n",
		p.UserID, dash(p.PhoneNumber), dash(p.Email), dash(p.TimeZone), dash(p.Locale))
	return nil
}

func deliveries(n int64) string {
	if n == 1 {
		return "1 delivery"
	}
	return fmt.Sprintf("%d deliveries", n)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "erased"
	}
	return "none"
}
