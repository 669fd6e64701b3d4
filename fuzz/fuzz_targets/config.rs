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
            // Known bug (docs/reliability.md): the input is returned as given rather than as
            // parsed, so characters URL parsing ignores or trims (a tab, CR or LF inside, a space
            // or form feed left at the end once trailing slashes are cut) survive, and validating
            // again trims them or the slashes they hid. The fixed point is asserted for inputs
            // without whitespace or control characters.
            if !text.chars().any(|c| c.is_control() || c.is_whitespace()) {
                assert_eq!(validate_base_url(&url, "again").unwrap(), url, "not a fixed point");
            }
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
