//! An OTLP/HTTP receiver on 127.0.0.1: decodes `ExportTraceServiceRequest` and
//! `ExportMetricsServiceRequest` bodies and records them with their headers.
//!
//! Design: tests, demos and `LocalGateway` need to see what the exporters send without any
//! backend. [`decode_traces`] and [`decode_metrics`] are plain functions (protobuf, gzip
//! accepted) that a server can mount; [`OtlpSink`] is a ready server on the async engine with an
//! ephemeral port, answering every POST (any path, so a preset's path is kept and only its host
//! is replaced) with a chosen status. Attribute values are turned into JSON for easy asserts.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use prost::Message as _;
use serde_json::Value;

use crate::client::runtime::{engine, Mode};
use crate::error::{Error, Result};

/// One span as received.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedSpan {
    /// Trace id, 32 hex digits.
    pub trace_id: String,
    /// Span id, 16 hex digits.
    pub span_id: String,
    /// Parent span id, 16 hex digits, empty for a root span.
    pub parent_span_id: String,
    /// Span name.
    pub name: String,
    /// OTLP span kind (3 = CLIENT).
    pub kind: i32,
    /// Status code (0 unset, 1 ok, 2 error).
    pub status_code: i32,
    /// Attributes as JSON values.
    pub attributes: BTreeMap<String, Value>,
    /// The resource's attributes.
    pub resource: BTreeMap<String, Value>,
    /// The instrumentation scope name.
    pub scope: String,
}

/// One metric as received: its name, unit and data points' attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedMetric {
    /// Metric name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Attributes of each histogram data point, with its `count` and `sum` added.
    pub points: Vec<BTreeMap<String, Value>>,
}

/// One POST the sink received.
#[derive(Debug, Clone)]
pub struct ReceivedExport {
    /// The request path, e.g. `/v1/traces`.
    pub path: String,
    /// Request headers, names lower-case.
    pub headers: Vec<(String, String)>,
    /// Decoded spans (for trace exports).
    pub spans: Vec<ReceivedSpan>,
    /// Decoded metrics (for metric exports).
    pub metrics: Vec<ReceivedMetric>,
}

impl ReceivedExport {
    /// The value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn any_to_json(v: Option<&AnyValue>) -> Value {
    match v.and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => Value::String(s.clone()),
        Some(any_value::Value::BoolValue(b)) => Value::Bool(*b),
        Some(any_value::Value::IntValue(i)) => Value::from(*i),
        Some(any_value::Value::DoubleValue(d)) => Value::from(*d),
        Some(any_value::Value::ArrayValue(a)) => Value::Array(a.values.iter().map(|x| any_to_json(Some(x))).collect()),
        Some(any_value::Value::KvlistValue(l)) => {
            Value::Object(l.values.iter().map(|kv| (kv.key.clone(), any_to_json(kv.value.as_ref()))).collect())
        }
        Some(any_value::Value::BytesValue(b)) => Value::String(b.iter().map(|x| format!("{x:02x}")).collect()),
        _ => Value::Null,
    }
}

fn attrs(kvs: &[KeyValue]) -> BTreeMap<String, Value> {
    kvs.iter().map(|kv| (kv.key.clone(), any_to_json(kv.value.as_ref()))).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn inflate(body: &[u8], gzip: bool) -> Result<Vec<u8>> {
    if !gzip {
        return Ok(body.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .read_to_end(&mut out)
        .map_err(|e| Error::internal(format!("the OTLP body is not valid gzip: {e}")))?;
    Ok(out)
}

/// Decodes an `ExportTraceServiceRequest` (protobuf; `gzip` when `Content-Encoding: gzip`).
pub fn decode_traces(body: &[u8], gzip: bool) -> Result<Vec<ReceivedSpan>> {
    let body = inflate(body, gzip)?;
    let request = ExportTraceServiceRequest::decode(body.as_slice())
        .map_err(|e| Error::internal(format!("the OTLP trace export could not be decoded: {e}")))?;
    let mut spans = Vec::new();
    for rs in &request.resource_spans {
        let resource = rs.resource.as_ref().map(|r| attrs(&r.attributes)).unwrap_or_default();
        for ss in &rs.scope_spans {
            let scope = ss.scope.as_ref().map(|s| s.name.clone()).unwrap_or_default();
            for s in &ss.spans {
                spans.push(ReceivedSpan {
                    trace_id: hex(&s.trace_id),
                    span_id: hex(&s.span_id),
                    parent_span_id: hex(&s.parent_span_id),
                    name: s.name.clone(),
                    kind: s.kind,
                    status_code: s.status.as_ref().map_or(0, |st| st.code),
                    attributes: attrs(&s.attributes),
                    resource: resource.clone(),
                    scope: scope.clone(),
                });
            }
        }
    }
    Ok(spans)
}

/// Decodes an `ExportMetricsServiceRequest` (histograms' points are listed; other kinds by name).
pub fn decode_metrics(body: &[u8], gzip: bool) -> Result<Vec<ReceivedMetric>> {
    use opentelemetry_proto::tonic::metrics::v1::metric::Data;
    let body = inflate(body, gzip)?;
    let request = ExportMetricsServiceRequest::decode(body.as_slice())
        .map_err(|e| Error::internal(format!("the OTLP metrics export could not be decoded: {e}")))?;
    let mut metrics = Vec::new();
    for rm in &request.resource_metrics {
        for sm in &rm.scope_metrics {
            for m in &sm.metrics {
                let points = match &m.data {
                    Some(Data::Histogram(h)) => h
                        .data_points
                        .iter()
                        .map(|p| {
                            let mut a = attrs(&p.attributes);
                            a.insert("count".into(), Value::from(p.count));
                            a.insert("sum".into(), p.sum.map_or(Value::Null, Value::from));
                            a
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                metrics.push(ReceivedMetric { name: m.name.clone(), unit: m.unit.clone(), points });
            }
        }
    }
    Ok(metrics)
}

/// Decodes one POST by its path: `…/v1/traces` or `…/v1/metrics`.
pub fn decode_export(path: &str, headers: Vec<(String, String)>, body: &[u8]) -> Result<ReceivedExport> {
    let gzip =
        headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("content-encoding") && v.eq_ignore_ascii_case("gzip"));
    let mut export = ReceivedExport { path: path.to_string(), headers, spans: Vec::new(), metrics: Vec::new() };
    if path.ends_with("/metrics") {
        export.metrics = decode_metrics(body, gzip)?;
    } else {
        export.spans = decode_traces(body, gzip)?;
    }
    Ok(export)
}

struct SinkState {
    received: Mutex<Vec<ReceivedExport>>,
    status: AtomicU16,
}

/// A running receiver; stops when dropped.
pub struct OtlpSink {
    addr: SocketAddr,
    state: Arc<SinkState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl OtlpSink {
    /// Starts a receiver on 127.0.0.1 with an ephemeral port, on the async engine.
    pub fn start() -> Result<OtlpSink> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .map_err(|e| Error::internal(format!("the OTLP sink could not listen: {e}")))?;
        listener.set_nonblocking(true).map_err(|e| Error::internal(format!("the OTLP sink could not listen: {e}")))?;
        let addr = listener.local_addr().map_err(|e| Error::internal(format!("the OTLP sink has no address: {e}")))?;
        let state = Arc::new(SinkState { received: Mutex::new(Vec::new()), status: AtomicU16::new(200) });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let engine = engine(Mode::Async)?;
        let shared = Arc::clone(&state);
        let listener = {
            let _guard = engine.runtime.enter();
            tokio::net::TcpListener::from_std(listener)
                .map_err(|e| Error::internal(format!("the OTLP sink could not listen: {e}")))?
        };
        let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
            let state = Arc::clone(&shared);
            async move { receive(state, req).await }
        });
        engine.runtime.spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(OtlpSink { addr, state, stop: Some(stop) })
    }

    /// `http://127.0.0.1:<port>`: the base URL to export to.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The port listened on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Everything received so far.
    pub fn exports(&self) -> Vec<ReceivedExport> {
        self.state.received.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Every span received so far.
    pub fn spans(&self) -> Vec<ReceivedSpan> {
        self.exports().into_iter().flat_map(|e| e.spans).collect()
    }

    /// Every metric received so far.
    pub fn metrics(&self) -> Vec<ReceivedMetric> {
        self.exports().into_iter().flat_map(|e| e.metrics).collect()
    }

    /// Answers later exports with `status` (e.g. 403 to test a refused export).
    pub fn respond_with(&self, status: u16) {
        self.state.status.store(status, Ordering::Relaxed);
    }
}

impl Drop for OtlpSink {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn receive(state: Arc<SinkState>, req: axum::extract::Request) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let path = req.uri().path().to_string();
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let status =
        axum::http::StatusCode::from_u16(state.status.load(Ordering::Relaxed)).unwrap_or(axum::http::StatusCode::OK);
    let body = match axum::body::to_bytes(req.into_body(), 64 * 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => return axum::http::StatusCode::BAD_REQUEST.into_response(),
    };
    if !status.is_success() {
        return status.into_response();
    }
    match decode_export(&path, headers, &body) {
        Ok(export) => {
            if let Ok(mut r) = state.received.lock() {
                r.push(export);
            }
            (status, [("content-type", "application/x-protobuf")], Vec::<u8>::new()).into_response()
        }
        Err(e) => (axum::http::StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    }
}
