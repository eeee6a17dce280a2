package ctl

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"text/tabwriter"
	"time"
)

// notification is the View the inbox API and the stream show.
type notification struct {
	ID        int64      `json:"id"`
	Seq       int64      `json:"seq"`
	EventID   string     `json:"eventId"`
	Type      string     `json:"type"`
	Message   string     `json:"message"`
	URL       string     `json:"url"`
	CreatedAt time.Time  `json:"createdAt"`
	Read      bool       `json:"read"`
	ReadAt    *time.Time `json:"readAt,omitempty"`
}

type listPage struct {
	Notifications []notification `json:"notifications"`
	NextCursor    string         `json:"nextCursor,omitempty"`
}

func runList(ctx context.Context, e *env, args []string) error {
	fs := e.flags("list", "<user> [--limit N] [--all]")
	limit := fs.Int("limit", 20, "notifications per page (1-100)")
	all := fs.Bool("all", false, "page through every notification")
	cursor := fs.String("cursor", "", "start at this page (a nextCursor)")
	pos, err := parse(fs, args, 0, 1)
	if err != nil {
		return err
	}
	user, err := e.userArg("list", pos)
	if err != nil {
		return err
	}
	var out listPage
	next := *cursor
	for {
		q := url.Values{"limit": {strconv.Itoa(*limit)}}
		if next != "" {
			q.Set("cursor", next)
		}
		var page listPage
		if _, err := e.g.do(ctx, request{method: http.MethodGet, path: "/v1/notifications?" + q.Encode(), access: asUser, user: user}, &page); err != nil {
			return err
		}
		out.Notifications = append(out.Notifications, page.Notifications...)
		next = page.NextCursor
		if !*all || next == "" {
			break
		}
	}
	out.NextCursor = next
	if out.Notifications == nil {
		out.Notifications = []notification{}
	}
	if e.g.JSON {
		return e.printJSON(out)
	}
	if len(out.Notifications) == 0 {
		fmt.Fprintf(e.Stdout, "no notifications for %s\n", label(user))
		return nil
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEQ\tCREATED\tTYPE\tREAD\tMESSAGE")
	for _, n := range out.Notifications {
		read := "unread"
		if n.Read {
			read = "read"
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\n", n.ID, n.Seq, stamp(n.CreatedAt), n.Type, read, oneLine(n.Message))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if out.NextCursor != "" {
		fmt.Fprintf(e.Stdout, "more: notifyctl list %s --cursor %s (or --all)\n", user, out.NextCursor)
	}
	return nil
}

func label(user string) string {
	if user == "" {
		return "the token's user"
	}
	return "user " + user
}

// stamp shows a time in the local zone (TZ) to the second, with the zone's name.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05 MST")
}
