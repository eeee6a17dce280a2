package app_test

import (
	"strings"
	"testing"

	"github.com/notifyd/notifyd/internal/app"
)

// A malformed query parameter (or Last-Event-ID) of a read is a 400 invalid_query naming
// the parameter, never invalid_event: nothing about an event is wrong.
func TestQueryParameterErrors(t *testing.T) {
	s := startApp(t, app.Config{})
	cases := []struct {
		path   string
		header []string
		field  string
	}{
		{"/v1/notifications?limit=0", nil, "limit"},
		{"/v1/notifications?limit=x", nil, "limit"},
		{"/v1/notifications?cursor=not-a-cursor", nil, "cursor"},
		{"/v1/notifications/stream?lastEventId=-1", nil, "lastEventId"},
		{"/v1/notifications/stream", []string{"Last-Event-ID", "x"}, "Last-Event-ID"},
		{"/v1/admin/rejected?status=nope", nil, "status"},
		{"/v1/admin/rejected?limit=-3", nil, "limit"},
		{"/v1/admin/rejected?after=x", nil, "after"},
		{"/v1/notifications?status=nope", nil, "status"},
		{"/v1/notifications?archived=nope", nil, "archived"},
		{"/v1/notifications?type=" + strings.Repeat("t", 129), nil, "type"},
		{"/v1/admin/webhooks?status=nope", nil, "status"},
		{"/v1/admin/webhooks?limit=0", nil, "limit"},
		{"/v1/admin/webhooks?after=x", nil, "after"},
	}
	for _, c := range cases {
		r := do(t, "GET", s.URL+c.path, nil, append([]string{"X-User-Id", "q"}, c.header...)...)
		var p struct{ Code, Field string }
		r.decode(t, &p)
		if r.Status != 400 || p.Code != "invalid_query" || p.Field != c.field {
			t.Errorf("GET %s %v: %d %s %q, want 400 invalid_query %q", c.path, c.header, r.Status, p.Code, p.Field, c.field)
		}
	}
}
