package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"
)

// /readyz answers 503 when a required check fails and names it; a failing optional check
// (the SMS provider) is named in checks and degraded but leaves the replica ready.
func TestReadyz(t *testing.T) {
	up := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("connection refused") }
	cases := []struct {
		name   string
		ready  []Checker
		status int
		want   map[string]any
	}{
		{"all up", []Checker{{Name: "store", Check: up}, {Name: "sms", Check: up, Optional: true}}, 200,
			map[string]any{"ready": true, "checks": map[string]any{"store": "ok", "sms": "ok"}}},
		{"store down", []Checker{{Name: "store", Check: down}, {Name: "redis", Check: up}}, 503,
			map[string]any{"ready": false, "checks": map[string]any{"store": "connection refused", "redis": "ok"}}},
		{"sms down", []Checker{{Name: "store", Check: up}, {Name: "sms", Check: down, Optional: true}}, 200,
			map[string]any{"ready": true, "checks": map[string]any{"store": "ok", "sms": "connection refused"}, "degraded": []any{"sms"}}},
		{"both down", []Checker{{Name: "sqs", Check: down}, {Name: "sms", Check: down, Optional: true}}, 503,
			map[string]any{"ready": false, "checks": map[string]any{"sqs": "connection refused", "sms": "connection refused"}, "degraded": []any{"sms"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := New(Options{Ready: c.ready})
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			var got map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if rec.Code != c.status || !reflect.DeepEqual(got, c.want) {
				t.Errorf("GET /readyz = %d %v, want %d %v", rec.Code, got, c.status, c.want)
			}
		})
	}
}

// A check that is slow to fail does not use up the time of the others: each has its own
// deadline, so /readyz names only the slow one.
func TestReadyzChecksDoNotShareADeadline(t *testing.T) {
	slow := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	fresh := func(ctx context.Context) error {
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) < readyTimeout/2 {
			return errors.New("started with its deadline nearly spent")
		}
		return nil
	}
	s := New(Options{Ready: []Checker{{Name: "redis", Check: slow}, {Name: "sqs", Check: fresh}, {Name: "store", Check: fresh}}})
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	var got struct {
		Checks map[string]string `json:"checks"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusServiceUnavailable || got.Checks["redis"] == "ok" || got.Checks["sqs"] != "ok" || got.Checks["store"] != "ok" {
		t.Errorf("GET /readyz = %d %v, want 503 naming redis only", rec.Code, got.Checks)
	}
}
