//! Fault injection: what can go wrong, when, and for which requests.
//!
//! Design choices:
//! - **One vocabulary, two schedules.** A [`FaultKind`] says what goes wrong; an [`Injection`]
//!   adds when ([`Times::Next`]: a queue consumed by the next matching requests, in order;
//!   [`Times::Always`]: every matching request until cleared) and for whom (a model id, a route,
//!   streaming or not). Queued injections are consulted before sticky ones, so "the next request
//!   fails" holds even while a sticky slow drip is in place.
//! - **Validation lives here, not in the binding.** [`FaultParams`] is the flat, optional form a
//!   caller (the Python method, a test) fills in; [`Injection::from_params`] checks which
//!   parameters a kind takes and returns a sentence naming the culprit, so the rules exist once.
//! - **Stream-only kinds only match streams.** Dropping a stream after N chunks, truncating it,
//!   an error event inside it and a slow drip need SSE events to act on; a queued one waits for
//!   the next streamed request instead of being consumed by a plain one it cannot affect.
//! - **Rendered per flavour.** A fault says what goes wrong, not in which envelope: the server
//!   renders it in the answering gateway's shapes (Vercel's `{"error":{"message","type"}}`,
//!   OpenRouter's `{"error":{"message","code","metadata"}}`). [`check_flavor`] refuses the
//!   parameters that have no place in a flavour's envelope (`error_type` and `code` on
//!   OpenRouter, `metadata` on Vercel), so a test never sets a field that is silently dropped.
//! - **Nothing here touches HTTP.** The server renders a decided fault; this module only stores
//!   and selects them, so the scheduling rules are unit-tested without a socket.

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::Flavor;
use crate::error::{Error, Result};

/// The routes faults can apply to (the OpenRouter-style aliases included).
pub const FAULT_ROUTES: &[&str] =
    &["/v1/chat/completions", "/api/v1/chat/completions", "/v1/embeddings", "/api/v1/embeddings"];

/// Chunk-based kinds count SSE events from the start of the stream; this many go out intact
/// unless `after` says otherwise (1: the role chunk).
pub const DEFAULT_AFTER: usize = 1;

/// An error reply: the gateway's envelope with this status, plus extra headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusFault {
    /// HTTP status, 400–599 (OpenRouter: also `error.code`).
    pub status: u16,
    /// Vercel's `error.type`; derived from the status when `None` (429 →
    /// `rate_limit_exceeded`, …). Not rendered by the OpenRouter flavour.
    pub error_type: Option<String>,
    /// `error.message`; a description of the status when `None`.
    pub message: Option<String>,
    /// Vercel's `error.code`, left out when `None`. Not rendered by the OpenRouter flavour.
    pub code: Option<String>,
    /// Extra response headers such as `retry-after` or `retry-after-ms`.
    pub headers: Vec<(String, String)>,
    /// OpenRouter's `error.metadata`; a default for the status (502: `provider_name`, `raw`)
    /// when `None`. Not rendered by the Vercel flavour.
    pub metadata: Option<Value>,
}

/// The error object of a mid-stream error event: Vercel's `{"error":{"message","type","code"}}`,
/// or OpenRouter's `{"error":{"message","code":<status>,"metadata"}}` (inside a chunk with
/// `finish_reason: "error"` once output was sent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamError {
    /// `error.message`.
    pub message: String,
    /// Vercel's `error.type`.
    pub error_type: String,
    /// Vercel's `error.code`.
    pub code: String,
    /// OpenRouter's numeric `error.code`; 502 when `None`.
    pub status: Option<u16>,
    /// OpenRouter's `error.metadata`; the serving provider's name when `None`.
    pub metadata: Option<Value>,
}

/// What goes wrong. Chunk counts (`after`) are SSE events sent intact before the fault acts;
/// the final `data: [DONE]` is never counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer with an error envelope instead of the reply.
    Status(StatusFault),
    /// Wait this long before answering, then answer normally.
    Delay(Duration),
    /// Never answer; the connection is closed when the gateway shuts down.
    Hang,
    /// Close the connection after reading the request, before any response byte.
    ResetBeforeHeaders,
    /// Send this many SSE events of a 200 stream, then break the connection mid-body.
    ResetAfterChunks(usize),
    /// A 200 whose body is invalid JSON; for a stream, the event at this index is.
    MalformedJson(usize),
    /// End the stream cleanly after this many events: no `[DONE]`, and never the event that
    /// carries a `finish_reason` (the count is capped just before it).
    TruncatedSse(usize),
    /// After this many events (capped before the finish chunk), send an error event and end.
    ErrorEvent {
        /// Events sent intact first.
        after: usize,
        /// The error object sent.
        error: StreamError,
    },
    /// Send the stream's events with this interval between them.
    SlowDrip(Duration),
    /// A failure after the gateway accepted the request: HTTP 200 with the error envelope as
    /// the body (OpenRouter's in-band errors), or for a stream, the keep-alive comments and a
    /// `data:` error event with no model output. `status` is the envelope's code.
    InBandError(StatusFault),
}

impl FaultKind {
    /// The kind's name, as the Python API spells it and as recorded on a request.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::Status(_) => "status",
            FaultKind::Delay(_) => "delay",
            FaultKind::Hang => "hang",
            FaultKind::ResetBeforeHeaders => "reset_before_headers",
            FaultKind::ResetAfterChunks(_) => "reset_after_chunks",
            FaultKind::MalformedJson(_) => "malformed_json",
            FaultKind::TruncatedSse(_) => "truncated_sse",
            FaultKind::ErrorEvent { .. } => "error_event",
            FaultKind::SlowDrip(_) => "slow_drip",
            FaultKind::InBandError(_) => "in_band_error",
        }
    }

    /// True for the kinds that answer instead of the model (an error, a hang, a reset before
    /// the headers): no generation happens, so none is recorded or billed, and a scripted reply
    /// stays queued for the next request.
    #[must_use]
    pub fn replaces_reply(&self) -> bool {
        matches!(
            self,
            FaultKind::Status(_) | FaultKind::Hang | FaultKind::ResetBeforeHeaders | FaultKind::InBandError(_)
        )
    }

    /// True for the kinds that act on SSE events and so match only streamed requests.
    #[must_use]
    pub fn stream_only(&self) -> bool {
        matches!(
            self,
            FaultKind::ResetAfterChunks(_)
                | FaultKind::TruncatedSse(_)
                | FaultKind::ErrorEvent { .. }
                | FaultKind::SlowDrip(_)
        )
    }
}

/// Every kind name, in documentation order.
pub const FAULT_KINDS: &[&str] = &[
    "status",
    "delay",
    "hang",
    "reset_before_headers",
    "reset_after_chunks",
    "malformed_json",
    "truncated_sse",
    "error_event",
    "slow_drip",
    "in_band_error",
];

/// How often an injection applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Times {
    /// The next this-many matching requests (queued behind earlier injections).
    Next(u32),
    /// Every matching request until [`crate::local_gateway::LocalGateway::clear_faults`].
    Always,
}

/// A fault with its schedule and the requests it is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Injection {
    /// What goes wrong.
    pub kind: FaultKind,
    /// How often.
    pub times: Times,
    /// Only requests for this model id (the body's `model`), when set.
    pub model: Option<String>,
    /// Only requests to this route (one of [`FAULT_ROUTES`]), when set. `/v1/chat/completions`
    /// also covers its `/api/v1/…` alias.
    pub route: Option<String>,
}

/// The flat, optional form of an injection, as a caller with keyword arguments fills it in.
/// Parameters a kind does not take must be left `None`.
#[derive(Clone, Debug, Default)]
pub struct FaultParams {
    /// Requests it applies to (default 1); must stay `None` or 1 when `sticky`.
    pub count: Option<u32>,
    /// Apply to every matching request until cleared.
    pub sticky: bool,
    /// Only for this model id.
    pub model: Option<String>,
    /// Only for this route.
    pub route: Option<String>,
    /// `status`: the HTTP status (required); `in_band_error` and OpenRouter's `error_event`:
    /// the envelope's numeric code (default 502).
    pub status: Option<u16>,
    /// `status`, `error_event`, `in_band_error` (Vercel flavour): `error.type`.
    pub error_type: Option<String>,
    /// `status`, `error_event`, `in_band_error`: `error.message`.
    pub message: Option<String>,
    /// `status`, `error_event`, `in_band_error` (Vercel flavour): `error.code`.
    pub code: Option<String>,
    /// `status`, `in_band_error`: extra response headers.
    pub headers: Option<Vec<(String, String)>>,
    /// `status`, `error_event`, `in_band_error` (OpenRouter flavour): `error.metadata`.
    pub metadata: Option<Value>,
    /// Chunk-based kinds: events sent intact first (default [`DEFAULT_AFTER`]).
    pub after: Option<usize>,
    /// `delay` (the wait) and `slow_drip` (the interval): required, in seconds.
    pub delay: Option<f64>,
}

/// The longest delay accepted: a test that needs more is waiting for something else.
const MAX_DELAY_SECONDS: f64 = 3600.0;

fn invalid(parameter: &str, message: impl Into<String>) -> Error {
    Error::config(parameter, message)
}

impl Injection {
    /// Builds and checks an injection from its kind name and parameters.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the parameter when the kind is unknown, a required parameter is
    /// missing, a parameter does not apply to the kind, or a value is out of range.
    pub fn from_params(kind: &str, params: FaultParams) -> Result<Injection> {
        let takes: &[&str] = match kind {
            "status" | "in_band_error" => &["status", "error_type", "message", "code", "headers", "metadata"],
            "delay" | "slow_drip" => &["delay"],
            "hang" | "reset_before_headers" => &[],
            "reset_after_chunks" | "malformed_json" | "truncated_sse" => &["after"],
            "error_event" => &["after", "error_type", "message", "code", "status", "metadata"],
            _ => {
                return Err(invalid(
                    "kind",
                    format!("Unknown fault kind '{kind}': use one of {}.", FAULT_KINDS.join(", ")),
                ))
            }
        };
        let given = [
            ("status", params.status.is_some()),
            ("error_type", params.error_type.is_some()),
            ("message", params.message.is_some()),
            ("code", params.code.is_some()),
            ("headers", params.headers.is_some()),
            ("after", params.after.is_some()),
            ("delay", params.delay.is_some()),
            ("metadata", params.metadata.is_some()),
        ];
        if let Some((name, _)) = given.iter().find(|(name, set)| *set && !takes.contains(name)) {
            let accepted = if takes.is_empty() { "none".to_owned() } else { takes.join(", ") };
            return Err(invalid(
                name,
                format!("The fault kind '{kind}' does not take '{name}' (it takes: {accepted})."),
            ));
        }
        let times = match (params.sticky, params.count) {
            (true, None | Some(1)) => Times::Always,
            (true, Some(_)) => {
                return Err(invalid("count", "A sticky fault applies until cleared: leave 'count' out."));
            }
            (false, None) => Times::Next(1),
            (false, Some(0)) => return Err(invalid("count", "'count' must be at least 1.")),
            (false, Some(count)) => Times::Next(count),
        };
        if let Some(route) = &params.route {
            if !FAULT_ROUTES.contains(&route.as_str()) {
                return Err(invalid(
                    "route",
                    format!("Faults cannot target the route '{route}': use one of {}.", FAULT_ROUTES.join(", ")),
                ));
            }
        }
        let after = params.after.unwrap_or(DEFAULT_AFTER);
        if let Some(status) = params.status {
            if !(400..=599).contains(&status) {
                return Err(invalid("status", format!("'status' must be an error status, 400–599, not {status}.")));
            }
        }
        let kind = match kind {
            "status" | "in_band_error" => {
                let status = match (kind, params.status) {
                    (_, Some(status)) => status,
                    ("in_band_error", None) => DEFAULT_IN_BAND_STATUS,
                    _ => return Err(invalid("status", "The fault kind 'status' needs 'status', e.g. 429.")),
                };
                let fault = StatusFault {
                    status,
                    error_type: params.error_type,
                    message: params.message,
                    code: params.code,
                    headers: params.headers.unwrap_or_default(),
                    metadata: params.metadata,
                };
                if kind == "status" {
                    FaultKind::Status(fault)
                } else {
                    FaultKind::InBandError(fault)
                }
            }
            "delay" | "slow_drip" => {
                let seconds =
                    params.delay.ok_or_else(|| invalid("delay", format!("The fault kind '{kind}' needs 'delay'.")))?;
                if !(0.0..=MAX_DELAY_SECONDS).contains(&seconds) {
                    return Err(invalid(
                        "delay",
                        format!("'delay' must be between 0 and {MAX_DELAY_SECONDS} seconds."),
                    ));
                }
                let duration = Duration::from_secs_f64(seconds);
                if kind == "delay" {
                    FaultKind::Delay(duration)
                } else {
                    FaultKind::SlowDrip(duration)
                }
            }
            "hang" => FaultKind::Hang,
            "reset_before_headers" => FaultKind::ResetBeforeHeaders,
            "reset_after_chunks" => FaultKind::ResetAfterChunks(after),
            "malformed_json" => FaultKind::MalformedJson(after),
            "truncated_sse" => FaultKind::TruncatedSse(after),
            _ => FaultKind::ErrorEvent {
                after,
                error: StreamError {
                    message: params
                        .message
                        .unwrap_or_else(|| "The provider failed while streaming the response.".to_owned()),
                    error_type: params.error_type.unwrap_or_else(|| "internal_server_error".to_owned()),
                    code: params.code.unwrap_or_else(|| "upstream_error".to_owned()),
                    status: params.status,
                    metadata: params.metadata,
                },
            },
        };
        Ok(Injection { kind, times, model: params.model, route: params.route })
    }

    fn matches(&self, request: &FaultTarget<'_>) -> bool {
        (!self.kind.stream_only() || request.stream)
            && self.model.as_deref().is_none_or(|model| model == request.model)
            && self
                .route
                .as_deref()
                .is_none_or(|route| route == request.path || Some(route) == request.canonical_path())
    }
}

/// The envelope code of an `in_band_error` that does not set `status`: a provider failure.
pub const DEFAULT_IN_BAND_STATUS: u16 = 502;

/// Refuses the parameters that have no place in `flavor`'s error envelope: `error_type` and
/// `code` on OpenRouter (its `error.code` is the numeric `status`), `metadata` on Vercel, and
/// `status` on Vercel's `error_event` (its error events carry no status).
///
/// # Errors
///
/// [`Error::Config`] naming the parameter.
pub fn check_flavor(kind: &str, params: &FaultParams, flavor: Flavor) -> Result<()> {
    let refused: &[(&str, bool)] = match flavor {
        Flavor::OpenRouter => &[("error_type", params.error_type.is_some()), ("code", params.code.is_some())],
        Flavor::Vercel => {
            &[("metadata", params.metadata.is_some()), ("status", kind == "error_event" && params.status.is_some())]
        }
    };
    match refused.iter().find(|(_, given)| *given) {
        Some((name, _)) => Err(invalid(
            name,
            format!(
                "The {} flavour's error envelope has no place for '{name}' (fault kind '{kind}'); {}.",
                flavor.name(),
                match flavor {
                    Flavor::OpenRouter => "OpenRouter errors carry 'status' (error.code), 'message' and 'metadata'",
                    Flavor::Vercel => "Vercel errors carry 'message', 'error_type' and 'code'",
                }
            ),
        )),
        None => Ok(()),
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a fault is matched against.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FaultTarget<'a> {
    /// The request path, e.g. `/api/v1/chat/completions`.
    pub path: &'a str,
    /// The body's `model` ("" when there is none).
    pub model: &'a str,
    /// Whether the request asked for a stream.
    pub stream: bool,
}

impl FaultTarget<'_> {
    /// The path without the OpenRouter-style `/api` prefix, when it has one.
    fn canonical_path(&self) -> Option<&str> {
        self.path.strip_prefix("/api")
    }
}

/// The queued and sticky injections.
#[derive(Debug, Default)]
pub(crate) struct FaultBook {
    queued: VecDeque<Injection>,
    sticky: Vec<Injection>,
}

impl FaultBook {
    pub(crate) fn add(&mut self, injection: Injection) {
        match injection.times {
            Times::Always => self.sticky.push(injection),
            Times::Next(0) => {}
            Times::Next(_) => self.queued.push_back(injection),
        }
    }

    pub(crate) fn clear(&mut self) {
        self.queued.clear();
        self.sticky.clear();
    }

    /// The fault for this request: the first queued injection that matches (one of its uses is
    /// consumed), else the first sticky one that matches.
    pub(crate) fn take(&mut self, target: &FaultTarget<'_>) -> Option<FaultKind> {
        if let Some(position) = self.queued.iter().position(|injection| injection.matches(target)) {
            let injection = self.queued.get_mut(position)?;
            let kind = injection.kind.clone();
            if let Times::Next(count) = &mut injection.times {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    self.queued.remove(position);
                }
            }
            return Some(kind);
        }
        self.sticky.iter().find(|injection| injection.matches(target)).map(|injection| injection.kind.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> FaultParams {
        FaultParams::default()
    }

    fn target<'a>(path: &'a str, model: &'a str, stream: bool) -> FaultTarget<'a> {
        FaultTarget { path, model, stream }
    }

    #[test]
    fn parameters_are_checked_per_kind() {
        let error = Injection::from_params("explode", params()).unwrap_err();
        assert!(error.to_string().contains("status, delay, hang"), "{error}");
        let error = Injection::from_params("hang", FaultParams { delay: Some(1.0), ..params() }).unwrap_err();
        assert!(matches!(&error, Error::Config { variable: Some(v), .. } if v == "delay"), "{error:?}");
        assert!(error.to_string().contains("takes: none"), "{error}");
        assert!(Injection::from_params("status", params()).is_err());
        assert!(Injection::from_params("status", FaultParams { status: Some(200), ..params() }).is_err());
        assert!(Injection::from_params("delay", params()).is_err());
        assert!(Injection::from_params("slow_drip", FaultParams { delay: Some(-1.0), ..params() }).is_err());
        assert!(Injection::from_params("hang", FaultParams { count: Some(0), ..params() }).is_err());
        assert!(Injection::from_params("hang", FaultParams { sticky: true, count: Some(3), ..params() }).is_err());
        assert!(Injection::from_params("hang", FaultParams { route: Some("/v1/models".into()), ..params() }).is_err());
        let injection = Injection::from_params("error_event", params()).unwrap();
        assert_eq!(injection.times, Times::Next(1));
        match injection.kind {
            FaultKind::ErrorEvent { after, error } => {
                assert_eq!(after, DEFAULT_AFTER);
                assert_eq!(error.error_type, "internal_server_error");
            }
            other => panic!("{other:?}"),
        }
        let injection =
            Injection::from_params("slow_drip", FaultParams { delay: Some(0.25), sticky: true, ..params() }).unwrap();
        assert_eq!((injection.kind, injection.times), (FaultKind::SlowDrip(Duration::from_millis(250)), Times::Always));
        for kind in FAULT_KINDS {
            let filled = FaultParams {
                status: (*kind == "status").then_some(500),
                delay: matches!(*kind, "delay" | "slow_drip").then_some(0.0),
                ..params()
            };
            let kind_value = Injection::from_params(kind, filled).unwrap().kind;
            assert_eq!(kind_value.name(), *kind);
            let replaces = matches!(*kind, "status" | "hang" | "reset_before_headers" | "in_band_error");
            assert_eq!(kind_value.replaces_reply(), replaces, "{kind}");
        }
    }

    #[test]
    fn queue_is_consumed_in_order_by_matching_requests_only() {
        let mut book = FaultBook::default();
        let build = |kind: &str, extra: FaultParams| Injection::from_params(kind, extra).unwrap();
        book.add(build("truncated_sse", FaultParams { count: Some(2), ..params() }));
        book.add(build("hang", FaultParams { model: Some("openai/gpt-5".into()), ..params() }));
        book.add(build("malformed_json", FaultParams { route: Some("/v1/embeddings".into()), ..params() }));
        let chat = "/v1/chat/completions";
        // A plain request skips the stream-only fault and the other model's fault.
        assert_eq!(book.take(&target(chat, "anthropic/claude-sonnet-4", false)), None);
        assert_eq!(book.take(&target(chat, "openai/gpt-5", false)), Some(FaultKind::Hang));
        assert_eq!(book.take(&target(chat, "openai/gpt-5", false)), None);
        assert_eq!(book.take(&target("/v1/embeddings", "x/y", false)).map(|k| k.name()), Some("malformed_json"));
        for _ in 0..2 {
            assert_eq!(book.take(&target(chat, "x/y", true)), Some(FaultKind::TruncatedSse(1)));
        }
        assert_eq!(book.take(&target(chat, "x/y", true)), None);
    }

    #[test]
    fn sticky_faults_stay_until_cleared_and_queued_ones_come_first() {
        let mut book = FaultBook::default();
        let sticky = Injection::from_params(
            "delay",
            FaultParams { delay: Some(0.0), sticky: true, route: Some("/v1/chat/completions".into()), ..params() },
        )
        .unwrap();
        book.add(sticky);
        book.add(Injection::from_params("hang", params()).unwrap());
        let alias = target("/api/v1/chat/completions", "m", false);
        assert_eq!(book.take(&alias), Some(FaultKind::Hang));
        for _ in 0..3 {
            assert_eq!(book.take(&alias), Some(FaultKind::Delay(Duration::ZERO)));
        }
        assert_eq!(book.take(&target("/v1/embeddings", "m", false)), None);
        book.clear();
        assert_eq!(book.take(&alias), None);
    }
}
