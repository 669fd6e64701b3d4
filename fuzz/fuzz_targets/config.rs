//! Base-URL and environment parsing (`config::validate_base_url`, `config::gateway_url`): an
//! absolute http(s) URL that validates to itself, or a config error naming the variable.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use vercel_ai_gateway::config::{gateway_url, validate_base_url};
use vercel_ai_gateway::Error;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match validate_base_url(text, "base_url") {
        Ok(url) => {
            let parsed = url::Url::parse(&url).unwrap();
            assert!(matches!(parsed.scheme(), "http" | "https"));
            assert!(parsed.password().is_none() && parsed.query().is_none() && parsed.fragment().is_none());
            // Once returned the input as given, so a tab or CR inside it, or a space left at the
            // end once slashes were cut, survived and validating again gave another URL.
            assert_eq!(validate_base_url(&url, "again").unwrap(), url, "not a fixed point");
            assert!(!url.chars().any(|c| c.is_control() || c.is_whitespace()), "{url:?}");
        }
        Err(Error::Config { variable, .. }) => assert_eq!(variable.as_deref(), Some("base_url")),
        Err(other) => panic!("unexpected {other:?}"),
    }
    let mut env = HashMap::new();
    env.insert("AI_GATEWAY_BASE_URL".to_owned(), text.to_owned());
    env.insert("VERCEL_AI_GATEWAY_API_BASE".to_owned(), "https://example.invalid/v1".to_owned());
    match gateway_url(None, &env) {
        Ok(_) => {}
        Err(Error::Config { variable, .. }) => assert_eq!(variable.as_deref(), Some("AI_GATEWAY_BASE_URL")),
        Err(other) => panic!("unexpected {other:?}"),
    }
});
