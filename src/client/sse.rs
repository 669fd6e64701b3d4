//! Server-sent events from the gateway, decoded into JSON chunks.
//!
//! Design: framing (CRLF, comments such as `: OPENROUTER PROCESSING`, multi-line `data:`) is
//! done by [`super::sse_frame`], in linear time with lines bounded; this module adds the
//! OpenAI conventions on top: `[DONE]` ends the stream, `{"error": …}` inside a 200 stream is a
//! typed error, and a stream that stops before `[DONE]` without any finish reason is an error
//! rather than a silently short answer. Each wait for the network is bounded by the idle
//! timeout. [`ChunkStream::prefetch`] reads the first chunk before the stream is handed out, so
//! failures before any output can still be retried. Dropping a [`ChunkStream`] drops the
//! response body, which closes the connection.

use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _};
use serde_json::Value;

use super::sse_frame::{Decoder, Event, FrameError};
use crate::client::{describe_reqwest_error, status_error_from_envelope};
use crate::error::{Error, Result};
use crate::secret::Secret;

/// The longest SSE line accepted (a base64 image delta is a few MiB); longer is a typed error
/// rather than unbounded buffering. The data of one event is bounded by the same figure.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

type Body = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// A stream of JSON chunks from an SSE response.
pub struct ChunkStream {
    body: Body,
    frames: Decoder,
    /// The body ended (what was left unfinished in it is discarded, as the SSE rules say).
    body_done: bool,
    url: String,
    idle: Duration,
    /// The first chunk, read ahead by `prefetch`.
    pending: Option<Value>,
    /// Chunks decoded (the prefetched one included).
    decoded: u64,
    /// Chunks handed to the caller.
    received: u64,
    finished: bool,
    saw_finish_reason: bool,
    /// Copy `reasoning_content` into `reasoning` (answers from OpenRouter's providers).
    normalize_reasoning: bool,
    /// The last `usage` object seen, for the cost of the whole stream.
    usage: Option<Value>,
    /// The telemetry span of the call, ended with the stream.
    recorder: Option<crate::telemetry::CallRecorder>,
    /// The credential the request carried, replaced if an error event quotes it.
    redacted: Option<Secret>,
}

impl ChunkStream {
    /// Wraps a successful `text/event-stream` response; each wait for data is bounded by `idle`.
    pub fn new(response: reqwest::Response, idle: Duration) -> Self {
        Self::with_limit(response, idle, MAX_LINE_BYTES)
    }

    /// Like [`ChunkStream::new`], failing with a typed error on a line longer than `max_line`.
    pub fn with_limit(response: reqwest::Response, idle: Duration, max_line: usize) -> Self {
        let url = response.url().to_string();
        ChunkStream {
            body: Box::pin(response.bytes_stream()),
            frames: Decoder::new(max_line),
            body_done: false,
            url,
            idle,
            pending: None,
            decoded: 0,
            received: 0,
            finished: false,
            saw_finish_reason: false,
            normalize_reasoning: false,
            usage: None,
            recorder: None,
            redacted: None,
        }
    }

    /// Normalises reasoning fields of every chunk (see `routing::translate::normalize_reasoning`).
    pub fn set_normalize_reasoning(&mut self, on: bool) {
        self.normalize_reasoning = on;
        if on {
            if let Some(chunk) = self.pending.as_mut() {
                crate::routing::translate::normalize_reasoning(chunk);
            }
        }
    }

    /// The credential to redact from error events that quote it (see [`StatusError::redact`]).
    ///
    /// [`StatusError::redact`]: crate::error::StatusError::redact
    pub fn set_redacted(&mut self, credential: Option<Secret>) {
        self.redacted = credential;
    }

    /// Hands the call's telemetry span to the stream, which ends it with the stream.
    pub fn set_recorder(&mut self, recorder: Option<crate::telemetry::CallRecorder>) {
        self.recorder = recorder;
    }

    /// The last `usage` object a chunk carried.
    pub fn usage(&self) -> Option<&Value> {
        self.usage.as_ref()
    }

    /// Reads the first chunk ahead, so that a failure before any output surfaces while the
    /// request can still be retried. The chunk is handed out by the first `next_chunk`.
    pub async fn prefetch(&mut self) -> Result<()> {
        if self.pending.is_none() && self.decoded == 0 {
            self.pending = self.decode_next().await?;
        }
        Ok(())
    }

    /// How many chunks were handed out so far.
    pub fn chunks_received(&self) -> u64 {
        self.received
    }

    /// True once `[DONE]` (or the end of the body) was reached or the stream failed.
    pub fn is_finished(&self) -> bool {
        self.finished && self.pending.is_none()
    }

    /// Marks the stream finished and drops the body, closing the connection. A span still
    /// open ends as stopped early (its recorder is dropped).
    pub fn close(&mut self) {
        self.finished = true;
        self.pending = None;
        self.recorder = None;
        self.body = Box::pin(futures_util::stream::empty());
        self.frames = Decoder::new(0);
        self.body_done = true;
    }

    /// The next JSON chunk, or `None` at the end of the stream.
    pub async fn next_chunk(&mut self) -> Result<Option<Value>> {
        let next = match self.pending.take() {
            Some(chunk) => Ok(Some(chunk)),
            None => self.decode_next().await,
        };
        match &next {
            Ok(Some(chunk)) => {
                self.received += 1;
                if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
                    self.usage = Some(usage.clone());
                }
                if let Some(r) = self.recorder.as_mut() {
                    r.chunk(chunk);
                }
            }
            Ok(None) => {
                if let Some(r) = self.recorder.take() {
                    r.finish_stream(None);
                }
            }
            Err(e) => {
                if let Some(r) = self.recorder.take() {
                    r.finish_stream(Some(e));
                }
            }
        }
        next
    }

    async fn decode_next(&mut self) -> Result<Option<Value>> {
        if self.finished {
            return Ok(None);
        }
        loop {
            let event = match self.next_event().await {
                Ok(Some(event)) => event,
                Ok(None) => {
                    self.close();
                    if self.saw_finish_reason {
                        return Ok(None);
                    }
                    return Err(Error::connection(
                        format!(
                            "The stream from {} ended after {} chunks without [DONE] or a finish reason; the answer is incomplete.",
                            self.url, self.decoded
                        ),
                        &self.url,
                    ));
                }
                Err(e) => {
                    self.close();
                    return Err(e);
                }
            };
            let data = event.data.trim();
            if data.is_empty() {
                continue;
            }
            if data == "[DONE]" {
                self.close();
                return Ok(None);
            }
            let value: Value = match serde_json::from_str(data) {
                Ok(v) => v,
                Err(e) => {
                    self.close();
                    return Err(Error::Decode {
                        message: format!(
                            "Chunk {} of the stream from {} is not valid JSON ({e}).",
                            self.received, self.url
                        ),
                        url: self.url.clone(),
                        status: 200,
                    });
                }
            };
            if value.get("error").is_some_and(|e| !e.is_null()) {
                self.close();
                let mut status = status_error_from_envelope(200, &value, &self.url);
                status.message = format!("The stream failed after {} chunks: {}", self.decoded, status.message);
                if let Some(secret) = &self.redacted {
                    status.redact(secret.expose());
                }
                return Err(Error::Status(Box::new(status)));
            }
            if let Some(choices) = value.get("choices").and_then(Value::as_array) {
                if choices.iter().any(|c| c.get("finish_reason").is_some_and(|f| !f.is_null())) {
                    self.saw_finish_reason = true;
                }
            }
            self.decoded += 1;
            let mut value = value;
            if self.normalize_reasoning {
                crate::routing::translate::normalize_reasoning(&mut value);
            }
            return Ok(Some(value));
        }
    }

    /// The next SSE event, reading the body as needed, each wait bounded by the idle timeout;
    /// `None` at the end of the body.
    async fn next_event(&mut self) -> Result<Option<Event>> {
        loop {
            match self.frames.next_event() {
                Some(Ok(event)) => return Ok(Some(event)),
                Some(Err(e)) => return Err(self.frame_error(e)),
                None if self.body_done => return Ok(None),
                None => {}
            }
            match tokio::time::timeout(self.idle, self.body.next()).await {
                Ok(Some(Ok(bytes))) => self.frames.feed(&bytes),
                Ok(None) => self.body_done = true,
                Ok(Some(Err(t))) if t.is_timeout() => {
                    return Err(Error::timeout(
                        format!("The stream from {} timed out after {} chunks.", self.url, self.decoded),
                        &self.url,
                    ))
                }
                Ok(Some(Err(t))) => {
                    return Err(Error::connection(
                        format!(
                            "The stream from {} broke after {} chunks: {}.",
                            self.url,
                            self.decoded,
                            describe_reqwest_error(&t)
                        ),
                        &self.url,
                    ))
                }
                Err(_) => {
                    return Err(Error::timeout(
                        format!(
                            "The stream from {} sent nothing for {} s after {} chunks.",
                            self.url,
                            self.idle.as_secs_f64(),
                            self.decoded
                        ),
                        &self.url,
                    ))
                }
            }
        }
    }

    fn frame_error(&self, e: FrameError) -> Error {
        let message = match e {
            FrameError::Utf8 => format!("Chunk {} of the stream from {} is not valid UTF-8.", self.decoded, self.url),
            FrameError::TooLong => format!(
                "Chunk {} of the stream from {} has a line longer than the limit; the stream was stopped.",
                self.decoded, self.url
            ),
        };
        Error::Decode { message, url: self.url.clone(), status: 200 }
    }
}
