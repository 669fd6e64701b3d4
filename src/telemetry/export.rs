//! Exporters and providers: OTLP/HTTP through our own reqwest client, and a console printer.
//!
//! Design (spec/telemetry-and-crates.md §5.2): the SDK's batch span processor and periodic
//! metric reader export from threads of their own, with no tokio reactor; a plain async
//! `reqwest::Client` panics there ("there is no reactor running"). [`SharedRuntimeClient`]
//! spawns each export request on the async engine's runtime and awaits the `JoinHandle`, which
//! needs no reactor, so exports share the gateway client's runtime and connection pool. It
//! looks the engine up per request, so exports keep working after the engine is rebuilt (fork).
//! It also sets the resolved headers on every request, replacing whatever the OTLP crate read
//! from `OTEL_EXPORTER_OTLP_HEADERS`, so the precedence of [`super::preset::resolve`] is final.
//!
//! Spans are encoded and sent by our own exporter ([`super::otlp_traces`], about a fifth of the
//! CPU of `opentelemetry-otlp`'s), metrics by `opentelemetry-otlp`; both through this client.
//! Spans go through the batch processor (ending a span only queues it, from any thread, so
//! ending spans on a current_thread runtime worker is safe). The console backend prints with a
//! simple processor, whose export completes synchronously.

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry_http::{HttpClient, HttpError};
use opentelemetry_otlp::{Compression, Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::resource::TelemetryResourceDetector;
use opentelemetry_sdk::trace::{BatchSpanProcessor, Sampler, SdkTracerProvider, SpanData, SpanExporter};
use opentelemetry_sdk::Resource;

use crate::client::runtime::{engine, Mode};
use crate::error::{Error, Result};

use super::otlp_traces::OtlpTraceExporter;
use super::preset::{Backend, ResolvedTelemetry, Sampling, SignalTarget, Temporality};

/// The largest export response body read (the OTLP crate's own clients use the same cap).
const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// An OTLP `HttpClient` that sends on the async engine's runtime with its reqwest client, and
/// sets the resolved headers on each request. `Debug` shows header names only.
pub struct SharedRuntimeClient {
    headers: HeaderMap,
    timeout: Duration,
}

impl std::fmt::Debug for SharedRuntimeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("SharedRuntimeClient").field("headers", &names).field("timeout", &self.timeout).finish()
    }
}

impl SharedRuntimeClient {
    /// A client for `target`'s headers, each request bounded by `timeout`.
    pub fn new(target: &SignalTarget, timeout: Duration) -> Result<Self> {
        let mut headers = HeaderMap::new();
        for (name, value) in &target.headers {
            let n = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::config("headers", format!("`{name}` is not a valid HTTP header name.")))?;
            let mut v = HeaderValue::from_str(value.expose())
                .map_err(|_| Error::config("headers", format!("The value of header `{name}` is not valid in HTTP.")))?;
            v.set_sensitive(true);
            headers.insert(n, v);
        }
        Ok(SharedRuntimeClient { headers, timeout })
    }
}

async fn send(
    http: reqwest::Client,
    request: http::Request<Bytes>,
    timeout: Duration,
) -> std::result::Result<http::Response<Bytes>, HttpError> {
    let (parts, body) = request.into_parts();
    let work = async move {
        let response =
            http.request(parts.method, parts.uri.to_string()).headers(parts.headers).body(body).send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let mut bytes = response.bytes().await?;
        bytes.truncate(MAX_RESPONSE_BYTES);
        let mut out = http::Response::new(bytes);
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        Ok::<_, HttpError>(out)
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(result) => result,
        Err(_) => Err(format!("the export did not complete within {} s", timeout.as_secs_f64()).into()),
    }
}

#[async_trait::async_trait]
impl HttpClient for SharedRuntimeClient {
    async fn send_bytes(
        &self,
        mut request: http::Request<Bytes>,
    ) -> std::result::Result<http::Response<Bytes>, HttpError> {
        for (name, value) in &self.headers {
            request.headers_mut().insert(name.clone(), value.clone());
        }
        let engine = engine(Mode::Async)?;
        let task = engine.runtime.spawn(send(engine.http.clone(), request, self.timeout));
        // Awaiting a JoinHandle needs no reactor, so this works on the SDK's export thread.
        task.await?
    }
}

/// Prints each span as one line on standard output (the `console` backend).
#[derive(Debug, Default)]
pub struct ConsoleExporter;

fn describe_span(span: &SpanData) -> String {
    let mut line = format!(
        "[vercel-ai-gateway] span {:?} trace_id={:032x} span_id={:016x}",
        span.name,
        span.span_context.trace_id(),
        span.span_context.span_id()
    );
    if span.parent_span_id != opentelemetry::trace::SpanId::INVALID {
        let _ = write!(line, " parent_id={:016x}", span.parent_span_id);
    }
    let ms = span.end_time.duration_since(span.start_time).unwrap_or_default().as_secs_f64() * 1000.0;
    let _ = write!(line, " duration_ms={ms:.1}");
    if let opentelemetry::trace::Status::Error { description } = &span.status {
        let _ = write!(line, " status=error({description})");
    }
    for kv in &span.attributes {
        let _ = write!(line, " {}={}", kv.key, kv.value);
    }
    line
}

impl SpanExporter for ConsoleExporter {
    fn export(&self, batch: Vec<SpanData>) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        let mut text = String::new();
        for span in &batch {
            text.push_str(&describe_span(span));
            text.push('\n');
        }
        let mut out = std::io::stdout().lock();
        // A closed stdout must not fail the application.
        let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        std::future::ready(Ok(()))
    }
}

fn sampler(s: Sampling) -> Sampler {
    let root = if s.ratio >= 1.0 {
        Sampler::AlwaysOn
    } else if s.ratio <= 0.0 {
        Sampler::AlwaysOff
    } else {
        Sampler::TraceIdRatioBased(s.ratio)
    };
    if s.parent_based {
        Sampler::ParentBased(Box::new(root))
    } else {
        root
    }
}

/// The SDK resource: `telemetry.sdk.*` plus the resolved attributes.
pub fn resource(cfg: &ResolvedTelemetry) -> Resource {
    Resource::builder_empty()
        .with_detector(Box::new(TelemetryResourceDetector))
        .with_attributes(cfg.resource.iter().map(|(k, v)| opentelemetry::KeyValue::new(k.clone(), v.clone())))
        .build()
}

fn build_error(what: &str, e: &dyn std::fmt::Display) -> Error {
    Error::internal(format!("the {what} exporter could not be built: {e}"))
}

/// The tracer provider for `cfg`: batch OTLP export, console printing, or no processor.
pub fn tracer_provider(cfg: &ResolvedTelemetry, resource: Resource) -> Result<SdkTracerProvider> {
    let mut builder = SdkTracerProvider::builder().with_resource(resource).with_sampler(sampler(cfg.sampling));
    if cfg.backend == Backend::Console {
        builder = builder.with_simple_exporter(ConsoleExporter);
    } else if let Some(target) = &cfg.traces {
        let client = SharedRuntimeClient::new(target, cfg.timeout)?;
        let exporter = OtlpTraceExporter::new(client, target.url.clone(), cfg.gzip, cfg.timeout);
        builder = builder.with_span_processor(BatchSpanProcessor::builder(exporter).build());
    }
    Ok(builder.build())
}

/// The meter provider for `cfg`, when metrics are exported.
pub fn meter_provider(cfg: &ResolvedTelemetry, resource: Resource) -> Result<Option<SdkMeterProvider>> {
    let Some(target) = &cfg.metrics else {
        return Ok(None);
    };
    let temporality = match cfg.temporality {
        Temporality::Cumulative => opentelemetry_sdk::metrics::Temporality::Cumulative,
        Temporality::Delta => opentelemetry_sdk::metrics::Temporality::Delta,
    };
    let mut exporter = opentelemetry_otlp::MetricExporter::builder()
        .with_http()
        .with_http_client(SharedRuntimeClient::new(target, cfg.timeout)?)
        .with_endpoint(target.url.clone())
        .with_protocol(Protocol::HttpBinary)
        .with_timeout(cfg.timeout);
    if cfg.gzip {
        exporter = exporter.with_compression(Compression::Gzip);
    }
    let exporter = exporter.with_temporality(temporality).build().map_err(|e| build_error("metric", &e))?;
    let reader = PeriodicReader::builder(exporter).build();
    Ok(Some(SdkMeterProvider::builder().with_resource(resource).with_reader(reader).build()))
}

/// Runs `work` on a helper thread and waits at most `timeout` for its answer; `false` when it
/// fails, panics or takes longer (the helper then finishes on its own, bounded by the export
/// timeout).
pub fn bounded(timeout: Duration, work: impl FnOnce() -> bool + Send + 'static) -> bool {
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new().name("vag-otel-flush".into()).spawn(move || {
        let _ = tx.send(work());
    });
    if spawned.is_err() {
        return false;
    }
    rx.recv_timeout(timeout).unwrap_or(false)
}
