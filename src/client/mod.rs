//! The gateway client: builds a request once, resolves the credential for it, sends it, and
//! turns the answer into JSON, a chunk stream, or a typed error.
//!
//! Design: this module speaks owned Rust types only (bytes in, `serde_json::Value` or
//! [`ChunkStream`] out) so the binding layer can call it while detached from the interpreter.
//! Credentials are resolved per request (the OIDC header differs per request on Vercel).
//! Error replies are parsed from the gateway's envelope in one place,
//! [`status_error_from_envelope`], which the SSE decoder reuses for errors inside a 200 stream.

pub mod runtime;
pub mod sse;

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use serde_json::Value;

use crate::auth::{self, AuthInputs, AuthOptions, Credential, Skipped};
use crate::config::{self, Env};
use crate::error::{Error, Result, StatusError};
pub use sse::ChunkStream;

/// Default total timeout of a request, as in openai-python.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// The largest error body kept for diagnosis.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Settings fixed when a client is created.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL, without trailing slash, e.g. `https://ai-gateway.vercel.sh/v1`.
    pub base_url: String,
    /// How to find the credential for each request.
    pub auth: AuthOptions,
    /// Total timeout of a non-streamed request, and time to response headers of a stream.
    pub timeout: Duration,
    /// Headers sent on every request (after the attribution headers, before per-call ones).
    pub default_headers: Vec<(String, String)>,
}

impl ClientConfig {
    /// A configuration from explicit values and the environment (`AI_GATEWAY_BASE_URL`, …).
    pub fn new(base_url: Option<&str>, auth: AuthOptions, env: &dyn Env) -> Result<Self> {
        Ok(ClientConfig {
            base_url: config::gateway_url(base_url, env)?,
            auth,
            timeout: DEFAULT_TIMEOUT,
            default_headers: Vec::new(),
        })
    }
}

/// What varies per call.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// The current request's `x-vercel-oidc-token` header, read from the caller's context.
    pub header_token: Option<String>,
    /// Overrides the client's timeout.
    pub timeout: Option<Duration>,
    /// Extra headers for this call only; they win over every other header but authorization.
    pub extra_headers: Vec<(String, String)>,
}

/// A result plus the credential sources skipped on the way (to be logged by the caller).
#[derive(Debug)]
pub struct Outcome<T> {
    /// The result.
    pub value: T,
    /// Skipped credential sources, for warnings.
    pub skipped: Vec<Skipped>,
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

fn transport_error(e: &reqwest::Error, url: &str) -> Error {
    if e.is_timeout() {
        Error::Timeout { message: format!("The request to {url} timed out."), url: url.to_string() }
    } else {
        Error::Connection {
            message: format!("The request to {url} failed: {}.", describe_reqwest_error(e)),
            url: url.to_string(),
        }
    }
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// Seconds to wait from `retry-after-ms` or `retry-after` (seconds; HTTP dates are ignored).
fn retry_after(headers: &HeaderMap) -> Option<f64> {
    if let Some(ms) = header_str(headers, "retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok()) {
        return Some(ms / 1000.0);
    }
    header_str(headers, "retry-after").and_then(|v| v.trim().parse::<f64>().ok())
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
        message: message.unwrap_or_else(|| default_message(status)),
        error_type,
        code,
        param,
        generation_id,
        url: url.to_string(),
        body: Some(body.clone()),
        ..StatusError::default()
    }
}

async fn status_error(response: reqwest::Response) -> Error {
    let status = response.status().as_u16();
    let url = response.url().to_string();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap_or_default();
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
    error.request_id = header_str(&headers, "x-vercel-id").or_else(|| header_str(&headers, "x-request-id"));
    error.retry_after = retry_after(&headers);
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

fn attribution_headers(env: &dyn Env) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(site) = env.var("VERCEL_SITE_URL") {
        out.push(("http-referer".to_string(), site));
    }
    if let Some(app) = env.var("VERCEL_APP_NAME") {
        out.push(("x-title".to_string(), app));
    }
    out
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

impl Call<'_> {
    /// Resolves the credential for this call.
    pub async fn credential(&self) -> Result<(Credential, Vec<Skipped>)> {
        let inputs =
            AuthInputs { header_token: self.options.header_token.as_deref(), env: self.env, now: auth::unix_now() };
        let resolution = auth::resolve(&self.config.auth, &inputs, self.http).await?;
        Ok((resolution.credential, resolution.skipped))
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
        whole_timeout: bool,
    ) -> Result<Outcome<reqwest::Response>> {
        let (credential, skipped) = self.credential().await?;
        let url = format!("{}{}", self.config.base_url, path);
        let mut headers = HeaderMap::new();
        let attribution = attribution_headers(self.env);
        for (name, value) in attribution.iter().chain(&self.config.default_headers).chain(&self.options.extra_headers) {
            let (n, v) = header_pair(name, value)?;
            headers.insert(n, v);
        }
        let mut bearer = HeaderValue::from_str(&format!("Bearer {}", credential.token.expose())).map_err(|_| {
            Error::Credentials {
                message: format!(
                    "The credential from {} contains characters that cannot be sent in an HTTP header.",
                    credential.source.as_str()
                ),
                sources_checked: vec![credential.source.as_str().to_string()],
                missing: false,
            }
        })?;
        bearer.set_sensitive(true);
        headers.insert(AUTHORIZATION, bearer);
        let mut request = self.http.request(method, &url).headers(headers);
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let timeout = self.options.timeout.unwrap_or(self.config.timeout);
        let response = if whole_timeout {
            request.timeout(timeout).send().await.map_err(|e| transport_error(&e, &url))?
        } else {
            // A stream may legitimately run for longer than the timeout; bound the wait for headers.
            tokio::time::timeout(timeout, request.send())
                .await
                .map_err(|_| Error::Timeout {
                    message: format!(
                        "The request to {url} got no response headers within {} s.",
                        timeout.as_secs_f64()
                    ),
                    url: url.clone(),
                })?
                .map_err(|e| transport_error(&e, &url))?
        };
        if !response.status().is_success() {
            return Err(status_error(response).await);
        }
        Ok(Outcome { value: response, skipped })
    }

    /// Sends a request and returns the parsed JSON answer.
    pub async fn json(&self, method: reqwest::Method, path: &str, body: Option<Vec<u8>>) -> Result<Outcome<Value>> {
        let outcome = self.send(method, path, body, true).await?;
        let response = outcome.value;
        let status = response.status().as_u16();
        let url = response.url().to_string();
        let bytes = response.bytes().await.map_err(|e| transport_error(&e, &url))?;
        let value = serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
            message: format!("The response from {url} is not valid JSON ({e})."),
            url: url.clone(),
            status,
        })?;
        Ok(Outcome { value, skipped: outcome.skipped })
    }

    /// Sends a JSON request that asks for a stream and returns the chunk stream.
    pub async fn stream(&self, path: &str, body: Vec<u8>) -> Result<Outcome<ChunkStream>> {
        let outcome = self.send(reqwest::Method::POST, path, Some(body), false).await?;
        let response = outcome.value;
        let is_sse = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !is_sse {
            let url = response.url().to_string();
            return Err(Error::Decode {
                message: format!("The response from {url} is not an event stream although a stream was requested."),
                url,
                status: response.status().as_u16(),
            });
        }
        Ok(Outcome { value: ChunkStream::new(response), skipped: outcome.skipped })
    }
}
