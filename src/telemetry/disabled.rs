//! The hooks when the crate is built without the `otel` feature: the same names and signatures,
//! so the client compiles unchanged, with nothing to install and no recorder ever produced.
//!
//! Design: [`Telemetry`] and [`CallRecorder`] are uninhabited types. [`current`] always returns
//! `None`, so the client's per-call check is a constant; [`Telemetry::new`] explains that the
//! feature is missing. Preset resolution stays available, so settings are still checked.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Result};

use super::{CallInfo, ResolvedTelemetry};

/// Providers built from resolved settings; cannot exist without the `otel` feature.
#[derive(Debug)]
pub struct Telemetry {
    never: Infallible,
}

impl Telemetry {
    /// Always a `Config` error: this build has no exporter.
    pub fn new(_config: ResolvedTelemetry) -> Result<Self> {
        Err(Error::config(
            "otel",
            "This build of vercel-ai-gateway has no telemetry exporter (built without the `otel` feature).",
        ))
    }

    /// The settings this instance was built from.
    pub fn config(&self) -> &ResolvedTelemetry {
        match self.never {}
    }

    /// Identifies the `VercelTelemetry` object this instance came from.
    pub fn origin(&self) -> u64 {
        match self.never {}
    }

    /// Exports everything buffered.
    pub fn flush(&self, _timeout: Duration) -> bool {
        match self.never {}
    }

    /// Flushes and stops the export threads.
    pub fn shutdown(&self, _timeout: Duration) -> bool {
        match self.never {}
    }
}

/// Makes `telemetry` the process-wide instance (unreachable: none can be built).
pub fn install(telemetry: Arc<Telemetry>) -> Option<Arc<Telemetry>> {
    match telemetry.never {}
}

/// Removes the installed instance: there is none.
pub fn uninstall() -> Option<Arc<Telemetry>> {
    None
}

/// The installed instance: always `None` in this build.
pub fn current() -> Option<Arc<Telemetry>> {
    None
}

/// Records one call; cannot exist without the `otel` feature.
#[derive(Debug)]
pub struct CallRecorder {
    never: Infallible,
}

impl CallRecorder {
    /// Opens the span of a call on `telemetry` (unreachable).
    pub fn start(telemetry: Arc<Telemetry>, _info: &CallInfo<'_>) -> CallRecorder {
        match telemetry.never {}
    }

    /// The `traceparent` to send with the gateway request.
    pub fn traceparent(&self) -> Option<String> {
        match self.never {}
    }

    /// Whether the span is recorded.
    pub fn is_recording(&self) -> bool {
        match self.never {}
    }

    /// Records the routing decision.
    pub fn set_route(&mut self, _decision: &str) {
        match self.never {}
    }

    /// Records the gateway actually used.
    pub fn set_gateway(&mut self, _gateway: &str, _url: &str) {
        match self.never {}
    }

    /// Records how many retries were made.
    pub fn set_retries(&mut self, _retries: u32) {
        match self.never {}
    }

    /// Records the answer of a non-streamed call and ends the span.
    pub fn finish_ok(self, _response: &Value, _retries: u32) {
        match self.never {}
    }

    /// Records a failed call and ends the span.
    pub fn finish_err(self, _error: &Error) {
        match self.never {}
    }

    /// Records one chunk of a stream.
    pub fn chunk(&mut self, _chunk: &Value) {
        match self.never {}
    }

    /// Ends a stream's span.
    pub fn finish_stream(self, _error: Option<&Error>) {
        match self.never {}
    }
}
