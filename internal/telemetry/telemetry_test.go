package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/notifyd/notifyd/internal/telemetry"
)

const (
	traceA  = "4bf92f3577b34da6a3ce929d0e0e4736"
	spanA   = "00f067aa0ba902b7"
	parentA = "00-" + traceA + "-" + spanA + "-01"
	parentB = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	parentC = "00-11111111111111111111111111111111-2222222222222222-00"
)

func TestContextWithTraceParent(t *testing.T) {
	tests := []struct {
		in        string
		wantTrace string // "" = no span context
	}{
		{parentA, traceA},
		{"  " + parentA, ""},
		{"00-" + traceA + "-" + spanA, ""},
		{"00-00000000000000000000000000000000-" + spanA + "-01", ""},
		{"garbage", ""},
		{"", ""},
	}
	for _, tt := range tests {
		sc := trace.SpanContextFromContext(telemetry.ContextWithTraceParent(context.Background(), tt.in))
		got := ""
		if sc.IsValid() {
			got = sc.TraceID().String()
			if !sc.IsRemote() || sc.SpanID().String() != spanA {
				t.Errorf("ContextWithTraceParent(%q) = %v, want remote span %s", tt.in, sc, spanA)
			}
		}
		if got != tt.wantTrace {
			t.Errorf("ContextWithTraceParent(%q): trace %q, want %q", tt.in, got, tt.wantTrace)
		}
	}
	if got := telemetry.TraceParent(telemetry.ContextWithTraceParent(context.Background(), parentA)); got != parentA {
		t.Errorf("TraceParent round trip = %q, want %q", got, parentA)
	}
	if got := telemetry.TraceParent(context.Background()); got != "" {
		t.Errorf("TraceParent without a span = %q, want empty", got)
	}
}

// record installs a recording TracerProvider for the test.
func record(t *testing.T) *tracetest.SpanRecorder {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev); tp.Shutdown(context.Background()) })
	return rec
}

func TestStartParentAndLinks(t *testing.T) {
	rec := record(t)
	_, span := telemetry.Start(context.Background(), "batch", []string{"", "bad", parentA, parentB, parentA, parentC, parentB})
	span.End()
	spans := rec.Ended()
	if len(spans) != 1 {
		t.Fatalf("%d spans, want 1", len(spans))
	}
	s := spans[0]
	if got := s.Parent(); got.TraceID().String() != traceA || got.SpanID().String() != spanA || !got.IsRemote() {
		t.Errorf("parent %v, want the remote span %s/%s", got, traceA, spanA)
	}
	if got := s.SpanContext().TraceID().String(); got != traceA {
		t.Errorf("trace id %s, want the parent's %s", got, traceA)
	}
	var links []string
	for _, l := range s.Links() {
		links = append(links, l.SpanContext.TraceID().String())
	}
	if want := []string{"0af7651916cd43dd8448eb211c80319c", "11111111111111111111111111111111"}; strings.Join(links, ",") != strings.Join(want, ",") {
		t.Errorf("links %v, want %v (each other trace once)", links, want)
	}
}

func TestStartWithoutTraceParent(t *testing.T) {
	rec := record(t)
	_, span := telemetry.Start(context.Background(), "alone", nil)
	span.End()
	s := rec.Ended()[0]
	if s.Parent().IsValid() || len(s.Links()) != 0 || !s.SpanContext().IsValid() {
		t.Errorf("span %v: parent %v, %d links; want a new root", s.SpanContext(), s.Parent(), len(s.Links()))
	}
}

// logLines decodes the JSON lines in buf.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(buf.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestLogHandler(t *testing.T) {
	var buf bytes.Buffer
	lg := slog.New(telemetry.LogHandler(slog.NewJSONHandler(&buf, nil))).With("component", "test")
	ctx := telemetry.ContextWithTraceParent(context.Background(), parentA)
	lg.InfoContext(ctx, "with trace")
	lg.Info("without")
	lg.DebugContext(ctx, "below the level")
	lg.WithGroup("g").InfoContext(ctx, "grouped", "k", 1)

	lines := logLines(t, &buf)
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3:\n%s", len(lines), buf.String())
	}
	if lines[0]["trace_id"] != traceA || lines[0]["span_id"] != spanA || lines[0]["component"] != "test" {
		t.Errorf("line %v: want trace_id %s, span_id %s and the logger's attributes", lines[0], traceA, spanA)
	}
	if _, ok := lines[1]["trace_id"]; ok {
		t.Errorf("line %v: trace_id without a span in the context", lines[1])
	}
	if g, _ := lines[2]["g"].(map[string]any); g["trace_id"] != traceA {
		t.Errorf("line %v: want trace_id inside the group", lines[2])
	}
	if h := telemetry.LogHandler(slog.NewJSONHandler(&buf, nil)); telemetry.LogHandler(h) != h {
		t.Error("LogHandler wraps a handler it already wrapped")
	}
}

func TestOTLPConfigured(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	if telemetry.OTLPConfigured(env()) {
		t.Error("no endpoint: configured")
	}
	if !telemetry.OTLPConfigured(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")) {
		t.Error("OTEL_EXPORTER_OTLP_ENDPOINT: not configured")
	}
	if !telemetry.OTLPConfigured(env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/v1/traces")) {
		t.Error("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: not configured")
	}
}

// Without an exporter nothing is recorded, yet a span under a producer's traceparent keeps
// its trace id and gets its own span id: what logs need.
func TestSetupWithoutExporter(t *testing.T) {
	shutdown, err := telemetry.Setup(context.Background(), telemetry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(context.Background())
	_, span := telemetry.Start(context.Background(), "x", []string{parentA})
	defer span.End()
	sc := span.SpanContext()
	if span.IsRecording() || sc.IsSampled() {
		t.Error("span recorded or sampled without an exporter")
	}
	if sc.TraceID().String() != traceA || sc.SpanID().String() == spanA || !sc.SpanID().IsValid() {
		t.Errorf("span context %v: want trace %s and a new span id", sc, traceA)
	}
	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(telemetry.ContextWithTraceParent(context.Background(), parentA), carrier)
	if got := carrier.Get("traceparent"); got != parentA {
		t.Errorf("global propagator injects %q, want %q", got, parentA)
	}
}

// With the stdout exporter every span is written on End, as a child of the producer's.
func TestSetupStdout(t *testing.T) {
	var out bytes.Buffer
	shutdown, err := telemetry.Setup(context.Background(), telemetry.Options{Stdout: &out, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	_, span := telemetry.Start(context.Background(), "notifyd.test", []string{parentA})
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Name        string
		SpanContext struct{ TraceID string }
		Parent      struct{ SpanID string }
		Resource    []struct {
			Key   string
			Value struct{ Value any }
		}
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("stdout exporter wrote %q: %v", out.String(), err)
	}
	if got.Name != "notifyd.test" || got.SpanContext.TraceID != traceA || got.Parent.SpanID != spanA {
		t.Errorf("exported %+v, want notifyd.test in trace %s under span %s", got, traceA, spanA)
	}
	res := map[string]any{}
	for _, kv := range got.Resource {
		res[kv.Key] = kv.Value.Value
	}
	if res["service.name"] != "notifyd" || res["service.version"] != "test" {
		t.Errorf("resource %v: want service.name notifyd, service.version test", res)
	}
}
