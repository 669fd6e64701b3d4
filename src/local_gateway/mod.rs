//! `LocalGateway`: an in-process fake of the Vercel AI Gateway on 127.0.0.1.
//!
//! Design choices:
//! - **Its own thread and runtime.** The server runs on a dedicated `std::thread` driving a tokio
//!   `current_thread` runtime. A sync client only drives its runtime inside `block_on`, and an
//!   async client may live on any runtime (or on none, between calls); a server hosted by either
//!   would stall. A thread of its own answers whatever the caller does.
//! - **Errors surface in [`LocalGateway::start`].** The catalog is parsed, the port bound and the
//!   runtime built on the caller's thread before the server thread exists, so a failure is a
//!   `Result`, not a log line from a thread nobody joins.
//! - **Shared state is a few mutexes** (recorded requests, queued faults, queued replies) behind
//!   an `Arc`. Handlers lock them only for a push or a pop, never across an `.await`.
//! - **Faithful shapes, not behaviour.** Bodies copy the field sets of recorded gateway replies
//!   (`spec/gateway-api.md` §4–6); content is a deterministic echo or a scripted reply, token
//!   counts are `ceil(chars / 4)`, and cost is tokens times the catalog's per-token prices, in
//!   exact decimal arithmetic so the strings look like the gateway's.
//! - **Bounded shutdown.** `shutdown()` (also run on drop) stops accepting at once, lets open
//!   connections finish for [`SHUTDOWN_GRACE`], then drops the runtime, which cancels whatever
//!   is left (say, a stream a client never reads), and joins the thread.
//! - **No secret in any repr.** Keys are held as [`Secret`]; `Debug` of a config or a recorded
//!   request prints `***` for credentials.

mod catalog;
mod completion;
mod ids;
mod server;

use std::collections::VecDeque;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::oneshot;

use crate::error::{Error, Result};
use crate::secret::Secret;

use catalog::Catalog;

/// How long open connections get to finish after [`LocalGateway::shutdown`] before they are
/// cut. Replies are generated in full up front, so only a client that stops reading needs it.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// Settings for [`LocalGateway::start`].
#[derive(Clone)]
pub struct LocalGatewayConfig {
    /// Bearer tokens accepted on inference routes. When empty, any non-empty bearer is accepted
    /// (an OIDC-shaped one is still checked for expiry when `accept_oidc` is true).
    pub api_keys: Vec<String>,
    /// Also accept any bearer that decodes as a JWT whose `exp` is in the future or absent; a
    /// JWT whose `exp` has passed is rejected with an "expired" message.
    pub accept_oidc: bool,
    /// A `/v1/models` document (`{"object":"list","data":[...]}`) that replaces the embedded
    /// catalog; it is served as given and used to resolve models and prices.
    pub catalog_json: Option<String>,
    /// The bearer accepted by the fake Vercel project-token endpoint
    /// (`POST /v1/projects/{id}/token`); when `None` that endpoint answers 404.
    pub cli_token: Option<String>,
}

impl Default for LocalGatewayConfig {
    fn default() -> Self {
        LocalGatewayConfig { api_keys: Vec::new(), accept_oidc: true, catalog_json: None, cli_token: None }
    }
}

impl fmt::Debug for LocalGatewayConfig {
    // Hand-written so that keys never reach a log line or a repr.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalGatewayConfig")
            .field("api_keys", &self.api_keys.iter().map(|_| "***").collect::<Vec<_>>())
            .field("accept_oidc", &self.accept_oidc)
            .field("catalog_json", &self.catalog_json.as_ref().map(|text| format!("<{} bytes>", text.len())))
            .field("cli_token", &self.cli_token.as_ref().map(|_| "***"))
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
            .finish()
    }
}

/// An error the gateway returns instead of a completion, for the next `count` requests to
/// `POST /v1/chat/completions` that pass authentication, validation and model lookup.
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
    access: Access,
    catalog: Catalog,
    requests: Mutex<Vec<RecordedRequest>>,
    faults: Mutex<VecDeque<Fault>>,
    replies: Mutex<VecDeque<ScriptedReply>>,
}

impl Shared {
    fn record(&self, request: RecordedRequest) {
        lock(&self.requests).push(request);
    }

    /// The fault that answers this request, if one is queued; consumes one of its `count`.
    fn take_fault(&self) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let front = faults.front_mut()?;
        let fault = front.clone();
        front.count = front.count.saturating_sub(1);
        if front.count == 0 {
            faults.pop_front();
        }
        Some(fault)
    }

    fn take_reply(&self) -> Option<ScriptedReply> {
        lock(&self.replies).pop_front()
    }
}

/// A running fake gateway. Dropping it shuts it down.
pub struct LocalGateway {
    shared: Arc<Shared>,
    address: SocketAddr,
    stop: Mutex<Option<oneshot::Sender<()>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl LocalGateway {
    /// Binds 127.0.0.1 on an ephemeral port and starts serving on a thread of its own.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] (variable `"catalog"`) when `catalog_json` is not a valid `/v1/models`
    /// document; [`Error::Internal`] when the port cannot be bound or the thread not started.
    pub fn start(config: LocalGatewayConfig) -> Result<LocalGateway> {
        let catalog = match config.catalog_json {
            Some(text) => Catalog::parse(text).map_err(|message| Error::config("catalog", message))?,
            None => Catalog::embedded().map_err(Error::internal)?,
        };
        let shared = Arc::new(Shared {
            access: Access {
                api_keys: config.api_keys.into_iter().map(Secret::new).collect(),
                accept_oidc: config.accept_oidc,
                cli_token: config.cli_token.map(Secret::new),
            },
            catalog,
            requests: Mutex::new(Vec::new()),
            faults: Mutex::new(VecDeque::new()),
            replies: Mutex::new(VecDeque::new()),
        });
        let running = server::spawn(Arc::clone(&shared))?;
        Ok(LocalGateway {
            shared,
            address: running.address,
            stop: Mutex::new(Some(running.stop)),
            thread: Mutex::new(Some(running.thread)),
        })
    }

    /// The port the gateway listens on.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// `http://127.0.0.1:PORT`, where the fake Vercel API routes (project tokens) live.
    #[must_use]
    pub fn origin(&self) -> String {
        format!("http://{}", self.address)
    }

    /// `http://127.0.0.1:PORT/v1`, the base URL to give a client.
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.origin())
    }

    /// Every request received so far, in arrival order.
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// Queues a fault behind any already queued; see [`Fault`].
    pub fn push_fault(&self, fault: Fault) {
        if fault.count > 0 {
            lock(&self.shared.faults).push_back(fault);
        }
    }

    /// Queues a scripted reply behind any already queued; see [`ScriptedReply`].
    pub fn push_reply(&self, reply: ScriptedReply) {
        lock(&self.shared.replies).push_back(reply);
    }

    /// Stops the server and waits for its thread (at most about [`SHUTDOWN_GRACE`]). Calling it
    /// again, from any thread, is harmless; once it returns the port no longer answers.
    pub fn shutdown(&self) {
        if let Some(stop) = lock(&self.stop).take() {
            // A closed channel means the server is already gone, which is what we want.
            let _ = stop.send(());
        }
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
        f.debug_struct("LocalGateway").field("base_url", &self.base_url()).finish_non_exhaustive()
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
    fn faults_are_consumed_count_times_in_order() {
        let shared = Shared {
            access: Access { api_keys: Vec::new(), accept_oidc: true, cli_token: None },
            catalog: Catalog::embedded().unwrap(),
            requests: Mutex::default(),
            faults: Mutex::default(),
            replies: Mutex::default(),
        };
        let fault = |status, count| Fault { status, error_type: None, message: None, retry_after: None, count };
        lock(&shared.faults).extend([fault(429, 2), fault(500, 1)]);
        let statuses: Vec<_> = std::iter::from_fn(|| shared.take_fault()).map(|f| f.status).collect();
        assert_eq!(statuses, [429, 429, 500]);
    }
}
