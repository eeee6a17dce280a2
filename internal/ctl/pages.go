package ctl

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// pageFlags are the paging flags of a list that goes by id: --limit, --after, --all.
type pageFlags struct {
	limit *int
	after *int64
	all   *bool
}

func addPageFlags(fs *flag.FlagSet) pageFlags {
	return pageFlags{
		limit: fs.Int("limit", 50, "messages per page (1-100)"),
		after: fs.Int64("after", 0, "start after this id"),
		all:   fs.Bool("all", false, "page through every message"),
	}
}

// listByID reads an admin list that pages by id (path, e.g. "/v1/admin/webhooks", with
// its rows under key in each page) from after on: one page of limit rows or, with all,
// every page to the last. It returns the rows (never nil) and the ?after= of the next
// page, 0 after the last.
func listByID[T any](ctx context.Context, e *env, path, key, status string, after int64, limit int, all bool) ([]T, int64, error) {
	rows := []T{}
	next := after
	for {
		q := url.Values{"limit": {strconv.Itoa(limit)}}
		if status != "" {
			q.Set("status", status)
		}
		if next > 0 {
			q.Set("after", strconv.FormatInt(next, 10))
		}
		var page map[string]json.RawMessage
		if _, err := e.g.do(ctx, request{method: http.MethodGet, path: path + "?" + q.Encode(), access: asAdmin}, &page); err != nil {
			return nil, 0, err
		}
		var part []T
		if err := json.Unmarshal(page[key], &part); err != nil {
			return nil, 0, fmt.Errorf("%s: the answer's %q: %w", path, key, err)
		}
		rows = append(rows, part...)
		next = 0
		if raw, ok := page["nextAfter"]; ok {
			if err := json.Unmarshal(raw, &next); err != nil {
				return nil, 0, fmt.Errorf("%s: the answer's nextAfter: %w", path, err)
			}
		}
		if !all || next == 0 {
			return rows, next, nil
		}
	}
}
