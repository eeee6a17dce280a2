package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

type subscription struct {
	Topic        string    `json:"topic"`
	UserID       string    `json:"userId"`
	Once         bool      `json:"once"`
	SubscribedAt time.Time `json:"subscribedAt"`
}

const topicUsage = "subscribe <topic> <user> [--once] | unsubscribe <topic> <user> | list <user> | subscribers <topic> [--limit N] [--all]"

// runTopic is "topic subscribe|unsubscribe|list|subscribers": the admin routes under
// /v1/topics, and a user's own list (/v1/subscriptions, as that user).
func runTopic(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		e.flags("topic", topicUsage).Usage()
		return errUsage
	}
	sub, args := args[0], args[1:]
	fs := e.flags("topic "+sub, topicUsage)
	once := fs.Bool("once", false, "subscribe: end the subscription with the first notification of the topic")
	limit := fs.Int("limit", 50, "subscribers: per page (1-100)")
	all := fs.Bool("all", false, "subscribers: page through every subscriber")
	switch sub {
	case "subscribe", "unsubscribe":
		pos, err := parse(fs, args, 2, 2)
		if err != nil {
			return err
		}
		path := "/v1/topics/" + url.PathEscape(pos[0]) + "/subscribers/" + url.PathEscape(pos[1])
		if sub == "unsubscribe" {
			if _, err := e.g.do(ctx, request{method: http.MethodDelete, path: path, access: asAdmin}, nil); err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "unsubscribed %s from %s\n", pos[1], pos[0])
			return nil
		}
		body, _ := json.Marshal(map[string]bool{"once": *once})
		var out subscription
		status, err := e.g.do(ctx, request{method: http.MethodPut, path: path, body: body, access: asAdmin}, &out)
		if err != nil {
			return err
		}
		if e.g.JSON {
			return e.printJSON(out)
		}
		what := "subscribed"
		if status == http.StatusOK {
			what = "already subscribed"
		}
		fmt.Fprintf(e.Stdout, "%s %s to %s%s\n", what, out.UserID, out.Topic, onceNote(out.Once))
		return nil
	case "list":
		pos, err := parse(fs, args, 1, 1)
		if err != nil {
			return err
		}
		var out struct {
			Subscriptions []subscription `json:"subscriptions"`
		}
		if _, err := e.g.do(ctx, request{method: http.MethodGet, path: "/v1/subscriptions", access: asUser, user: pos[0]}, &out); err != nil {
			return err
		}
		return e.printSubscriptions(out.Subscriptions, -1, func(s subscription) string { return s.Topic })
	case "subscribers":
		pos, err := parse(fs, args, 1, 1)
		if err != nil {
			return err
		}
		subs, total, err := e.topicSubscribers(ctx, pos[0], *limit, *all)
		if err != nil {
			return err
		}
		return e.printSubscriptions(subs, total, func(s subscription) string { return s.UserID })
	}
	e.flags("topic", topicUsage).Usage()
	return errUsage
}

// topicSubscribers reads one page of a topic's subscribers or, with all, every page.
func (e *env) topicSubscribers(ctx context.Context, topic string, limit int, all bool) ([]subscription, int64, error) {
	subs := []subscription{}
	after := ""
	for {
		q := url.Values{"limit": {strconv.Itoa(limit)}}
		if after != "" {
			q.Set("after", after)
		}
		var page struct {
			Count       int64          `json:"count"`
			Subscribers []subscription `json:"subscribers"`
			Next        string         `json:"next"`
		}
		if _, err := e.g.do(ctx, request{method: http.MethodGet, path: "/v1/topics/" + url.PathEscape(topic) + "/subscribers?" + q.Encode(), access: asAdmin}, &page); err != nil {
			return nil, 0, err
		}
		subs = append(subs, page.Subscribers...)
		if !all || page.Next == "" {
			return subs, page.Count, nil
		}
		after = page.Next
	}
}

// printSubscriptions prints one line per subscription (name gives its first column), and
// the count when total >= 0.
func (e *env) printSubscriptions(subs []subscription, total int64, name func(subscription) string) error {
	if e.g.JSON {
		return e.printJSON(subs)
	}
	for _, s := range subs {
		fmt.Fprintf(e.Stdout, "%-30s since %s%s\n", name(s), stamp(s.SubscribedAt), onceNote(s.Once))
	}
	if total >= 0 {
		fmt.Fprintf(e.Stdout, "%d shown of %d subscribers\n", len(subs), total)
	}
	return nil
}

func onceNote(once bool) string {
	if once {
		return " (once)"
	}
	return ""
}
