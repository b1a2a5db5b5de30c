//! Prometheus metrics of every process, written once.
//!
//! - [`install`]: the process's recorder (the `metrics` facade, rendered by
//!   `metrics-exporter-prometheus`), with histogram buckets for every `*_duration_seconds`
//!   series. Any code may then record with `metrics::counter!`, `gauge!`, `histogram!`.
//! - [`render`] and [`scrape`]: the text a scrape gets (`text/plain; version=0.0.4`).
//! - [`GrpcMetricsLayer`]: `onething_grpc_requests_total` and
//!   `onething_grpc_request_duration_seconds` of a tonic server, by gRPC service, method and
//!   status name.
//! - [`track_http`]: the same for the gateway's HTTP routes, by route template.
//! - [`serve`]: the small HTTP server answering `GET /metrics` on a service's metrics port
//!   (started by `platform::app::Base::launch`).
//!
//! One recorder per process: services started side by side in one test process share it,
//! and their series are told apart by their labels (`group`, `service`), as in production.
//! The series names are in API.md ("Operations") and docs/metrics.md.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{LazyLock, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body::{Body as _, Frame, SizeHint};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use prost::Message as _;
use tokio::net::TcpListener;
use tracing::warn;

use crate::shutdown::Shutdown;

/// The content type of the Prometheus text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4";

/// Every series of the system (API.md, "Operations").
pub mod names {
    pub const HTTP_REQUESTS: &str = "onething_http_requests_total";
    pub const HTTP_DURATION: &str = "onething_http_request_duration_seconds";
    pub const GRPC_REQUESTS: &str = "onething_grpc_requests_total";
    pub const GRPC_DURATION: &str = "onething_grpc_request_duration_seconds";
    pub const EVENTS_PUBLISHED: &str = "onething_events_published_total";
    pub const EVENTS_CONSUMED: &str = "onething_events_consumed_total";
    pub const DEAD_LETTERS: &str = "onething_dead_letters_total";
    pub const OUTBOX_BACKLOG: &str = "onething_outbox_backlog";
    pub const OUTBOX_OLDEST_AGE: &str = "onething_outbox_oldest_age_seconds";
    /// Set by the ops service.
    pub const CONSUMER_LAG: &str = "onething_consumer_lag";
    /// Set by the ops service.
    pub const ITEMS: &str = "onething_items";
    /// Set by the ops service.
    pub const ITEMS_OVERDUE: &str = "onething_items_overdue";
}

/// Upper bounds (seconds) of the request latency histograms.
const DURATION_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder (once; later calls return the same handle). Whatever
/// is recorded before the first call is lost, so every process calls it at start
/// (`platform::app::Base::launch`, the gateway's `build`).
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new();
        let builder =
            match builder.set_buckets_for_metric(Matcher::Suffix("_duration_seconds".into()), DURATION_BUCKETS) {
                Ok(b) => b,
                Err(e) => unreachable!("the bucket list is not empty: {e}"),
            };
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        match metrics::set_global_recorder(recorder) {
            Ok(()) => describe(),
            Err(e) => warn!(error = %e, "another metrics recorder is installed; /metrics stays empty"),
        }
        // Histogram samples are folded into their buckets at every render, and here when
        // nobody scrapes, so that they never pile up.
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || {
            loop {
                std::thread::sleep(Duration::from_secs(5));
                upkeep.run_upkeep();
            }
        });
        if let Err(e) = spawned {
            warn!(error = %e, "metrics upkeep thread not started");
        }
        handle
    })
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    use names::*;
    describe_counter!(HTTP_REQUESTS, "HTTP requests answered by the gateway, by method, route template and status.");
    describe_histogram!(HTTP_DURATION, metrics::Unit::Seconds, "Time to answer an HTTP request (until the headers).");
    describe_counter!(GRPC_REQUESTS, "gRPC calls answered, by service, method and status name.");
    describe_histogram!(GRPC_DURATION, metrics::Unit::Seconds, "Time to answer a gRPC call (until its last frame).");
    describe_counter!(EVENTS_PUBLISHED, "Outbox rows published to Kafka, by topic.");
    describe_counter!(EVENTS_CONSUMED, "Messages handled by a consumer group, by topic, group and outcome.");
    describe_counter!(DEAD_LETTERS, "Messages sent to <topic>.dlq, by original topic.");
    describe_gauge!(OUTBOX_BACKLOG, "Outbox rows not yet published.");
    describe_gauge!(OUTBOX_OLDEST_AGE, metrics::Unit::Seconds, "Age of the oldest unpublished outbox row (0 if none).");
}

/// The Prometheus text of everything recorded in this process.
pub fn render() -> String {
    install().render()
}

/// `GET /metrics`: [`render`] as `text/plain; version=0.0.4`. Needs no token (it is
/// scraped); it holds counts and timings only, no personal data.
pub async fn scrape() -> Response {
    ([(http::header::CONTENT_TYPE, CONTENT_TYPE)], render()).into_response()
}

/// Serves `GET /metrics` on `listener` until `shutdown` triggers.
pub async fn serve(listener: TcpListener, shutdown: Shutdown) -> anyhow::Result<()> {
    let app = axum::Router::new().route("/metrics", axum::routing::get(scrape));
    axum::serve(listener, app).with_graceful_shutdown(shutdown.triggered()).await?;
    Ok(())
}

/// The method label: the standard methods by name, anything else as `other` (a client
/// must not be able to make up series).
fn method_label(method: &http::Method) -> &'static str {
    use http::Method as M;
    match *method {
        M::GET => "GET",
        M::POST => "POST",
        M::PUT => "PUT",
        M::PATCH => "PATCH",
        M::DELETE => "DELETE",
        M::HEAD => "HEAD",
        M::OPTIONS => "OPTIONS",
        M::TRACE => "TRACE",
        M::CONNECT => "CONNECT",
        _ => "other",
    }
}

/// axum middleware (`Router::layer(axum::middleware::from_fn(track_http))`): counts and
/// times every request by method, the matched route template (`/api/v1/cases/{id}`, so ids
/// do not become series; `unmatched` when no route matched) and status code.
pub async fn track_http(req: Request, next: Next) -> Response {
    let method = method_label(req.method());
    let route =
        req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let start = Instant::now();
    let response = next.run(req).await;
    let labels = [("method", method.to_string()), ("route", route), ("status", response.status().as_u16().to_string())];
    metrics::counter!(names::HTTP_REQUESTS, &labels).increment(1);
    metrics::histogram!(names::HTTP_DURATION, &labels).record(start.elapsed().as_secs_f64());
    response
}

/// The canonical name of a gRPC status code (`OK`, `NOT_FOUND`, …).
pub fn code_name(code: tonic::Code) -> &'static str {
    use tonic::Code as C;
    match code {
        C::Ok => "OK",
        C::Cancelled => "CANCELLED",
        C::Unknown => "UNKNOWN",
        C::InvalidArgument => "INVALID_ARGUMENT",
        C::DeadlineExceeded => "DEADLINE_EXCEEDED",
        C::NotFound => "NOT_FOUND",
        C::AlreadyExists => "ALREADY_EXISTS",
        C::PermissionDenied => "PERMISSION_DENIED",
        C::ResourceExhausted => "RESOURCE_EXHAUSTED",
        C::FailedPrecondition => "FAILED_PRECONDITION",
        C::Aborted => "ABORTED",
        C::OutOfRange => "OUT_OF_RANGE",
        C::Unimplemented => "UNIMPLEMENTED",
        C::Internal => "INTERNAL",
        C::Unavailable => "UNAVAILABLE",
        C::DataLoss => "DATA_LOSS",
        C::Unauthenticated => "UNAUTHENTICATED",
    }
}

fn status_of(headers: &http::HeaderMap) -> Option<&'static str> {
    headers.get("grpc-status").map(|v| code_name(tonic::Code::from_bytes(v.as_bytes())))
}

/// `/package.Service/Method` of every method this system serves (ours, health and
/// reflection), mapped to its labels; any other path is `unknown`, so that made-up paths
/// do not become series.
static METHODS: LazyLock<HashMap<String, (&'static str, &'static str)>> = LazyLock::new(|| {
    let mut methods = HashMap::new();
    for set in [
        onething_proto::FILE_DESCRIPTOR_SET,
        tonic_health::pb::FILE_DESCRIPTOR_SET,
        tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET,
    ] {
        let Ok(set) = prost_types::FileDescriptorSet::decode(set) else { continue };
        for file in set.file {
            let package = file.package.unwrap_or_default();
            for service in file.service {
                let full = match package.as_str() {
                    "" => service.name().to_string(),
                    p => format!("{p}.{}", service.name()),
                };
                // Leaked once per process: a fixed, small set.
                let full: &'static str = Box::leak(full.into_boxed_str());
                for method in service.method {
                    let name: &'static str = Box::leak(method.name().to_string().into_boxed_str());
                    methods.insert(format!("/{full}/{name}"), (full, name));
                }
            }
        }
    }
    methods
});

/// The `service` and `method` labels of a request path.
pub fn grpc_labels(path: &str) -> (&'static str, &'static str) {
    METHODS.get(path).copied().unwrap_or(("unknown", "unknown"))
}

/// Tower layer of a tonic server: counts and times every call by gRPC service, method and
/// status name (`grpc-status` of the headers or trailers; `OK` when absent). A call whose
/// response is dropped before its end (the client went away) counts as `CANCELLED`.
#[derive(Debug, Clone, Copy, Default)]
pub struct GrpcMetricsLayer;

impl<S> tower::Layer<S> for GrpcMetricsLayer {
    type Service = GrpcMetrics<S>;
    fn layer(&self, inner: S) -> GrpcMetrics<S> {
        GrpcMetrics { inner }
    }
}

#[derive(Debug, Clone)]
pub struct GrpcMetrics<S> {
    inner: S,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B> tower::Service<http::Request<B>> for GrpcMetrics<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<tonic::body::Body>>,
    S::Future: Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let (service, method) = grpc_labels(req.uri().path());
        let mut call = Call { service, method, start: Instant::now(), code: None, done: false };
        let answer = self.inner.call(req);
        Box::pin(async move {
            match answer.await {
                Ok(response) => {
                    // A trailers-only answer (most errors) has its status in the headers.
                    call.code = status_of(response.headers());
                    let (parts, body) = response.into_parts();
                    Ok(http::Response::from_parts(parts, tonic::body::Body::new(MeteredBody { inner: body, call })))
                }
                Err(e) => {
                    call.finish("UNKNOWN");
                    Err(e)
                }
            }
        })
    }
}

/// One call being answered; recorded once, when its answer ends or is dropped.
struct Call {
    service: &'static str,
    method: &'static str,
    start: Instant,
    /// The status of the answer's headers, if it had one.
    code: Option<&'static str>,
    done: bool,
}

impl Call {
    fn finish(&mut self, code: &'static str) {
        if std::mem::replace(&mut self.done, true) {
            return;
        }
        let labels = [("service", self.service), ("method", self.method), ("code", code)];
        metrics::counter!(names::GRPC_REQUESTS, &labels).increment(1);
        metrics::histogram!(names::GRPC_DURATION, &labels).record(self.start.elapsed().as_secs_f64());
    }
}

/// The answer's body, watched for its trailers (where a normal answer has `grpc-status`).
struct MeteredBody {
    inner: tonic::body::Body,
    call: Call,
}

impl http_body::Body for MeteredBody {
    type Data = Bytes;
    type Error = tonic::Status;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, tonic::Status>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(trailers) = frame.trailers_ref() {
                    let code = status_of(trailers).or(this.call.code).unwrap_or("OK");
                    this.call.finish(code);
                }
            }
            Poll::Ready(Some(Err(status))) => this.call.finish(code_name(status.code())),
            Poll::Ready(None) => {
                let code = this.call.code.unwrap_or("OK");
                this.call.finish(code);
            }
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for MeteredBody {
    fn drop(&mut self) {
        // An answer with nothing left to send is complete; one dropped halfway was cancelled.
        let code = match self.call.code {
            Some(code) => code,
            None if self.inner.is_end_stream() => "OK",
            None => "CANCELLED",
        };
        self.call.finish(code);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use openmetrics_parser::prometheus::parse_prometheus;
    use openmetrics_parser::{PrometheusType, PrometheusValue};
    use tower::{Layer as _, Service as _};

    use super::*;

    /// The value of the sample of `family` whose labels include all of `labels`; a
    /// histogram's value is its count. `None` when the family or the sample is missing.
    fn value(text: &str, family: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let exposition = parse_prometheus(text).unwrap_or_else(|e| panic!("not Prometheus text: {e:?}\n{text}"));
        let family = exposition.families.get(family)?;
        family.iter_samples().find_map(|s| {
            let set = s.get_labelset().ok()?;
            if !labels.iter().all(|(k, v)| set.get_label_value(k) == Some(*v)) {
                return None;
            }
            Some(match &s.value {
                PrometheusValue::Counter(c) => c.value.as_f64(),
                PrometheusValue::Gauge(n) | PrometheusValue::Unknown(n) => n.as_f64(),
                PrometheusValue::Histogram(h) => h.count.map_or(f64::NAN, |c| c as f64),
                PrometheusValue::Summary(s) => s.count.map_or(f64::NAN, |c| c as f64),
            })
        })
    }

    fn family_type(text: &str, family: &str) -> Option<PrometheusType> {
        parse_prometheus(text).ok()?.families.get(family).map(|f| f.family_type.clone())
    }

    #[tokio::test]
    async fn http_requests_are_counted_by_route_template_and_render_as_prometheus_text() {
        install();
        let mut app = axum::Router::new()
            .route("/test-http/cases/{id}", axum::routing::get(|| async { "ok" }))
            .layer(axum::middleware::from_fn(track_http));
        for path in ["/test-http/cases/a", "/test-http/cases/b", "/test-http/nowhere"] {
            let req = http::Request::get(path).body(axum::body::Body::empty()).unwrap();
            app.call(req).await.unwrap();
        }
        let req = http::Request::builder()
            .method(http::Method::from_bytes(b"BREW").unwrap())
            .uri("/test-http/cases/c")
            .body(axum::body::Body::empty())
            .unwrap();
        app.call(req).await.unwrap();

        let text = render();
        let route = ("route", "/test-http/cases/{id}");
        assert_eq!(value(&text, names::HTTP_REQUESTS, &[("method", "GET"), route, ("status", "200")]), Some(2.0));
        assert_eq!(value(&text, names::HTTP_REQUESTS, &[("method", "other"), route, ("status", "405")]), Some(1.0));
        assert_eq!(value(&text, names::HTTP_REQUESTS, &[("route", "/test-http/cases/a")]), None, "no series per id");
        let unmatched = [("method", "GET"), ("route", "unmatched"), ("status", "404")];
        assert!(value(&text, names::HTTP_REQUESTS, &unmatched).is_some_and(|n| n >= 1.0), "{text}");
        // A histogram with buckets (not a summary), one observation per request.
        assert_eq!(family_type(&text, names::HTTP_DURATION), Some(PrometheusType::Histogram));
        assert_eq!(value(&text, names::HTTP_DURATION, &[("method", "GET"), route, ("status", "200")]), Some(2.0));
        assert!(
            text.contains(&format!("{}_bucket{{", names::HTTP_DURATION)) && text.contains("le=\"0.005\""),
            "{text}"
        );
    }

    /// A stand-in for a tonic server: answers with the given headers, data and trailers.
    #[derive(Clone)]
    struct Answer {
        header_status: Option<i32>,
        trailer_status: Option<i32>,
    }

    impl tower::Service<http::Request<tonic::body::Body>> for Answer {
        type Response = http::Response<tonic::body::Body>;
        type Error = std::convert::Infallible;
        type Future = std::future::Ready<Result<Self::Response, Self::Error>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _: http::Request<tonic::body::Body>) -> Self::Future {
            let mut response = http::Response::builder();
            if let Some(code) = self.header_status {
                response = response.header("grpc-status", code.to_string());
            }
            let body = match (self.header_status, self.trailer_status) {
                (Some(_), _) => tonic::body::Body::empty(),
                (None, trailer) => tonic::body::Body::new(Frames(vec![
                    Some(Frame::data(Bytes::from_static(b"\0\0\0\0\0"))),
                    trailer.map(|code| {
                        let mut t = http::HeaderMap::new();
                        t.insert("grpc-status", code.to_string().parse().unwrap());
                        Frame::trailers(t)
                    }),
                ])),
            };
            std::future::ready(Ok(response.body(body).unwrap()))
        }
    }

    /// A body of the given frames (`None`s are skipped).
    struct Frames(Vec<Option<Frame<Bytes>>>);

    impl http_body::Body for Frames {
        type Data = Bytes;
        type Error = tonic::Status;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, tonic::Status>>> {
            while !self.0.is_empty() {
                if let Some(frame) = self.0.remove(0) {
                    return Poll::Ready(Some(Ok(frame)));
                }
            }
            Poll::Ready(None)
        }
    }

    async fn grpc_call(answer: Answer, path: &str, read_body: bool) {
        let mut service = GrpcMetricsLayer.layer(answer);
        let req = http::Request::post(path).body(tonic::body::Body::empty()).unwrap();
        let response = service.call(req).await.unwrap();
        let mut body = response.into_body();
        if read_body {
            while std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await.is_some() {}
        }
    }

    #[tokio::test]
    async fn grpc_calls_are_counted_by_method_and_status_name() {
        install();
        let ok = Answer { header_status: None, trailer_status: Some(0) };
        let not_found = Answer { header_status: None, trailer_status: Some(5) };
        let refused = Answer { header_status: Some(16), trailer_status: None };
        let silent = Answer { header_status: None, trailer_status: None };
        // Reflection's one method (no other test calls it); health's Watch for the rest.
        let reflect = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
        let watch = "/grpc.health.v1.Health/Watch";
        grpc_call(ok.clone(), reflect, true).await;
        grpc_call(ok.clone(), reflect, true).await;
        grpc_call(not_found, reflect, true).await;
        grpc_call(refused, reflect, false).await;
        grpc_call(silent.clone(), watch, true).await;
        grpc_call(ok, watch, false).await; // dropped before its end
        grpc_call(silent, "/made.Up/Path", true).await;

        let text = render();
        let labels = |service, method, code| [("service", service), ("method", method), ("code", code)];
        let reflection = ("grpc.reflection.v1.ServerReflection", "ServerReflectionInfo");
        let count = |(s, m), code| value(&text, names::GRPC_REQUESTS, &labels(s, m, code));
        assert_eq!(count(reflection, "OK"), Some(2.0), "{text}");
        assert_eq!(count(reflection, "NOT_FOUND"), Some(1.0));
        assert_eq!(count(reflection, "UNAUTHENTICATED"), Some(1.0), "the status of a trailers-only answer");
        let health = ("grpc.health.v1.Health", "Watch");
        assert_eq!(count(health, "OK"), Some(1.0), "no grpc-status at all counts as OK");
        assert_eq!(count(health, "CANCELLED"), Some(1.0));
        assert_eq!(count(("unknown", "unknown"), "OK"), Some(1.0), "a made-up path is no series of its own");
        assert_eq!(family_type(&text, names::GRPC_DURATION), Some(PrometheusType::Histogram));
        assert_eq!(value(&text, names::GRPC_DURATION, &labels(reflection.0, reflection.1, "OK")), Some(2.0));
    }

    #[test]
    fn our_methods_have_their_labels() {
        let (service, method) = grpc_labels("/onething.servicecenter.v1.ServiceCenterService/SubmitCase");
        assert_eq!((service, method), ("onething.servicecenter.v1.ServiceCenterService", "SubmitCase"));
        assert_eq!(grpc_labels("/grpc.health.v1.Health/Check"), ("grpc.health.v1.Health", "Check"));
        assert_eq!(grpc_labels("/onething.servicecenter.v1.ServiceCenterService/Nope"), ("unknown", "unknown"));
    }

    #[test]
    fn every_series_renders_with_its_labels_and_type() {
        install();
        metrics::counter!(names::EVENTS_PUBLISHED, "topic" => "test-render").increment(3);
        let consumed = [("topic", "test-render"), ("group", "g-test"), ("outcome", "applied")];
        metrics::counter!(names::EVENTS_CONSUMED, &consumed).increment(1);
        metrics::counter!(names::DEAD_LETTERS, "topic" => "test-render").increment(1);
        metrics::gauge!(names::OUTBOX_BACKLOG, "service" => "test-render").set(7.0);
        metrics::gauge!(names::OUTBOX_OLDEST_AGE, "service" => "test-render").set(1.5);
        let text = render();
        let mut expected = HashMap::new();
        expected.insert(names::EVENTS_PUBLISHED, (PrometheusType::Counter, vec![("topic", "test-render")], 3.0));
        expected.insert(names::EVENTS_CONSUMED, (PrometheusType::Counter, consumed.to_vec(), 1.0));
        expected.insert(names::DEAD_LETTERS, (PrometheusType::Counter, vec![("topic", "test-render")], 1.0));
        expected.insert(names::OUTBOX_BACKLOG, (PrometheusType::Gauge, vec![("service", "test-render")], 7.0));
        expected.insert(names::OUTBOX_OLDEST_AGE, (PrometheusType::Gauge, vec![("service", "test-render")], 1.5));
        for (name, (kind, labels, n)) in expected {
            assert_eq!(family_type(&text, name), Some(kind), "{name}\n{text}");
            assert_eq!(value(&text, name, &labels), Some(n), "{name}\n{text}");
        }
        assert!(text.contains(&format!("# HELP {} ", names::EVENTS_CONSUMED)), "{text}");
    }
}
