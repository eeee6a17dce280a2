package telemetry_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
	"github.com/notifyd/notifyd/internal/telemetry"
	"github.com/notifyd/notifyd/internal/testenv/goawstest"
	"github.com/notifyd/notifyd/publish"
)

func TestMain(m *testing.M) {
	code := m.Run()
	goawstest.StopGoAWS() // goaws runs in process and its state is global
	os.Exit(code)
}

// A running notifyd with an SQS queue exposes the metrics operators alert on, and a
// producer's traceparent, over HTTP or as an SQS message attribute, reaches the log lines
// of that event's handling: accept and delivery.
func TestMetricsAndTraceInLogs(t *testing.T) {
	g := goawstest.RequireGoAWS(t)
	queue, queueURL := g.Queue(t, "telemetry", map[string]string{"VisibilityTimeout": "5"})
	t.Setenv("AWS_ENDPOINT_URL", g.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")

	shutdown, err := telemetry.Setup(context.Background(), telemetry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(context.Background())

	logs := &syncBuffer{}
	lg := slog.New(telemetry.LogHandler(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	base := apptest.Start(t, app.Config{SQSQueues: []string{queue}, SQSProtocol: "query", SQSWait: time.Second, Logger: lg}).URL
	until(t, "readiness", func() bool { return get(t, base+"/readyz") != "" })

	// A stream, so the connection gauge has something to count.
	streamCtx, closeStream := context.WithCancel(context.Background())
	defer closeStream()
	req, _ := http.NewRequestWithContext(streamCtx, http.MethodGet, base+"/v1/notifications/stream?user=7", nil)
	stream, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()

	// Over HTTP, with the traceparent header.
	const httpTrace, httpParent = traceA, parentA
	body := `{"whoToNotify":{"userId":7,"role":"CUSTOMER","phoneNumber":"` + phone + `"},
		"publishInformation":{"notificationType":"DELIVERY_STARTED","message":"` + secretText + `","url":"https://mypage/orders/1","eventId":"telemetry-http-1"}}`
	post, _ := http.NewRequest(http.MethodPost, base+"/v1/events", strings.NewReader(body))
	post.Header.Set("Content-Type", "application/json")
	post.Header.Set("traceparent", httpParent)
	resp, err := http.DefaultClient.Do(post)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /v1/events: %d %s", resp.StatusCode, answer)
	}

	// Over SQS, with the traceparent message attribute publish/ sets.
	const sqsTrace = "0af7651916cd43dd8448eb211c80319c"
	ev := publish.ForOne(publish.Customer("8", phone), publish.Info{NotificationType: "DELIVERY_STARTED", Message: secretText, URL: "https://mypage/orders/2", EventID: "telemetry-sqs-1"})
	if _, err := publish.NewSQS(g.SQS(), queueURL).Send(publish.ContextWithTraceParent(context.Background(), parentB), ev); err != nil {
		t.Fatal(err)
	}

	want := []string{
		`notifyd_deliveries_total{channel="sms",outcome="sent"} 2`,
		`notifyd_provider_seconds_count{provider="log"} 2`,
		`notifyd_sse_connections 1`,
		`notifyd_sqs_message_age_seconds_count{queue="` + queue + `"} 1`,
		`notifyd_events_accepted_total 2`,
	}
	var metrics string
	until(t, "the metrics of two deliveries", func() bool {
		metrics = get(t, base+"/metrics")
		for _, w := range want {
			if !hasSample(metrics, w) {
				return false
			}
		}
		return true
	})
	for _, name := range []string{"notifyd_deliveries_total", "notifyd_provider_seconds", "notifyd_sse_connections", "notifyd_sqs_message_age_seconds"} {
		if !strings.Contains(metrics, "# HELP "+name+" ") {
			t.Errorf("/metrics has no HELP for %s", name)
		}
	}

	// Each event's trace id is on its accept line and on its delivery lines.
	until(t, "the delivery log lines", func() bool { return strings.Count(logs.String(), `"msg":"delivery recorded"`) == 2 })
	out := logs.String()
	checkMasked(t, out)
	for _, tc := range []struct{ via, trace string }{{"http", httpTrace}, {"sqs", sqsTrace}} {
		seen := map[string]bool{}
		for _, l := range logLines(t, bytes.NewBufferString(out)) {
			if l["trace_id"] == tc.trace {
				seen[l["msg"].(string)] = true
			}
		}
		for _, msg := range []string{"events accepted", "sms (log provider)", "delivery recorded"} {
			if !seen[msg] {
				t.Errorf("%s: no %q log line with trace_id %s (lines with it: %v)", tc.via, msg, tc.trace, seen)
			}
		}
	}
	if t.Failed() {
		t.Logf("logs:\n%s", out)
	}
}

// hasSample reports whether the exposition text has the sample line (name, labels and
// value) want.
func hasSample(metrics, want string) bool {
	sc := bufio.NewScanner(strings.NewReader(metrics))
	for sc.Scan() {
		if sc.Text() == want {
			return true
		}
	}
	return false
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	return string(b)
}

// until polls cond until it holds, or fails the test after 15s.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
