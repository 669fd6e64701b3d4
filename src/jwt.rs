//! Reading (and, for tests and the fake gateway, minting) JWT payloads.
//!
//! Design: Vercel OIDC tokens are JWTs; the client only needs their claims (`exp` above all) to
//! avoid sending a dead token. Signatures are *not* verified: the gateway does that, and a client
//! that verified would need the JWKS endpoint on every cold start. Errors never include any part
//! of the token.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

/// Why a string could not be read as a JWT. The messages never quote the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// Not three dot-separated segments.
    #[error("it is not a JWT (expected three dot-separated parts, found {0})")]
    Shape(usize),
    /// A segment is not base64url.
    #[error("its {0} is not valid base64url")]
    Base64(&'static str),
    /// A segment is not a JSON object.
    #[error("its {0} is not a JSON object")]
    Json(&'static str),
    /// A numeric claim has the wrong type.
    #[error("its `{0}` claim is not a number of seconds")]
    Claim(&'static str),
}

/// The claims of a JWT payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// Expiry, seconds since the Unix epoch.
    pub exp: Option<i64>,
    /// Issued-at, seconds since the Unix epoch.
    pub iat: Option<i64>,
    /// Every claim, as decoded.
    pub all: Map<String, Value>,
}

impl Claims {
    /// A string claim, when present.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.all.get(name).and_then(Value::as_str)
    }
}

fn decode_segment(segment: &str, what: &'static str) -> Result<Map<String, Value>, JwtError> {
    // Some issuers pad; tolerate it.
    let bytes = URL_SAFE_NO_PAD.decode(segment.trim_end_matches('=')).map_err(|_| JwtError::Base64(what))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(JwtError::Json(what)),
    }
}

fn seconds_claim(map: &Map<String, Value>, name: &'static str) -> Result<Option<i64>, JwtError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .map(Some)
            .ok_or(JwtError::Claim(name)),
        Some(_) => Err(JwtError::Claim(name)),
    }
}

/// Decodes the header and payload of `token` and returns the payload's claims.
pub fn decode_claims(token: &str) -> Result<Claims, JwtError> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    if parts.len() != 3 {
        return Err(JwtError::Shape(parts.len()));
    }
    decode_segment(parts[0], "header")?;
    let all = decode_segment(parts[1], "payload")?;
    Ok(Claims { exp: seconds_claim(&all, "exp")?, iat: seconds_claim(&all, "iat")?, all })
}

/// True when `token` has the shape of a JWT (three parts, a JSON header). Used to tell an OIDC
/// token passed explicitly from an API key.
pub fn looks_like_jwt(token: &str) -> bool {
    let parts: Vec<&str> = token.trim().split('.').collect();
    parts.len() == 3 && decode_segment(parts[0], "header").is_ok()
}

/// Builds a JWT with the given claims and a placeholder signature. For the fake gateway and
/// tests only: nothing verifies it.
pub fn mint_unsigned(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT","kid":"local-gateway"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signature = URL_SAFE_NO_PAD.encode(b"local-gateway-unsigned");
    format!("{header}.{payload}.{signature}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip() {
        let token = mint_unsigned(&json!({"exp": 1_900_000_000, "iat": 1_800_000_000, "project": "p"}));
        let claims = decode_claims(&token).expect("minted token decodes");
        assert_eq!(claims.exp, Some(1_900_000_000));
        assert_eq!(claims.iat, Some(1_800_000_000));
        assert_eq!(claims.str("project"), Some("p"));
        assert!(looks_like_jwt(&token));
    }

    #[test]
    fn malformed_tokens_are_named_without_quoting() {
        assert_eq!(decode_claims("vck_abc"), Err(JwtError::Shape(1)));
        assert_eq!(decode_claims("a.b"), Err(JwtError::Shape(2)));
        assert_eq!(decode_claims("!!.e30.x"), Err(JwtError::Base64("header")));
        let header = URL_SAFE_NO_PAD.encode(b"{}");
        assert_eq!(decode_claims(&format!("{header}.bm90anNvbg.x")), Err(JwtError::Json("payload")));
        let payload = URL_SAFE_NO_PAD.encode(br#"{"exp":"soon"}"#);
        assert_eq!(decode_claims(&format!("{header}.{payload}.x")), Err(JwtError::Claim("exp")));
        let err = decode_claims("secret-value.more.secret").unwrap_err().to_string();
        assert!(!err.contains("secret"));
    }

    #[test]
    fn missing_exp_is_none_and_float_exp_accepted() {
        let claims = decode_claims(&mint_unsigned(&json!({"sub": "x"}))).expect("decodes");
        assert_eq!(claims.exp, None);
        let claims = decode_claims(&mint_unsigned(&json!({"exp": 1.9e9}))).expect("decodes");
        assert_eq!(claims.exp, Some(1_900_000_000));
    }
}
