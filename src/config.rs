//! Gateway URLs and the environment they are read from.
//!
//! Design: configuration is a pure function of an [`Env`] snapshot, so every precedence rule is
//! tested with a map instead of the process environment. An empty variable counts as unset (a
//! common result of `KEY=` lines in `.env` files). Errors name the variable at fault and never
//! echo its value, which could hold credentials in its userinfo part.

use std::collections::HashMap;

use crate::error::{Error, Result};

/// The Vercel AI Gateway's OpenAI-compatible base URL.
pub const DEFAULT_GATEWAY_URL: &str = "https://ai-gateway.vercel.sh/v1";
/// The Vercel REST API origin, used for the local-development OIDC refresh.
pub const DEFAULT_VERCEL_API_URL: &str = "https://api.vercel.com";
/// Environment variables that override the gateway URL, first wins.
pub const GATEWAY_URL_VARIABLES: [&str; 2] = ["AI_GATEWAY_BASE_URL", "VERCEL_AI_GATEWAY_API_BASE"];

/// A read-only view of environment variables.
pub trait Env: Sync {
    /// The value of `name`, or `None` when it is unset or empty.
    fn var(&self, name: &str) -> Option<String>;
}

/// The real process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl Env for HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).filter(|v| !v.trim().is_empty()).cloned()
    }
}

/// Checks that `value` is an absolute http(s) URL usable as a base URL and returns it without a
/// trailing slash. `origin` names where the value came from (a variable or an argument).
pub fn validate_base_url(value: &str, origin: &str) -> Result<String> {
    let trimmed = value.trim();
    let fail = |p: String| {
        Error::config(
            origin,
            format!("{origin} {p}. Set it to an absolute base URL such as {DEFAULT_GATEWAY_URL}, or unset it."),
        )
    };
    let u = url::Url::parse(trimmed).map_err(|e| fail(format!("is not a valid URL ({e})")))?;
    if u.scheme() != "http" && u.scheme() != "https" {
        return Err(fail(format!("uses the scheme `{}`; only http and https are supported", u.scheme())));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(fail("has no host".to_string()));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(fail("contains credentials; pass the key as an API key instead".to_string()));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(fail("has a query or fragment; give only the base URL".to_string()));
    }
    // The parsed URL, not the input: the parser drops tabs and newlines inside it.
    Ok(u.as_str().trim_end_matches('/').to_string())
}

/// The gateway base URL: `explicit` (an argument) first, then `AI_GATEWAY_BASE_URL`, then
/// `VERCEL_AI_GATEWAY_API_BASE`, then [`DEFAULT_GATEWAY_URL`].
pub fn gateway_url(explicit: Option<&str>, env: &dyn Env) -> Result<String> {
    if let Some(url) = explicit {
        return validate_base_url(url, "base_url");
    }
    for name in GATEWAY_URL_VARIABLES {
        if let Some(value) = env.var(name) {
            return validate_base_url(&value, name);
        }
    }
    Ok(DEFAULT_GATEWAY_URL.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
    }

    #[test]
    fn default_and_precedence() {
        assert_eq!(gateway_url(None, &env(&[])).unwrap(), DEFAULT_GATEWAY_URL);
        let both = env(&[("AI_GATEWAY_BASE_URL", "http://a/v1/"), ("VERCEL_AI_GATEWAY_API_BASE", "http://b/v1")]);
        assert_eq!(gateway_url(None, &both).unwrap(), "http://a/v1");
        assert_eq!(gateway_url(Some("https://c/v1"), &both).unwrap(), "https://c/v1");
        let second = env(&[("AI_GATEWAY_BASE_URL", ""), ("VERCEL_AI_GATEWAY_API_BASE", "http://b/v1")]);
        assert_eq!(gateway_url(None, &second).unwrap(), "http://b/v1");
    }

    #[test]
    fn invalid_urls_name_the_variable_and_hide_the_value() {
        for bad in ["not a url", "ftp://x/v1", "http://user:sekrit@host/v1", "https://h/v1?key=sekrit", "/v1"] {
            let e = gateway_url(None, &env(&[("AI_GATEWAY_BASE_URL", bad)])).unwrap_err();
            match &e {
                Error::Config { variable, message } => {
                    assert_eq!(variable.as_deref(), Some("AI_GATEWAY_BASE_URL"));
                    assert!(message.starts_with("AI_GATEWAY_BASE_URL"), "{message}");
                    assert!(!message.contains("sekrit"), "{message}");
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        let e = gateway_url(None, &env(&[("VERCEL_AI_GATEWAY_API_BASE", "nope")])).unwrap_err();
        assert!(e.to_string().starts_with("VERCEL_AI_GATEWAY_API_BASE"));
    }
}
