//! Recording one gateway call: a GenAI span and the client metrics.
//!
//! Design: [`CallRecorder::start`] opens the span with the attributes the conventions call
//! sampling-relevant (operation, provider, request model, server address and port) and the
//! caller's trace as parent. The outcome arrives through exactly one of
//! [`CallRecorder::finish_ok`], [`CallRecorder::finish_err`] or, for streams, any number of
//! [`CallRecorder::chunk`] calls then [`CallRecorder::finish_stream`]. A recorder dropped without
//! an outcome ends its span too: as `cancelled` when no output was seen (an asyncio task
//! cancelled mid-call), as an incomplete stream otherwise (the caller stopped reading). Answers
//! are read as `serde_json::Value` in both gateways' shapes (chat completions, Responses API,
//! embeddings). Prompts and completions are recorded only with `capture_content`.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use opentelemetry::trace::{
    Span as _, SpanContext, SpanId, SpanKind, Status, TraceContextExt, TraceFlags, TraceId, TraceState, Tracer as _,
};
use opentelemetry::{Array, Context, KeyValue, StringValue, Value as OtelValue};
use serde::Deserialize;
use serde_json::Value;

use crate::error::Error;

use super::semconv as sc;
use super::{CallInfo, RequestBody, Telemetry};

/// Parses a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`) into a remote parent context.
pub fn parent_context(traceparent: &str) -> Option<Context> {
    let mut parts = traceparent.trim().split('-');
    let (version, trace, span, flags) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let valid_hex =
        |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    if !valid_hex(version, 2)
        || version == "ff"
        || !valid_hex(trace, 32)
        || !valid_hex(span, 16)
        || !valid_hex(flags, 2)
    {
        return None;
    }
    if version == "00" && parts.next().is_some() {
        return None;
    }
    let trace_id = TraceId::from_hex(trace).ok()?;
    let span_id = SpanId::from_hex(span).ok()?;
    if trace_id == TraceId::INVALID || span_id == SpanId::INVALID {
        return None;
    }
    let flags = u8::from_str_radix(flags, 16).ok()?;
    let sc = SpanContext::new(trace_id, span_id, TraceFlags::new(flags & 1), true, TraceState::default());
    Some(Context::new().with_remote_span_context(sc))
}

/// The W3C `traceparent` of a span context.
pub fn format_traceparent(sc: &SpanContext) -> String {
    // Written digit by digit: `format!` with `{:032x}` was a tenth of the per-call hook.
    fn hex(out: &mut String, bytes: &[u8]) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for b in bytes {
            out.push(char::from(DIGITS[usize::from(b >> 4)]));
            out.push(char::from(DIGITS[usize::from(b & 0xf)]));
        }
    }
    let mut out = String::with_capacity(55);
    out.push_str("00-");
    hex(&mut out, &sc.trace_id().to_bytes());
    out.push('-');
    hex(&mut out, &sc.span_id().to_bytes());
    out.push('-');
    hex(&mut out, &[sc.trace_flags().to_u8()]);
    out
}

/// `server.address` and `server.port` of a URL.
type Server = (Option<StringValue>, Option<i64>);

thread_local! {
    /// The last few URLs' servers: a client calls one or two base URLs, so parsing each call's
    /// URL again was a tenth of the recorder's work.
    static SERVERS: std::cell::RefCell<Vec<(Box<str>, Server)>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn server(url: &str) -> Server {
    SERVERS.with_borrow_mut(|cache| {
        if let Some((_, found)) = cache.iter().find(|(u, _)| &**u == url) {
            return found.clone();
        }
        let parsed = match url::Url::parse(url) {
            Ok(u) => (u.host_str().map(shared), u.port_or_known_default().map(i64::from)),
            Err(_) => (None, None),
        };
        if cache.len() == 4 {
            cache.remove(0);
        }
        cache.push((url.into(), parsed.clone()));
        parsed
    })
}

/// An attribute value the span and the metrics share without copying the text.
fn shared(s: &str) -> StringValue {
    StringValue::from(Arc::<str>::from(s))
}

/// `s` as a static string when it is one of `known` (no allocation), shared otherwise.
fn interned(s: &str, known: &[&'static str]) -> StringValue {
    known.iter().find(|k| **k == s).map_or_else(|| shared(s), |k| StringValue::from(*k))
}

const OPERATIONS: [&str; 5] = ["chat", "embeddings", "responses", "text_completion", "generate_content"];
const GATEWAYS: [&str; 2] = ["vercel", "openrouter"];

#[derive(Deserialize, Default)]
struct RequestParams {
    max_tokens: Option<i64>,
    max_completion_tokens: Option<i64>,
    max_output_tokens: Option<i64>,
    temperature: Option<f64>,
    top_p: Option<f64>,
    seed: Option<i64>,
    n: Option<i64>,
}

#[derive(Deserialize, Default)]
struct RequestContent {
    messages: Option<Value>,
    input: Option<Value>,
    instructions: Option<Value>,
}

/// Usage figures read from an answer.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Usage {
    input: Option<i64>,
    output: Option<i64>,
    cache_read: Option<i64>,
    reasoning: Option<i64>,
    cost: Option<f64>,
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn int(v: Option<&Value>) -> Option<i64> {
    v?.as_i64()
}

/// `value` at `path` (object keys, or array indexes as digits): what `Value::pointer` finds,
/// without its two string allocations per step (they were a quarter of the recorder's work).
fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, step| match v {
        Value::Object(map) => map.get(*step),
        Value::Array(items) => items.get(step.parse::<usize>().ok()?),
        _ => None,
    })
}

/// Usage figures of a `usage` object, read in one pass over its entries (each lookup by key
/// hashes it, and a chunk is mostly made of keys that are absent).
fn usage_of(u: &serde_json::Map<String, Value>) -> Option<Usage> {
    let (mut input, mut input_alt, mut output, mut output_alt) = (None, None, None, None);
    let (mut cache, mut cache_alt, mut reasoning, mut reasoning_alt, mut cost) = (None, None, None, None, None);
    for (key, value) in u {
        match key.as_str() {
            "prompt_tokens" => input = int(Some(value)),
            "input_tokens" => input_alt = int(Some(value)),
            "completion_tokens" => output = int(Some(value)),
            "output_tokens" => output_alt = int(Some(value)),
            "prompt_tokens_details" => cache = int(value.get("cached_tokens")),
            "input_tokens_details" => cache_alt = int(value.get("cached_tokens")),
            "completion_tokens_details" => reasoning = int(value.get("reasoning_tokens")),
            "output_tokens_details" => reasoning_alt = int(value.get("reasoning_tokens")),
            "cost" => cost = number(Some(value)),
            _ => {}
        }
    }
    let usage = Usage {
        input: input.or(input_alt),
        output: output.or(output_alt),
        cache_read: cache.or(cache_alt),
        reasoning: reasoning.or(reasoning_alt),
        cost,
    };
    (usage != Usage::default()).then_some(usage)
}

/// The gateway's routing metadata (`gateway` inside `provider_metadata`): Vercel puts it in a
/// choice's message (or delta), or at the top level (camelCase in some answers).
fn gateway_meta<'a>(choice: Option<&'a Value>, top: [Option<&'a Value>; 2]) -> Option<&'a Value> {
    choice
        .and_then(|c| {
            at(c, &["message", "provider_metadata", "gateway"])
                .or_else(|| at(c, &["delta", "provider_metadata", "gateway"]))
        })
        .or_else(|| top.into_iter().flatten().find_map(|m| m.get("gateway")))
}

/// Text of an OpenAI-style `content` (a string or a list of parts).
fn text_parts(content: &Value) -> Vec<Value> {
    match content {
        Value::String(s) => vec![serde_json::json!({"type": "text", "content": s})],
        Value::Array(items) => items
            .iter()
            .map(|p| match p.get("text").and_then(Value::as_str) {
                Some(t) => serde_json::json!({"type": "text", "content": t}),
                None => serde_json::json!({"type": p.get("type").and_then(Value::as_str).unwrap_or("unknown")}),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// OpenAI-style messages in the GenAI conventions' message shape (role + parts).
fn convention_messages(messages: &Value) -> Value {
    let Some(items) = messages.as_array() else {
        return Value::Array(
            text_parts(messages).into_iter().map(|p| serde_json::json!({"role": "user", "parts": [p]})).collect(),
        );
    };
    let converted = items
        .iter()
        .map(|m| {
            let mut parts = m.get("content").map(text_parts).unwrap_or_default();
            if let Some(calls) = m.get("tool_calls").and_then(Value::as_array) {
                for call in calls {
                    parts.push(serde_json::json!({
                        "type": "tool_call",
                        "id": call.get("id"),
                        "name": call.pointer("/function/name"),
                        "arguments": call.pointer("/function/arguments"),
                    }));
                }
            }
            let mut out =
                serde_json::json!({"role": m.get("role").cloned().unwrap_or(Value::from("user")), "parts": parts});
            if let Some(reason) = m.get("finish_reason") {
                out["finish_reason"] = reason.clone();
            }
            out
        })
        .collect();
    Value::Array(converted)
}

/// What a stream has shown so far.
#[derive(Default)]
struct Seen {
    chunks: u64,
    response_model: Option<String>,
    response_id: Option<String>,
    finish_reasons: Vec<String>,
    usage: Option<Usage>,
    upstream: Option<String>,
    gateway_cost: Option<f64>,
    text: String,
}

impl Seen {
    /// Takes what telemetry records from one answer or chunk, in one pass over its top-level
    /// entries: chat completions and their chunks, Responses API objects, embeddings; Vercel's
    /// routing metadata or OpenRouter's top-level `provider`.
    fn absorb(&mut self, answer: &Value) {
        let Some(object) = answer.as_object() else { return };
        let (mut choices, mut status, mut has_output, mut provider) = (None, None, false, None);
        let mut top_meta = [None, None];
        for (key, value) in object {
            match key.as_str() {
                "model" if self.response_model.is_none() => {
                    self.response_model = value.as_str().map(str::to_string);
                }
                "id" if self.response_id.is_none() => self.response_id = value.as_str().map(str::to_string),
                "choices" => choices = value.as_array(),
                "status" => status = value.as_str(),
                "output" => has_output = true,
                "usage" => {
                    if let Some(u) = value.as_object().and_then(usage_of) {
                        self.usage = Some(u);
                    }
                }
                "provider_metadata" => top_meta[0] = Some(value),
                "providerMetadata" => top_meta[1] = Some(value),
                "provider" => provider = Some(value),
                _ => {}
            }
        }
        for c in choices.into_iter().flatten() {
            if let Some(r) = c.get("finish_reason").and_then(Value::as_str) {
                self.finish_reasons.push(r.to_string());
            }
        }
        if let Some(status) = status.filter(|_| has_output) {
            self.finish_reasons.push(status.to_string());
        }
        let meta = gateway_meta(choices.and_then(|c| c.first()), top_meta);
        let upstream = meta
            .and_then(|m| at(m, &["routing", "finalProvider"]).or_else(|| at(m, &["routing", "resolvedProvider"])))
            .or(provider)
            .and_then(Value::as_str);
        if let Some(p) = upstream {
            self.upstream = Some(p.to_string());
        }
        if let Some(cost) = meta.and_then(|m| number(m.get("cost"))) {
            self.gateway_cost = Some(cost);
        }
    }
}

/// Records one call. Created by [`super::start_call`]; see the module docs for the protocol.
pub struct CallRecorder {
    telemetry: Arc<Telemetry>,
    span: opentelemetry_sdk::trace::Span,
    started: Instant,
    first_chunk: Option<Duration>,
    operation: StringValue,
    provider: StringValue,
    request_model: Option<StringValue>,
    server_address: Option<StringValue>,
    server_port: Option<i64>,
    stream: bool,
    retries: u32,
    seen: Seen,
    finished: bool,
}

impl std::fmt::Debug for CallRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallRecorder").field("operation", &self.operation).field("model", &self.request_model).finish()
    }
}

impl CallRecorder {
    /// Opens the span of a call on `telemetry`.
    pub fn start(telemetry: Arc<Telemetry>, info: &CallInfo<'_>) -> CallRecorder {
        let operation = if info.operation.is_empty() { "chat" } else { info.operation };
        let name = match info.model {
            Some(m) => format!("{operation} {m}"),
            None => operation.to_string(),
        };
        let operation = interned(operation, &OPERATIONS);
        let provider = StringValue::from(info.model.map_or(Cow::Borrowed("_OTHER"), sc::provider_name));
        let request_model = info.model.map(shared);
        let (server_address, server_port) = server(info.url);
        let mut attributes = Vec::with_capacity(16);
        attributes.extend([
            KeyValue::new(sc::OPERATION_NAME, operation.clone()),
            KeyValue::new(sc::PROVIDER_NAME, provider.clone()),
            KeyValue::new(sc::GATEWAY, interned(info.gateway, &GATEWAYS)),
        ]);
        if let Some(m) = &request_model {
            attributes.push(KeyValue::new(sc::REQUEST_MODEL, m.clone()));
        }
        if let Some(a) = &server_address {
            attributes.push(KeyValue::new(sc::SERVER_ADDRESS, a.clone()));
        }
        if let Some(p) = server_port {
            attributes.push(KeyValue::new(sc::SERVER_PORT, p));
        }
        if info.stream {
            attributes.push(KeyValue::new(sc::REQUEST_STREAM, true));
        }
        let capture = telemetry.config().capture_content;
        if let Some(body) = info.request {
            request_attributes(body, capture, &mut attributes);
        }
        let parent = info.traceparent.and_then(parent_context).unwrap_or_default();
        let span = telemetry
            .tracer
            .span_builder(name)
            .with_kind(SpanKind::Client)
            .with_attributes(attributes)
            .start_with_context(&telemetry.tracer, &parent);
        CallRecorder {
            telemetry,
            span,
            started: Instant::now(),
            first_chunk: None,
            operation,
            provider,
            request_model,
            server_address,
            server_port,
            stream: info.stream,
            retries: 0,
            seen: Seen::default(),
            finished: false,
        }
    }

    /// The `traceparent` to send with the gateway request, naming this span as the parent.
    pub fn traceparent(&self) -> Option<String> {
        let sc = self.span.span_context();
        sc.is_valid().then(|| format_traceparent(sc))
    }

    /// Whether the span is recorded (sampled); when not, content need not be prepared.
    pub fn is_recording(&self) -> bool {
        self.span.is_recording()
    }

    /// Records the routing decision (the router's explanation, one line).
    pub fn set_route(&mut self, decision: &str) {
        self.span.set_attribute(KeyValue::new(sc::ROUTE, decision.to_string()));
    }

    /// Records the gateway actually used, when routing or failover changed it after the start.
    pub fn set_gateway(&mut self, gateway: &str, url: &str) {
        self.span.set_attribute(KeyValue::new(sc::GATEWAY, interned(gateway, &GATEWAYS)));
        let (address, port) = server(url);
        if let Some(a) = &address {
            self.span.set_attribute(KeyValue::new(sc::SERVER_ADDRESS, a.clone()));
        }
        if let Some(p) = port {
            self.span.set_attribute(KeyValue::new(sc::SERVER_PORT, p));
        }
        self.server_address = address;
        self.server_port = port;
    }

    /// Records how many retries were made (for a stream: before its first chunk).
    pub fn set_retries(&mut self, retries: u32) {
        self.retries = retries;
    }

    /// Records the answer of a non-streamed call (a chat completion, Responses API object,
    /// embeddings list, …) and ends the span.
    pub fn finish_ok(mut self, response: &Value, retries: u32) {
        self.retries = retries;
        self.seen.absorb(response);
        if self.telemetry.config().capture_content && self.span.is_recording() {
            let output = output_messages(response);
            if !output.as_array().is_some_and(Vec::is_empty) {
                self.span.set_attribute(KeyValue::new(sc::OUTPUT_MESSAGES, output.to_string()));
            }
        }
        self.end(None, true);
    }

    /// Records a failed call and ends the span.
    pub fn finish_err(mut self, error: &Error) {
        if let Some(r) = retries_of(error) {
            self.retries = r;
        }
        self.end(Some(error), true);
    }

    /// Records one chunk of a stream.
    pub fn chunk(&mut self, chunk: &Value) {
        if self.first_chunk.is_none() {
            self.first_chunk = Some(self.started.elapsed());
        }
        self.seen.chunks += 1;
        self.seen.absorb(chunk);
        if self.telemetry.config().capture_content {
            if let Some(text) = at(chunk, &["choices", "0", "delta", "content"]).and_then(Value::as_str) {
                self.seen.text.push_str(text);
            }
        }
    }

    /// Ends a stream's span: `None` when it ran to its end, the error when it broke.
    pub fn finish_stream(mut self, error: Option<&Error>) {
        if self.telemetry.config().capture_content && self.span.is_recording() && error.is_none() {
            let reason = self.seen.finish_reasons.last().cloned();
            let message = serde_json::json!([{
                "role": "assistant",
                "parts": [{"type": "text", "content": self.seen.text}],
                "finish_reason": reason,
            }]);
            self.span.set_attribute(KeyValue::new(sc::OUTPUT_MESSAGES, message.to_string()));
        }
        self.end(error, true);
    }

    /// The metrics' attributes without `error.type` (the token histogram has none).
    fn metric_attributes(&self, response_model: Option<&StringValue>) -> Vec<KeyValue> {
        let mut attrs = Vec::with_capacity(8);
        attrs.push(KeyValue::new(sc::OPERATION_NAME, self.operation.clone()));
        attrs.push(KeyValue::new(sc::PROVIDER_NAME, self.provider.clone()));
        if let Some(m) = &self.request_model {
            attrs.push(KeyValue::new(sc::REQUEST_MODEL, m.clone()));
        }
        if let Some(m) = response_model {
            attrs.push(KeyValue::new(sc::RESPONSE_MODEL, m.clone()));
        }
        if let Some(a) = &self.server_address {
            attrs.push(KeyValue::new(sc::SERVER_ADDRESS, a.clone()));
        }
        if let Some(p) = self.server_port {
            attrs.push(KeyValue::new(sc::SERVER_PORT, p));
        }
        attrs
    }

    fn end(&mut self, error: Option<&Error>, completed: bool) {
        if self.finished {
            return;
        }
        self.finished = true;
        let elapsed = self.started.elapsed();
        let seen = std::mem::take(&mut self.seen);
        let error_type = error.map(|e| StringValue::from(error_type(e)));
        let response_model = seen.response_model.as_deref().map(shared);
        let span = &mut self.span;
        span.set_attribute(KeyValue::new(sc::ATTEMPTS, i64::from(self.retries) + 1));
        span.set_attribute(KeyValue::new(sc::RETRIES, i64::from(self.retries)));
        if let Some(m) = &response_model {
            span.set_attribute(KeyValue::new(sc::RESPONSE_MODEL, m.clone()));
        }
        if let Some(id) = seen.response_id {
            span.set_attribute(KeyValue::new(sc::RESPONSE_ID, id));
        }
        if !seen.finish_reasons.is_empty() {
            let reasons: Vec<StringValue> = seen.finish_reasons.into_iter().map(StringValue::from).collect();
            span.set_attribute(KeyValue::new(sc::RESPONSE_FINISH_REASONS, OtelValue::Array(Array::String(reasons))));
        }
        if let Some(u) = seen.usage {
            for (key, v) in [
                (sc::USAGE_INPUT_TOKENS, u.input),
                (sc::USAGE_OUTPUT_TOKENS, u.output),
                (sc::USAGE_CACHE_READ_INPUT_TOKENS, u.cache_read),
                (sc::USAGE_REASONING_OUTPUT_TOKENS, u.reasoning),
            ] {
                if let Some(v) = v {
                    span.set_attribute(KeyValue::new(key, v));
                }
            }
        }
        if let Some(cost) = seen.usage.and_then(|u| u.cost).or(seen.gateway_cost) {
            span.set_attribute(KeyValue::new(sc::COST, cost));
        }
        if let Some(p) = seen.upstream {
            span.set_attribute(KeyValue::new(sc::UPSTREAM_PROVIDER, p));
        }
        if self.stream {
            span.set_attribute(KeyValue::new(sc::STREAM_CHUNKS, i64::try_from(seen.chunks).unwrap_or(i64::MAX)));
            span.set_attribute(KeyValue::new(sc::STREAM_COMPLETED, completed && error.is_none()));
            if let Some(t) = self.first_chunk {
                span.set_attribute(KeyValue::new(sc::RESPONSE_TIME_TO_FIRST_CHUNK, t.as_secs_f64()));
            }
        }
        if let (Some(e), Some(kind)) = (error, &error_type) {
            span.set_attribute(KeyValue::new(sc::ERROR_TYPE, kind.clone()));
            span.set_status(Status::error(e.to_string()));
        }
        span.end();
        if let Some(instruments) = &self.telemetry.instruments {
            // One attribute list, extended and shrunk in place for each record.
            let mut attrs = self.metric_attributes(response_model.as_ref());
            if let Some(u) = seen.usage {
                for (kind, v) in [("input", u.input), ("output", u.output)] {
                    if let Some(v) = v.and_then(|v| u64::try_from(v).ok()) {
                        attrs.push(KeyValue::new(sc::TOKEN_TYPE, kind));
                        instruments.tokens.record(v, &attrs);
                        attrs.pop();
                    }
                }
            }
            if let Some(kind) = error_type {
                attrs.push(KeyValue::new(sc::ERROR_TYPE, kind));
            }
            instruments.duration.record(elapsed.as_secs_f64(), &attrs);
            if let Some(t) = self.first_chunk {
                instruments.first_chunk.record(t.as_secs_f64(), &attrs);
            }
        }
    }
}

impl Drop for CallRecorder {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if self.seen.chunks > 0 {
            // The caller stopped reading a stream: not an error, but not complete either.
            self.end(None, false);
        } else {
            let cancelled = Error::usage("The call was cancelled before it completed.");
            self.end(Some(&cancelled), false);
        }
    }
}

fn output_messages(response: &Value) -> Value {
    if let Some(choices) = response.get("choices").and_then(Value::as_array) {
        let messages: Vec<Value> = choices
            .iter()
            .filter_map(|c| {
                let mut m = c.get("message")?.clone();
                if let (Some(obj), Some(reason)) = (m.as_object_mut(), c.get("finish_reason")) {
                    obj.insert("finish_reason".into(), reason.clone());
                }
                Some(m)
            })
            .collect();
        return convention_messages(&Value::Array(messages));
    }
    if let Some(output) = response.get("output").and_then(Value::as_array) {
        let messages: Vec<Value> =
            output.iter().filter(|o| o.get("type").and_then(Value::as_str) == Some("message")).cloned().collect();
        let converted: Vec<Value> = messages
            .iter()
            .map(|m| {
                let parts: Vec<Value> = m
                    .get("content")
                    .and_then(Value::as_array)
                    .map(|c| {
                        c.iter()
                            .filter_map(|p| p.get("text").and_then(Value::as_str))
                            .map(|t| serde_json::json!({"type": "text", "content": t}))
                            .collect()
                    })
                    .unwrap_or_default();
                serde_json::json!({"role": "assistant", "parts": parts})
            })
            .collect();
        return Value::Array(converted);
    }
    Value::Array(Vec::new())
}

impl RequestParams {
    /// The parameters of a JSON body, in one pass over its entries.
    fn of(body: &Value) -> RequestParams {
        let mut p = RequestParams::default();
        for (key, v) in body.as_object().into_iter().flatten() {
            match key.as_str() {
                "max_tokens" => p.max_tokens = v.as_i64(),
                "max_completion_tokens" => p.max_completion_tokens = v.as_i64(),
                "max_output_tokens" => p.max_output_tokens = v.as_i64(),
                "temperature" => p.temperature = v.as_f64(),
                "top_p" => p.top_p = v.as_f64(),
                "seed" => p.seed = v.as_i64(),
                "n" => p.n = v.as_i64(),
                _ => {}
            }
        }
        p
    }
}

fn request_attributes(body: RequestBody<'_>, capture_content: bool, into: &mut Vec<KeyValue>) {
    // Read from the JSON the client built rather than from bytes encoded only to be parsed again.
    let params = match body {
        RequestBody::Json(v) => Some(RequestParams::of(v)),
        RequestBody::Bytes(b) => serde_json::from_slice::<RequestParams>(b).ok(),
    };
    if let Some(p) = params {
        if let Some(max) = p.max_tokens.or(p.max_completion_tokens).or(p.max_output_tokens) {
            into.push(KeyValue::new(sc::REQUEST_MAX_TOKENS, max));
        }
        if let Some(t) = p.temperature {
            into.push(KeyValue::new(sc::REQUEST_TEMPERATURE, t));
        }
        if let Some(t) = p.top_p {
            into.push(KeyValue::new(sc::REQUEST_TOP_P, t));
        }
        if let Some(s) = p.seed {
            into.push(KeyValue::new(sc::REQUEST_SEED, s));
        }
        if let Some(n) = p.n.filter(|n| *n != 1) {
            into.push(KeyValue::new(sc::REQUEST_CHOICE_COUNT, n));
        }
    }
    if capture_content {
        let content = match body {
            RequestBody::Json(v) => Some(RequestContent {
                messages: v.get("messages").cloned(),
                input: v.get("input").cloned(),
                instructions: v.get("instructions").cloned(),
            }),
            RequestBody::Bytes(b) => serde_json::from_slice::<RequestContent>(b).ok(),
        };
        if let Some(c) = content {
            let mut messages =
                c.messages.or(c.input).map(|m| convention_messages(&m)).unwrap_or(Value::Array(Vec::new()));
            if let (Some(instructions), Some(list)) =
                (c.instructions.as_ref().and_then(Value::as_str), messages.as_array_mut())
            {
                list.insert(
                    0,
                    serde_json::json!({"role": "system", "parts": [{"type": "text", "content": instructions}]}),
                );
            }
            into.push(KeyValue::new(sc::INPUT_MESSAGES, messages.to_string()));
        }
    }
}

fn retries_of(error: &Error) -> Option<u32> {
    match error {
        Error::Connection { retries_taken, .. } | Error::Timeout { retries_taken, .. } => Some(*retries_taken),
        Error::Status(e) => Some(e.retries_taken),
        _ => None,
    }
}

/// The low-cardinality `error.type` of an error: the gateway's error type, else the HTTP
/// status, else the Python exception class the error maps to.
pub fn error_type(error: &Error) -> String {
    match error {
        Error::Status(e) => e.error_type.clone().unwrap_or_else(|| e.status.to_string()),
        Error::Connection { .. } => "APIConnectionError".to_string(),
        Error::Timeout { .. } => "APITimeoutError".to_string(),
        Error::Decode { .. } => "APIResponseValidationError".to_string(),
        Error::Credentials { .. } => "CredentialsError".to_string(),
        Error::Config { .. } => "ConfigError".to_string(),
        Error::Usage { message } if message.starts_with("The call was cancelled") => "cancelled".to_string(),
        Error::Usage { .. } => "UsageError".to_string(),
        Error::Internal { .. } => "_OTHER".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn seen(answers: &[Value]) -> Seen {
        let mut s = Seen::default();
        for a in answers {
            s.absorb(a);
        }
        s
    }

    #[test]
    fn traceparents_round_trip() {
        let tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        let context = parent_context(tp).unwrap();
        let sc = context.span().span_context().clone();
        assert_eq!(format_traceparent(&sc), tp);
        let unsampled = SpanContext::new(
            TraceId::from(1),
            SpanId::from(u64::MAX),
            TraceFlags::default(),
            false,
            TraceState::default(),
        );
        assert_eq!(format_traceparent(&unsampled), "00-00000000000000000000000000000001-ffffffffffffffff-00");
    }

    #[test]
    fn a_chat_completion_with_vercel_metadata() {
        let s = seen(&[json!({
            "id": "gen_1", "model": "openai/gpt-5", "object": "chat.completion",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hi",
                "provider_metadata": {"gateway": {"routing": {"resolvedProvider": "openai", "finalProvider": "azure"}, "cost": "0.25"}}}}],
            "usage": {"prompt_tokens": 19, "completion_tokens": 124, "cost": 0.0019,
                "prompt_tokens_details": {"cached_tokens": 3}, "completion_tokens_details": {"reasoning_tokens": 64}}
        })]);
        assert_eq!((s.response_id.as_deref(), s.response_model.as_deref()), (Some("gen_1"), Some("openai/gpt-5")));
        assert_eq!(s.finish_reasons, ["stop"]);
        let usage =
            Usage { input: Some(19), output: Some(124), cache_read: Some(3), reasoning: Some(64), cost: Some(0.0019) };
        assert_eq!(s.usage, Some(usage));
        assert_eq!((s.upstream.as_deref(), s.gateway_cost), (Some("azure"), Some(0.25)));
    }

    #[test]
    fn a_responses_api_object_with_camel_case_metadata() {
        let s = seen(&[json!({
            "id": "resp_1", "model": "m", "status": "completed", "output": [],
            "usage": {"input_tokens": 5, "output_tokens": 7, "input_tokens_details": {"cached_tokens": 1},
                "output_tokens_details": {"reasoning_tokens": 2}},
            "providerMetadata": {"gateway": {"routing": {"resolvedProvider": "openai"}, "cost": 0.5}}
        })]);
        assert_eq!(s.finish_reasons, ["completed"]);
        let usage = Usage { input: Some(5), output: Some(7), cache_read: Some(1), reasoning: Some(2), cost: None };
        assert_eq!(s.usage, Some(usage));
        assert_eq!((s.upstream.as_deref(), s.gateway_cost), (Some("openai"), Some(0.5)));
    }

    #[test]
    fn openrouter_chunks_keep_the_first_id_and_model_and_the_last_usage() {
        let s = seen(&[
            json!({"id": "a", "model": "first", "provider": "DeepInfra", "choices": [{"delta": {"content": "x"}, "finish_reason": null}]}),
            json!({"id": "b", "model": "second", "choices": [{"delta": {}, "finish_reason": "length"}, {"finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 2, "cost": "0.1"}}),
            json!({"choices": [], "usage": "not an object", "status": "done"}),
        ]);
        assert_eq!((s.response_id.as_deref(), s.response_model.as_deref()), (Some("a"), Some("first")));
        assert_eq!(s.finish_reasons, ["length", "stop"], "a status without output is not a finish reason");
        assert_eq!(s.usage.map(|u| (u.input, u.output, u.cost)), Some((Some(1), Some(2), Some(0.1))));
        assert_eq!(s.upstream.as_deref(), Some("DeepInfra"));
    }

    #[test]
    fn metadata_in_a_delta_and_at_the_top_level() {
        let s = seen(&[
            json!({"choices": [{"delta": {"provider_metadata": {"gateway": {"routing": {"finalProvider": "bedrock"}}}}}]}),
        ]);
        assert_eq!(s.upstream.as_deref(), Some("bedrock"));
        // Metadata without routing: the top-level `provider` names the upstream.
        let s = seen(&[json!({"provider_metadata": {"gateway": {"cost": 1}}, "provider": "Together"})]);
        assert_eq!((s.upstream.as_deref(), s.gateway_cost), (Some("Together"), Some(1.0)));
        let s = seen(&[
            json!({"provider_metadata": {}, "providerMetadata": {"gateway": {"routing": {"finalProvider": "vertex"}}}}),
        ]);
        assert_eq!(s.upstream.as_deref(), Some("vertex"), "either spelling, whichever holds `gateway`");
        let s = seen(&[json!("not an object"), json!({"usage": {}})]);
        assert_eq!((s.usage, s.upstream, s.finish_reasons.len()), (None, None, 0));
    }
}
