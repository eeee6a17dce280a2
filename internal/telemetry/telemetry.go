// Package telemetry sets up OpenTelemetry tracing for notifyd and carries W3C trace
// context from producers into spans and log records.
//
// Tracing is always on in the sense that matters for logs: a producer's traceparent
// becomes the parent of notifyd's spans, and LogHandler writes the trace and span ids
// into every log record made with that context. Spans leave the process only when an
// exporter is configured (OTLP/HTTP, or stdout for debugging); without one, no span is
// sampled and nothing is recorded.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Options configure Setup. The zero value propagates trace context and exports nothing.
type Options struct {
	// ServiceName is the service.name resource attribute (default "notifyd");
	// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, read by the SDK, override it.
	ServiceName string
	// Version is the service.version resource attribute, if known.
	Version string
	// OTLP exports spans over OTLP/HTTP. The exporter reads its own settings from the
	// standard OTEL_EXPORTER_OTLP_* variables (endpoint, headers, timeout, TLS);
	// OTLPConfigured tells whether an endpoint is set.
	OTLP bool
	// Stdout, when set, receives every span as JSON (for debugging; NOTIFY_TRACE_STDOUT).
	Stdout io.Writer
	// Logger receives the SDK's own errors, such as a failed export (default slog.Default()).
	Logger *slog.Logger
}

// OTLPConfigured reports whether getenv (os.Getenv in cmd/) names an OTLP endpoint for
// traces: OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT.
func OTLPConfigured(getenv func(string) string) bool {
	return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// Setup installs the global TracerProvider and the W3C TraceContext propagator.
// shutdown flushes and stops the exporters; call it once, at exit.
//
// With an exporter the sampler is the SDK's default, parent-based always-on, unless
// OTEL_TRACES_SAMPLER says otherwise. Without one nothing is sampled: spans still get
// their own ids under the producer's trace id, so logs correlate, but cost no recording.
func Setup(ctx context.Context, o Options) (shutdown func(context.Context) error, err error) {
	if o.ServiceName == "" {
		o.ServiceName = "notifyd"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	attrs := []attribute.KeyValue{attribute.String("service.name", o.ServiceName)}
	if o.Version != "" {
		attrs = append(attrs, attribute.String("service.version", o.Version))
	}
	// Later sources win: the environment overrides the defaults above.
	res, err := resource.New(ctx, resource.WithAttributes(attrs...), resource.WithTelemetrySDK(), resource.WithFromEnv())
	if err != nil && res == nil {
		return nil, fmt.Errorf("telemetry: resource: %w", err)
	}

	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	var exporters []sdktrace.SpanExporter
	if o.OTLP {
		e, err := otlptracehttp.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("telemetry: otlp exporter: %w", err)
		}
		exporters = append(exporters, e)
		opts = append(opts, sdktrace.WithBatcher(e))
	}
	if o.Stdout != nil {
		e, err := stdouttrace.New(stdouttrace.WithWriter(o.Stdout))
		if err != nil {
			return nil, errors.Join(fmt.Errorf("telemetry: stdout exporter: %w", err), shutdownAll(ctx, exporters))
		}
		exporters = append(exporters, e)
		opts = append(opts, sdktrace.WithSyncer(e))
	}
	if len(exporters) == 0 {
		opts = append(opts, sdktrace.WithSampler(sdktrace.NeverSample()))
	}
	tp := sdktrace.NewTracerProvider(opts...)

	lg := o.Logger
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { lg.Warn("opentelemetry", "err", err) }))
	otel.SetTextMapPropagator(propagation.TraceContext{})
	otel.SetTracerProvider(tp)
	return tp.Shutdown, nil
}

func shutdownAll(ctx context.Context, exporters []sdktrace.SpanExporter) error {
	var errs []error
	for _, e := range exporters {
		errs = append(errs, e.Shutdown(ctx))
	}
	return errors.Join(errs...)
}
