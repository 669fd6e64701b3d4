//! The one error type of the core.
//!
//! Design: every failure is a variant with the fields a caller needs (status, request id,
//! generation id, retries taken), never a formatted dump. Messages are sentences a user can
//! act on and never contain a credential: tokens are held in [`crate::Secret`] and no variant
//! stores one. The Python layer maps each variant to its exception class in exactly one
//! function (`src/python/errors.rs`).

use serde_json::Value;

/// Result alias used throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A non-2xx reply from a gateway, with everything parsed out of its error envelope.
#[derive(Debug, Clone, Default)]
pub struct StatusError {
    /// HTTP status code.
    pub status: u16,
    /// Human-readable message (the gateway's `error.message`, or a description of the status).
    pub message: String,
    /// The gateway's `error.type`, e.g. `rate_limit_exceeded`.
    pub error_type: Option<String>,
    /// The gateway's `error.code`, as a string.
    pub code: Option<String>,
    /// The gateway's `error.param` (a string or an object such as `{"modelId": ...}`).
    pub param: Option<Value>,
    /// The request id from the response headers (`x-vercel-id`, `x-request-id`).
    pub request_id: Option<String>,
    /// The generation id (`generationId` in the body), when the gateway assigned one.
    pub generation_id: Option<String>,
    /// The URL that answered (never carries credentials).
    pub url: String,
    /// The first bytes of the body, for diagnosis.
    pub body: Option<Value>,
    /// Seconds the server asked us to wait (`retry-after-ms` / `retry-after`).
    pub retry_after: Option<f64>,
    /// How many retries were made before this error was final.
    pub retries_taken: u32,
}

/// Every way a core operation can fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid configuration: a bad argument or environment variable.
    #[error("{message}")]
    Config {
        /// The environment variable or argument at fault, when there is one.
        variable: Option<String>,
        /// What is wrong and what to do.
        message: String,
    },
    /// No usable credential, or a credential source that could not be read.
    #[error("{message}")]
    Credentials {
        /// What is wrong, naming every source checked, and what to do.
        message: String,
        /// The sources checked, in order, for programmatic use.
        sources_checked: Vec<String>,
        /// True when no source held a credential at all (as opposed to a broken one).
        missing: bool,
    },
    /// The connection could not be made or broke before a complete response.
    #[error("{message}")]
    Connection {
        /// What happened.
        message: String,
        /// The URL being requested.
        url: String,
        /// How many retries were made before this error was final.
        retries_taken: u32,
    },
    /// A timeout elapsed.
    #[error("{message}")]
    Timeout {
        /// What timed out.
        message: String,
        /// The URL being requested.
        url: String,
        /// How many retries were made before this error was final.
        retries_taken: u32,
    },
    /// The gateway answered with a non-2xx status.
    #[error("{}", .0.message)]
    Status(Box<StatusError>),
    /// The gateway answered 2xx but the body could not be understood.
    #[error("{message}")]
    Decode {
        /// What could not be decoded.
        message: String,
        /// The URL that answered.
        url: String,
        /// HTTP status of the response.
        status: u16,
    },
    /// The API was used in a way that cannot work (for example a stream iterated twice).
    #[error("{message}")]
    Usage {
        /// What was done wrong and what to do instead.
        message: String,
    },
    /// A bug or an environment failure inside the package (never a panic).
    #[error("{message}")]
    Internal {
        /// What failed.
        message: String,
    },
}

/// Credentials shorter than this are not looked for in replies (a real key or token is far
/// longer; a short test value such as `"test"` would otherwise blank out ordinary words).
const REDACT_MIN_LEN: usize = 8;

/// What a credential quoted by a reply is replaced with.
pub const REDACTED: &str = "***";

/// `text` with every occurrence of `secret` replaced by [`REDACTED`] (`None` when there was
/// none, so the common case allocates nothing).
pub fn redact_str(text: &str, secret: &str) -> Option<String> {
    (secret.len() >= REDACT_MIN_LEN && text.contains(secret)).then(|| text.replace(secret, REDACTED))
}

/// `bytes` with every occurrence of `secret` replaced by [`REDACTED`], or `None` if it has none.
pub fn redact_bytes(bytes: &[u8], secret: &str) -> Option<Vec<u8>> {
    if secret.len() < REDACT_MIN_LEN {
        return None;
    }
    let finder = memchr::memmem::Finder::new(secret.as_bytes());
    let mut at = finder.find_iter(bytes).peekable();
    at.peek()?;
    let mut out = Vec::with_capacity(bytes.len());
    let mut last = 0;
    for i in at {
        out.extend_from_slice(&bytes[last..i]);
        out.extend_from_slice(REDACTED.as_bytes());
        last = i + secret.len();
    }
    out.extend_from_slice(&bytes[last..]);
    Some(out)
}

fn redact_in(slot: &mut String, secret: &str) {
    if let Some(clean) = redact_str(slot, secret) {
        *slot = clean;
    }
}

fn redact_value(value: &mut Value, secret: &str) {
    match value {
        Value::String(s) => redact_in(s, secret),
        Value::Array(items) => items.iter_mut().for_each(|v| redact_value(v, secret)),
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().filter(|k| k.contains(secret)).cloned().collect();
            for key in keys {
                if let Some(v) = map.remove(&key) {
                    map.insert(key.replace(secret, REDACTED), v);
                }
            }
            map.values_mut().for_each(|v| redact_value(v, secret));
        }
        _ => {}
    }
}

impl StatusError {
    /// Replaces `secret` (the credential the request carried) wherever the reply quoted it:
    /// some servers echo the key they received ("Received API Key = sk-...").
    pub fn redact(&mut self, secret: &str) {
        if secret.len() < REDACT_MIN_LEN {
            return;
        }
        redact_in(&mut self.message, secret);
        for s in
            [&mut self.error_type, &mut self.code, &mut self.request_id, &mut self.generation_id].into_iter().flatten()
        {
            redact_in(s, secret);
        }
        for v in [&mut self.param, &mut self.body].into_iter().flatten() {
            redact_value(v, secret);
        }
    }
}

impl Error {
    /// This error with `secret` replaced wherever a reply quoted it (see [`StatusError::redact`]).
    /// Other variants are built from our own words and never hold a reply's text.
    pub fn redacted(self, secret: Option<&str>) -> Self {
        match (self, secret) {
            (Error::Status(mut e), Some(secret)) => {
                e.redact(secret);
                Error::Status(e)
            }
            (other, _) => other,
        }
    }

    /// A configuration error about one environment variable or argument.
    pub fn config(variable: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config { variable: Some(variable.into()), message: message.into() }
    }

    /// An internal error.
    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal { message: message.into() }
    }

    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage { message: message.into() }
    }

    /// A connection error for `url`.
    pub fn connection(message: impl Into<String>, url: &str) -> Self {
        Error::Connection { message: message.into(), url: url.to_string(), retries_taken: 0 }
    }

    /// A timeout for `url`.
    pub fn timeout(message: impl Into<String>, url: &str) -> Self {
        Error::Timeout { message: message.into(), url: url.to_string(), retries_taken: 0 }
    }

    /// Records how many retries preceded this error.
    pub fn with_retries_taken(mut self, retries: u32) -> Self {
        match &mut self {
            Error::Connection { retries_taken, .. } | Error::Timeout { retries_taken, .. } => *retries_taken = retries,
            Error::Status(e) => e.retries_taken = retries,
            _ => {}
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "vck_0123456789abcdef";

    #[test]
    fn a_quoted_credential_is_replaced_everywhere_in_a_status_error() {
        let mut e = StatusError {
            status: 401,
            message: format!("Received API Key = Bearer {KEY}, and again {KEY}."),
            error_type: Some(format!("bad_{KEY}")),
            param: Some(serde_json::json!({ "key": KEY, KEY: [KEY, 1] })),
            body: Some(serde_json::json!({ "error": { "message": format!("got {KEY}") } })),
            ..StatusError::default()
        };
        e.redact(KEY);
        let shown = format!("{e:?}");
        assert!(!shown.contains(KEY), "{shown}");
        assert_eq!(e.message, "Received API Key = Bearer ***, and again ***.");
        assert_eq!(e.param, Some(serde_json::json!({ "key": "***", "***": ["***", 1] })));
    }

    #[test]
    fn short_values_and_other_errors_are_left_alone() {
        let mut e = StatusError { message: "test model not found".into(), ..StatusError::default() };
        e.redact("test");
        assert_eq!(e.message, "test model not found");
        let timeout = Error::timeout(format!("slow {KEY}"), "http://x").redacted(Some(KEY));
        assert!(timeout.to_string().contains(KEY), "only replies are redacted; our own messages hold no key");
    }

    #[test]
    fn bytes_are_redacted_only_when_they_quote_the_secret() {
        assert_eq!(redact_bytes(b"no key here", KEY), None);
        let body = format!("{KEY}:{KEY}x");
        assert_eq!(redact_bytes(body.as_bytes(), KEY).unwrap(), b"***:***x");
        assert_eq!(redact_bytes(b"aaaa", "aa"), None, "too short to be a credential");
    }
}
