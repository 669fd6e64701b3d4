//! Telemetry: OpenTelemetry presets, GenAI spans and metrics for gateway calls, and flushing.
//!
//! Design:
//! - **Configuration is pure.** [`preset::resolve`] turns explicit options and an environment
//!   snapshot into URLs, headers, sampling and resource attributes ([`ResolvedTelemetry`]), or a
//!   `Config` error naming the variable. Nothing is read from the process later.
//! - **One installed instance.** [`install`] makes a [`Telemetry`] the process-wide one;
//!   [`current`] returns it. When nothing is installed, [`current`] is one atomic load, so the
//!   client can ask on every call. After `os.fork()` the child rebuilds the providers (their
//!   export threads do not survive a fork) from the same settings on first use.
//! - **The client only calls hooks.** [`start_call`] returns a [`CallRecorder`] (or `None` when
//!   telemetry is off); the client reports the outcome through it. The span is named
//!   `{operation} {model}`, of kind CLIENT, with the GenAI attributes of [`semconv`], and joins
//!   the caller's trace through a W3C `traceparent` (the Python span current at the call).
//! - **Export shares the async engine** (see `export`): no second runtime or HTTP stack, and
//!   no "no reactor running" panic on the SDK's export threads.
//! - **Flushing is explicit and bounded**: [`Telemetry::flush`] and [`Telemetry::shutdown`] wait
//!   at most the given time and say whether everything was exported, for serverless functions
//!   that must flush before they are frozen.
//! - **Behind the `otel` cargo feature** (on by default): without it the OpenTelemetry crates are
//!   not compiled, the hooks keep their signatures and [`current`] is always `None`.

#[cfg(not(feature = "otel"))]
mod disabled;
#[cfg(feature = "otel")]
pub mod export;
#[cfg(feature = "otel")]
mod instance;
#[cfg(feature = "otel")]
pub mod otlp_traces;
pub mod preset;
#[cfg(feature = "otel")]
pub mod recorder;
pub mod resource;
pub mod semconv;
#[cfg(feature = "otel")]
pub mod sink;

use std::time::Duration;

#[cfg(not(feature = "otel"))]
pub use disabled::{current, install, uninstall, CallRecorder, Telemetry};
#[cfg(feature = "otel")]
pub use instance::{current, install, uninstall, Telemetry, SCOPE};
pub use preset::{resolve, Backend, ResolvedTelemetry, SignalTarget, TelemetryOptions};
#[cfg(feature = "otel")]
pub use recorder::CallRecorder;

/// What the client knows when a call starts.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallInfo<'a> {
    /// `gen_ai.operation.name`: `chat`, `embeddings`, `responses`, … (non-GenAI calls such as
    /// `models` are recorded with their own name).
    pub operation: &'a str,
    /// The requested model id, e.g. `openai/gpt-5`.
    pub model: Option<&'a str>,
    /// Which gateway the call goes to (`vercel`, `openrouter`).
    pub gateway: &'a str,
    /// The URL (or base URL) called; gives `server.address` and `server.port`.
    pub url: &'a str,
    /// Whether the answer is streamed.
    pub stream: bool,
    /// The request body, read for request parameters (and, with `capture_content`, the input
    /// messages).
    pub request: Option<RequestBody<'a>>,
    /// The caller's W3C `traceparent` (the current Python span), the parent of this span.
    pub traceparent: Option<&'a str>,
}

/// A request body as the client holds it.
#[derive(Debug, Clone, Copy)]
pub enum RequestBody<'a> {
    /// Built as JSON (the typed client): read as is, not encoded to be parsed again.
    Json(&'a serde_json::Value),
    /// JSON bytes (raw pass-through from another HTTP client).
    Bytes(&'a [u8]),
}

/// Starts recording a call when telemetry is installed: the hook the client calls first.
pub fn start_call(info: &CallInfo<'_>) -> Option<CallRecorder> {
    current().map(|t| CallRecorder::start(t, info))
}

/// Flushes the installed instance (see [`Telemetry::flush`]); `true` when none is installed.
pub fn flush(timeout: Duration) -> bool {
    current().is_none_or(|t| t.flush(timeout))
}
