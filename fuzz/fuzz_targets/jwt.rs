//! The JWT claims decoder (`jwt::decode_claims`, `jwt::looks_like_jwt`) on arbitrary text: claims
//! whose `exp` is a number or absent, or an error that is one of the fixed sentences (so it can
//! never quote the token).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vercel_ai_gateway::jwt::{decode_claims, looks_like_jwt};

fn is_fixed_sentence(message: &str) -> bool {
    let fixed = [
        "its header is not valid base64url",
        "its payload is not valid base64url",
        "its header is not a JSON object",
        "its payload is not a JSON object",
        "its `exp` claim is not a number of seconds",
        "its `iat` claim is not a number of seconds",
    ];
    fixed.contains(&message)
        || message
            .strip_prefix("it is not a JWT (expected three dot-separated parts, found ")
            .and_then(|rest| rest.strip_suffix(')'))
            .is_some_and(|n| n.parse::<usize>().is_ok())
}

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else { return };
    let _ = looks_like_jwt(token);
    match decode_claims(token) {
        Ok(claims) => {
            if let Some(exp) = claims.all.get("exp") {
                assert!(exp.is_number() || exp.is_null());
            }
        }
        Err(e) => assert!(is_fixed_sentence(&e.to_string()), "not a fixed sentence: {e}"),
    }
});
