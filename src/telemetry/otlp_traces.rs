//! OTLP/HTTP protobuf span export that encodes each span straight into the request body.
//!
//! Why our own rather than `opentelemetry-otlp`'s span exporter (which the metrics still use):
//! that exporter first converts every `SpanData` into the generated `opentelemetry-proto`
//! structs — a `String` for every attribute key and string value, a `Vec` for every id — then
//! encodes those with prost, which computes nested lengths again at every level, then frees it
//! all. Measured with callgrind on `benches/telemetry_overhead.rs`, that was ~30,000
//! instructions per span on the export thread, as much as everything the caller's thread does
//! per call. Here a span's fields are written once into a reused buffer.
//!
//! Design: only the per-span part is written by hand ([`encode_span`]); the resource and the
//! instrumentation scope, once per request, are encoded from `opentelemetry-proto`'s own
//! conversions, so they cannot drift from the crate. The request is an `ExportTraceServiceRequest`
//! with one `ResourceSpans` and one `ScopeSpans` per scope, the shape `opentelemetry-otlp`
//! sends; `tests` decode our bytes with the generated structs and compare them with that crate's
//! conversion, span by span. Sending follows `opentelemetry-otlp` 0.33's HTTP exporter: POST
//! `application/x-protobuf` (gzip when configured) through [`SharedRuntimeClient`], retrying
//! 429/502/503/504 and network errors up to 3 times, all within the export timeout; the waits
//! come from the client's own backoff rule ([`RetryPolicy::delay`]).

use std::time::{Duration, Instant};

use bytes::Bytes;
use opentelemetry::trace::{SpanId, SpanKind, Status};
use opentelemetry::{Array, KeyValue, Value};
use opentelemetry_http::HttpClient as _;
use opentelemetry_proto::tonic::common::v1::InstrumentationScope as ProtoScope;
use opentelemetry_proto::tonic::resource::v1::Resource as ProtoResource;
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;
use prost::encoding::{encode_varint, encoded_len_varint};
use prost::Message as _;

use super::export::SharedRuntimeClient;
use crate::client::retry::RetryPolicy;

/// Protobuf wire types.
const VARINT: u32 = 0;
const FIXED64: u32 = 1;
const LEN: u32 = 2;
const FIXED32: u32 = 5;

/// OTLP's recommended retries (as `opentelemetry-otlp`), waited out by the client's own backoff
/// rule: 100 ms doubling to 1.6 s with up to 25 % jitter, a server's wait of up to 30 s honoured.
const RETRIES: RetryPolicy = RetryPolicy {
    max_retries: 3,
    initial_delay: Duration::from_millis(100),
    max_delay: Duration::from_millis(1600),
    max_retry_after: Duration::from_secs(30),
};

fn key(out: &mut Vec<u8>, field: u32, wire: u32) {
    encode_varint(u64::from(field << 3 | wire), out);
}

fn len_field_len(field: u32, len: usize) -> usize {
    encoded_len_varint(u64::from(field << 3)) + encoded_len_varint(len as u64) + len
}

fn bytes_field(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    key(out, field, LEN);
    encode_varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

/// A string or bytes field, omitted when empty (proto3 default).
fn string_field(out: &mut Vec<u8>, field: u32, text: &[u8]) {
    if !text.is_empty() {
        bytes_field(out, field, text);
    }
}

fn varint_field(out: &mut Vec<u8>, field: u32, value: u64) {
    if value != 0 {
        key(out, field, VARINT);
        encode_varint(value, out);
    }
}

fn fixed64_field(out: &mut Vec<u8>, field: u32, value: u64) {
    if value != 0 {
        key(out, field, FIXED64);
        out.extend_from_slice(&value.to_le_bytes());
    }
}

fn fixed32_field(out: &mut Vec<u8>, field: u32, value: u32) {
    if value != 0 {
        key(out, field, FIXED32);
        out.extend_from_slice(&value.to_le_bytes());
    }
}

/// The encoded length of an `AnyValue` message holding `value`.
fn any_value_len(value: &Value) -> usize {
    match value {
        Value::Bool(_) => 2,
        // Negative numbers are ten-byte varints, as int64 is encoded.
        #[allow(clippy::cast_sign_loss)]
        Value::I64(i) => 1 + encoded_len_varint(*i as u64),
        Value::F64(_) => 9,
        Value::String(s) => len_field_len(1, s.as_str().len()),
        Value::Array(array) => len_field_len(5, array_len(array)),
        // `Value` is non-exhaustive: anything newer is sent as its text.
        other => len_field_len(1, other.as_str().len()),
    }
}

/// The encoded length of an `ArrayValue` message.
fn array_len(array: &Array) -> usize {
    fn items<T>(items: &[T], len: impl Fn(&T) -> usize) -> usize {
        items.iter().map(|v| len_field_len(1, len(v))).sum()
    }
    #[allow(clippy::cast_sign_loss)]
    match array {
        Array::Bool(v) => items(v, |_| 2),
        Array::I64(v) => items(v, |i| 1 + encoded_len_varint(*i as u64)),
        Array::F64(v) => items(v, |_| 9),
        Array::String(v) => items(v, |s| len_field_len(1, s.as_str().len())),
        other => len_field_len(1, other.to_string().len()),
    }
}

/// The body of an `AnyValue` message (without its own tag and length).
fn any_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Bool(b) => {
            key(out, 2, VARINT);
            out.push(u8::from(*b));
        }
        #[allow(clippy::cast_sign_loss)]
        Value::I64(i) => {
            key(out, 3, VARINT);
            encode_varint(*i as u64, out);
        }
        Value::F64(f) => {
            key(out, 4, FIXED64);
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Value::String(s) => bytes_field(out, 1, s.as_str().as_bytes()),
        Value::Array(array) => {
            key(out, 5, LEN);
            encode_varint(array_len(array) as u64, out);
            array_value(out, array);
        }
        other => bytes_field(out, 1, other.as_str().as_bytes()),
    }
}

fn array_value(out: &mut Vec<u8>, array: &Array) {
    fn each<T>(out: &mut Vec<u8>, items: &[T], wrap: impl Fn(&T) -> Value) {
        for item in items {
            let v = wrap(item);
            key(out, 1, LEN);
            encode_varint(any_value_len(&v) as u64, out);
            any_value(out, &v);
        }
    }
    match array {
        Array::Bool(v) => each(out, v, |b| Value::Bool(*b)),
        Array::I64(v) => each(out, v, |i| Value::I64(*i)),
        Array::F64(v) => each(out, v, |f| Value::F64(*f)),
        Array::String(v) => {
            for s in v {
                let text = s.as_str().as_bytes();
                key(out, 1, LEN);
                encode_varint(len_field_len(1, text.len()) as u64, out);
                bytes_field(out, 1, text);
            }
        }
        other => {
            let text = other.to_string();
            key(out, 1, LEN);
            encode_varint(len_field_len(1, text.len()) as u64, out);
            bytes_field(out, 1, text.as_bytes());
        }
    }
}

/// A string field's length, 0 when it is empty (and so omitted).
fn string_field_len(field: u32, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        len_field_len(field, len)
    }
}

fn key_value_len(kv: &KeyValue) -> usize {
    string_field_len(1, kv.key.as_str().len()) + len_field_len(2, any_value_len(&kv.value))
}

/// Repeated `KeyValue` field `field`.
fn attributes(out: &mut Vec<u8>, field: u32, attrs: &[KeyValue]) {
    for kv in attrs {
        key(out, field, LEN);
        encode_varint(key_value_len(kv) as u64, out);
        string_field(out, 1, kv.key.as_str().as_bytes());
        key(out, 2, LEN);
        encode_varint(any_value_len(&kv.value) as u64, out);
        any_value(out, &kv.value);
    }
}

fn nanos(t: std::time::SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// OTLP span flags: the W3C trace flags, plus "whether the parent is remote is known" (0x100)
/// and "the parent is remote" (0x200).
fn span_flags(remote_parent: bool, trace_flags: u8) -> u32 {
    u32::from(trace_flags) | 0x100 | if remote_parent { 0x200 } else { 0 }
}

fn kind(kind: &SpanKind) -> u64 {
    match kind {
        SpanKind::Internal => 1,
        SpanKind::Server => 2,
        SpanKind::Client => 3,
        SpanKind::Producer => 4,
        SpanKind::Consumer => 5,
    }
}

/// The body of one `Span` message (without its own tag and length).
pub fn encode_span(out: &mut Vec<u8>, span: &SpanData) {
    let context = &span.span_context;
    bytes_field(out, 1, &context.trace_id().to_bytes());
    bytes_field(out, 2, &context.span_id().to_bytes());
    string_field(out, 3, context.trace_state().header().as_bytes());
    if span.parent_span_id != SpanId::INVALID {
        bytes_field(out, 4, &span.parent_span_id.to_bytes());
    }
    string_field(out, 5, span.name.as_bytes());
    varint_field(out, 6, kind(&span.span_kind));
    fixed64_field(out, 7, nanos(span.start_time));
    fixed64_field(out, 8, nanos(span.end_time));
    attributes(out, 9, &span.attributes);
    varint_field(out, 10, u64::from(span.dropped_attributes_count));
    for event in span.events.iter() {
        let mut body = Vec::new();
        fixed64_field(&mut body, 1, nanos(event.timestamp));
        string_field(&mut body, 2, event.name.as_bytes());
        attributes(&mut body, 3, &event.attributes);
        varint_field(&mut body, 4, u64::from(event.dropped_attributes_count));
        bytes_field(out, 11, &body);
    }
    varint_field(out, 12, u64::from(span.events.dropped_count));
    for link in span.links.iter() {
        let mut body = Vec::new();
        bytes_field(&mut body, 1, &link.span_context.trace_id().to_bytes());
        bytes_field(&mut body, 2, &link.span_context.span_id().to_bytes());
        string_field(&mut body, 3, link.span_context.trace_state().header().as_bytes());
        attributes(&mut body, 4, &link.attributes);
        varint_field(&mut body, 5, u64::from(link.dropped_attributes_count));
        fixed32_field(&mut body, 6, span_flags(link.span_context.is_remote(), link.span_context.trace_flags().to_u8()));
        bytes_field(out, 13, &body);
    }
    varint_field(out, 14, u64::from(span.links.dropped_count));
    let (code, message) = match &span.status {
        Status::Unset => (0, ""),
        Status::Ok => (1, ""),
        Status::Error { description } => (2, description.as_ref()),
    };
    // The status is always present (as opentelemetry-proto sends it), even when unset.
    let status_len = string_field_len(2, message.len()) + if code == 0 { 0 } else { 2 };
    key(out, 15, LEN);
    encode_varint(status_len as u64, out);
    string_field(out, 2, message.as_bytes());
    varint_field(out, 3, code);
    fixed32_field(out, 16, span_flags(span.parent_span_is_remote, context.trace_flags().to_u8()));
}

/// A resource encoded once, when the provider hands it over.
#[derive(Debug, Default, Clone)]
struct EncodedResource {
    /// The `Resource` message body.
    resource: Vec<u8>,
    schema_url: String,
}

impl EncodedResource {
    fn new(resource: &Resource) -> Self {
        let converted = ResourceAttributesWithSchema::from(resource);
        let message =
            ProtoResource { attributes: converted.attributes.0, dropped_attributes_count: 0, entity_refs: vec![] };
        EncodedResource { resource: message.encode_to_vec(), schema_url: converted.schema_url.unwrap_or_default() }
    }
}

/// The `ExportTraceServiceRequest` for `batch`: one `ResourceSpans` with one `ScopeSpans` per
/// instrumentation scope, in order of first appearance.
fn encode_request(batch: &[SpanData], resource: &EncodedResource) -> Vec<u8> {
    let mut scopes: Vec<(&opentelemetry::InstrumentationScope, Vec<u8>)> = Vec::new();
    let mut span = Vec::with_capacity(1024);
    for data in batch {
        let index = match scopes.iter().position(|(s, _)| *s == &data.instrumentation_scope) {
            Some(i) => i,
            None => {
                let scope = ProtoScope::from((&data.instrumentation_scope, None));
                let mut body = Vec::with_capacity(1024 * 16);
                bytes_field(&mut body, 1, &scope.encode_to_vec());
                scopes.push((&data.instrumentation_scope, body));
                scopes.len() - 1
            }
        };
        span.clear();
        encode_span(&mut span, data);
        bytes_field(&mut scopes[index].1, 2, &span);
    }
    let mut resource_spans = Vec::with_capacity(scopes.iter().map(|(_, b)| b.len() + 8).sum::<usize>() + 1024);
    bytes_field(&mut resource_spans, 1, &resource.resource);
    for (scope, mut body) in scopes {
        string_field(&mut body, 3, scope.schema_url().unwrap_or_default().as_bytes());
        bytes_field(&mut resource_spans, 2, &body);
    }
    string_field(&mut resource_spans, 3, resource.schema_url.as_bytes());
    let mut request = Vec::with_capacity(resource_spans.len() + 8);
    bytes_field(&mut request, 1, &resource_spans);
    request
}

fn gzip(body: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::default());
    encoder.write_all(body)?;
    encoder.finish()
}

/// How one attempt ended, for the retry decision.
enum Failure {
    /// Retry after the backoff, or after the server's wait (seconds) when it gave one.
    Retryable(Option<f64>),
    Final,
}

/// OTLP/HTTP's rule: 429 and 503 may say how long to wait, 502 and 504 are retried too.
fn classify(status: u16, retry_after: Option<&str>) -> Failure {
    match status {
        429 | 503 => Failure::Retryable(retry_after.and_then(|s| s.trim().parse::<f64>().ok())),
        502 | 504 => Failure::Retryable(None),
        _ => Failure::Final,
    }
}

async fn sleep(duration: Duration) {
    // The batch processor's thread has no tokio reactor; a runtime's thread does.
    if tokio::runtime::Handle::try_current().is_ok() {
        tokio::time::sleep(duration).await;
    } else {
        std::thread::sleep(duration);
    }
}

/// The span exporter of the `otlp` backends (see the module docs).
#[derive(Debug)]
pub struct OtlpTraceExporter {
    client: std::sync::Arc<SharedRuntimeClient>,
    url: String,
    gzip: bool,
    timeout: Duration,
    resource: EncodedResource,
}

impl OtlpTraceExporter {
    /// An exporter posting to `url` (the full `/v1/traces` URL) through `client`.
    pub fn new(client: SharedRuntimeClient, url: String, gzip: bool, timeout: Duration) -> Self {
        OtlpTraceExporter {
            client: std::sync::Arc::new(client),
            url,
            gzip,
            timeout,
            resource: EncodedResource::default(),
        }
    }
}

async fn send(
    client: std::sync::Arc<SharedRuntimeClient>,
    url: String,
    body: Bytes,
    gzip: bool,
    timeout: Duration,
) -> OTelSdkResult {
    let started = Instant::now();
    let mut retries = 0;
    loop {
        let mut request = http::Request::post(url.as_str())
            .header(http::header::CONTENT_TYPE, "application/x-protobuf")
            .body(body.clone())
            .map_err(|e| OTelSdkError::InternalFailure(format!("the export request cannot be built: {e}")))?;
        if gzip {
            request.headers_mut().insert(http::header::CONTENT_ENCODING, http::HeaderValue::from_static("gzip"));
        }
        let (failure, message) = match client.send_bytes(request).await {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response.headers().get(http::header::RETRY_AFTER).and_then(|v| v.to_str().ok());
                (classify(status, retry_after), format!("HTTP export failed with status code: {status}"))
            }
            Err(_) => (Failure::Retryable(None), "HTTP export failed: network error".to_string()),
        };
        let Failure::Retryable(asked) = failure else {
            return Err(OTelSdkError::InternalFailure(message));
        };
        if retries >= RETRIES.max_retries {
            return Err(OTelSdkError::InternalFailure(message));
        }
        let wait = RETRIES.delay(retries, asked, rand::random::<f64>());
        if wait >= timeout.saturating_sub(started.elapsed()) {
            return Err(OTelSdkError::InternalFailure(format!("{message} (no time left to retry)")));
        }
        sleep(wait).await;
        retries += 1;
    }
}

impl SpanExporter for OtlpTraceExporter {
    fn export(&self, batch: Vec<SpanData>) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        let body = encode_request(&batch, &self.resource);
        drop(batch);
        let body = if self.gzip { gzip(&body) } else { Ok(body) };
        let (client, url, gzip, timeout) =
            (std::sync::Arc::clone(&self.client), self.url.clone(), self.gzip, self.timeout);
        async move {
            let body = body.map_err(|e| OTelSdkError::InternalFailure(format!("gzip failed: {e}")))?;
            send(client, url, Bytes::from(body), gzip, timeout).await
        }
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = EncodedResource::new(resource);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{Event, Link, SpanContext, TraceFlags, TraceId, TraceState};
    use opentelemetry::{InstrumentationScope, StringValue};
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
    use opentelemetry_sdk::trace::{SpanEvents, SpanLinks};
    use std::borrow::Cow;
    use std::time::SystemTime;

    fn context(trace: u128, span: u64, remote: bool) -> SpanContext {
        let state = TraceState::from_key_value([("vendor", "v1")]).unwrap();
        SpanContext::new(TraceId::from(trace), SpanId::from(span), TraceFlags::SAMPLED, remote, state)
    }

    fn span(name: &'static str, scope: &InstrumentationScope, parent: u64, status: Status) -> SpanData {
        let start = SystemTime::UNIX_EPOCH + Duration::from_nanos(1_765_000_000_123_456_789);
        let mut events = SpanEvents::default();
        events.events.push(Event::new("chunk", start, vec![KeyValue::new("n", 3)], 1));
        events.dropped_count = 2;
        let mut links = SpanLinks::default();
        links.links.push(Link::new(context(7, 8, true), vec![KeyValue::new("why", "retry")], 0));
        SpanData {
            span_context: SpanContext::new(
                TraceId::from(0x0af7_6519_16cd_43dd_8448_eb21_1c80_319c),
                SpanId::from(0xb7ad_6b71_6920_3331),
                TraceFlags::SAMPLED,
                false,
                TraceState::default(),
            ),
            parent_span_id: SpanId::from(parent),
            parent_span_is_remote: parent != 0,
            span_kind: SpanKind::Client,
            name: Cow::Borrowed(name),
            start_time: start,
            end_time: start + Duration::from_millis(212),
            attributes: vec![
                KeyValue::new("gen_ai.operation.name", "chat"),
                KeyValue::new("gen_ai.request.model", StringValue::from(std::sync::Arc::<str>::from("openai/gpt-5"))),
                KeyValue::new("server.port", 443),
                KeyValue::new("negative", -5),
                KeyValue::new("ai_gateway.cost", 0.00190375),
                KeyValue::new("stream", true),
                KeyValue::new("empty", ""),
                KeyValue::new("reasons", Value::Array(Array::String(vec!["stop".into(), "length".into()]))),
                KeyValue::new("ints", Value::Array(Array::I64(vec![1, -2, 300]))),
                KeyValue::new("floats", Value::Array(Array::F64(vec![0.5]))),
                KeyValue::new("bools", Value::Array(Array::Bool(vec![true, false]))),
            ],
            dropped_attributes_count: 4,
            events,
            links,
            status,
            instrumentation_scope: scope.clone(),
        }
    }

    /// Our bytes decode to exactly what `opentelemetry-otlp` would have sent for the batch.
    #[test]
    fn requests_decode_to_what_opentelemetry_proto_builds() {
        let ours = InstrumentationScope::builder("vercel-ai-gateway").with_version("0.1.0").build();
        let other = InstrumentationScope::builder("app")
            .with_schema_url("https://opentelemetry.io/schemas/1.30.0")
            .with_attributes([KeyValue::new("k", "v")])
            .build();
        let batch = vec![
            span("chat openai/gpt-5", &ours, 0x00f0_67aa_0ba9_02b7, Status::Unset),
            span("chat other", &other, 0, Status::error("HTTP 500: upstream failed")),
            span("", &ours, 0, Status::Ok),
        ];
        let resource = Resource::builder_empty()
            .with_attributes([KeyValue::new("service.name", "app"), KeyValue::new("deployment.environment", "prod")])
            .with_schema_url([], "https://opentelemetry.io/schemas/1.21.0")
            .build();
        let encoded = EncodedResource::new(&resource);
        let bytes = encode_request(&batch, &encoded);
        let decoded = ExportTraceServiceRequest::decode(bytes.as_slice()).unwrap();
        let expected = ExportTraceServiceRequest {
            resource_spans: group_spans_by_resource_and_scope(batch, &ResourceAttributesWithSchema::from(&resource)),
        };
        assert_eq!(decoded, expected);
        assert_eq!(bytes, expected.encode_to_vec(), "byte for byte, too (same field order)");
    }

    #[test]
    fn an_empty_batch_is_an_empty_resource_spans() {
        let bytes = encode_request(&[], &EncodedResource::new(&Resource::builder_empty().build()));
        let decoded = ExportTraceServiceRequest::decode(bytes.as_slice()).unwrap();
        assert_eq!(decoded.resource_spans.len(), 1);
        assert!(decoded.resource_spans[0].scope_spans.is_empty());
    }

    /// A receiver answering each request with the next status of `statuses` (the last one
    /// repeats); returns its URL and the request count.
    fn receiver(statuses: Vec<&'static str>) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use std::io::{BufRead as _, BufReader, Read as _, Write as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1/traces", listener.local_addr().unwrap());
        let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = std::sync::Arc::clone(&count);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                loop {
                    let mut length = 0;
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    loop {
                        line.clear();
                        reader.read_line(&mut line).unwrap();
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap();
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    let n = seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let status = statuses[n.min(statuses.len() - 1)];
                    let reply = format!("HTTP/1.1 {status}\r\nretry-after: 0\r\ncontent-length: 0\r\n\r\n");
                    stream.write_all(reply.as_bytes()).unwrap();
                }
            }
        });
        (url, count)
    }

    fn export_to(url: &str) -> (OTelSdkResult, Duration) {
        let target = crate::telemetry::SignalTarget { url: url.to_string(), headers: Vec::new() };
        let client = SharedRuntimeClient::new(&target, Duration::from_secs(5)).unwrap();
        let mut exporter = OtlpTraceExporter::new(client, url.to_string(), true, Duration::from_secs(5));
        exporter.set_resource(&Resource::builder_empty().build());
        let scope = InstrumentationScope::builder("vercel-ai-gateway").build();
        let batch = vec![span("chat", &scope, 0, Status::Unset)];
        let started = Instant::now();
        // As the batch processor does: polled on a thread of its own, no tokio runtime.
        let result = std::thread::spawn(move || futures_executor_block_on(exporter.export(batch))).join().unwrap();
        (result, started.elapsed())
    }

    /// A minimal executor for a future that needs no reactor (the export's own waits are
    /// thread sleeps off a runtime).
    fn futures_executor_block_on<F: std::future::Future>(future: F) -> F::Output {
        use std::task::{Context, Poll, Wake, Waker};
        struct Unpark(std::thread::Thread);
        impl Wake for Unpark {
            fn wake(self: std::sync::Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = Waker::from(std::sync::Arc::new(Unpark(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
            std::thread::park();
        }
    }

    #[test]
    fn throttled_and_failed_exports_are_retried_then_given_up() {
        let (url, count) = receiver(vec!["503 Service Unavailable", "429 Too Many Requests", "200 OK"]);
        let (result, _) = export_to(&url);
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 3);

        let (url, count) = receiver(vec!["502 Bad Gateway"]);
        let (result, took) = export_to(&url);
        assert!(format!("{result:?}").contains("status code: 502"), "{result:?}");
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 4, "the first try and 3 retries");
        assert!(took >= Duration::from_millis(525), "100 + 200 + 400 ms of backoff, less 25 % jitter: {took:?}");

        let (url, count) = receiver(vec!["400 Bad Request"]);
        let (result, _) = export_to(&url);
        assert!(format!("{result:?}").contains("status code: 400"), "{result:?}");
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 1, "a 400 is not retried");
    }

    #[test]
    fn retries_follow_the_otlp_rules() {
        assert!(matches!(classify(429, Some("2")), Failure::Retryable(Some(d)) if d == 2.0));
        assert!(matches!(classify(503, Some("9999")), Failure::Retryable(Some(d)) if d == 9999.0));
        assert!(matches!(classify(503, Some("soon")), Failure::Retryable(None)));
        assert_eq!(RETRIES.delay(0, Some(2.0), 0.5), Duration::from_secs(2), "a server's wait is honoured");
        assert_eq!(RETRIES.delay(0, Some(9999.0), 0.0), Duration::from_millis(100), "a huge one is not");
        assert_eq!(RETRIES.delay(5, None, 0.0), Duration::from_millis(1600), "the backoff is capped");
        assert!(matches!(classify(502, None), Failure::Retryable(None)));
        assert!(matches!(classify(504, Some("1")), Failure::Retryable(None)));
        for status in [400, 401, 403, 404, 413, 500] {
            assert!(matches!(classify(status, None), Failure::Final), "{status}");
        }
    }
}
