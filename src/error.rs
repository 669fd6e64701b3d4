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

impl Error {
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
