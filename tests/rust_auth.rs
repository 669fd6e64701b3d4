//! Credential resolution in the core, without Python: precedence, expiry, malformed input.

use std::collections::HashMap;

use serde_json::json;
use vercel_ai_gateway::auth::{resolve, AuthInputs, AuthOptions, Method, Prefer, Source};
use vercel_ai_gateway::jwt::mint_unsigned;
use vercel_ai_gateway::{Error, Secret};

const NOW: i64 = 1_800_000_000;

fn jwt(exp: i64) -> String {
    mint_unsigned(&json!({"exp": exp, "iat": NOW - 10, "project": "demo"}))
}

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
}

fn run(
    opts: &AuthOptions,
    header: Option<&str>,
    env: &HashMap<String, String>,
) -> Result<(Source, Method, String), Error> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let http = reqwest::Client::new();
    let inputs = AuthInputs { header_token: header, env, now: NOW };
    rt.block_on(resolve(opts, &inputs, &http))
        .map(|r| (r.credential.source, r.credential.method, r.credential.token.expose().to_string()))
}

fn no_refresh() -> AuthOptions {
    AuthOptions { dev_refresh_enabled: Some(false), ..AuthOptions::default() }
}

#[test]
fn every_source_and_the_oidc_first_order() {
    let valid = jwt(NOW + 3600);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), format!("{valid}\n")).unwrap();
    let path = file.path().to_str().unwrap().to_string();
    let all = env(&[
        ("VERCEL_OIDC_TOKEN", &valid),
        ("VERCEL_OIDC_TOKEN_FILE", &path),
        ("AI_GATEWAY_API_KEY", "vck_a"),
        ("VERCEL_AI_GATEWAY_API_KEY", "vck_b"),
    ]);
    let explicit = AuthOptions { token: Some(Secret::new("vck_x")), ..no_refresh() };
    assert_eq!(run(&explicit, Some(&valid), &all).unwrap().0, Source::Argument);
    assert_eq!(run(&no_refresh(), Some(&valid), &all).unwrap().0, Source::Header);
    assert_eq!(run(&no_refresh(), None, &all).unwrap().0, Source::OidcEnv);
    let mut rest = all.clone();
    rest.remove("VERCEL_OIDC_TOKEN");
    assert_eq!(run(&no_refresh(), None, &rest).unwrap().0, Source::OidcFile);
    rest.remove("VERCEL_OIDC_TOKEN_FILE");
    assert_eq!(run(&no_refresh(), None, &rest).unwrap(), (Source::ApiKeyEnv, Method::ApiKey, "vck_a".into()));
    rest.remove("AI_GATEWAY_API_KEY");
    assert_eq!(run(&no_refresh(), None, &rest).unwrap().0, Source::VercelApiKeyEnv);
    rest.remove("VERCEL_AI_GATEWAY_API_KEY");
    match run(&no_refresh(), None, &rest) {
        Err(Error::Credentials { missing: true, sources_checked, .. }) => assert_eq!(sources_checked.len(), 7),
        other => panic!("{other:?}"),
    }
}

#[test]
fn api_key_first_order() {
    let valid = jwt(NOW + 3600);
    let both = env(&[("VERCEL_OIDC_TOKEN", &valid), ("VERCEL_AI_GATEWAY_API_KEY", "vck_b")]);
    let opts = AuthOptions { prefer: Prefer::ApiKey, ..no_refresh() };
    assert_eq!(run(&opts, Some(&valid), &both).unwrap().0, Source::VercelApiKeyEnv);
    let only_oidc = env(&[("VERCEL_OIDC_TOKEN", &valid)]);
    assert_eq!(run(&opts, Some(&valid), &only_oidc).unwrap().0, Source::Header);
}

#[test]
fn expired_and_nearly_expired_tokens_are_skipped() {
    let e = env(&[("VERCEL_OIDC_TOKEN", &jwt(NOW + 30)), ("AI_GATEWAY_API_KEY", "vck_a")]);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let http = reqwest::Client::new();
    let inputs = AuthInputs { header_token: Some(&jwt(NOW - 5)), env: &e, now: NOW };
    let r = rt.block_on(resolve(&no_refresh(), &inputs, &http)).unwrap();
    assert_eq!(r.credential.source, Source::ApiKeyEnv);
    assert_eq!(r.skipped.len(), 2);
    assert!(r.skipped[0].reason.contains("expired 5 s ago"), "{}", r.skipped[0].reason);
    assert!(r.skipped[1].reason.contains("within the 60 s safety margin"), "{}", r.skipped[1].reason);
    let lenient = AuthOptions { skew_secs: Some(0), ..no_refresh() };
    assert_eq!(run(&lenient, None, &e).unwrap().0, Source::OidcEnv);
    // A token exactly at the skew boundary counts as expired.
    let edge = env(&[("VERCEL_OIDC_TOKEN", &jwt(NOW + 60))]);
    assert!(run(&no_refresh(), None, &edge).is_err());
    // A JWT without exp is accepted.
    let no_exp = mint_unsigned(&json!({"sub": "x"}));
    assert_eq!(run(&no_refresh(), Some(&no_exp), &env(&[])).unwrap().1, Method::Oidc);
}

#[test]
fn malformed_tokens_are_errors_that_never_quote_them() {
    for bad in ["SECRETVALUE", "SECRET.two", "eyJhbGciOiJSUzI1NiJ9.SECRET.sig"] {
        let e = env(&[("VERCEL_OIDC_TOKEN", bad), ("AI_GATEWAY_API_KEY", "vck_a")]);
        match run(&no_refresh(), None, &e) {
            Err(Error::Credentials { message, missing: false, sources_checked }) => {
                assert!(message.contains("VERCEL_OIDC_TOKEN") && message.contains("malformed"), "{message}");
                assert!(!message.contains("SECRET"), "{message}");
                assert_eq!(sources_checked.len(), 3);
            }
            other => panic!("{other:?}"),
        }
    }
    // An explicit argument that is not a JWT is an API key.
    let opts = AuthOptions { token: Some(Secret::new("vck_x")), ..no_refresh() };
    assert_eq!(run(&opts, None, &env(&[])).unwrap().1, Method::ApiKey);
}

#[test]
fn unreadable_token_file_is_an_error() {
    let e = env(&[("VERCEL_OIDC_TOKEN_FILE", "/nonexistent/token"), ("AI_GATEWAY_API_KEY", "vck_a")]);
    match run(&no_refresh(), None, &e) {
        Err(Error::Credentials { message, missing: false, .. }) => {
            assert!(message.contains("VERCEL_OIDC_TOKEN_FILE"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn credential_debug_hides_the_token() {
    let token = jwt(NOW + 3600);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let http = reqwest::Client::new();
    let e = env(&[]);
    let inputs = AuthInputs { header_token: Some(&token), env: &e, now: NOW };
    let r = rt.block_on(resolve(&no_refresh(), &inputs, &http)).unwrap();
    let text = format!("{r:?}");
    assert!(!text.contains(&token));
    assert!(text.contains("Secret(***)"));
}
