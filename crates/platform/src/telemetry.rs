//! Tracing for every service: JSON logs to stdout, W3C trace context for gRPC and Kafka,
//! and OTLP export of spans when an endpoint is configured.
//!
//! The `EnvFilter` sits on the log layer only: a global filter at `warn` would stop spans
//! from being created, and with them the `traceparent` written to Kafka headers.

use std::sync::OnceLock;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::{EnvFilter, Layer, filter::LevelFilter, layer::SubscriberExt, util::SubscriberInitExt};

use crate::config::TelemetrySettings;

static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// Installs the global subscriber once per process (several services may share a process
/// in tests). Logs go to stdout unless `TEST_LOG` is unset inside a test harness
/// (`quiet = true`), in which case they are dropped.
pub fn init(service: &str, settings: &TelemetrySettings, quiet: bool) {
    if PROVIDER.get().is_some() {
        return;
    }
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());

    let mut builder = SdkTracerProvider::builder()
        .with_resource(opentelemetry_sdk::Resource::builder().with_service_name(service.to_string()).build());
    if let Some(endpoint) = &settings.otlp_endpoint {
        match opentelemetry_otlp::SpanExporter::builder().with_tonic().with_endpoint(endpoint).build() {
            Ok(exporter) => builder = builder.with_batch_exporter(exporter),
            Err(e) => eprintln!("OTLP exporter not started: {e}"),
        }
    }
    let provider = builder.build();
    let tracer = provider.tracer("onething");
    if PROVIDER.set(provider.clone()).is_err() {
        return;
    }
    opentelemetry::global::set_tracer_provider(provider);

    let filter = settings
        .log_filter
        .clone()
        .or_else(|| std::env::var("RUST_LOG").ok())
        .unwrap_or_else(|| "info,rdkafka=warn,sqlx=warn,h2=warn,tower=warn,hyper=warn".into());
    let quiet = quiet && std::env::var_os("TEST_LOG").is_none();
    let fmt = tracing_subscriber::fmt::layer()
        .json()
        .with_current_span(true)
        .with_span_list(false)
        .with_filter(if quiet { EnvFilter::new("off") } else { EnvFilter::new(filter) });
    let otel = tracing_opentelemetry::layer().with_tracer(tracer).with_filter(LevelFilter::INFO);
    let _ = tracing_subscriber::registry().with(fmt).with(otel).try_init();
}

/// Flushes spans still buffered for export.
pub fn shutdown() {
    if let Some(p) = PROVIDER.get() {
        let _ = p.force_flush();
    }
}

/// The current span's context as a W3C `traceparent` value, if it has one.
pub fn current_traceparent() -> Option<String> {
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let cx = tracing::Span::current().context();
    let mut carrier = std::collections::HashMap::new();
    opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&cx, &mut carrier));
    carrier.remove("traceparent")
}

/// Makes `span` a child of the remote context carried by `traceparent`.
pub fn set_parent(span: &tracing::Span, traceparent: &str) {
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let mut carrier = std::collections::HashMap::new();
    carrier.insert("traceparent".to_string(), traceparent.to_string());
    let cx = opentelemetry::global::get_text_map_propagator(|p| p.extract(&carrier));
    let _ = span.set_parent(cx);
}

/// The trace id (32 hex digits) of a `traceparent` value.
pub fn trace_id_of(traceparent: &str) -> Option<&str> {
    traceparent.split('-').nth(1).filter(|t| t.len() == 32)
}
