//! The router: which gateway serves a call, under which model id and body, and where to fail
//! over.
//!
//! Design:
//! - **Stateless stickiness.** A (user or session key, canonical model) pair is hashed with
//!   SHA-256 and a salt into one of 100,000 buckets (0.001 % resolution); it goes to Vercel when
//!   its bucket is below the Vercel share. The canonical model is the Vercel id when one maps,
//!   so asking by either gateway's id gives the same answer. The comparison is monotonic:
//!   raising the share only moves users to Vercel. No state is shared between processes, yet
//!   every instance decides alike.
//! - **Pins before buckets** (spec `routing.md` §3.3): a glob on either gateway's model id, or
//!   a creator/provider prefix, sends matching models to one gateway, outside the share and
//!   without failover.
//! - **Eligibility** from the catalogs and translation: a gateway is eligible when the model
//!   has an id there and the request's options can be expressed there; an option that cannot
//!   be expressed makes that gateway ineligible rather than being dropped.
//! - **Breakers** (`breaker.rs`) move traffic off a failing gateway in both directions.
//! - **Failover** only while no output reached the caller, on the conditions of §4.2
//!   ([`may_fail_over`]).
//! - Settings change at run time (`configure`) without rebuilding the catalogs or the map.
//!
//! Every decision carries the reasons it was made, for `explain()`.

use std::sync::{Arc, RwLock};
use std::time::Instant;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::catalog::{Catalog, Gateway};
use crate::error::{Error, Result};
use crate::routing::breaker::{BreakerConfig, Breakers};
use crate::routing::mapping::{MatchKind, ModelMap};
use crate::routing::translate;

/// Buckets of the sticky hash: 100,000, i.e. a resolution of 0.001 %.
pub const BUCKETS: u32 = 100_000;

/// A pin: models matching `pattern` always go to `gateway`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// A glob (`*` and `?`) over a model id of either gateway, e.g. `xai/*`, `*/claude-*`,
    /// or a bare creator such as `anthropic` (same as `anthropic/*`).
    pub pattern: String,
    /// Where matching models go.
    pub gateway: Gateway,
}

/// Settings that can change at run time.
#[derive(Debug, Clone, PartialEq)]
pub struct RouterSettings {
    /// Share of eligible traffic sent to Vercel, 0.0–1.0.
    pub vercel_share: f64,
    /// Salt of the sticky hash; changing it reshuffles every user.
    pub salt: String,
    /// Pins, first match wins.
    pub pins: Vec<Pin>,
    /// Whether a failed call may be retried on the other gateway.
    pub failover: bool,
    /// Gateway for models neither catalog knows.
    pub unknown_models: Gateway,
}

impl Default for RouterSettings {
    fn default() -> Self {
        RouterSettings {
            vercel_share: 0.0,
            salt: "v1".to_string(),
            pins: Vec::new(),
            failover: true,
            unknown_models: Gateway::OpenRouter,
        }
    }
}

impl RouterSettings {
    /// Checks the settings; errors name the setting and what to do.
    pub fn validate(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.vercel_share) || self.vercel_share.is_nan() {
            return Err(Error::config("vercel_share", "vercel_share must be between 0 and 1 (0.05 means 5 %)."));
        }
        for pin in &self.pins {
            if pin.pattern.trim().is_empty() {
                return Err(Error::config("pins", "A pin pattern is empty; use a model id, a glob such as \"xai/*\", or a creator such as \"anthropic\"."));
            }
        }
        Ok(())
    }

    fn threshold(&self) -> u32 {
        (self.vercel_share * f64::from(BUCKETS)).round() as u32
    }
}

/// One gateway a call can be sent to.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The gateway.
    pub gateway: Gateway,
    /// The model id on that gateway.
    pub model: String,
    /// The request body translated for that gateway (when a body was routed).
    pub body: Option<Value>,
}

/// A routing decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The model id the caller asked for.
    pub requested: String,
    /// Where the call goes first.
    pub primary: Target,
    /// Where it may fail over to, before any output reached the caller.
    pub fallback: Option<Target>,
    /// The sticky bucket (0–99,999), when the share decided.
    pub bucket: Option<u32>,
    /// Whether a pin decided.
    pub pinned: bool,
    /// Why, one sentence per step.
    pub reasons: Vec<String>,
}

impl Decision {
    /// A human-readable account of the decision.
    pub fn explain(&self) -> String {
        let mut out = format!("model {} → {} as {}", self.requested, self.primary.gateway.as_str(), self.primary.model);
        for r in &self.reasons {
            out.push_str("\n- ");
            out.push_str(r);
        }
        match &self.fallback {
            Some(f) => out.push_str(&format!("\n- fallback before any output: {} as {}", f.gateway.as_str(), f.model)),
            None => out.push_str("\n- no fallback"),
        }
        out
    }
}

/// What to route.
#[derive(Debug, Clone, Copy)]
pub struct RouteRequest<'a> {
    /// The model id, in either gateway's spelling.
    pub model: &'a str,
    /// The sticky key: an end-user or session id. When `None`, the body's `user` is used; with
    /// neither, the call is assigned at random.
    pub user: Option<&'a str>,
    /// The chat-completions body to translate, if any.
    pub body: Option<&'a Value>,
}

/// Routes calls between Vercel AI Gateway and OpenRouter.
#[derive(Debug)]
pub struct Router {
    settings: RwLock<Arc<RouterSettings>>,
    vercel: Arc<Catalog>,
    openrouter: Arc<Catalog>,
    map: Arc<ModelMap>,
    breakers: Breakers,
}

/// The bucket of a key and model: SHA-256 of `salt \0 key \0 model`, first 8 bytes, mod 100,000.
pub fn bucket(salt: &str, key: &str, canonical_model: &str) -> u32 {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    h.update([0]);
    h.update(canonical_model.as_bytes());
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % u64::from(BUCKETS)) as u32
}

/// `*` matches any run of characters, `?` one character; everything else literally.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn pin_matches(pattern: &str, ids: &[&str]) -> bool {
    let pattern = pattern.trim();
    let glob = if pattern.contains('/') || pattern.contains('*') || pattern.contains('?') {
        pattern.to_string()
    } else {
        format!("{pattern}/*")
    };
    ids.iter().any(|id| glob_match(&glob, id))
}

fn sticky_key<'a>(request: &RouteRequest<'a>) -> Option<String> {
    if let Some(u) = request.user.filter(|u| !u.is_empty()) {
        return Some(u.to_string());
    }
    let body = request.body?;
    body.get("user")
        .and_then(Value::as_str)
        .or_else(|| body.pointer("/providerOptions/gateway/user").and_then(Value::as_str))
        .or_else(|| body.get("session_id").and_then(Value::as_str))
        .filter(|u| !u.is_empty())
        .map(str::to_string)
}

impl Router {
    /// A router over the two catalogs and their id map.
    pub fn new(
        settings: RouterSettings,
        vercel: Arc<Catalog>,
        openrouter: Arc<Catalog>,
        map: Arc<ModelMap>,
        breaker: BreakerConfig,
    ) -> Result<Self> {
        let router = Router {
            settings: RwLock::new(Arc::new(RouterSettings::default())),
            vercel,
            openrouter,
            map,
            breakers: Breakers::new(breaker),
        };
        router.configure(settings)?;
        Ok(router)
    }

    /// Replaces the settings (share, pins, failover) without rebuilding catalogs or the map.
    /// A pin naming one exact model that has no id on its gateway is an error here rather than
    /// a failure on every request.
    pub fn configure(&self, settings: RouterSettings) -> Result<()> {
        settings.validate()?;
        for pin in &settings.pins {
            let exact = pin.pattern.contains('/') && !pin.pattern.contains('*') && !pin.pattern.contains('?');
            if exact && self.ids(&pin.pattern).for_gateway(pin.gateway).is_none() {
                return Err(Error::config(
                    "pins",
                    format!(
                        "The pin {:?} sends the model to {}, which has no id for it. Remove the pin or add an id override.",
                        pin.pattern,
                        pin.gateway.as_str()
                    ),
                ));
            }
        }
        let mut slot = self.settings.write().map_err(|_| Error::internal("the router settings lock is poisoned"))?;
        *slot = Arc::new(settings);
        Ok(())
    }

    /// The current settings.
    pub fn settings(&self) -> Arc<RouterSettings> {
        self.settings.read().map(|s| Arc::clone(&s)).unwrap_or_default()
    }

    /// The breakers (callers report outcomes here).
    pub fn breakers(&self) -> &Breakers {
        &self.breakers
    }

    /// The id map.
    pub fn model_map(&self) -> &ModelMap {
        &self.map
    }

    /// The catalog of a gateway.
    pub fn catalog(&self, gateway: Gateway) -> &Catalog {
        match gateway {
            Gateway::Vercel => &self.vercel,
            Gateway::OpenRouter => &self.openrouter,
        }
    }

    fn ids(&self, model: &str) -> Ids {
        let base = model.split(':').next().unwrap_or(model);
        if self.openrouter.get(base).is_some() || model.contains(':') || model.starts_with('~') {
            let m = self.map.to_vercel(model);
            Ids {
                openrouter: Some(model.to_string()),
                vercel: m.to.clone(),
                origin: Gateway::OpenRouter,
                note: format!("{} (id mapping: {})", kind_word(m.kind), m.reason),
            }
        } else if self.vercel.get(model).is_some() {
            let m = self.map.to_openrouter(model);
            Ids {
                vercel: Some(model.to_string()),
                openrouter: m.to.clone(),
                origin: Gateway::Vercel,
                note: format!("{} (id mapping: {})", kind_word(m.kind), m.reason),
            }
        } else {
            Ids { vercel: None, openrouter: None, origin: Gateway::Vercel, note: "in neither catalog".to_string() }
        }
    }

    /// Decides where a call goes. `now` drives the breakers.
    pub fn route_at(&self, request: &RouteRequest<'_>, now: Instant) -> Decision {
        let settings = self.settings();
        let model = request.model;
        let ids = self.ids(model);
        let mut reasons = vec![format!("{model} is {}", ids.note)];

        let target = |gateway: Gateway, reasons: &mut Vec<String>| -> Option<Target> {
            let id = ids.for_gateway(gateway)?;
            let body = match request.body {
                None => None,
                // The request already speaks this gateway's dialect: only the model may change.
                Some(b) if gateway == ids.origin => {
                    let mut b = b.clone();
                    if let Some(obj) = b.as_object_mut() {
                        obj.insert("model".into(), Value::String(id.clone()));
                    }
                    Some(b)
                }
                Some(b) => {
                    let translated = match gateway {
                        Gateway::Vercel => translate::to_vercel(b, &id, &self.map, &self.vercel),
                        Gateway::OpenRouter => translate::to_openrouter(b, &id, &self.map),
                    };
                    match translated {
                        Ok(v) => Some(v),
                        Err(e) => {
                            reasons.push(format!("{} is not eligible: {}", gateway.as_str(), e.reason));
                            return None;
                        }
                    }
                }
            };
            Some(Target { gateway, model: id, body })
        };

        // Models neither catalog knows go, unchanged, to the configured gateway.
        if ids.vercel.is_none() && ids.openrouter.is_none() {
            let gateway = settings.unknown_models;
            reasons.push(format!("unknown models go to {} unchanged", gateway.as_str()));
            let body = request.body.cloned();
            return Decision {
                requested: model.to_string(),
                primary: Target { gateway, model: model.to_string(), body },
                fallback: None,
                bucket: None,
                pinned: false,
                reasons,
            };
        }

        let vercel = target(Gateway::Vercel, &mut reasons);
        let openrouter = target(Gateway::OpenRouter, &mut reasons);
        if ids.vercel.is_none() {
            reasons.push("vercel has no id for this model".to_string());
        }
        if ids.openrouter.is_none() {
            reasons.push("openrouter has no id for this model".to_string());
        }

        // Pins.
        let candidates: Vec<&str> =
            [Some(model), ids.vercel.as_deref(), ids.openrouter.as_deref()].into_iter().flatten().collect();
        if let Some(pin) = settings.pins.iter().find(|p| pin_matches(&p.pattern, &candidates)) {
            let pinned = match pin.gateway {
                Gateway::Vercel => vercel.clone(),
                Gateway::OpenRouter => openrouter.clone(),
            };
            if let Some(primary) = pinned {
                reasons.push(format!(
                    "pinned to {} by {:?}; outside the share, no failover",
                    pin.gateway.as_str(),
                    pin.pattern
                ));
                return Decision {
                    requested: model.to_string(),
                    primary,
                    fallback: None,
                    bucket: None,
                    pinned: true,
                    reasons,
                };
            }
            reasons.push(format!(
                "the pin {:?} does not apply: {} cannot serve this request",
                pin.pattern,
                pin.gateway.as_str()
            ));
        }

        let (primary, other, bucket) = match (vercel, openrouter) {
            (Some(v), None) => {
                reasons.push("only vercel is eligible".to_string());
                (v, None, None)
            }
            (None, Some(o)) => {
                reasons.push("only openrouter is eligible".to_string());
                (o, None, None)
            }
            (None, None) => {
                // Neither can express the request: send it where the id came from, unchanged,
                // so the gateway reports the problem in its own words.
                let gateway = ids.origin;
                reasons
                    .push(format!("neither gateway can express the request; sent unchanged to {}", gateway.as_str()));
                let primary = Target { gateway, model: model.to_string(), body: request.body.cloned() };
                return Decision {
                    requested: model.to_string(),
                    primary,
                    fallback: None,
                    bucket: None,
                    pinned: false,
                    reasons,
                };
            }
            (Some(v), Some(o)) => {
                let canonical = ids.vercel.clone().unwrap_or_else(|| model.to_string());
                let (b, keyed) = match sticky_key(request) {
                    Some(key) => (bucket(&settings.salt, &key, &canonical), true),
                    None => (rand::random_range(0..BUCKETS), false),
                };
                let threshold = settings.threshold();
                let to_vercel = b < threshold;
                reasons.push(format!(
                    "bucket {b} of {BUCKETS} ({}) against the vercel share {:.3} % ({threshold}): {}",
                    if keyed { "sticky per user and model" } else { "no user key, so random per call" },
                    settings.vercel_share * 100.0,
                    if to_vercel { "vercel" } else { "openrouter" }
                ));
                if to_vercel {
                    (v, Some(o), Some(b))
                } else {
                    (o, Some(v), Some(b))
                }
            }
        };

        // Breakers: leave a gateway whose breaker is open when the other one is healthy.
        let (primary, other) = match other {
            Some(o)
                if !self.breakers.would_admit(primary.gateway, &primary.model, now)
                    && self.breakers.would_admit(o.gateway, &o.model, now) =>
            {
                reasons.push(format!(
                    "{}'s breaker is open, so {} serves this call",
                    primary.gateway.as_str(),
                    o.gateway.as_str()
                ));
                (o, Some(primary))
            }
            other => (primary, other),
        };
        let fallback = if settings.failover {
            other
        } else {
            if other.is_some() {
                reasons.push("failover is disabled".to_string());
            }
            None
        };
        Decision { requested: model.to_string(), primary, fallback, bucket, pinned: false, reasons }
    }

    /// Decides where a call goes now.
    pub fn route(&self, request: &RouteRequest<'_>) -> Decision {
        self.route_at(request, Instant::now())
    }
}

struct Ids {
    vercel: Option<String>,
    openrouter: Option<String>,
    /// Whose dialect the request speaks (the catalog its model id came from).
    origin: Gateway,
    note: String,
}

impl Ids {
    fn for_gateway(&self, gateway: Gateway) -> Option<String> {
        match gateway {
            Gateway::Vercel => self.vercel.clone(),
            Gateway::OpenRouter => self.openrouter.clone(),
        }
    }
}

fn kind_word(kind: MatchKind) -> &'static str {
    match kind {
        MatchKind::Exact => "same id on both gateways",
        MatchKind::Prefix => "mapped by author prefix",
        MatchKind::Rule => "mapped by a validated name rule",
        MatchKind::Override => "mapped by an override",
        MatchKind::Unmatched => "no counterpart on the other gateway",
    }
}

/// Whether a call that failed with `error` (before any output reached the caller) may be sent
/// to the other gateway: transport failures, timeouts, 408, 429, 5xx, our key's 401/402,
/// model-not-found and in-band errors before output; never a bad request, a policy refusal,
/// a 424, or a context-length error, which would fail the same way elsewhere or must not be
/// evaded (spec `routing.md` §4.2).
pub fn may_fail_over(error: &Error) -> bool {
    match error {
        Error::Connection { .. } | Error::Timeout { .. } => true,
        Error::Status(e) => {
            let text = format!("{} {}", e.message, e.code.as_deref().unwrap_or("")).to_ascii_lowercase();
            let byok = text.contains("byok");
            let context =
                text.contains("context length") || text.contains("context_length") || text.contains("maximum context");
            if byok || context {
                return false;
            }
            match e.status {
                401 | 402 | 408 | 429 => true,
                404 => e.error_type.as_deref().is_none_or(|t| t == "model_not_found" || t == "not_found"),
                s if s >= 500 => true,
                200 => {
                    // In-band error before output: fail over on provider/gateway trouble.
                    let code = e.code.as_deref().and_then(|c| c.parse::<u16>().ok());
                    code.is_some_and(|c| matches!(c, 402 | 408 | 429) || c >= 500)
                        || e.error_type.as_deref().is_some_and(|t| {
                            matches!(
                                t,
                                "rate_limit_exceeded"
                                    | "internal_server_error"
                                    | "server_error"
                                    | "overloaded_error"
                                    | "service_unavailable"
                            )
                        })
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether a failure says something about the gateway's health (counts for its breaker).
pub fn counts_against_gateway(error: &Error) -> bool {
    match error {
        Error::Connection { .. } | Error::Timeout { .. } => true,
        Error::Status(e) => {
            matches!(e.status, 401 | 402 | 408 | 429) || e.status >= 500 || (e.status == 200 && may_fail_over(error))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("xai/*", "xai/grok-4"));
        assert!(glob_match("*/claude-*", "anthropic/claude-sonnet-4.5"));
        assert!(glob_match("openai/gpt-?", "openai/gpt-5"));
        assert!(!glob_match("openai/gpt-?", "openai/gpt-55"));
        assert!(!glob_match("xai/*", "x-ai/grok-4"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxbyy"));
        assert!(pin_matches("anthropic", &["anthropic/claude-sonnet-4.5"]));
        assert!(!pin_matches("anthropic", &["anthropicx/claude"]));
        assert!(pin_matches("xai/*", &["x-ai/grok-4", "xai/grok-4"]));
    }

    #[test]
    fn buckets_are_stable_and_spread() {
        assert_eq!(bucket("v1", "user-123", "openai/gpt-5"), bucket("v1", "user-123", "openai/gpt-5"));
        assert_ne!(bucket("v1", "user-123", "openai/gpt-5"), bucket("v2", "user-123", "openai/gpt-5"));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(bucket("s", "ab", "c"), bucket("s", "a", "bc"));
        // A known vector (Python: sha256(b"v1\0user-123\0openai/gpt-5"), first 8 bytes big-endian,
        // mod 100000), so a change of hash, which would move every user, fails loudly.
        assert_eq!(bucket("v1", "user-123", "openai/gpt-5"), 2633);
        assert!(bucket("v1", "user-123", "openai/gpt-5") < BUCKETS);
    }

    #[test]
    fn realised_share_is_within_a_third_of_a_point() {
        for share in [0.01, 0.05, 0.5] {
            let settings = RouterSettings { vercel_share: share, ..RouterSettings::default() };
            let threshold = settings.threshold();
            let n = 100_000;
            let hits = (0..n).filter(|i| bucket("v1", &format!("user-{i}"), "openai/gpt-5") < threshold).count();
            let realised = hits as f64 / f64::from(n);
            assert!((realised - share).abs() <= 0.003, "share {share}: realised {realised}");
        }
    }

    #[test]
    fn raising_the_share_never_moves_a_user_off_vercel() {
        let shares = [0.0, 0.00001, 0.01, 0.05, 0.2, 0.5, 0.99, 1.0];
        for i in 0..5_000 {
            let b = bucket("v1", &format!("u{i}"), "anthropic/claude-sonnet-4.5");
            let mut was_vercel = false;
            for share in shares {
                let t = RouterSettings { vercel_share: share, ..RouterSettings::default() }.threshold();
                let now = b < t;
                assert!(!was_vercel || now, "user {i} left vercel when the share rose to {share}");
                was_vercel = now;
            }
            assert!(was_vercel, "everyone is on vercel at 100 %");
        }
    }

    #[test]
    fn settings_are_validated() {
        for bad in [-0.1, 1.1, f64::NAN] {
            assert!(RouterSettings { vercel_share: bad, ..RouterSettings::default() }.validate().is_err());
        }
        let pins = vec![Pin { pattern: " ".into(), gateway: Gateway::Vercel }];
        assert!(RouterSettings { pins, ..RouterSettings::default() }.validate().is_err());
        // 0.001 % resolution.
        assert_eq!(RouterSettings { vercel_share: 0.00001, ..RouterSettings::default() }.threshold(), 1);
    }

    #[test]
    fn failover_rules() {
        use crate::error::StatusError;
        let status = |status: u16, t: Option<&str>, msg: &str| {
            Error::Status(Box::new(StatusError {
                status,
                error_type: t.map(str::to_string),
                message: msg.to_string(),
                ..StatusError::default()
            }))
        };
        for yes in [
            Error::connection("x", "u"),
            Error::timeout("x", "u"),
            status(500, None, "boom"),
            status(503, None, "no provider"),
            status(408, None, ""),
            status(429, Some("rate_limit_exceeded"), ""),
            status(401, Some("authentication_error"), "bad key"),
            status(402, Some("quota_for_entity_exceeded"), ""),
            status(404, Some("model_not_found"), ""),
            status(200, Some("internal_server_error"), "provider died"),
        ] {
            assert!(may_fail_over(&yes), "{yes:?}");
        }
        for no in [
            status(400, Some("invalid_request_error"), "bad"),
            status(400, None, "This model's maximum context length is 8192 tokens"),
            status(403, Some("forbidden"), "rule"),
            status(424, Some("failed_dependency"), ""),
            status(401, None, "Your BYOK key was rejected"),
            status(200, Some("invalid_request_error"), ""),
            Error::Decode { message: "x".into(), url: "u".into(), status: 200 },
            Error::usage("x"),
        ] {
            assert!(!may_fail_over(&no), "{no:?}");
        }
    }
}
