//! Error-reply parsing (`client::status_error_from_parts`, which every non-2xx answer goes
//! through) on arbitrary bodies and `retry-after` values: a typed status error with that status, a message and a usable wait.
//!
//! Input: byte 0 and 1 are the status (mod 1000), byte 2 the length of a `retry-after` value
//! taken from what follows, the rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vercel_ai_gateway::client::status_error_from_parts;
use vercel_ai_gateway::Error;

fuzz_target!(|data: &[u8]| {
    let [hi, lo, n, rest @ ..] = data else { return };
    let status = u16::from_be_bytes([*hi, *lo]) % 1000;
    let (retry_after, body) = rest.split_at(usize::from(*n).min(rest.len()));
    let mut headers = reqwest::header::HeaderMap::new();
    if let Ok(value) = reqwest::header::HeaderValue::from_bytes(retry_after) {
        headers.insert("retry-after", value.clone());
        headers.insert("retry-after-ms", value);
    }
    match status_error_from_parts(status, "http://127.0.0.1/v1/chat/completions", &headers, body) {
        Error::Status(e) => {
            assert_eq!(e.status, status);
            // Both once failed: a blank `error.message` was kept as the message, and
            // `retry-after: nan` (or `inf`, or a negative number) was kept as the wait.
            assert!(!e.message.trim().is_empty(), "blank message for {status}");
            assert!(e.retry_after.is_none_or(|s| s.is_finite() && s >= 0.0), "{:?}", e.retry_after);
        }
        other => panic!("unexpected {other:?}"),
    }
});
