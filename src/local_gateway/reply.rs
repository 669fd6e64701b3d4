//! Rendering a decided reply, with or without a fault, into an HTTP response.
//!
//! Design choices:
//! - **A reply is a list of pieces.** A JSON answer is one piece; a stream is its SSE events
//!   (each a complete `data: …\n\n` frame, generated or cut from a recording), the final
//!   `data: [DONE]` included. Every fault is a transformation of that list or of its timing,
//!   so generated and replayed answers misbehave the same way.
//! - **Breaking a connection.** Before the headers there is no response to corrupt, so the
//!   handler asks the connection task (through a [`ConnectionKill`] in the request's
//!   extensions) to drop the connection, then never finishes. Mid-body, the body stream yields
//!   an error after its last good piece: hyper then abandons the connection without the
//!   terminating chunk, so the client sees a broken body, not a clean end.
//! - **Hangs end at shutdown.** A hung request waits for the gateway's closing signal, then
//!   drops its connection, so shutdown is not held up by the grace period.
//! - **Counts are of data events.** `after` counts `data:` events; SSE comments (OpenRouter's
//!   `: OPENROUTER PROCESSING`) travel with the event that follows them, so `after = 0` on the
//!   OpenRouter flavour still sends the keep-alives, as the real one does before it fails.
//! - **Envelopes per flavour.** Error bodies, error events and in-band errors are rendered in
//!   the answering gateway's shapes; what a fault means does not change with the flavour.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;
use serde_json::{json, Map, Value};
use tokio::sync::{watch, Notify};

use super::faults::{FaultKind, StatusFault, StreamError};
use super::openrouter;
use super::Flavor;

/// Put in each request's extensions by the connection task: notifying it drops the connection.
#[derive(Clone, Debug)]
pub(crate) struct ConnectionKill(pub Arc<Notify>);

/// An answer before faults: status, content type, and its pieces.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub content_type: HeaderValue,
    pub pieces: Vec<Bytes>,
    /// True for SSE streams (sent chunked, with `cache-control: no-cache`).
    pub streamed: bool,
    /// Extra response headers (OpenRouter's `x-generation-id`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl Reply {
    /// A JSON answer with status 200.
    pub(crate) fn json(body: &Value) -> Reply {
        Reply::json_text(body.to_string())
    }

    /// A JSON answer with status 200 whose body is given as text (OpenRouter's starts with
    /// keep-alive whitespace).
    pub(crate) fn json_text(text: String) -> Reply {
        Reply {
            status: StatusCode::OK,
            content_type: HeaderValue::from_static("application/json"),
            pieces: vec![Bytes::from(text)],
            streamed: false,
            headers: Vec::new(),
        }
    }

    /// An SSE answer with status 200.
    pub(crate) fn events(events: Vec<Bytes>) -> Reply {
        Reply {
            status: StatusCode::OK,
            content_type: HeaderValue::from_static("text/event-stream"),
            pieces: events,
            streamed: true,
            headers: Vec::new(),
        }
    }

    /// The reply with response header `name` set to `value` (skipped when not a valid value).
    pub(crate) fn with_header(mut self, name: &'static str, value: &str) -> Reply {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.headers.push((HeaderName::from_static(name), value));
        }
        self
    }

    /// The number of pieces before the closing `data: [DONE]` (all of them when there is none).
    fn content_pieces(&self) -> usize {
        self.pieces.iter().position(|piece| is_done(piece)).unwrap_or(self.pieces.len())
    }

    /// The number of leading pieces that hold exactly `events` data events: everything before
    /// the next data event, so comments preceding it go along.
    fn through_data_events(&self, events: usize) -> usize {
        self.pieces
            .iter()
            .enumerate()
            .filter(|(_, piece)| payload(piece).is_some())
            .nth(events)
            .map_or(self.pieces.len(), |(index, _)| index)
    }

    /// The index of the data event number `index` (0-based), capped at the last data event
    /// before `[DONE]`; `None` when there is none.
    fn data_event_index(&self, index: usize) -> Option<usize> {
        let limit = self.content_pieces();
        let data: Vec<usize> = self.pieces[..limit]
            .iter()
            .enumerate()
            .filter(|(_, piece)| payload(piece).is_some())
            .map(|(i, _)| i)
            .collect();
        data.get(index).or_else(|| data.last()).copied()
    }

    /// The top-level identity of the answer (`id`, `object`, `created`, `model`, `provider`),
    /// read from its first data event or its JSON body, for error chunks that repeat it.
    fn identity(&self) -> Map<String, Value> {
        let first: Option<Value> = if self.streamed {
            self.pieces.iter().filter_map(|piece| payload(piece)).find_map(|text| serde_json::from_str(text).ok())
        } else {
            serde_json::from_slice(&self.pieces.concat()).ok()
        };
        let mut identity = Map::new();
        if let Some(Value::Object(fields)) = first {
            for key in ["id", "object", "created", "model", "provider"] {
                if let Some(value) = fields.get(key) {
                    identity.insert(key.to_owned(), value.clone());
                }
            }
        }
        identity
    }

    /// The index of the first piece that carries a non-null `finish_reason`, else
    /// [`Self::content_pieces`].
    fn finish_piece(&self) -> usize {
        let limit = self.content_pieces();
        self.pieces[..limit].iter().position(|piece| carries_finish_reason(piece)).unwrap_or(limit)
    }
}

/// The `data:` payload of an SSE event, if it has exactly one data line.
fn payload(piece: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(piece).ok()?;
    let mut data = text.lines().filter_map(|line| line.strip_prefix("data:"));
    let first = data.next()?;
    data.next().is_none().then(|| first.trim())
}

fn is_done(piece: &[u8]) -> bool {
    payload(piece) == Some("[DONE]")
}

fn carries_finish_reason(piece: &[u8]) -> bool {
    payload(piece).and_then(|text| serde_json::from_str::<Value>(text).ok()).is_some_and(|chunk| {
        chunk["choices"].as_array().into_iter().flatten().any(|choice| choice["finish_reason"].is_string())
    })
}

/// The gateway's error envelope.
pub(crate) fn gateway_error(status: StatusCode, error_type: &str, message: &str, extra: &[(&str, Value)]) -> Response {
    let mut error = serde_json::Map::new();
    error.insert("message".into(), json!(message));
    error.insert("type".into(), json!(error_type));
    for (key, value) in extra {
        error.insert((*key).to_owned(), value.clone());
    }
    (status, axum::Json(json!({ "error": error }))).into_response()
}

/// The envelope type and message a status fault gets when it does not set its own.
pub(crate) fn fault_defaults(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("invalid_request_error", "Invalid request."),
        401 => ("authentication_error", "Invalid API key or OIDC token."),
        402 => ("quota_for_entity_exceeded", "Quota limit exceeded for this entity."),
        403 => ("forbidden", "Request denied by a routing rule."),
        404 => ("not_found", "Not found."),
        424 => ("failed_dependency", "A dependency of this request failed."),
        // The documented body of a gateway 429, verbatim.
        429 => ("rate_limit_exceeded", "Rate limit exceeded"),
        code if code >= 500 => ("internal_server_error", "Internal server error."),
        code if code >= 400 => ("invalid_request_error", "The request failed."),
        _ => ("internal_server_error", "The request failed."),
    }
}

/// The body of a status or in-band fault in `flavor`'s envelope; `provider` names the
/// serving provider in OpenRouter's default `metadata`.
fn fault_envelope(fault: &StatusFault, flavor: Flavor, provider: Option<&str>) -> Value {
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match flavor {
        Flavor::Vercel => {
            let (default_type, default_message) = fault_defaults(status);
            let mut error = Map::new();
            error.insert("message".into(), json!(fault.message.as_deref().unwrap_or(default_message)));
            error.insert("type".into(), json!(fault.error_type.as_deref().unwrap_or(default_type)));
            if let Some(code) = &fault.code {
                error.insert("code".into(), json!(code));
            }
            json!({ "error": error })
        }
        Flavor::OpenRouter => {
            let code = status.as_u16();
            let metadata = fault.metadata.clone().or_else(|| openrouter::default_metadata(code, provider));
            let message = fault.message.as_deref().unwrap_or_else(|| openrouter::default_message(code));
            openrouter::error_body(code, message, metadata.as_ref(), true)
        }
    }
}

/// Adds a fault's extra headers to a response.
fn add_headers(response: &mut Response, headers: &[(String, String)]) {
    for (name, value) in headers {
        match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            (Ok(name), Ok(value)) => {
                response.headers_mut().append(name, value);
            }
            _ => log::warn!("LocalGateway: a fault's header '{name}' is not a valid HTTP header; not sent"),
        }
    }
}

fn status_response(reply: &Reply, fault: &StatusFault, flavor: Flavor) -> Response {
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let identity = reply.identity();
    let provider = identity.get("provider").and_then(Value::as_str);
    let mut response = (status, axum::Json(fault_envelope(fault, flavor, provider))).into_response();
    add_headers(&mut response, &fault.headers);
    response
}

/// An in-band failure: status 200, the envelope as the body (after OpenRouter's keep-alive),
/// or for a stream the keep-alive comment and the envelope as a data event.
fn in_band_response(reply: &Reply, fault: &StatusFault, flavor: Flavor) -> Response {
    let identity = reply.identity();
    let provider = identity.get("provider").and_then(Value::as_str);
    let envelope = fault_envelope(fault, flavor, provider);
    let keepalive = flavor == Flavor::OpenRouter;
    let pieces = if reply.streamed {
        let mut pieces = Vec::new();
        if keepalive {
            pieces.push(Bytes::from_static(openrouter::PROCESSING));
        }
        pieces.push(Bytes::from(format!("data: {envelope}\n\n")));
        pieces
    } else if keepalive {
        vec![Bytes::from(format!("{}{envelope}", openrouter::KEEPALIVE))]
    } else {
        vec![Bytes::from(envelope.to_string())]
    };
    let failed = Reply {
        status: StatusCode::OK,
        content_type: reply.content_type.clone(),
        pieces,
        streamed: reply.streamed,
        headers: Vec::new(),
    };
    let mut response = intact(failed);
    add_headers(&mut response, &fault.headers);
    response
}

/// The same text cut in half (on a character boundary), so it is no longer valid JSON.
fn broken_json(text: &str) -> String {
    let mut cut = text.len() / 2;
    while cut > 0 && !text.is_char_boundary(cut) {
        cut -= 1;
    }
    // A lone "{" is invalid too, for bodies too short to cut.
    if cut == 0 {
        "{".to_owned()
    } else {
        text[..cut].to_owned()
    }
}

/// `piece` with its JSON payload made invalid; a piece without one becomes a broken event.
fn malformed(piece: &Bytes) -> Bytes {
    match payload(piece) {
        Some(text) => Bytes::from(format!("data: {}\n\n", broken_json(text))),
        None => Bytes::from_static(b"data: {\"id\":\n\n"),
    }
}

/// The error event of an `error_event` fault. OpenRouter's is a plain envelope before any
/// output, and once output was sent a chunk repeating the stream's identity with the error at
/// the top and `finish_reason: "error"` (OpenRouter's documented mid-stream format).
fn error_event(error: &StreamError, flavor: Flavor, identity: &Map<String, Value>, output_sent: bool) -> Bytes {
    let body = match flavor {
        Flavor::Vercel => json!({"error": {"message": error.message, "type": error.error_type, "code": error.code}}),
        Flavor::OpenRouter => {
            let code = error.status.unwrap_or(openrouter::DEFAULT_STREAM_ERROR_STATUS);
            let metadata = error.metadata.clone().or_else(|| {
                identity.get("provider").and_then(Value::as_str).map(|provider| json!({"provider_name": provider}))
            });
            let envelope = openrouter::error_body(code, &error.message, metadata.as_ref(), false);
            if output_sent {
                let mut chunk = identity.clone();
                if let Some(inner) = envelope.get("error") {
                    chunk.insert("error".into(), inner.clone());
                }
                chunk.insert(
                    "choices".into(),
                    json!([{"index": 0, "delta": {"content": ""}, "finish_reason": "error",
                        "native_finish_reason": "error"}]),
                );
                Value::Object(chunk)
            } else {
                envelope
            }
        }
    };
    Bytes::from(format!("data: {body}\n\n"))
}

/// The body's error when a fault breaks a connection mid-body.
fn broken_pipe() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::ConnectionReset, "LocalGateway fault: connection reset mid-body")
}

/// The response head for a reply; its body is set by the caller.
fn head(reply: &Reply, body: Body) -> Response {
    let mut response = (reply.status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, reply.content_type.clone());
    if reply.streamed {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    for (name, value) in &reply.headers {
        headers.insert(name.clone(), value.clone());
    }
    response
}

/// The reply as it should be: one body for JSON (with a length), a chunked stream for SSE.
fn intact(reply: Reply) -> Response {
    if reply.streamed {
        let pieces = futures_util::stream::iter(reply.pieces.clone().into_iter().map(Ok::<_, std::io::Error>));
        head(&reply, Body::from_stream(pieces))
    } else {
        let body = Body::from(reply.pieces.concat());
        head(&reply, body)
    }
}

/// Never answers: the connection is dropped (at once, or when `closing` turns true).
async fn drop_connection(kill: Option<&ConnectionKill>, closing: Option<watch::Receiver<bool>>) -> Response {
    if let Some(mut closing) = closing {
        // An error means the gateway is gone, which is a shutdown too.
        let _ = closing.wait_for(|closing| *closing).await;
    }
    match kill {
        Some(ConnectionKill(notify)) => {
            notify.notify_one();
            std::future::pending::<Response>().await
        }
        // Outside the gateway's own connection loop there is nothing to kill; refuse loudly.
        None => gateway_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_server_error",
            "LocalGateway could not drop this connection.",
            &[],
        ),
    }
}

/// Renders `reply` under `fault` in `flavor`'s shapes. `kill` drops the connection; `closing`
/// ends hangs.
pub(crate) async fn render(
    reply: Reply,
    fault: Option<&FaultKind>,
    kill: Option<&ConnectionKill>,
    closing: watch::Receiver<bool>,
    flavor: Flavor,
) -> Response {
    let Some(fault) = fault else { return intact(reply) };
    match fault {
        FaultKind::Status(status) => status_response(&reply, status, flavor),
        FaultKind::InBandError(status) => in_band_response(&reply, status, flavor),
        FaultKind::Delay(delay) => {
            tokio::time::sleep(*delay).await;
            intact(reply)
        }
        FaultKind::Hang => drop_connection(kill, Some(closing)).await,
        FaultKind::ResetBeforeHeaders => drop_connection(kill, None).await,
        FaultKind::ResetAfterChunks(after) => {
            let keep = reply.through_data_events(*after).min(reply.content_pieces());
            let mut pieces: Vec<std::io::Result<Bytes>> = reply.pieces[..keep].iter().cloned().map(Ok).collect();
            if !reply.streamed && keep == 0 {
                // A JSON answer breaks after its first half.
                let text = String::from_utf8_lossy(&reply.pieces.concat()).into_owned();
                pieces.push(Ok(Bytes::from(broken_json(&text))));
            }
            // Yield once before failing: hyper flushes what it holds (the head included) while
            // the body is pending, so the pieces reach the client before the connection breaks.
            let failure = futures_util::stream::once(async {
                tokio::task::yield_now().await;
                Err(broken_pipe())
            });
            head(&reply, Body::from_stream(futures_util::stream::iter(pieces).chain(failure)))
        }
        FaultKind::MalformedJson(index) => {
            let mut reply = reply;
            if reply.streamed {
                if let Some(index) = reply.data_event_index(*index) {
                    reply.pieces[index] = malformed(&reply.pieces[index]);
                }
            } else {
                let text = String::from_utf8_lossy(&reply.pieces.concat()).into_owned();
                reply.pieces = vec![Bytes::from(broken_json(&text))];
            }
            intact(reply)
        }
        FaultKind::TruncatedSse(after) => {
            let mut reply = reply;
            let keep = reply.through_data_events(*after).min(reply.finish_piece());
            reply.pieces.truncate(keep);
            intact(reply)
        }
        FaultKind::ErrorEvent { after, error } => {
            let mut reply = reply;
            let identity = reply.identity();
            let keep = reply.through_data_events(*after).min(reply.finish_piece());
            reply.pieces.truncate(keep);
            let output_sent = reply.pieces.iter().any(|piece| payload(piece).is_some());
            reply.pieces.push(error_event(error, flavor, &identity, output_sent));
            intact(reply)
        }
        FaultKind::SlowDrip(interval) => slow_drip(reply, *interval),
    }
}

fn slow_drip(reply: Reply, interval: Duration) -> Response {
    let pieces = reply.pieces.clone().into_iter().enumerate();
    let stream = futures_util::stream::iter(pieces).then(move |(index, piece)| async move {
        if index > 0 {
            tokio::time::sleep(interval).await;
        }
        Ok::<_, std::io::Error>(piece)
    });
    head(&reply, Body::from_stream(stream))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events() -> Reply {
        Reply::events(vec![
            Bytes::from_static(
                b"data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}\n\n",
            ),
            Bytes::from_static(b"data: {\"choices\":[{\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n"),
            Bytes::from_static(b"data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"),
            Bytes::from_static(b"data: {\"choices\":[],\"usage\":{}}\n\n"),
            Bytes::from_static(b"data: [DONE]\n\n"),
        ])
    }

    #[test]
    fn pieces_are_classified() {
        let reply = events();
        assert_eq!(reply.content_pieces(), 4);
        assert_eq!(reply.finish_piece(), 2);
        assert!(is_done(b"data: [DONE]\n\n"));
        assert!(!is_done(b": comment\n\n"));
        assert_eq!(payload(b"data: a\ndata: b\n\n"), None);
    }

    #[test]
    fn counts_are_of_data_events_and_comments_go_along() {
        let mut reply = events();
        reply.pieces.insert(0, Bytes::from_static(openrouter::PROCESSING));
        reply.pieces.insert(3, Bytes::from_static(openrouter::PROCESSING));
        // comment, role, content, comment, finish, usage, [DONE]
        assert_eq!(reply.through_data_events(0), 1);
        assert_eq!(reply.through_data_events(2), 4, "the comment before the third event goes along");
        assert_eq!(reply.through_data_events(99), reply.pieces.len());
        assert_eq!(reply.data_event_index(0), Some(1));
        assert_eq!(reply.data_event_index(2), Some(4));
        assert_eq!(reply.data_event_index(99), Some(5), "capped at the last data event before [DONE]");
        assert_eq!(reply.finish_piece(), 4);
        let identity = Reply::events(vec![
            Bytes::from_static(openrouter::PROCESSING),
            Bytes::from_static(b"data: {\"id\":\"gen-1-a\",\"provider\":\"OpenAI\",\"choices\":[]}\n\n"),
        ])
        .identity();
        assert_eq!(identity.get("provider"), Some(&json!("OpenAI")));
        assert_eq!(identity.len(), 2);
        let plain = Reply::json_text(format!("{}{{\"id\":\"gen-1-b\",\"model\":\"m\"}}", openrouter::KEEPALIVE));
        assert_eq!(plain.identity().get("model"), Some(&json!("m")));
    }

    #[test]
    fn error_events_take_each_flavours_shape() {
        let error = StreamError {
            message: "boom".into(),
            error_type: "internal_server_error".into(),
            code: "upstream_error".into(),
            status: None,
            metadata: None,
        };
        let parse = |bytes: Bytes| -> Value { serde_json::from_str(payload(&bytes).unwrap()).unwrap() };
        let vercel = parse(error_event(&error, Flavor::Vercel, &Map::new(), true));
        assert_eq!(
            vercel,
            json!({"error": {"message": "boom", "type": "internal_server_error", "code": "upstream_error"}})
        );
        let mut identity = Map::new();
        identity.insert("id".into(), json!("gen-1-a"));
        identity.insert("provider".into(), json!("Azure"));
        let before = parse(error_event(&error, Flavor::OpenRouter, &identity, false));
        assert_eq!(before, json!({"error": {"message": "boom", "code": 502, "metadata": {"provider_name": "Azure"}}}));
        let after = parse(error_event(&error, Flavor::OpenRouter, &identity, true));
        assert_eq!(after["id"], "gen-1-a");
        assert_eq!(after["error"]["code"], 502);
        assert_eq!(after["choices"][0]["finish_reason"], "error");
    }

    #[test]
    fn malformed_pieces_are_not_json() {
        let broken = malformed(&events().pieces[1]);
        let text = payload(&broken).unwrap();
        assert!(serde_json::from_str::<Value>(text).is_err(), "{text}");
        assert!(broken.ends_with(b"\n\n"));
        assert_eq!(broken_json("é"), "{");
        assert_eq!(broken_json("{\"a\":\"é\"}"), "{\"a\":");
    }
}
