//! Raw pass-through: a request built by another HTTP client (the openai SDK's, through our
//! httpx transport) sent on the same data path as our own calls.
//!
//! Design:
//! - **Same path, other bytes.** [`Call::raw`] resolves the credential per call (the caller's
//!   `Authorization` is replaced, never forwarded), applies the client's attribution and default
//!   headers, timeouts and retries ([`Call::with_retries`]), routes chat and embeddings bodies
//!   through the client's router with failover ([`Call::failover`], decided by
//!   [`super::decide`], the function the typed calls use), and reports to telemetry. Only the
//!   answer differs: status, headers and bytes, untouched, so the caller's own client decodes
//!   them and raises its own errors.
//! - **A status is an answer.** A non-2xx reply is retried and failed over like any other call
//!   (the attempt's error is built by [`super::status_error_from_parts`] so the rules are the
//!   same), and when none is left it is returned as a response (status, headers, whole body),
//!   not as an error. Transport failures and timeouts stay errors.
//! - **Streams pass raw bytes.** An event-stream answer (or any answer when the caller asks for
//!   a stream) is handed out as a [`ByteStream`] whose first chunk is read ahead inside the
//!   first-byte timeout, so failures before any output are retried and none after. Each later
//!   read is bounded by the idle timeout. Other answers are read whole within the total timeout.
//! - **Parsing only when someone looks.** The request body is decoded (for its model) only when a
//!   router or telemetry needs it ([`RawRequest::generation`]); answers are decoded only for
//!   telemetry, by a small observer that frames the SSE bytes it sees with the client's own
//!   decoder ([`super::sse_frame`]).

use std::collections::HashSet;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use serde_json::Value;

use super::sse_frame::Decoder;
use super::{
    decide, describe_reqwest_error, read_limited, status_error_from_envelope, status_error_from_parts, Attempt, Call,
    Outcome, Prepared, Timeouts,
};
use crate::auth::Skipped;
use crate::catalog::Gateway;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::telemetry::CallRecorder;

/// Headers of the caller's request that describe its own connection, not the request; reqwest
/// sets its own. `accept-encoding` is dropped too, so answers arrive uncompressed (the bytes are
/// then what the caller's decoder and our telemetry observer expect).
const CONNECTION_HEADERS: [&str; 11] = [
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "accept-encoding",
];

/// The most of a streamed answer the telemetry observer holds: a whole non-SSE body, or one
/// SSE line or event (past it, the observer stops looking; the caller still gets every byte).
const OBSERVED_LIMIT: usize = 4 * 1024 * 1024;

/// A request from another HTTP client, to send to the gateway as one of our own calls.
#[derive(Clone)]
pub struct RawRequest {
    /// The HTTP method.
    pub method: reqwest::Method,
    /// Path and query relative to the gateway's base URL, e.g. `/chat/completions`.
    pub path_and_query: String,
    /// The caller's headers as sent. `authorization` and connection-level headers are dropped;
    /// the rest are sent after the client's default headers (so they win) and before per-call
    /// ones such as `traceparent`.
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// The body, sent as is (with the caller's `content-type`, else as JSON).
    pub body: Option<Bytes>,
    /// Hand any successful answer out as a stream; event streams always are.
    pub stream: bool,
}

impl std::fmt::Debug for RawRequest {
    // Header values may hold credentials: only names are shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self.headers.iter().map(|(n, _)| String::from_utf8_lossy(n).into_owned()).collect();
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("path_and_query", &self.path_and_query)
            .field("headers", &names)
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .field("stream", &self.stream)
            .finish()
    }
}

/// What a chat or embeddings request body says about the call: routable and recorded.
#[derive(Debug, Clone)]
pub struct Generation {
    /// The GenAI operation: `chat` or `embeddings`.
    pub operation: &'static str,
    /// The model id of the body.
    pub model: String,
    /// Whether the body asks for a stream.
    pub stream: bool,
    /// The decoded body.
    pub body: Value,
}

impl RawRequest {
    /// The call a `POST /chat/completions` or `POST /embeddings` JSON body with a string `model`
    /// describes; `None` for anything else (which is still sent, just not routed or recorded
    /// as a GenAI call). Decodes the body, so call it only when a router or telemetry needs it.
    pub fn generation(&self) -> Option<Generation> {
        if self.method != reqwest::Method::POST {
            return None;
        }
        let path = self.path_and_query.split('?').next().unwrap_or_default();
        let operation = match path.trim_end_matches('/') {
            "/chat/completions" => "chat",
            "/embeddings" => "embeddings",
            _ => return None,
        };
        let body: Value = serde_json::from_slice(self.body.as_ref()?).ok()?;
        let model = body.get("model")?.as_str()?.to_string();
        let stream = body.get("stream").and_then(Value::as_bool).unwrap_or(false);
        Some(Generation { operation, model, stream, body })
    }

    fn check(&self) -> Result<()> {
        let p = &self.path_and_query;
        let valid = p.starts_with('/')
            && !p.starts_with("//")
            && !p.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control() || b == b'#');
        if valid {
            Ok(())
        } else {
            Err(Error::usage(
                "The raw request path must be a path relative to the gateway's base URL, such as \"/chat/completions\".",
            ))
        }
    }
}

/// The answer to a raw request: status, headers and body as the gateway sent them.
pub struct RawResponse {
    /// The HTTP status (any: a non-2xx reply that was not retried away is an answer too).
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The URL that answered (never carries credentials).
    pub url: String,
    /// The body, whole or streamed.
    pub body: RawBody,
    /// The routing decision, explained, when a router decided.
    pub routing: Option<String>,
}

impl std::fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("url", &self.url)
            .field("stream", &self.body.is_stream())
            .finish_non_exhaustive()
    }
}

/// The body of a [`RawResponse`].
pub enum RawBody {
    /// Read whole; handed out by the first [`RawBody::next_chunk`].
    Full(Option<Bytes>),
    /// Streamed as it arrives.
    Stream(Box<ByteStream>),
}

impl RawBody {
    /// The next piece of the body, or `None` at its end.
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>> {
        match self {
            RawBody::Full(bytes) => Ok(bytes.take().filter(|b| !b.is_empty())),
            RawBody::Stream(stream) => stream.next_chunk().await,
        }
    }

    /// Stops reading and closes the connection; later reads return `None`.
    pub fn close(&mut self) {
        match self {
            RawBody::Full(bytes) => *bytes = None,
            RawBody::Stream(stream) => stream.close(),
        }
    }

    /// Whether the body is streamed.
    pub fn is_stream(&self) -> bool {
        matches!(self, RawBody::Stream(_))
    }
}

/// A response body read as it arrives, each wait bounded by the idle timeout. Dropping it
/// closes the connection.
pub struct ByteStream {
    body: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>,
    url: String,
    idle: Duration,
    /// The first chunk, read ahead by `prefetch`.
    pending: Option<Bytes>,
    finished: bool,
    /// Bytes read from the network (the prefetched chunk included).
    read: u64,
    observer: Option<Observer>,
    /// The credential the request carried, redacted from an error event telemetry records.
    credential: Option<Secret>,
}

impl ByteStream {
    fn new(response: reqwest::Response, url: &str, idle: Duration, credential: Option<Secret>) -> Self {
        ByteStream {
            body: Box::pin(response.bytes_stream()),
            url: url.to_string(),
            idle,
            pending: None,
            finished: false,
            read: 0,
            observer: None,
            credential,
        }
    }

    /// Reads the first chunk ahead, so a failure before any output can still be retried.
    async fn prefetch(&mut self) -> Result<()> {
        if self.pending.is_none() && self.read == 0 {
            self.pending = self.read_next().await?;
        }
        Ok(())
    }

    /// Hands the call's span to the stream, which decodes what passes through for it and ends
    /// it with the stream.
    fn observe(&mut self, recorder: CallRecorder, sse: bool, retries: u32) {
        let mut observer = Observer {
            recorder,
            sse,
            retries,
            buffer: Vec::new(),
            frames: Decoder::new(OBSERVED_LIMIT),
            error: None,
            url: self.url.clone(),
            credential: self.credential.take(),
        };
        if let Some(first) = &self.pending {
            observer.feed(first);
        }
        self.observer = Some(observer);
    }

    /// The next chunk of bytes, or `None` at the end of the body.
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>> {
        let (next, fresh) = match self.pending.take() {
            Some(chunk) => (Ok(Some(chunk)), false),
            None => (self.read_next().await, true),
        };
        match &next {
            Ok(Some(chunk)) if fresh => {
                if let Some(o) = self.observer.as_mut() {
                    o.feed(chunk);
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => {
                if let Some(o) = self.observer.take() {
                    o.finish(None);
                }
            }
            Err(e) => {
                if let Some(o) = self.observer.take() {
                    o.finish(Some(e));
                }
            }
        }
        next
    }

    /// Bytes read from the network so far.
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    /// Stops reading and drops the body, closing the connection. A span still open ends as
    /// stopped early.
    pub fn close(&mut self) {
        self.observer = None;
        self.pending = None;
        self.stop();
    }

    fn stop(&mut self) {
        self.finished = true;
        self.body = Box::pin(futures_util::stream::empty());
    }

    async fn read_next(&mut self) -> Result<Option<Bytes>> {
        loop {
            if self.finished {
                return Ok(None);
            }
            let item = match tokio::time::timeout(self.idle, self.body.next()).await {
                Ok(item) => item,
                Err(_) => {
                    self.stop();
                    return Err(Error::timeout(
                        format!(
                            "The response from {} sent nothing for {} s after {} bytes.",
                            self.url,
                            self.idle.as_secs_f64(),
                            self.read
                        ),
                        &self.url,
                    ));
                }
            };
            match item {
                None => self.stop(),
                Some(Ok(chunk)) if chunk.is_empty() => {}
                Some(Ok(chunk)) => {
                    self.read += chunk.len() as u64;
                    return Ok(Some(chunk));
                }
                Some(Err(e)) => {
                    self.stop();
                    let message = format!(
                        "The response from {} broke after {} bytes: {}.",
                        self.url,
                        self.read,
                        describe_reqwest_error(&e)
                    );
                    return Err(if e.is_timeout() {
                        Error::timeout(message, &self.url)
                    } else {
                        Error::connection(message, &self.url)
                    });
                }
            }
        }
    }
}

/// Decodes a streamed answer for telemetry only: SSE events into JSON chunks, or a streamed
/// JSON body as a whole at its end. Malformed input is ignored; the caller sees the bytes.
struct Observer {
    recorder: CallRecorder,
    sse: bool,
    /// Retries made before the stream was handed out.
    retries: u32,
    /// A whole non-SSE body.
    buffer: Vec<u8>,
    /// SSE framing of an event-stream answer.
    frames: Decoder,
    /// An error event seen inside the stream.
    error: Option<Error>,
    url: String,
    credential: Option<Secret>,
}

impl Observer {
    fn feed(&mut self, chunk: &[u8]) {
        if !self.sse {
            if self.buffer.len() + chunk.len() <= OBSERVED_LIMIT {
                self.buffer.extend_from_slice(chunk);
            }
            return;
        }
        self.frames.feed(chunk);
        self.take_events();
    }

    fn take_events(&mut self) {
        // A framing error (a line over the limit, invalid UTF-8) ends the observation only.
        while let Some(Ok(event)) = self.frames.next_event() {
            self.event(&event.data);
        }
    }

    fn event(&mut self, data: &str) {
        let data = data.trim();
        if data.is_empty() || data == "[DONE]" {
            return;
        }
        let Ok(value) = serde_json::from_str::<Value>(data) else { return };
        if value.get("error").is_some_and(|e| !e.is_null()) {
            let mut status = status_error_from_envelope(200, &value, &self.url);
            status.message = format!("The stream failed: {}", status.message);
            if let Some(secret) = &self.credential {
                status.redact(secret.expose());
            }
            self.error = Some(Error::Status(Box::new(status)));
        } else {
            self.recorder.chunk(&value);
        }
    }

    fn finish(mut self, error: Option<&Error>) {
        if !self.sse {
            match error {
                Some(e) => self.recorder.finish_err(e),
                None => {
                    let value = serde_json::from_slice(&self.buffer).unwrap_or(Value::Null);
                    self.recorder.finish_ok(&value, self.retries);
                }
            }
            return;
        }
        // Lenient, since this is only telemetry: a last event without its blank line counts.
        self.frames.end();
        self.take_events();
        match (self.error.take(), error) {
            (Some(in_band), _) => self.recorder.finish_stream(Some(&in_band)),
            (None, e) => self.recorder.finish_stream(e),
        }
    }
}

/// The last non-2xx answer of the current attempt, kept so it can be returned as the response
/// once retries and failover are exhausted.
type Stash = Mutex<Option<(Gateway, RawResponse)>>;

fn is_event_stream(headers: &HeaderMap) -> bool {
    headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/event-stream"))
}

impl Call<'_> {
    /// Sends a raw request (see the module docs): credentials, headers, timeouts, retries,
    /// routing with failover when `generation` is given and the client has a router, and
    /// telemetry through `recorder` (started by the caller, so it can join the caller's trace).
    /// Returns the answer whatever its status; errors are transport failures, timeouts,
    /// credential problems and invalid requests.
    pub async fn raw(
        &self,
        request: &RawRequest,
        generation: Option<&Generation>,
        mut recorder: Option<CallRecorder>,
    ) -> Result<Outcome<RawResponse>> {
        if let Err(e) = request.check() {
            if let Some(r) = recorder.take() {
                r.finish_err(&e);
            }
            return Err(e);
        }
        let stash: Stash = Mutex::new(None);
        let router = self.config.router.as_deref();
        let mut routing = None;
        let result = match (router, generation) {
            (Some(router), Some(g)) => {
                let (decision, explain) = decide(self.config, router, &g.model, &g.body, recorder.as_mut());
                routing = Some(explain);
                self.failover(router, &decision, |gateway, body| {
                    self.raw_to(gateway, request, Some(Bytes::from(body)), &stash)
                })
                .await
            }
            _ => {
                let gateway = self.config.gateway;
                let model = generation.map(|g| g.model.clone());
                self.raw_to(gateway, request, request.body.clone(), &stash).await.map(|(value, retries, skipped)| {
                    let attempt = Attempt { gateway, model: model.clone(), retries, error: None, status: None };
                    Outcome { value, skipped, retries_taken: retries, gateway, model, attempts: vec![attempt] }
                })
            }
        };
        let mut out = match result {
            Ok(out) => out,
            Err(error) => {
                if let Some(r) = recorder.take() {
                    r.finish_err(&error);
                }
                let stashed = stash.lock().ok().and_then(|mut s| s.take());
                let (Error::Status(e), Some((gateway, response))) = (&error, stashed) else { return Err(error) };
                let model = generation.map(|g| g.model.clone());
                let attempt = Attempt {
                    gateway,
                    model: model.clone(),
                    retries: e.retries_taken,
                    error: Some(e.message.clone()),
                    status: Some(e.status),
                };
                let value = RawResponse { routing, ..response };
                return Ok(Outcome {
                    value,
                    skipped: Vec::new(),
                    retries_taken: e.retries_taken,
                    gateway,
                    model,
                    attempts: vec![attempt],
                });
            }
        };
        out.value.routing = routing;
        if let Some(mut r) = recorder.take() {
            if out.attempts.len() > 1 {
                r.set_gateway(out.gateway.as_str(), self.config.base_url_for(out.gateway));
            }
            let sse = is_event_stream(&out.value.headers);
            match &mut out.value.body {
                RawBody::Full(bytes) => {
                    let value = bytes.as_ref().and_then(|b| serde_json::from_slice(b).ok()).unwrap_or(Value::Null);
                    r.finish_ok(&value, out.retries_taken);
                }
                RawBody::Stream(stream) => {
                    r.set_retries(out.retries_taken);
                    stream.observe(r, sse, out.retries_taken);
                }
            }
        }
        Ok(out)
    }

    /// One gateway, with same-gateway retries: the answer, the retries made and the credential
    /// sources skipped.
    async fn raw_to(
        &self,
        gateway: Gateway,
        request: &RawRequest,
        body: Option<Bytes>,
        stash: &Stash,
    ) -> Result<(RawResponse, u32, Vec<Skipped>)> {
        let (token, source, skipped) = self.credential(gateway).await?;
        let headers = self.raw_headers(&token, &source, &request.headers)?;
        let url = format!("{}{}", self.config.base_url_for(gateway), request.path_and_query);
        let prepared = Prepared { method: request.method.clone(), url, headers, body };
        let timeouts = self.timeouts();
        let (response, retries) =
            self.with_retries(|| self.raw_once(gateway, &prepared, &timeouts, request.stream, stash)).await?;
        Ok((response, retries, skipped))
    }

    /// Our headers (attribution, defaults, per-call, authorization) with the caller's merged in
    /// between the defaults and the per-call ones.
    fn raw_headers(&self, token: &Secret, source: &str, theirs: &[(Vec<u8>, Vec<u8>)]) -> Result<HeaderMap> {
        let mut headers = self.headers(token, source)?;
        let ours: HashSet<String> = self.options.extra_headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
        let mut seen: HashSet<HeaderName> = HashSet::new();
        for (name, value) in theirs {
            let name = HeaderName::from_bytes(name)
                .map_err(|_| Error::config("headers", "A request header name is not valid in HTTP.".to_string()))?;
            if name == AUTHORIZATION || CONNECTION_HEADERS.contains(&name.as_str()) || ours.contains(name.as_str()) {
                continue;
            }
            let value = HeaderValue::from_bytes(value).map_err(|_| {
                Error::config("headers", format!("The value of request header `{name}` is not valid in HTTP."))
            })?;
            if seen.insert(name.clone()) {
                headers.insert(name, value);
            } else {
                headers.append(name, value);
            }
        }
        Ok(headers)
    }

    /// One attempt. A non-2xx answer is read whole, stashed, and returned as its typed error
    /// so the retry and failover rules apply to it.
    async fn raw_once(
        &self,
        gateway: Gateway,
        req: &Prepared,
        timeouts: &Timeouts,
        stream: bool,
        stash: &Stash,
    ) -> Result<RawResponse> {
        if let Ok(mut s) = stash.lock() {
            *s = None;
        }
        let started = Instant::now();
        let response = self.send_unchecked(req, timeouts).await?;
        let status = response.status();
        let headers = response.headers().clone();
        let url = req.url.clone();
        if status.is_success() && (stream || is_event_stream(&headers)) {
            let mut body = ByteStream::new(response, &url, timeouts.idle(), req.credential().map(Secret::new));
            let wait = timeouts.first_byte().saturating_sub(started.elapsed());
            tokio::time::timeout(wait, body.prefetch()).await.map_err(|_| {
                Error::timeout(
                    format!("The response from {url} sent no body within {} s.", timeouts.first_byte().as_secs_f64()),
                    &url,
                )
            })??;
            let body = RawBody::Stream(Box::new(body));
            return Ok(RawResponse { status: status.as_u16(), headers, url, body, routing: None });
        }
        let wait = timeouts.total.saturating_sub(started.elapsed());
        let limit = self.config.limits.max_body_bytes;
        let bytes = tokio::time::timeout(wait, read_limited(response, &url, timeouts, limit))
            .await
            .map_err(|_| {
                Error::timeout(
                    format!("The request to {url} did not complete within {} s.", timeouts.total.as_secs_f64()),
                    &url,
                )
            })?
            .map(Bytes::from)?;
        let (bytes, headers) = if status.is_success() { (bytes, headers) } else { redact_answer(req, bytes, headers) };
        let answer = RawResponse {
            status: status.as_u16(),
            headers,
            url: url.clone(),
            body: RawBody::Full(Some(bytes.clone())),
            routing: None,
        };
        if status.is_success() {
            return Ok(answer);
        }
        let error = status_error_from_parts(status.as_u16(), &url, &answer.headers, &bytes);
        if let Ok(mut s) = stash.lock() {
            *s = Some((gateway, answer));
        }
        Err(error)
    }
}

/// A non-2xx answer with the request's credential replaced wherever the body quotes it (some
/// servers echo the key they received); the caller's client would otherwise put it into its
/// exception message. `content-length` follows the new body.
fn redact_answer(req: &Prepared, bytes: Bytes, mut headers: HeaderMap) -> (Bytes, HeaderMap) {
    let Some(clean) = req.credential().and_then(|secret| crate::error::redact_bytes(&bytes, secret)) else {
        return (bytes, headers);
    };
    if headers.contains_key(CONTENT_LENGTH) {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(clean.len()));
    }
    (Bytes::from(clean), headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: reqwest::Method, path: &str, body: &str) -> RawRequest {
        RawRequest {
            method,
            path_and_query: path.to_string(),
            headers: Vec::new(),
            body: Some(Bytes::from(body.to_string())),
            stream: false,
        }
    }

    #[test]
    fn chat_and_embeddings_bodies_describe_a_generation() {
        let chat = request(reqwest::Method::POST, "/chat/completions", r#"{"model":"openai/gpt-5","stream":true}"#);
        let g = chat.generation().unwrap();
        assert_eq!((g.operation, g.model.as_str(), g.stream), ("chat", "openai/gpt-5", true));
        let emb = request(reqwest::Method::POST, "/embeddings?x=1", r#"{"model":"openai/text-embedding-3-small"}"#);
        assert_eq!(emb.generation().unwrap().operation, "embeddings");
        assert!(request(reqwest::Method::GET, "/chat/completions", "{}").generation().is_none());
        assert!(request(reqwest::Method::POST, "/responses", r#"{"model":"m"}"#).generation().is_none());
        assert!(request(reqwest::Method::POST, "/chat/completions", "not json").generation().is_none());
        assert!(request(reqwest::Method::POST, "/chat/completions", r#"{"model":1}"#).generation().is_none());
    }

    #[test]
    fn paths_must_be_relative_to_the_base_url() {
        for good in ["/chat/completions", "/models/openai/gpt-5", "/generation?id=gen_1"] {
            assert!(request(reqwest::Method::GET, good, "").check().is_ok(), "{good}");
        }
        for bad in ["chat", "//evil.example/x", "/a b", "https://x/y", "/x#frag", ""] {
            assert!(request(reqwest::Method::GET, bad, "").check().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_debug_form_shows_header_names_only() {
        let mut r = request(reqwest::Method::POST, "/chat/completions", "{}");
        r.headers.push((b"authorization".to_vec(), b"Bearer sk-secret".to_vec()));
        let shown = format!("{r:?}");
        assert!(shown.contains("authorization") && !shown.contains("sk-secret"), "{shown}");
    }
}
