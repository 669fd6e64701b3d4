//! Replay of recorded HTTP interactions from go-vcr (version 2) YAML cassettes.
//!
//! Design choices:
//! - **YAML crate: `serde_norway`.** `serde_yaml` is deprecated (archived in 2024).
//!   `serde_norway` is a maintained fork of it with the same serde API, so a cassette is
//!   declared as plain `#[derive(Deserialize)]` structs and a malformed file becomes a typed
//!   error with a line and column. Its MSRV (1.71) is below ours (1.85). The alternatives:
//!   `serde-saphyr` (pure safe Rust) needs Rust 1.89; `saphyr` / `yaml-rust2` have no serde
//!   and would need a hand-written walk over a YAML tree; `serde_yml` carries a RustSec
//!   advisory. Only the fields replay needs are declared; the rest of a cassette is ignored.
//! - **The matching rule.** A request matches an interaction when
//!   1. the methods are equal and the paths are equal once an OpenRouter-style `/api` prefix is
//!      dropped from either (`/api/v1/chat/completions` ≡ `/v1/chat/completions`), and
//!   2. both bodies parse as JSON and are equal after normalising, where normalising drops
//!      top-level keys whose value is `null` and a top-level `"stream": false` (both mean
//!      "not given"), and, when the recording has no `stream_options`, drops the request's
//!      `stream_options` if it is exactly `{"include_usage": true}` (our client adds that to
//!      every stream). Equality is structural: object key order is ignored, arrays compare
//!      in order, numbers by value (`4000` equals `4000.0`). A body that is not JSON must be
//!      byte-for-byte equal.
//!
//!   Any other extra or missing key is a mismatch: a looser rule (say "the recorded keys are a
//!   subset") would answer a plain request with a recorded stream or the reverse.
//! - **Which recording answers.** The first matching interaction not served yet; once every
//!   match has been served, the first match again, so replays are repeatable.
//! - **Served as recorded.** The status code, the `Content-Type` and the body bytes go out
//!   unchanged; an SSE body is split into its events only so that faults can act per event
//!   (their concatenation is the recorded body).

use std::fmt;

use bytes::Bytes;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};

/// The parts of a go-vcr cassette that replay reads.
#[derive(Deserialize)]
struct CassetteFile {
    version: u32,
    #[serde(default)]
    interactions: Vec<InteractionFile>,
}

#[derive(Deserialize)]
struct InteractionFile {
    request: RequestFile,
    response: ResponseFile,
}

#[derive(Deserialize)]
struct RequestFile {
    #[serde(default)]
    body: String,
    url: String,
    method: String,
}

#[derive(Deserialize)]
struct ResponseFile {
    #[serde(default)]
    body: String,
    #[serde(default)]
    headers: std::collections::BTreeMap<String, Vec<String>>,
    code: u16,
}

/// A recorded answer, ready to serve.
#[derive(Clone)]
pub(crate) struct RecordedResponse {
    /// HTTP status.
    pub status: u16,
    /// The recorded `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body exactly as recorded.
    pub body: Bytes,
}

impl RecordedResponse {
    /// True when the body is an SSE stream.
    pub(crate) fn is_event_stream(&self) -> bool {
        self.content_type.as_deref().is_some_and(|kind| kind.trim_start().starts_with("text/event-stream"))
    }
}

impl fmt::Debug for RecordedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordedResponse")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

#[derive(Debug)]
struct Interaction {
    method: String,
    path: String,
    body: Result<Value, String>,
    response: RecordedResponse,
    served: bool,
}

/// Every interaction loaded so far, in load order.
#[derive(Debug, Default)]
pub(crate) struct Tape {
    interactions: Vec<Interaction>,
}

/// The path with an OpenRouter-style `/api` prefix dropped.
fn canonical_path(path: &str) -> &str {
    match path.strip_prefix("/api") {
        Some(rest) if rest.starts_with('/') => rest,
        _ => path,
    }
}

impl Tape {
    /// Parses a cassette and appends its interactions; returns how many were added.
    pub(crate) fn load(&mut self, yaml: &str) -> Result<usize> {
        let file: CassetteFile = serde_norway::from_str(yaml)
            .map_err(|error| Error::config("cassette", format!("The cassette is not valid go-vcr YAML: {error}.")))?;
        if file.version != 2 {
            return Err(Error::config(
                "cassette",
                format!("The cassette has format version {}; only go-vcr version 2 is supported.", file.version),
            ));
        }
        let mut loaded = Vec::with_capacity(file.interactions.len());
        for (index, interaction) in file.interactions.into_iter().enumerate() {
            let url = url::Url::parse(&interaction.request.url).map_err(|error| {
                Error::config(
                    "cassette",
                    format!(
                        "Interaction {index} of the cassette has an unusable URL '{}': {error}.",
                        interaction.request.url
                    ),
                )
            })?;
            let response = interaction.response;
            let content_type = response
                .headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
                .and_then(|(_, values)| values.first().cloned());
            loaded.push(Interaction {
                method: interaction.request.method.to_ascii_uppercase(),
                path: canonical_path(url.path()).to_owned(),
                body: serde_json::from_str(&interaction.request.body).map_err(|_| interaction.request.body),
                response: RecordedResponse { status: response.code, content_type, body: Bytes::from(response.body) },
                served: false,
            });
        }
        let count = loaded.len();
        self.interactions.extend(loaded);
        Ok(count)
    }

    /// Forgets every interaction.
    pub(crate) fn clear(&mut self) {
        self.interactions.clear();
    }

    /// True when nothing is loaded (so a request need not be parsed for matching).
    pub(crate) fn is_empty(&self) -> bool {
        self.interactions.is_empty()
    }

    /// The recorded answer to this request, if one matches (see the module's rule).
    pub(crate) fn answer(&mut self, method: &str, path: &str, body: &[u8]) -> Option<RecordedResponse> {
        let path = canonical_path(path);
        let request: Result<Value, &[u8]> = serde_json::from_slice(body).map_err(|_| body);
        let matching: Vec<usize> = self
            .interactions
            .iter()
            .enumerate()
            .filter(|(_, interaction)| {
                interaction.method.eq_ignore_ascii_case(method)
                    && interaction.path == path
                    && match (&interaction.body, &request) {
                        (Ok(recorded), Ok(sent)) => bodies_match(recorded, sent),
                        (Err(recorded), Err(sent)) => recorded.as_bytes() == *sent,
                        _ => false,
                    }
            })
            .map(|(index, _)| index)
            .collect();
        let chosen = matching
            .iter()
            .copied()
            .find(|index| self.interactions.get(*index).is_some_and(|interaction| !interaction.served))
            .or_else(|| matching.first().copied())?;
        let interaction = self.interactions.get_mut(chosen)?;
        interaction.served = true;
        Some(interaction.response.clone())
    }
}

/// Drops top-level `null`s and `"stream": false`.
fn normalised(body: &Value) -> Value {
    match body {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, value)| {
                    !(value.is_null() || (key.as_str() == "stream" && **value == Value::Bool(false)))
                })
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The matching rule's body comparison.
fn bodies_match(recorded: &Value, sent: &Value) -> bool {
    let recorded = normalised(recorded);
    let mut sent = normalised(sent);
    if let (Value::Object(recorded), Value::Object(sent)) = (&recorded, &mut sent) {
        let client_default = serde_json::json!({"include_usage": true});
        if !recorded.contains_key("stream_options") && sent.get("stream_options") == Some(&client_default) {
            sent.remove("stream_options");
        }
    }
    json_equal(&recorded, &sent)
}

/// Structural JSON equality: key order ignored, numbers compared by value.
pub(crate) fn json_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len()
                && left.iter().all(|(key, value)| right.get(key).is_some_and(|other| json_equal(value, other)))
        }
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len() && left.iter().zip(right).all(|(a, b)| json_equal(a, b))
        }
        (Value::Number(left), Value::Number(right)) => {
            left == right || matches!((left.as_f64(), right.as_f64()), (Some(a), Some(b)) if a == b)
        }
        _ => left == right,
    }
}

/// Splits an SSE body into events, each keeping its terminating blank line, so that the
/// pieces concatenate back to the body exactly. Trailing bytes without a blank line after
/// them form a last piece.
pub(crate) fn split_events(body: &Bytes) -> Vec<Bytes> {
    let mut events = Vec::new();
    let mut start = 0;
    let mut index = 0;
    while index + 1 < body.len() {
        if body[index] == b'\n' && body[index + 1] == b'\n' {
            // Swallow further newlines into this event so no piece is a bare "\n".
            let mut end = index + 2;
            while end < body.len() && body[end] == b'\n' {
                end += 1;
            }
            events.push(body.slice(start..end));
            start = end;
            index = end;
        } else {
            index += 1;
        }
    }
    if start < body.len() {
        events.push(body.slice(start..));
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CASSETTE: &str = r#"---
version: 2
interactions:
- id: 0
  request:
    proto: HTTP/1.1
    body: '{"messages":[{"content":"Hi","role":"user"}],"model":"openai/gpt-5","max_completion_tokens":4000}'
    headers:
      Accept:
      - application/json
    url: https://ai-gateway.vercel.sh/v1/chat/completions
    method: POST
  response:
    body: '{"id":"gen_1"}'
    headers:
      Content-Type:
      - application/json
    status: 200 OK
    code: 200
    duration: 1ms
- id: 1
  request:
    body: '{"model":"openai/gpt-5","messages":[{"role":"user","content":"Hi"}],"stream":true}'
    url: https://openrouter.ai/api/v1/chat/completions
    method: POST
  response:
    body: |+
      data: {"id":"gen_2"}

      data: [DONE]

    headers:
      Content-Type:
      - text/event-stream
    code: 200
"#;

    fn tape() -> Tape {
        let mut tape = Tape::default();
        assert_eq!(tape.load(CASSETTE).unwrap(), 2);
        tape
    }

    #[test]
    fn plain_and_streamed_interactions_are_told_apart() {
        let mut tape = tape();
        let plain = br#"{"model":"openai/gpt-5","max_completion_tokens":4000.0,"messages":[{"role":"user","content":"Hi"}],"user":null}"#;
        let answer = tape.answer("POST", "/api/v1/chat/completions", plain).unwrap();
        assert_eq!(answer.body.as_ref(), br#"{"id":"gen_1"}"#);
        assert!(!answer.is_event_stream());
        let streamed = json!({"model": "openai/gpt-5", "messages": [{"role": "user", "content": "Hi"}],
            "stream": true, "stream_options": {"include_usage": true}});
        let answer = tape.answer("POST", "/v1/chat/completions", streamed.to_string().as_bytes()).unwrap();
        assert!(answer.is_event_stream());
        assert_eq!(answer.body.as_ref(), b"data: {\"id\":\"gen_2\"}\n\ndata: [DONE]\n\n");
        // Repeatable, and a different body, method or route does not match.
        assert!(tape.answer("POST", "/v1/chat/completions", streamed.to_string().as_bytes()).is_some());
        let other = json!({"model": "openai/gpt-5", "messages": [{"role": "user", "content": "Hi"}], "stream": true,
            "stream_options": {"include_usage": false}});
        assert!(tape.answer("POST", "/v1/chat/completions", other.to_string().as_bytes()).is_none());
        let extra = json!({"model": "openai/gpt-5", "messages": [{"role": "user", "content": "Hi"}],
            "max_completion_tokens": 4000, "temperature": 0});
        assert!(tape.answer("POST", "/v1/chat/completions", extra.to_string().as_bytes()).is_none());
        assert!(tape.answer("GET", "/v1/chat/completions", plain).is_none());
        assert!(tape.answer("POST", "/v1/embeddings", plain).is_none());
        tape.clear();
        assert!(tape.is_empty());
    }

    #[test]
    fn malformed_cassettes_are_config_errors() {
        let mut tape = Tape::default();
        for (text, needle) in [
            ("version: 2\ninteractions: [\n", "not valid go-vcr YAML"),
            ("version: 1\ninteractions: []\n", "version 1"),
            ("interactions: []\n", "version"),
            ("version: 2\ninteractions:\n- request: {url: '::', method: GET}\n  response: {code: 200}\n", "URL"),
        ] {
            match tape.load(text) {
                Err(Error::Config { variable, message }) => {
                    assert_eq!(variable.as_deref(), Some("cassette"));
                    assert!(message.contains(needle), "{message}");
                    assert!(message.ends_with('.'), "{message}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
        assert!(tape.is_empty());
    }

    #[test]
    fn events_split_back_into_the_body() {
        let body = Bytes::from_static(b": comment\n\ndata: {\"a\":1}\n\n\ndata: [DONE]\n\ntrailing");
        let events = split_events(&body);
        assert_eq!(events.len(), 4);
        assert_eq!(events[1].as_ref(), b"data: {\"a\":1}\n\n\n");
        assert_eq!(events.concat(), body.to_vec());
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(json_equal(&json!({"a": [1, 2.5]}), &json!({"a": [1.0, 2.5]})));
        assert!(!json_equal(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!json_equal(&json!([1, 2]), &json!([2, 1])));
    }
}
