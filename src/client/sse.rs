//! Server-sent events from the gateway, decoded into JSON chunks.
//!
//! Design: framing (CRLF, comments such as `: OPENROUTER PROCESSING`, multi-line `data:`) is
//! done by the `eventsource-stream` crate, which follows the WHATWG rules; this module adds the
//! OpenAI conventions on top: `[DONE]` ends the stream, `{"error": …}` inside a 200 stream is a
//! typed error, and a stream that stops before `[DONE]` without any finish reason is an error
//! rather than a silently short answer. Each wait for the network is bounded by the idle
//! timeout. [`ChunkStream::prefetch`] reads the first chunk before the stream is handed out, so
//! failures before any output can still be retried. Dropping a [`ChunkStream`] drops the
//! response body, which closes the connection.

use std::pin::Pin;
use std::time::Duration;

use eventsource_stream::{EventStreamError, Eventsource as _};
use futures_util::{Stream, StreamExt as _};
use serde_json::Value;

use crate::client::{describe_reqwest_error, status_error_from_envelope};
use crate::error::{Error, Result};

type EventItem = std::result::Result<eventsource_stream::Event, EventStreamError<reqwest::Error>>;

/// A stream of JSON chunks from an SSE response.
pub struct ChunkStream {
    events: Pin<Box<dyn Stream<Item = EventItem> + Send>>,
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
}

impl ChunkStream {
    /// Wraps a successful `text/event-stream` response; each wait for data is bounded by `idle`.
    pub fn new(response: reqwest::Response, idle: Duration) -> Self {
        let url = response.url().to_string();
        ChunkStream {
            events: Box::pin(response.bytes_stream().eventsource()),
            url,
            idle,
            pending: None,
            decoded: 0,
            received: 0,
            finished: false,
            saw_finish_reason: false,
        }
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

    /// Marks the stream finished and drops the body, closing the connection.
    pub fn close(&mut self) {
        self.finished = true;
        self.pending = None;
        self.events = Box::pin(futures_util::stream::empty());
    }

    /// The next JSON chunk, or `None` at the end of the stream.
    pub async fn next_chunk(&mut self) -> Result<Option<Value>> {
        let next = match self.pending.take() {
            Some(chunk) => Some(chunk),
            None => self.decode_next().await?,
        };
        if next.is_some() {
            self.received += 1;
        }
        Ok(next)
    }

    async fn decode_next(&mut self) -> Result<Option<Value>> {
        if self.finished {
            return Ok(None);
        }
        loop {
            let item = match tokio::time::timeout(self.idle, self.events.next()).await {
                Ok(item) => item,
                Err(_) => {
                    self.close();
                    return Err(Error::timeout(
                        format!(
                            "The stream from {} sent nothing for {} s after {} chunks.",
                            self.url,
                            self.idle.as_secs_f64(),
                            self.decoded
                        ),
                        &self.url,
                    ));
                }
            };
            let Some(item) = item else {
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
            };
            let event = match item {
                Ok(event) => event,
                Err(e) => {
                    self.close();
                    return Err(self.event_error(e));
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
                return Err(Error::Status(Box::new(status)));
            }
            if let Some(choices) = value.get("choices").and_then(Value::as_array) {
                if choices.iter().any(|c| c.get("finish_reason").is_some_and(|f| !f.is_null())) {
                    self.saw_finish_reason = true;
                }
            }
            self.decoded += 1;
            return Ok(Some(value));
        }
    }

    fn event_error(&self, e: EventStreamError<reqwest::Error>) -> Error {
        match e {
            EventStreamError::Utf8(_) => Error::Decode {
                message: format!("Chunk {} of the stream from {} is not valid UTF-8.", self.decoded, self.url),
                url: self.url.clone(),
                status: 200,
            },
            EventStreamError::Parser(_) => Error::Decode {
                message: format!("Chunk {} of the stream from {} is not valid SSE.", self.decoded, self.url),
                url: self.url.clone(),
                status: 200,
            },
            EventStreamError::Transport(t) if t.is_timeout() => Error::timeout(
                format!("The stream from {} timed out after {} chunks.", self.url, self.decoded),
                &self.url,
            ),
            EventStreamError::Transport(t) => Error::connection(
                format!(
                    "The stream from {} broke after {} chunks: {}.",
                    self.url,
                    self.decoded,
                    describe_reqwest_error(&t)
                ),
                &self.url,
            ),
        }
    }
}
