//! When to retry, and how long to wait.
//!
//! Design: openai-python's rules, so behaviour carries over for users: 2 retries by default,
//! exponential backoff from 0.5 s doubling to at most 8 s with up to 25 % jitter subtracted,
//! `retry-after-ms` / `retry-after` honoured when between 0 and 60 s, retried on connection
//! errors, timeouts, 408, 409, 429 and 5xx. Our addition: an error event that arrives inside a
//! 200 stream *before any chunk reached the caller* is retried when its type or code says the
//! provider was overloaded or failed. Nothing is ever retried once output reached the caller;
//! that rule is enforced by where retries happen ([`super::Call`]), not here.

use std::time::Duration;

use crate::error::Error;

/// Retry settings of a client.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// Backoff before the first retry.
    pub initial_delay: Duration,
    /// Upper bound of the backoff.
    pub max_delay: Duration,
    /// A server-requested wait longer than this is ignored in favour of the backoff.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

const RETRYABLE_TYPES: [&str; 6] = [
    "rate_limit_exceeded",
    "internal_server_error",
    "server_error",
    "overloaded_error",
    "service_unavailable",
    "timeout_error",
];

fn status_retryable(status: u16) -> bool {
    matches!(status, 408 | 409 | 429) || status >= 500
}

/// True when `error` may succeed if the request is sent again.
pub fn is_retryable(error: &Error) -> bool {
    match error {
        Error::Connection { .. } | Error::Timeout { .. } => true,
        Error::Status(e) if e.status == 200 => {
            e.code.as_deref().and_then(|c| c.parse::<u16>().ok()).is_some_and(status_retryable)
                || e.error_type.as_deref().is_some_and(|t| RETRYABLE_TYPES.contains(&t))
        }
        Error::Status(e) => status_retryable(e.status),
        _ => false,
    }
}

/// The server-requested wait carried by `error`, in seconds.
pub fn retry_after(error: &Error) -> Option<f64> {
    match error {
        Error::Status(e) => e.retry_after,
        _ => None,
    }
}

impl RetryPolicy {
    /// How long to wait before retry number `retries_taken + 1`. `jitter` is uniform in [0, 1).
    pub fn delay(&self, retries_taken: u32, retry_after: Option<f64>, jitter: f64) -> Duration {
        if let Some(seconds) = retry_after {
            if seconds.is_finite() && seconds >= 0.0 && seconds <= self.max_retry_after.as_secs_f64() {
                return Duration::from_secs_f64(seconds);
            }
        }
        let factor = 2f64.powi(retries_taken.min(30) as i32);
        let backoff = (self.initial_delay.as_secs_f64() * factor).min(self.max_delay.as_secs_f64());
        Duration::from_secs_f64(backoff * (1.0 - 0.25 * jitter.clamp(0.0, 1.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::StatusError;

    fn status(status: u16, error_type: Option<&str>, code: Option<&str>) -> Error {
        Error::Status(Box::new(StatusError {
            status,
            error_type: error_type.map(str::to_string),
            code: code.map(str::to_string),
            ..StatusError::default()
        }))
    }

    #[test]
    fn which_errors_are_retried() {
        for s in [408, 409, 429, 500, 502, 503, 504] {
            assert!(is_retryable(&status(s, None, None)), "{s}");
        }
        for s in [400, 401, 402, 403, 404, 422, 424] {
            assert!(!is_retryable(&status(s, None, None)), "{s}");
        }
        assert!(is_retryable(&Error::connection("x", "u")));
        assert!(is_retryable(&Error::timeout("x", "u")));
        assert!(is_retryable(&status(200, Some("rate_limit_exceeded"), None)));
        assert!(is_retryable(&status(200, None, Some("502"))));
        assert!(!is_retryable(&status(200, Some("invalid_request_error"), Some("400"))));
        assert!(!is_retryable(&Error::Decode { message: "x".into(), url: "u".into(), status: 200 }));
        assert!(!is_retryable(&Error::config("x", "y")));
    }

    #[test]
    fn backoff_doubles_to_the_cap_with_jitter() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0, None, 0.0), Duration::from_millis(500));
        assert_eq!(p.delay(1, None, 0.0), Duration::from_secs(1));
        assert_eq!(p.delay(5, None, 0.0), Duration::from_secs(8));
        assert_eq!(p.delay(0, None, 1.0), Duration::from_millis(375));
        assert_eq!(p.delay(40, None, 0.0), Duration::from_secs(8));
    }

    #[test]
    fn retry_after_is_honoured_within_bounds() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0, Some(2.5), 0.5), Duration::from_millis(2500));
        assert_eq!(p.delay(0, Some(0.0), 0.5), Duration::ZERO);
        assert_eq!(p.delay(0, Some(61.0), 0.0), Duration::from_millis(500), "too long: backoff instead");
        assert_eq!(p.delay(0, Some(-1.0), 0.0), Duration::from_millis(500));
        assert_eq!(p.delay(0, Some(f64::NAN), 0.0), Duration::from_millis(500));
    }
}
