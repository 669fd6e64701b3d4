//! `LocalGateway`: an in-process fake of the Vercel AI Gateway (or of OpenRouter) on 127.0.0.1.
//!
//! Design choices:
//! - **Two flavours, one server.** [`Flavor::Vercel`] serves Vercel's API under `/v1`;
//!   [`Flavor::OpenRouter`] serves OpenRouter's under `/api/v1` with its ids, envelopes,
//!   keep-alives and catalog (see the `openrouter` module). Everything else (recording, faults,
//!   scripted replies, cassettes, the ledger) is shared, so a routing test runs one gateway of
//!   each flavour side by side and every recorded request names the flavour that answered.
//! - **An OTLP receiver on the side** (feature `otel`): `POST /v1/traces` and `/v1/metrics` are
//!   decoded with `crate::telemetry::sink` and kept apart from the recorded requests, so an
//!   exporter running in the background never changes what `requests()` returns.
//! - **Its own thread and runtime.** The server runs on a dedicated `std::thread` driving a tokio
//!   `current_thread` runtime. A sync client only drives its runtime inside `block_on`, and an
//!   async client may live on any runtime (or on none, between calls); a server hosted by either
//!   would stall. A thread of its own answers whatever the caller does.
//! - **Errors surface in [`LocalGateway::start`].** The catalog is parsed, the port bound and the
//!   runtime built on the caller's thread before the server thread exists, so a failure is a
//!   `Result`, not a log line from a thread nobody joins.
//! - **Shared state is a few mutexes** (recorded requests, faults, scripted replies, cassettes,
//!   the ledger of generations) behind an `Arc`. Handlers lock them only for a push, a pop or a
//!   lookup, never across an `.await`.
//! - **Faithful shapes, not behaviour.** Bodies copy the field sets of recorded gateway replies
//!   (`spec/gateway-api.md` §4–7); content is a deterministic echo, a scripted reply or a
//!   replayed recording ([`LocalGateway::load_cassette`]), token counts are `ceil(chars / 4)`,
//!   and cost is tokens times the catalog's per-token prices, in exact decimal arithmetic so
//!   the strings look like the gateway's.
//! - **Faults are data.** [`Injection`]s are queued or sticky, matched per request (route,
//!   model, streaming), and rendered by the server at the right moment: before the headers,
//!   between SSE events, or instead of the body. Each recorded request names the fault it got.
//! - **Bounded shutdown.** `shutdown()` (also run on drop) stops accepting at once, closes the
//!   connections of hung requests, lets the others finish for [`SHUTDOWN_GRACE`], then drops
//!   the runtime, which cancels whatever is left (say, a stream a client never reads), and joins
//!   the thread.
//! - **No secret in any repr.** Keys are held as [`Secret`]; `Debug` of a config or a recorded
//!   request prints `***` for credentials.

mod cassette;
mod catalog;
mod completion;
mod embeddings;
mod endpoints;
mod faults;
mod ids;
mod ledger;
mod openrouter;
#[cfg(feature = "otel")]
mod otlp;
mod reply;
mod server;

use std::collections::VecDeque;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;

use crate::catalog::Gateway;
use crate::error::{Error, Result};
use crate::secret::Secret;
#[cfg(feature = "otel")]
use crate::telemetry::sink::{ReceivedExport, ReceivedMetric, ReceivedSpan};

use cassette::Tape;
use catalog::{Catalog, Decimal};
use endpoints::Endpoints;
use faults::{FaultBook, FaultTarget};
use ledger::Ledger;

pub use faults::{
    check_flavor, FaultKind, FaultParams, Injection, StatusFault, StreamError, Times, DEFAULT_AFTER,
    DEFAULT_IN_BAND_STATUS, FAULT_KINDS, FAULT_ROUTES,
};

/// How long open connections get to finish after [`LocalGateway::shutdown`] before they are
/// cut. Replies are generated in full up front, so only a client that stops reading, or a
/// delay or slow-drip fault still running, needs it (hung requests are closed at once).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// The starting credit balance `GET /v1/credits` reports when none is configured.
pub const DEFAULT_BALANCE: &str = "100.00";

/// Which gateway a [`LocalGateway`] imitates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// The Vercel AI Gateway: `/v1`, `gen_<ulid>` ids, `{"error":{"message","type"}}`, API keys
    /// and Vercel OIDC tokens.
    #[default]
    Vercel,
    /// OpenRouter: `/api/v1`, `gen-<seconds>-<random>` ids, `{"error":{"message","code"}}`,
    /// keep-alive comments, in-band errors, API keys only.
    OpenRouter,
}

impl Flavor {
    /// `"vercel"` or `"openrouter"`, as the Python API spells it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Vercel => "vercel",
            Flavor::OpenRouter => "openrouter",
        }
    }

    /// Reads a flavour name, ignoring case and surrounding spaces.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] (variable `"flavor"`) for any other name.
    pub fn parse(text: &str) -> Result<Flavor> {
        match text.trim().to_ascii_lowercase().as_str() {
            "vercel" => Ok(Flavor::Vercel),
            "openrouter" => Ok(Flavor::OpenRouter),
            _ => Err(Error::config(
                "flavor",
                format!("Unknown LocalGateway flavor {text:?}: use \"vercel\" or \"openrouter\"."),
            )),
        }
    }

    /// The path prefix of the API: `/v1` or `/api/v1`.
    #[must_use]
    pub fn api_prefix(self) -> &'static str {
        match self {
            Flavor::Vercel => "/v1",
            Flavor::OpenRouter => "/api/v1",
        }
    }

    /// The gateway this flavour imitates.
    #[must_use]
    pub fn gateway(self) -> Gateway {
        match self {
            Flavor::Vercel => Gateway::Vercel,
            Flavor::OpenRouter => Gateway::OpenRouter,
        }
    }
}

impl From<Flavor> for Gateway {
    fn from(flavor: Flavor) -> Gateway {
        flavor.gateway()
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Settings for [`LocalGateway::start`].
#[derive(Clone)]
pub struct LocalGatewayConfig {
    /// Which gateway to imitate; [`Flavor::Vercel`] by default.
    pub flavor: Flavor,
    /// Bearer tokens accepted on inference routes. When empty, any non-empty bearer is accepted
    /// (an OIDC-shaped one is still checked for expiry when `accept_oidc` is true).
    pub api_keys: Vec<String>,
    /// Also accept any bearer that decodes as a JWT whose `exp` is in the future or absent; a
    /// JWT whose `exp` has passed is rejected with an "expired" message. Vercel flavour only:
    /// OpenRouter takes API keys, so the OpenRouter flavour ignores this.
    pub accept_oidc: bool,
    /// A models document (`{"data":[...]}`, the flavour's `/models` shape) that replaces the
    /// embedded catalog; it is served as given and used to resolve models and prices.
    pub catalog_json: Option<String>,
    /// The bearer accepted by the fake Vercel project-token endpoint
    /// (`POST /v1/projects/{id}/token`); when `None` that endpoint answers 404. Vercel flavour
    /// only.
    pub cli_token: Option<String>,
    /// The starting balance in USD, a decimal string such as `"25.50"`; `GET /v1/credits`
    /// reports it minus the cost of every generation served. [`DEFAULT_BALANCE`] when `None`.
    pub balance: Option<String>,
}

impl Default for LocalGatewayConfig {
    fn default() -> Self {
        LocalGatewayConfig {
            flavor: Flavor::Vercel,
            api_keys: Vec::new(),
            accept_oidc: true,
            catalog_json: None,
            cli_token: None,
            balance: None,
        }
    }
}

impl fmt::Debug for LocalGatewayConfig {
    // Hand-written so that keys never reach a log line or a repr.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalGatewayConfig")
            .field("flavor", &self.flavor)
            .field("api_keys", &self.api_keys.iter().map(|_| "***").collect::<Vec<_>>())
            .field("accept_oidc", &self.accept_oidc)
            .field("catalog_json", &self.catalog_json.as_ref().map(|text| format!("<{} bytes>", text.len())))
            .field("cli_token", &self.cli_token.as_ref().map(|_| "***"))
            .field("balance", &self.balance)
            .finish()
    }
}

/// One HTTP request as the gateway received it, recorded before it was answered.
#[derive(Clone)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Path without the query, e.g. `/v1/chat/completions`.
    pub path: String,
    /// The raw query string (without `?`), when there was one.
    pub query: Option<String>,
    /// Headers in the order received; names are lower-case, values decoded lossily as UTF-8.
    pub headers: Vec<(String, String)>,
    /// The full request body.
    pub body: Vec<u8>,
    /// The name of the fault this request got ([`FaultKind::name`]), `None` when it got none.
    pub fault: Option<String>,
    /// The flavour of the gateway that received it.
    pub flavor: Flavor,
}

impl RecordedRequest {
    /// The first value of header `name`, compared case-insensitively.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// The body parsed as JSON, or `None` when it is empty or not JSON.
    #[must_use]
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Header names whose values are credentials and are never printed.
const SENSITIVE_HEADERS: &[&str] =
    &["authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-vercel-oidc-token"];

/// How many body bytes `Debug` shows before eliding the rest.
const DEBUG_BODY_LIMIT: usize = 512;

fn redacted_header_value(name: &str, value: &str) -> String {
    if !SENSITIVE_HEADERS.iter().any(|sensitive| name.eq_ignore_ascii_case(sensitive)) {
        return value.to_owned();
    }
    // Keep the scheme: whether a client sent `Bearer` is worth seeing, the token is not.
    match value.split_once(' ') {
        Some((scheme, _)) if !scheme.is_empty() => format!("{scheme} ***"),
        _ => "***".to_owned(),
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, String)> =
            self.headers.iter().map(|(name, value)| (name.as_str(), redacted_header_value(name, value))).collect();
        let text = String::from_utf8_lossy(&self.body);
        let body = if text.chars().count() > DEBUG_BODY_LIMIT {
            let shown: String = text.chars().take(DEBUG_BODY_LIMIT).collect();
            format!("{shown}… ({} bytes)", self.body.len())
        } else {
            text.into_owned()
        };
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("body", &body)
            .field("fault", &self.fault)
            .field("flavor", &self.flavor)
            .finish()
    }
}

/// An error the gateway returns instead of a completion, for the next `count` requests to
/// `POST /v1/chat/completions` (or its `/api/v1` alias) that pass authentication, validation
/// and model lookup. The simple form of an [`Injection`] of kind [`FaultKind::Status`]; the
/// OpenRouter flavour renders it in OpenRouter's envelope (without `error_type`).
#[derive(Clone, Debug)]
pub struct Fault {
    /// HTTP status to answer with (an invalid code becomes 500).
    pub status: u16,
    /// The envelope's `error.type`; derived from the status when `None` (429 →
    /// `rate_limit_exceeded`, 402 → `quota_for_entity_exceeded`, 5xx → `internal_server_error`…).
    pub error_type: Option<String>,
    /// The envelope's `error.message`; a description of the status when `None`.
    pub message: Option<String>,
    /// The raw `Retry-After` header value to send, e.g. `"2"`.
    pub retry_after: Option<String>,
    /// How many requests this fault answers; a fault pushed with 0 is ignored.
    pub count: u32,
}

impl From<Fault> for Injection {
    fn from(fault: Fault) -> Injection {
        Injection {
            kind: FaultKind::Status(StatusFault {
                status: fault.status,
                error_type: fault.error_type,
                message: fault.message,
                code: None,
                headers: fault.retry_after.map(|value| ("retry-after".to_owned(), value)).into_iter().collect(),
                metadata: None,
            }),
            times: Times::Next(fault.count),
            model: None,
            route: Some("/v1/chat/completions".to_owned()),
        }
    }
}

/// A reply that the next chat completion returns instead of the default echo.
#[derive(Clone, Debug, Default)]
pub struct ScriptedReply {
    /// The assistant message content.
    pub content: String,
    /// Reasoning text, sent as `reasoning` plus `reasoning_details` (streamed before content).
    pub reasoning: Option<String>,
    /// The `finish_reason`; `"stop"` when `None` (`"length"` when `max_tokens` truncated it).
    pub finish_reason: Option<String>,
}

/// Locks `mutex`, carrying on after a panic elsewhere: every value guarded here stays valid
/// whatever the panicking holder was doing (pushes and pops of whole items).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Who may call which route; tokens held as secrets.
struct Access {
    api_keys: Vec<Secret>,
    accept_oidc: bool,
    cli_token: Option<Secret>,
}

/// State shared by the handle and the server thread.
struct Shared {
    flavor: Flavor,
    access: Access,
    catalog: Catalog,
    /// OpenRouter's embedding models (its `/models` list has text models only); empty for Vercel.
    embedding_catalog: Option<Catalog>,
    endpoints: Endpoints,
    balance: Decimal,
    /// Recorded requests with the sequence number that lets a handler find its own entry.
    requests: Mutex<Vec<(u64, RecordedRequest)>>,
    next_sequence: AtomicU64,
    faults: Mutex<FaultBook>,
    replies: Mutex<VecDeque<ScriptedReply>>,
    tape: Mutex<Tape>,
    ledger: Mutex<Ledger>,
    /// Turns true once shutdown starts; the server, its connections and hung requests watch it.
    closing: watch::Sender<bool>,
    /// OTLP exports received on `/v1/traces` and `/v1/metrics`, oldest first.
    #[cfg(feature = "otel")]
    telemetry: Mutex<Vec<ReceivedExport>>,
}

impl Shared {
    fn new(flavor: Flavor, access: Access, catalog: Catalog, endpoints: Endpoints, balance: Decimal) -> Shared {
        Shared {
            flavor,
            access,
            catalog,
            embedding_catalog: None,
            endpoints,
            balance,
            requests: Mutex::default(),
            next_sequence: AtomicU64::new(0),
            faults: Mutex::default(),
            replies: Mutex::default(),
            tape: Mutex::default(),
            ledger: Mutex::default(),
            closing: watch::Sender::new(false),
            #[cfg(feature = "otel")]
            telemetry: Mutex::default(),
        }
    }

    /// Records a request; returns its sequence number.
    fn record(&self, request: RecordedRequest) -> u64 {
        let sequence = self.next_sequence.fetch_add(1, Ordering::Relaxed);
        lock(&self.requests).push((sequence, request));
        sequence
    }

    /// Notes on the recorded request `sequence` (if still recorded) which fault it got.
    fn note_fault(&self, sequence: u64, fault: &FaultKind) {
        let mut requests = lock(&self.requests);
        if let Some((_, request)) = requests.iter_mut().rev().find(|(number, _)| *number == sequence) {
            request.fault = Some(fault.name().to_owned());
        }
    }

    /// The fault that applies to this request, if any; consumes one use of a queued one.
    fn take_fault(&self, target: &FaultTarget<'_>) -> Option<FaultKind> {
        lock(&self.faults).take(target)
    }

    fn take_reply(&self) -> Option<ScriptedReply> {
        lock(&self.replies).pop_front()
    }
}

/// A running fake gateway. Dropping it shuts it down.
pub struct LocalGateway {
    shared: Arc<Shared>,
    address: SocketAddr,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl LocalGateway {
    /// Binds 127.0.0.1 on an ephemeral port and starts serving on a thread of its own.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] (variable `"catalog"`) when `catalog_json` is not a valid models
    /// document, (variable `"balance"`) when `balance` is not a non-negative decimal, (variable
    /// `"cli_token"`) when one is given to the OpenRouter flavour; [`Error::Internal`] when the
    /// port cannot be bound or the thread not started.
    pub fn start(config: LocalGatewayConfig) -> Result<LocalGateway> {
        let flavor = config.flavor;
        if flavor == Flavor::OpenRouter && config.cli_token.is_some() {
            return Err(Error::config(
                "cli_token",
                "The project-token endpoint is Vercel's: a cli_token applies to the vercel flavour only.",
            ));
        }
        let catalog = match (config.catalog_json, flavor) {
            (Some(text), _) => Catalog::parse(text).map_err(|message| Error::config("catalog", message))?,
            (None, Flavor::Vercel) => Catalog::embedded().map_err(Error::internal)?,
            (None, Flavor::OpenRouter) => Catalog::embedded_openrouter().map_err(Error::internal)?,
        };
        let balance_text = config.balance.as_deref().unwrap_or(DEFAULT_BALANCE);
        let balance = Decimal::parse(balance_text).ok_or_else(|| {
            Error::config(
                "balance",
                format!("The balance '{balance_text}' is not a non-negative decimal amount such as \"100.00\"."),
            )
        })?;
        let access = Access {
            api_keys: config.api_keys.into_iter().map(Secret::new).collect(),
            accept_oidc: config.accept_oidc && flavor == Flavor::Vercel,
            cli_token: config.cli_token.map(Secret::new),
        };
        let endpoints = Endpoints::embedded().map_err(Error::internal)?;
        let mut shared = Shared::new(flavor, access, catalog, endpoints, balance);
        if flavor == Flavor::OpenRouter {
            shared.embedding_catalog =
                Some(Catalog::from_static(openrouter::embedding_models()).map_err(Error::internal)?);
        }
        let shared = Arc::new(shared);
        let running = server::spawn(Arc::clone(&shared))?;
        Ok(LocalGateway { shared, address: running.address, thread: Mutex::new(Some(running.thread)) })
    }

    /// The port the gateway listens on.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The flavour it imitates.
    #[must_use]
    pub fn flavor(&self) -> Flavor {
        self.shared.flavor
    }

    /// `http://127.0.0.1:PORT`, where the fake Vercel API routes (project tokens) and the OTLP
    /// receiver (`/v1/traces`, `/v1/metrics`) live.
    #[must_use]
    pub fn origin(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The base URL to give a client: `http://127.0.0.1:PORT/v1` (Vercel) or
    /// `http://127.0.0.1:PORT/api/v1` (OpenRouter).
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("{}{}", self.origin(), self.shared.flavor.api_prefix())
    }

    /// Every request received so far, in arrival order.
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).iter().map(|(_, request)| request.clone()).collect()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// Queues a status fault behind any already queued; see [`Fault`].
    pub fn push_fault(&self, fault: Fault) {
        self.inject(fault.into());
    }

    /// Adds a fault: queued behind earlier ones ([`Times::Next`]) or sticky ([`Times::Always`]).
    /// It is rendered in this gateway's envelope; fields the flavour's envelope has no place for
    /// are left out (use [`LocalGateway::inject_params`] to have them refused instead).
    pub fn inject(&self, injection: Injection) {
        lock(&self.shared.faults).add(injection);
    }

    /// Builds a fault from its kind name and parameters, checks them against this gateway's
    /// flavour ([`check_flavor`]) and adds it.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the parameter, from [`Injection::from_params`] or
    /// [`check_flavor`]; then nothing is added.
    pub fn inject_params(&self, kind: &str, params: FaultParams) -> Result<()> {
        check_flavor(kind, &params, self.shared.flavor)?;
        self.inject(Injection::from_params(kind, params)?);
        Ok(())
    }

    /// Removes every queued and sticky fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Loads the interactions of a go-vcr (version 2) YAML cassette, after any loaded before;
    /// returns how many it held. A request that matches one is answered with its recording
    /// (see the `cassette` module for the matching rule); others are answered as usual.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] (variable `"cassette"`) when the text is not a version-2 cassette; then
    /// nothing is loaded.
    pub fn load_cassette(&self, yaml: &str) -> Result<usize> {
        lock(&self.shared.tape).load(yaml)
    }

    /// Forgets every loaded interaction.
    pub fn clear_cassettes(&self) {
        lock(&self.shared.tape).clear();
    }

    /// Queues a scripted reply behind any already queued; see [`ScriptedReply`].
    pub fn push_reply(&self, reply: ScriptedReply) {
        lock(&self.shared.replies).push_back(reply);
    }

    /// Every OTLP export received on `/v1/traces` and `/v1/metrics`, oldest first, with its
    /// headers and decoded content.
    #[cfg(feature = "otel")]
    #[must_use]
    pub fn otlp_exports(&self) -> Vec<ReceivedExport> {
        lock(&self.shared.telemetry).clone()
    }

    /// Every span received so far, in arrival order.
    #[cfg(feature = "otel")]
    #[must_use]
    pub fn spans(&self) -> Vec<ReceivedSpan> {
        lock(&self.shared.telemetry).iter().flat_map(|export| export.spans.iter().cloned()).collect()
    }

    /// Every metric received so far, in arrival order (one entry per metric per export).
    #[cfg(feature = "otel")]
    #[must_use]
    pub fn metrics(&self) -> Vec<ReceivedMetric> {
        lock(&self.shared.telemetry).iter().flat_map(|export| export.metrics.iter().cloned()).collect()
    }

    /// Forgets the received OTLP exports.
    #[cfg(feature = "otel")]
    pub fn clear_telemetry(&self) {
        lock(&self.shared.telemetry).clear();
    }

    /// Stops the server and waits for its thread (at most about [`SHUTDOWN_GRACE`]). Calling it
    /// again, from any thread, is harmless; once it returns the port no longer answers.
    pub fn shutdown(&self) {
        self.shared.closing.send_replace(true);
        // Held while joining so that a concurrent caller returns only once the thread is gone.
        let mut thread = lock(&self.thread);
        if let Some(handle) = thread.take() {
            if handle.thread().id() == std::thread::current().id() {
                // Joining ourselves would deadlock; the thread ends once this call returns.
                return;
            }
            if handle.join().is_err() {
                log::error!("the LocalGateway server thread panicked");
            }
        }
    }
}

impl Drop for LocalGateway {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl fmt::Debug for LocalGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalGateway")
            .field("flavor", &self.shared.flavor)
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(headers: &[(&str, &str)]) -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            path: "/v1/chat/completions".into(),
            query: None,
            headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            body: br#"{"model":"openai/gpt-5"}"#.to_vec(),
            fault: None,
            flavor: Flavor::Vercel,
        }
    }

    #[test]
    fn debug_of_recorded_request_redacts_credentials() {
        let request = recorded(&[
            ("authorization", "Bearer vck_canary_123"),
            ("x-vercel-oidc-token", "eyJcanary"),
            ("user-agent", "test/1"),
        ]);
        let shown = format!("{request:?}");
        assert!(shown.contains("Bearer ***"), "{shown}");
        assert!(!shown.contains("canary"), "{shown}");
        assert!(shown.contains("test/1"));
        assert_eq!(request.header("Authorization"), Some("Bearer vck_canary_123"));
        assert_eq!(
            request.json().and_then(|v| v["model"].as_str().map(str::to_owned)).as_deref(),
            Some("openai/gpt-5")
        );
    }

    #[test]
    fn debug_of_config_redacts_keys() {
        let config = LocalGatewayConfig {
            api_keys: vec!["vck_canary_1".into()],
            cli_token: Some("cli_canary".into()),
            ..LocalGatewayConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("canary"), "{shown}");
    }

    #[test]
    fn legacy_faults_become_chat_status_injections() {
        let fault = Fault { status: 429, error_type: None, message: None, retry_after: Some("2".into()), count: 2 };
        let injection = Injection::from(fault);
        assert_eq!(injection.times, Times::Next(2));
        assert_eq!(injection.route.as_deref(), Some("/v1/chat/completions"));
        match injection.kind {
            FaultKind::Status(status) => {
                assert_eq!(status.status, 429);
                assert_eq!(status.headers, [("retry-after".to_owned(), "2".to_owned())]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn flavors_parse_and_name_their_gateway() {
        assert_eq!(Flavor::parse(" OpenRouter ").unwrap(), Flavor::OpenRouter);
        assert_eq!(Flavor::parse("vercel").unwrap().api_prefix(), "/v1");
        assert_eq!(Gateway::from(Flavor::OpenRouter), Gateway::OpenRouter);
        assert_eq!(Flavor::OpenRouter.to_string(), "openrouter");
        match Flavor::parse("otlp") {
            Err(Error::Config { variable, message }) => {
                assert_eq!(variable.as_deref(), Some("flavor"));
                assert!(message.contains("\"openrouter\""), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_cli_token_on_openrouter_is_a_config_error() {
        let config = LocalGatewayConfig {
            flavor: Flavor::OpenRouter,
            cli_token: Some("cli".into()),
            ..LocalGatewayConfig::default()
        };
        match LocalGateway::start(config) {
            Err(Error::Config { variable, .. }) => assert_eq!(variable.as_deref(), Some("cli_token")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_bad_balance_is_a_config_error() {
        let config = LocalGatewayConfig { balance: Some("-1".into()), ..LocalGatewayConfig::default() };
        match LocalGateway::start(config) {
            Err(Error::Config { variable, .. }) => assert_eq!(variable.as_deref(), Some("balance")),
            other => panic!("{other:?}"),
        }
    }
}
