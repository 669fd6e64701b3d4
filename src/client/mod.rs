//! The gateway client: builds a request once, resolves the credential for it, sends it with
//! retries and timeouts, and turns the answer into JSON, a chunk stream, or a typed error.
//!
//! Design: this module speaks owned Rust types only (bytes in, `serde_json::Value` or
//! [`ChunkStream`] out) so the binding layer can call it while detached from the interpreter.
//! Credentials are resolved once per call (the OIDC header differs per request on Vercel).
//! Retries ([`retry`]) happen only around work that has not handed any output to the caller:
//! a whole non-streamed request, and for a stream everything up to and including its first
//! chunk, which [`Call::stream`] reads before returning. Error replies are parsed from the
//! gateway's envelope in one place, [`status_error_from_envelope`], which the SSE decoder
//! reuses for errors inside a 200 stream.

pub mod raw;
pub mod retry;
pub mod runtime;
pub mod sse;
pub mod sse_frame;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use serde_json::Value;

use crate::auth::{self, AuthInputs, AuthOptions, Skipped};
use crate::catalog::Gateway;
use crate::config::{self, Env};
use crate::error::{Error, Result, StatusError};
use crate::routing::router::{self as routing, Decision, Router, Target};
use crate::secret::Secret;
pub use retry::RetryPolicy;
pub use sse::ChunkStream;

/// OpenRouter's OpenAI-compatible base URL.
pub const DEFAULT_OPENROUTER_URL: &str = "https://openrouter.ai/api/v1";
/// Environment variable overriding the OpenRouter base URL.
pub const OPENROUTER_URL_VARIABLE: &str = "OPENROUTER_BASE_URL";
/// Environment variable holding the OpenRouter API key.
pub const OPENROUTER_KEY_VARIABLE: &str = "OPENROUTER_API_KEY";

/// Default total timeout of a request, as in openai-python.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// Default time allowed to open a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest error body kept for diagnosis.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// The four timeouts of a call.
///
/// - `connect`: opening the connection.
/// - `first_byte`: from sending until the response headers arrive and, for a stream, its first
///   chunk. `None` means `total`.
/// - `idle`: the longest silence between two chunks of a stream. `None` means `total`.
/// - `total`: a whole non-streamed attempt, body included. For streams it bounds the wait for the
///   first chunk and each gap (like openai-python's read timeout) rather than the whole stream,
///   so long generations are not cut off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Opening the connection.
    pub connect: Duration,
    /// Until the response headers (and a stream's first chunk).
    pub first_byte: Option<Duration>,
    /// Between two chunks of a stream.
    pub idle: Option<Duration>,
    /// A whole non-streamed attempt.
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect: DEFAULT_CONNECT_TIMEOUT, first_byte: None, idle: None, total: DEFAULT_TIMEOUT }
    }
}

impl Timeouts {
    fn first_byte(&self) -> Duration {
        self.first_byte.unwrap_or(self.total).min(self.total)
    }

    fn idle(&self) -> Duration {
        self.idle.unwrap_or(self.total)
    }
}

/// Settings fixed when a client is created.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL, without trailing slash, e.g. `https://ai-gateway.vercel.sh/v1`.
    pub base_url: String,
    /// How to find the credential for each request.
    pub auth: AuthOptions,
    /// Timeouts of every call (a call may override them).
    pub timeouts: Timeouts,
    /// When and how often to retry.
    pub retry: RetryPolicy,
    /// Headers sent on every request (after the attribution headers, before per-call ones).
    pub default_headers: Vec<(String, String)>,
    /// `http-referer` attribution; `None` reads `VERCEL_SITE_URL`.
    pub site_url: Option<String>,
    /// `x-title` attribution; `None` reads `VERCEL_APP_NAME`.
    pub app_name: Option<String>,
    /// Where unrouted calls go.
    pub gateway: Gateway,
    /// OpenRouter's base URL, without trailing slash.
    pub openrouter_url: String,
    /// An explicit OpenRouter key; `None` reads `OPENROUTER_API_KEY` per call.
    pub openrouter_key: Option<Secret>,
    /// Routes chat and embeddings calls between the gateways when set.
    pub router: Option<Arc<Router>>,
    /// Look the cost up (`GET /generation`) when an answer carries no `usage.cost`.
    pub cost_lookup: bool,
    /// Input limits: the largest JSON answer and SSE line read.
    pub limits: Limits,
}

/// Bounds on what is read from a gateway, so a broken or hostile answer costs bounded memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest JSON answer, in bytes.
    pub max_body_bytes: usize,
    /// The longest line of an event stream, in bytes.
    pub max_line_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_body_bytes: MAX_BODY_BYTES, max_line_bytes: sse::MAX_LINE_BYTES }
    }
}

impl ClientConfig {
    /// The timeouts a call with `options` runs under. The caller picks the HTTP client whose
    /// connect timeout matches (`Engine::http_for`), since reqwest fixes it per client.
    pub fn timeouts_for(&self, options: &CallOptions) -> Timeouts {
        options.timeouts.unwrap_or(self.timeouts)
    }

    /// A configuration from explicit values and the environment (`AI_GATEWAY_BASE_URL`,
    /// `OPENROUTER_BASE_URL`, …).
    pub fn new(base_url: Option<&str>, auth: AuthOptions, env: &dyn Env) -> Result<Self> {
        let openrouter_url = match env.var(OPENROUTER_URL_VARIABLE) {
            Some(url) => config::validate_base_url(&url, OPENROUTER_URL_VARIABLE)?,
            None => DEFAULT_OPENROUTER_URL.to_string(),
        };
        Ok(ClientConfig {
            base_url: config::gateway_url(base_url, env)?,
            auth,
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
            default_headers: Vec::new(),
            site_url: None,
            app_name: None,
            gateway: Gateway::Vercel,
            openrouter_url,
            openrouter_key: None,
            router: None,
            cost_lookup: false,
            limits: Limits::default(),
        })
    }

    /// The base URL of `gateway`.
    pub fn base_url_for(&self, gateway: Gateway) -> &str {
        match gateway {
            Gateway::Vercel => &self.base_url,
            Gateway::OpenRouter => &self.openrouter_url,
        }
    }
}

/// What varies per call.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// The current request's `x-vercel-oidc-token` header, read from the caller's context.
    pub header_token: Option<String>,
    /// Overrides the client's timeouts.
    pub timeouts: Option<Timeouts>,
    /// Overrides the client's retry count.
    pub max_retries: Option<u32>,
    /// Extra headers for this call only; they win over every other header but authorization.
    pub extra_headers: Vec<(String, String)>,
}

/// One attempt on one gateway (its same-gateway retries included).
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// The gateway tried.
    pub gateway: Gateway,
    /// The model id sent, when the call names one.
    pub model: Option<String>,
    /// Retries made on that gateway.
    pub retries: u32,
    /// `None` on success, else what went wrong (a sentence without secrets).
    pub error: Option<String>,
    /// The HTTP status of the failure, when there was one.
    pub status: Option<u16>,
}

/// A result plus what the caller should report about how it was obtained.
#[derive(Debug)]
pub struct Outcome<T> {
    /// The result.
    pub value: T,
    /// Skipped credential sources, for warnings.
    pub skipped: Vec<Skipped>,
    /// Retries made before the successful attempt.
    pub retries_taken: u32,
    /// The gateway that answered.
    pub gateway: Gateway,
    /// The model id the answering gateway was sent.
    pub model: Option<String>,
    /// Every attempt, the successful one last.
    pub attempts: Vec<Attempt>,
}

/// What a routed call returns.
pub enum Answer {
    /// A JSON body.
    Json(Value),
    /// A stream whose first chunk has arrived.
    Stream(Box<ChunkStream>),
}

/// A value cached for a fixed time (the model catalog).
#[derive(Debug)]
pub struct TtlCache {
    ttl: Duration,
    slot: Mutex<Option<(Instant, Value)>>,
}

impl TtlCache {
    /// An empty cache whose entries live for `ttl` (zero disables caching).
    pub fn new(ttl: Duration) -> Self {
        TtlCache { ttl, slot: Mutex::new(None) }
    }

    /// The cached value when it is younger than the TTL.
    pub fn get(&self) -> Option<Value> {
        let slot = self.slot.lock().ok()?;
        slot.as_ref().filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, v)| v.clone())
    }

    /// Stores a fresh value.
    pub fn put(&self, value: &Value) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some((Instant::now(), value.clone()));
        }
    }

    /// Forgets the cached value.
    pub fn clear(&self) {
        if let Ok(mut slot) = self.slot.lock() {
            *slot = None;
        }
    }
}

/// A short description of a reqwest error without its URL (the caller adds context).
pub fn describe_reqwest_error(e: &reqwest::Error) -> String {
    let mut text = if e.is_connect() {
        "could not connect".to_string()
    } else if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_body() || e.is_decode() {
        "the response body could not be read".to_string()
    } else {
        "the request failed".to_string()
    };
    let mut source = std::error::Error::source(e);
    let mut last = None;
    while let Some(s) = source {
        last = Some(s.to_string());
        source = s.source();
    }
    if let Some(root) = last {
        text.push_str(" (");
        text.push_str(&root);
        text.push(')');
    }
    text
}

fn transport_error(e: &reqwest::Error, url: &str, timeouts: &Timeouts) -> Error {
    if e.is_connect() && e.is_timeout() {
        Error::timeout(
            format!("Could not connect to {url} within the connect timeout of {} s.", timeouts.connect.as_secs_f64()),
            url,
        )
    } else if e.is_timeout() {
        Error::timeout(format!("The request to {url} timed out."), url)
    } else {
        Error::connection(format!("The request to {url} failed: {}.", describe_reqwest_error(e)), url)
    }
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// Seconds to wait from `retry-after-ms` or `retry-after` (seconds; HTTP dates are ignored).
fn retry_after(headers: &HeaderMap) -> Option<f64> {
    let finite = |v: f64| v.is_finite() && v >= 0.0;
    if let Some(ms) =
        header_str(headers, "retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok()).filter(|v| finite(*v))
    {
        return Some(ms / 1000.0);
    }
    header_str(headers, "retry-after").and_then(|v| v.trim().parse::<f64>().ok()).filter(|v| finite(*v))
}

fn default_message(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
    format!("HTTP {status} {reason}")
}

/// Parses a gateway error body (`{"error": {message, type, param, code}, "generationId"}`, or
/// the flat `{"error": "…"}` of some REST routes) into a [`StatusError`].
pub fn status_error_from_envelope(status: u16, body: &Value, url: &str) -> StatusError {
    let error = body.get("error");
    let (message, error_type, code, param) = match error {
        Some(Value::Object(e)) => (
            e.get("message").and_then(Value::as_str).map(str::to_string),
            e.get("type").and_then(Value::as_str).map(str::to_string),
            e.get("code").and_then(|c| match c {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }),
            e.get("param").filter(|p| !p.is_null()).cloned(),
        ),
        Some(Value::String(s)) => (Some(s.clone()), None, None, None),
        _ => (body.get("message").and_then(Value::as_str).map(str::to_string), None, None, None),
    };
    let generation_id = body
        .get("generationId")
        .or_else(|| body.get("id").filter(|v| v.as_str().is_some_and(|s| s.starts_with("gen_"))))
        .and_then(Value::as_str)
        .map(str::to_string);
    StatusError {
        status,
        message: message.filter(|m| !m.trim().is_empty()).unwrap_or_else(|| default_message(status)),
        error_type,
        code,
        param,
        generation_id,
        url: url.to_string(),
        body: Some(body.clone()),
        ..StatusError::default()
    }
}

/// The typed error of a non-2xx reply. Only the first [`ERROR_BODY_LIMIT`] bytes of its body
/// are read (each read bounded by the idle timeout); the rest is not waited for: the response
/// is dropped, which closes its connection, so an endless or stalled error body costs neither
/// memory nor time.
async fn status_error(mut response: reqwest::Response, timeouts: &Timeouts) -> Error {
    let status = response.status().as_u16();
    let url = response.url().to_string();
    let headers = response.headers().clone();
    let mut bytes = Vec::new();
    while bytes.len() < ERROR_BODY_LIMIT {
        match tokio::time::timeout(timeouts.idle(), response.chunk()).await {
            Ok(Ok(Some(chunk))) => {
                let room = ERROR_BODY_LIMIT - bytes.len();
                bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            // The body ended, broke or stalled: what was read is what there is.
            _ => break,
        }
    }
    drop(response);
    status_error_from_parts(status, &url, &headers, &bytes)
}

/// The typed error of a non-2xx reply whose body was read (`bytes`; only the first 64 KiB are
/// looked at).
pub fn status_error_from_parts(status: u16, url: &str, headers: &HeaderMap, bytes: &[u8]) -> Error {
    let url = url.to_string();
    let excerpt = &bytes[..bytes.len().min(ERROR_BODY_LIMIT)];
    let mut error = match serde_json::from_slice::<Value>(excerpt) {
        Ok(body) => status_error_from_envelope(status, &body, &url),
        Err(_) => {
            let text = String::from_utf8_lossy(excerpt).trim().chars().take(200).collect::<String>();
            let mut e =
                StatusError { status, message: default_message(status), url: url.clone(), ..StatusError::default() };
            if !text.is_empty() {
                e.body = Some(Value::String(text));
            }
            e
        }
    };
    error.request_id = header_str(headers, "x-vercel-id").or_else(|| header_str(headers, "x-request-id"));
    error.retry_after = retry_after(headers);
    error.message = match &error.generation_id {
        Some(g) if !error.message.contains(g.as_str()) => format!("{} [{g}]", error.message),
        _ => error.message,
    };
    Error::Status(Box::new(error))
}

fn header_pair(name: &str, value: &str) -> Result<(HeaderName, HeaderValue)> {
    let n = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::config(name, format!("`{name}` is not a valid HTTP header name.")))?;
    let v = HeaderValue::from_str(value)
        .map_err(|_| Error::config(name, format!("The value of header `{name}` is not valid in HTTP.")))?;
    Ok((n, v))
}

/// One call: the connection pool to send on, the client's settings, the per-call options and
/// the environment snapshot credentials are read from.
pub struct Call<'a> {
    /// The HTTP client of the engine the call runs on.
    pub http: &'a reqwest::Client,
    /// The client's settings.
    pub config: &'a ClientConfig,
    /// What varies per call.
    pub options: &'a CallOptions,
    /// Where environment variables are read.
    pub env: &'a dyn Env,
}

/// A request ready to send any number of times.
struct Prepared {
    method: reqwest::Method,
    url: String,
    headers: HeaderMap,
    body: Option<Bytes>,
}

impl Prepared {
    /// The credential this request carries (its bearer token), to redact from replies that
    /// quote it.
    fn credential(&self) -> Option<&str> {
        let value = self.headers.get(AUTHORIZATION)?.to_str().ok()?;
        value.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty())
    }
}

impl Call<'_> {
    fn timeouts(&self) -> Timeouts {
        self.config.timeouts_for(self.options)
    }

    /// Resolves the bearer token for `gateway`, and the credential sources skipped on the way.
    pub async fn credential(&self, gateway: Gateway) -> Result<(Secret, String, Vec<Skipped>)> {
        match gateway {
            Gateway::Vercel => {
                let inputs = AuthInputs {
                    header_token: self.options.header_token.as_deref(),
                    env: self.env,
                    now: auth::unix_now(),
                };
                let resolution = auth::resolve(&self.config.auth, &inputs, self.http).await?;
                let source = resolution.credential.source.as_str().to_string();
                Ok((resolution.credential.token, source, resolution.skipped))
            }
            Gateway::OpenRouter => {
                if let Some(key) = &self.config.openrouter_key {
                    return Ok((key.clone(), "openrouter_api_key".to_string(), Vec::new()));
                }
                match self.env.var(OPENROUTER_KEY_VARIABLE) {
                    Some(key) => Ok((Secret::new(key.trim()), OPENROUTER_KEY_VARIABLE.to_string(), Vec::new())),
                    None => Err(Error::Credentials {
                        message: "No OpenRouter key: pass openrouter_api_key= or set OPENROUTER_API_KEY. Sources checked, in order: the explicit openrouter_api_key argument (not given); OPENROUTER_API_KEY (unset).".to_string(),
                        sources_checked: vec!["openrouter_api_key (not given)".into(), "OPENROUTER_API_KEY (unset)".into()],
                        missing: true,
                    }),
                }
            }
        }
    }

    fn headers_without_auth(&self) -> Result<HeaderMap> {
        let mut headers = HeaderMap::new();
        for (name, value) in self.config.default_headers.iter().chain(&self.options.extra_headers) {
            let (n, v) = header_pair(name, value)?;
            headers.insert(n, v);
        }
        Ok(headers)
    }

    fn headers(&self, token: &Secret, source: &str) -> Result<HeaderMap> {
        let mut headers = HeaderMap::new();
        let site = self.config.site_url.clone().or_else(|| self.env.var("VERCEL_SITE_URL"));
        let app = self.config.app_name.clone().or_else(|| self.env.var("VERCEL_APP_NAME"));
        // Both gateways read the same attribution pair (OpenRouter spells them HTTP-Referer and
        // X-Title; header names are case-insensitive).
        let attribution =
            site.map(|v| ("http-referer".to_string(), v)).into_iter().chain(app.map(|v| ("x-title".to_string(), v)));
        for (name, value) in attribution
            .chain(self.config.default_headers.iter().cloned())
            .chain(self.options.extra_headers.iter().cloned())
        {
            let (n, v) = header_pair(&name, &value)?;
            headers.insert(n, v);
        }
        let mut bearer =
            HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| Error::Credentials {
                message: format!(
                    "The credential from {source} contains characters that cannot be sent in an HTTP header."
                ),
                sources_checked: vec![source.to_string()],
                missing: false,
            })?;
        bearer.set_sensitive(true);
        headers.insert(AUTHORIZATION, bearer);
        Ok(headers)
    }

    async fn prepare(
        &self,
        gateway: Gateway,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(Prepared, Vec<Skipped>)> {
        // The model catalogs are public on both gateways: without any credential, ask anyway.
        let catalog = path.starts_with("/models");
        let (headers, skipped) = match self.credential(gateway).await {
            Ok((token, source, skipped)) => (self.headers(&token, &source)?, skipped),
            Err(Error::Credentials { missing: true, .. }) if catalog => (self.headers_without_auth()?, Vec::new()),
            Err(e) => return Err(e),
        };
        let url = format!("{}{}", self.config.base_url_for(gateway), path);
        Ok((Prepared { method, url, headers, body: body.map(Bytes::from) }, skipped))
    }

    /// Sends once and waits for the response headers (bounded by the first-byte timeout);
    /// a non-2xx answer is the typed error, its body read.
    async fn send_once(&self, req: &Prepared, timeouts: &Timeouts) -> Result<reqwest::Response> {
        let response = self.send_unchecked(req, timeouts).await?;
        if !response.status().is_success() {
            return Err(status_error(response, timeouts).await);
        }
        Ok(response)
    }

    /// Sends once and waits for the response headers (bounded by the first-byte timeout),
    /// whatever their status. A body without a `content-type` header is sent as JSON.
    async fn send_unchecked(&self, req: &Prepared, timeouts: &Timeouts) -> Result<reqwest::Response> {
        let mut builder = self.http.request(req.method.clone(), &req.url).headers(req.headers.clone());
        if let Some(body) = &req.body {
            if !req.headers.contains_key(CONTENT_TYPE) {
                builder = builder.header(CONTENT_TYPE, "application/json");
            }
            builder = builder.body(body.clone());
        }
        let wait = timeouts.first_byte();
        tokio::time::timeout(wait, builder.send())
            .await
            .map_err(|_| {
                Error::timeout(
                    format!("The request to {} got no response within {} s.", req.url, wait.as_secs_f64()),
                    &req.url,
                )
            })?
            .map_err(|e| transport_error(&e, &req.url, timeouts))
    }

    async fn json_once(&self, req: &Prepared, timeouts: &Timeouts, gateway: Gateway) -> Result<Value> {
        let attempt = async {
            let response = self.send_once(req, timeouts).await?;
            let status = response.status().as_u16();
            let bytes = read_limited(response, &req.url, timeouts, self.config.limits.max_body_bytes).await?;
            let mut value: Value = serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
                message: format!("The response from {} is not valid JSON ({e}).", req.url),
                url: req.url.clone(),
                status,
            })?;
            // OpenRouter reports failures after the model started as a 200 with an error body.
            let in_band = value.get("error").is_some_and(|e| !e.is_null())
                && value.get("choices").is_none()
                && value.get("data").is_none();
            if in_band {
                let mut e = status_error_from_envelope(status, &value, &req.url);
                e.message = format!("The gateway answered {status} with an error: {}", e.message);
                return Err(Error::Status(Box::new(e)));
            }
            if gateway == Gateway::OpenRouter {
                crate::routing::translate::normalize_reasoning(&mut value);
            }
            Ok(value)
        };
        let result = tokio::time::timeout(timeouts.total, attempt).await.unwrap_or_else(|_| {
            Err(Error::timeout(
                format!("The request to {} did not complete within {} s.", req.url, timeouts.total.as_secs_f64()),
                &req.url,
            ))
        });
        result.map_err(|e| e.redacted(req.credential()))
    }

    async fn stream_once(&self, req: &Prepared, timeouts: &Timeouts, gateway: Gateway) -> Result<ChunkStream> {
        let wait = timeouts.first_byte();
        let attempt = async {
            let response = self.send_once(req, timeouts).await?;
            let is_sse = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/event-stream"));
            if !is_sse {
                return Err(Error::Decode {
                    message: format!(
                        "The response from {} is not an event stream although a stream was requested.",
                        req.url
                    ),
                    url: req.url.clone(),
                    status: response.status().as_u16(),
                });
            }
            let mut stream = ChunkStream::with_limit(response, timeouts.idle(), self.config.limits.max_line_bytes);
            stream.set_normalize_reasoning(gateway == Gateway::OpenRouter);
            stream.set_redacted(req.credential().map(Secret::new));
            stream.prefetch().await?;
            Ok(stream)
        };
        let result = tokio::time::timeout(wait, attempt).await.unwrap_or_else(|_| {
            Err(Error::timeout(
                format!("The stream from {} sent no chunk within {} s.", req.url, wait.as_secs_f64()),
                &req.url,
            ))
        });
        result.map_err(|e| e.redacted(req.credential()))
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retries run out.
    async fn with_retries<T, F, Fut>(&self, attempt: F) -> Result<(T, u32)>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let policy = self.config.retry;
        let max_retries = self.options.max_retries.unwrap_or(policy.max_retries);
        let mut retries = 0;
        loop {
            match attempt().await {
                Ok(value) => return Ok((value, retries)),
                Err(e) if retries < max_retries && retry::is_retryable(&e) => {
                    let jitter: f64 = rand::random();
                    tokio::time::sleep(policy.delay(retries, retry::retry_after(&e), jitter)).await;
                    retries += 1;
                }
                Err(e) => return Err(e.with_retries_taken(retries)),
            }
        }
    }

    /// Sends one request to `gateway`, with same-gateway retries.
    async fn send_to(
        &self,
        gateway: Gateway,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
        stream: bool,
    ) -> Result<(Answer, u32, Vec<Skipped>)> {
        let (req, skipped) = self.prepare(gateway, method, path, body).await?;
        let timeouts = self.timeouts();
        if stream {
            let (s, retries) = self.with_retries(|| self.stream_once(&req, &timeouts, gateway)).await?;
            Ok((Answer::Stream(Box::new(s)), retries, skipped))
        } else {
            let (v, retries) = self.with_retries(|| self.json_once(&req, &timeouts, gateway)).await?;
            Ok((Answer::Json(v), retries, skipped))
        }
    }

    /// Sends a request to the client's gateway and returns the parsed JSON answer, retrying
    /// what may be retried.
    pub async fn json(&self, method: reqwest::Method, path: &str, body: Option<Vec<u8>>) -> Result<Outcome<Value>> {
        self.json_to(self.config.gateway, method, path, body).await
    }

    /// Like [`Call::json`], to a given gateway.
    pub async fn json_to(
        &self,
        gateway: Gateway,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Outcome<Value>> {
        let (answer, retries_taken, skipped) = self.send_to(gateway, method, path, body, false).await?;
        let Answer::Json(value) = answer else { return Err(Error::internal("a JSON call returned a stream")) };
        let attempts = vec![Attempt { gateway, model: None, retries: retries_taken, error: None, status: None }];
        Ok(Outcome { value, skipped, retries_taken, gateway, model: None, attempts })
    }

    /// Sends a request for a stream to the client's gateway and returns it once its first
    /// chunk arrived. Failures up to that point are retried; none after it, since the caller
    /// then holds output.
    pub async fn stream(&self, path: &str, body: Vec<u8>) -> Result<Outcome<ChunkStream>> {
        let gateway = self.config.gateway;
        let (answer, retries_taken, skipped) =
            self.send_to(gateway, reqwest::Method::POST, path, Some(body), true).await?;
        let Answer::Stream(value) = answer else { return Err(Error::internal("a stream call returned JSON")) };
        let value = *value;
        let attempts = vec![Attempt { gateway, model: None, retries: retries_taken, error: None, status: None }];
        Ok(Outcome { value, skipped, retries_taken, gateway, model: None, attempts })
    }

    /// Sends a routed call: the decision's primary target, then, when the failure allows it and
    /// nothing reached the caller yet, its fallback. Outcomes feed the router's breakers.
    pub async fn routed(
        &self,
        router: &Router,
        decision: &Decision,
        path: &str,
        stream: bool,
    ) -> Result<Outcome<Answer>> {
        self.failover(router, decision, |gateway, body| {
            self.send_to(gateway, reqwest::Method::POST, path, Some(body), stream)
        })
        .await
    }

    /// The failover loop of a routed call, whatever is sent: `send(gateway, body)` makes one
    /// attempt (its same-gateway retries included) with the decision's body for that gateway,
    /// and returns the answer, the retries made and the credential sources skipped.
    pub async fn failover<T, F, Fut>(&self, router: &Router, decision: &Decision, send: F) -> Result<Outcome<T>>
    where
        F: Fn(Gateway, Vec<u8>) -> Fut,
        Fut: std::future::Future<Output = Result<(T, u32, Vec<Skipped>)>>,
    {
        let targets: Vec<&Target> = std::iter::once(&decision.primary).chain(decision.fallback.as_ref()).collect();
        let mut attempts = Vec::new();
        let mut skipped_all = Vec::new();
        let mut last_error = None;
        for (i, target) in targets.iter().enumerate() {
            let is_last = i + 1 == targets.len();
            let now = std::time::Instant::now();
            if let Err(reason) = router.breakers().admit(target.gateway, &target.model, now) {
                if !is_last {
                    attempts.push(Attempt {
                        gateway: target.gateway,
                        model: Some(target.model.clone()),
                        retries: 0,
                        error: Some(format!("skipped: {reason}")),
                        status: None,
                    });
                    continue;
                }
            }
            let body = match &target.body {
                Some(b) => serde_json::to_vec(b)
                    .map_err(|e| Error::internal(format!("the routed body cannot be encoded: {e}")))?,
                None => return Err(Error::internal("a routed call has no body")),
            };
            match send(target.gateway, body).await {
                Ok((answer, retries, skipped)) => {
                    router.breakers().record(target.gateway, &target.model, true, std::time::Instant::now());
                    skipped_all.extend(skipped);
                    attempts.push(Attempt {
                        gateway: target.gateway,
                        model: Some(target.model.clone()),
                        retries,
                        error: None,
                        status: None,
                    });
                    return Ok(Outcome {
                        value: answer,
                        skipped: skipped_all,
                        retries_taken: retries,
                        gateway: target.gateway,
                        model: Some(target.model.clone()),
                        attempts,
                    });
                }
                Err(e) => {
                    let health = routing::counts_against_gateway(&e) || matches!(e, Error::Credentials { .. });
                    if health {
                        router.breakers().record(target.gateway, &target.model, false, std::time::Instant::now());
                    } else {
                        router.breakers().release(target.gateway, &target.model);
                    }
                    let status = match &e {
                        Error::Status(s) => Some(s.status),
                        _ => None,
                    };
                    let retries = match &e {
                        Error::Status(s) => s.retries_taken,
                        Error::Connection { retries_taken, .. } | Error::Timeout { retries_taken, .. } => {
                            *retries_taken
                        }
                        _ => 0,
                    };
                    attempts.push(Attempt {
                        gateway: target.gateway,
                        model: Some(target.model.clone()),
                        retries,
                        error: Some(e.to_string()),
                        status,
                    });
                    // A missing or broken credential for one gateway is a reason to try the other.
                    let may_switch = routing::may_fail_over(&e) || matches!(e, Error::Credentials { .. });
                    if is_last || !may_switch {
                        return Err(annotate(e, &attempts));
                    }
                    log::warn!(
                        "vercel_ai_gateway: {} failed ({}); failing over to {}",
                        target.gateway.as_str(),
                        attempts.last().and_then(|a| a.error.clone()).unwrap_or_default(),
                        targets[i + 1].gateway.as_str()
                    );
                    last_error = Some(e);
                }
            }
        }
        Err(last_error.unwrap_or_else(|| Error::internal("a routed call had no target")))
    }
}

/// Decides where a chat or embeddings call for `model` goes and tells the call's span: the
/// decision and its one-line explanation. Shared by the typed calls and [`raw`] pass-through.
pub fn decide(
    config: &ClientConfig,
    router: &Router,
    model: &str,
    body: &Value,
    recorder: Option<&mut crate::telemetry::CallRecorder>,
) -> (Decision, String) {
    let decision = router.route(&crate::routing::RouteRequest { model, user: None, body: Some(body) });
    let explain = decision.explain();
    if let Some(r) = recorder {
        r.set_route(&explain);
        r.set_gateway(decision.primary.gateway.as_str(), config.base_url_for(decision.primary.gateway));
    }
    (decision, explain)
}

/// The largest JSON answer read (a big embeddings batch is tens of MiB); larger is a typed
/// error rather than unbounded memory.
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    url: &str,
    timeouts: &Timeouts,
    limit: usize,
) -> Result<Vec<u8>> {
    let status = response.status().as_u16();
    let mut body = Vec::with_capacity(response.content_length().map_or(8 * 1024, |n| n.min(1 << 20) as usize));
    while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(&e, url, timeouts))? {
        if body.len() + chunk.len() > limit {
            return Err(Error::Decode {
                message: format!("The response from {url} is larger than {limit} bytes; it was not read."),
                url: url.to_string(),
                status,
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Adds the attempts made to the message of the final error of a routed call.
fn annotate(error: Error, attempts: &[Attempt]) -> Error {
    if attempts.len() < 2 {
        return error;
    }
    let trail: Vec<String> =
        attempts.iter().map(|a| format!("{} ({})", a.gateway.as_str(), a.error.as_deref().unwrap_or("ok"))).collect();
    let suffix = format!(" Attempts: {}.", trail.join("; "));
    match error {
        Error::Status(mut e) => {
            e.message.push_str(&suffix);
            Error::Status(e)
        }
        Error::Connection { message, url, retries_taken } => {
            Error::Connection { message: message + &suffix, url, retries_taken }
        }
        Error::Timeout { message, url, retries_taken } => {
            Error::Timeout { message: message + &suffix, url, retries_taken }
        }
        Error::Credentials { message, sources_checked, missing } => {
            Error::Credentials { message: message + &suffix, sources_checked, missing }
        }
        other => other,
    }
}

/// The cost of an answer in USD: `usage.cost` when the gateway reported it, else an estimate
/// from the catalog's list prices and the token counts (`true` = estimated).
pub fn cost_of(gateway: Gateway, model: Option<&str>, value: &Value) -> Option<(f64, bool)> {
    let usage = value.get("usage")?;
    if let Some(cost) = usage.get("cost").and_then(Value::as_f64) {
        return Some((cost, false));
    }
    let model = model.or_else(|| value.get("model").and_then(Value::as_str))?;
    let prompt = usage.get("prompt_tokens").and_then(Value::as_u64).unwrap_or(0);
    let completion = usage.get("completion_tokens").and_then(Value::as_u64).unwrap_or(0);
    let catalog = crate::catalog::Catalog::embedded(gateway).ok()?;
    catalog.estimate_cost(model, prompt, completion).map(|c| (c, true))
}
