//! The router over the embedded catalogs: share, stickiness, pins, eligibility, breakers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use vercel_ai_gateway::catalog::{Catalog, Gateway};
use vercel_ai_gateway::routing::breaker::BreakerConfig;
use vercel_ai_gateway::routing::router::{Pin, RouteRequest, Router, RouterSettings};
use vercel_ai_gateway::routing::ModelMap;

fn router(settings: RouterSettings) -> Router {
    let vercel = Catalog::embedded(Gateway::Vercel).unwrap().clone();
    let openrouter = Catalog::embedded(Gateway::OpenRouter).unwrap().clone();
    let map = ModelMap::build(&openrouter, &vercel, &[]);
    let breaker = BreakerConfig {
        min_requests: 2,
        consecutive_failures: 2,
        cooldown: Duration::from_secs(30),
        ..BreakerConfig::default()
    };
    Router::new(settings, Arc::new(vercel), Arc::new(openrouter), Arc::new(map), breaker).unwrap()
}

fn share(s: f64) -> RouterSettings {
    RouterSettings { vercel_share: s, ..RouterSettings::default() }
}

const BOTH: &str = "anthropic/claude-opus-4.7";

#[test]
fn realised_share_over_100k_users() {
    for s in [0.01, 0.05, 0.5] {
        let r = router(share(s));
        let n = 100_000;
        let vercel = (0..n)
            .filter(|i| {
                let user = format!("user-{i}");
                r.route(&RouteRequest { model: BOTH, user: Some(&user), body: None }).primary.gateway == Gateway::Vercel
            })
            .count();
        let realised = vercel as f64 / f64::from(n);
        assert!((realised - s).abs() <= 0.003, "share {s}: realised {realised}");
    }
}

#[test]
fn sticky_and_the_same_by_either_id() {
    let r = router(share(0.5));
    let a = r.route(&RouteRequest { model: "x-ai/grok-4.3", user: Some("u1"), body: None });
    let b = r.route(&RouteRequest { model: "x-ai/grok-4.3", user: Some("u1"), body: None });
    assert_eq!(a, b);
    let vercel_id = r.model_map().to_vercel("x-ai/grok-4.3").to.expect("x-ai/grok-4.3 maps by prefix");
    {
        for i in 0..200 {
            let user = format!("u{i}");
            let by_or = r.route(&RouteRequest { model: "x-ai/grok-4.3", user: Some(&user), body: None });
            let by_v = r.route(&RouteRequest { model: &vercel_id, user: Some(&user), body: None });
            assert_eq!(by_or.primary.gateway, by_v.primary.gateway, "user {user}");
            assert_eq!(by_or.bucket, by_v.bucket);
        }
    }
}

#[test]
fn body_user_is_the_sticky_key_and_model_is_rewritten() {
    let r = router(share(1.0));
    let body = json!({"model": "x-ai/grok-4.3", "messages": [{"role": "user", "content": "hi"}], "user": "u9",
                      "provider": {"order": ["xai"], "data_collection": "deny"}});
    let d = r.route(&RouteRequest { model: "x-ai/grok-4.3", user: None, body: Some(&body) });
    assert_eq!(d.primary.gateway, Gateway::Vercel, "{}", d.explain());
    {
        let sent = d.primary.body.as_ref().unwrap();
        assert_eq!(sent["model"], json!(d.primary.model));
        assert!(sent.get("provider").is_none());
        assert_eq!(sent["providerOptions"]["gateway"]["disallowPromptTraining"], json!(true));
        let fb = d.fallback.as_ref().unwrap();
        assert_eq!(fb.gateway, Gateway::OpenRouter);
        assert_eq!(fb.body.as_ref().unwrap(), &body, "the origin dialect passes through unchanged");
    }
    assert!(d.explain().contains("sticky per user and model"), "{}", d.explain());
}

#[test]
fn unmatched_models_stay_on_openrouter_and_unknown_go_to_the_default() {
    let r = router(share(1.0));
    let d = r.route(&RouteRequest { model: "gryphe/mythomax-l2-13b", user: Some("u"), body: None });
    assert_eq!(d.primary.gateway, Gateway::OpenRouter);
    assert!(d.fallback.is_none());
    assert!(d.explain().contains("only openrouter is eligible"), "{}", d.explain());
    let d = r.route(&RouteRequest { model: "acme/brand-new", user: Some("u"), body: None });
    assert_eq!((d.primary.gateway, d.primary.model.as_str()), (Gateway::OpenRouter, "acme/brand-new"));
    // A Vercel-only model goes to Vercel whatever the share.
    let r0 = router(share(0.0));
    let vercel_only = Catalog::embedded(Gateway::Vercel)
        .unwrap()
        .ids()
        .find(|id| r0.model_map().to_openrouter(id).to.is_none())
        .unwrap()
        .to_string();
    assert_eq!(
        r0.route(&RouteRequest { model: &vercel_only, user: Some("u"), body: None }).primary.gateway,
        Gateway::Vercel
    );
}

#[test]
fn pins_win_and_disable_failover() {
    let settings = RouterSettings {
        vercel_share: 0.0,
        pins: vec![Pin { pattern: "anthropic".into(), gateway: Gateway::Vercel }],
        ..RouterSettings::default()
    };
    let r = router(settings);
    let d = r.route(&RouteRequest { model: BOTH, user: Some("u"), body: None });
    assert_eq!(d.primary.gateway, Gateway::Vercel);
    assert!(d.pinned && d.fallback.is_none() && d.bucket.is_none());
    // An exact pin to a gateway without the model is a configuration error.
    let bad = RouterSettings {
        pins: vec![Pin { pattern: "gryphe/mythomax-l2-13b".into(), gateway: Gateway::Vercel }],
        ..RouterSettings::default()
    };
    let err = router(RouterSettings::default()).configure(bad).unwrap_err().to_string();
    assert!(err.contains("mythomax") && err.contains("vercel"), "{err}");
}

#[test]
fn ineligible_options_keep_the_request_where_it_can_be_honoured() {
    let r = router(share(1.0));
    let body = json!({"model": BOTH, "messages": [], "provider": {"enforce_distillable_text": true}});
    let d = r.route(&RouteRequest { model: BOTH, user: Some("u"), body: Some(&body) });
    assert_eq!(d.primary.gateway, Gateway::OpenRouter);
    assert!(d.explain().contains("vercel is not eligible"), "{}", d.explain());
}

#[test]
fn runtime_reconfiguration() {
    let r = router(share(0.0));
    assert_eq!(
        r.route(&RouteRequest { model: BOTH, user: Some("u"), body: None }).primary.gateway,
        Gateway::OpenRouter
    );
    r.configure(share(1.0)).unwrap();
    assert_eq!(r.route(&RouteRequest { model: BOTH, user: Some("u"), body: None }).primary.gateway, Gateway::Vercel);
    r.configure(RouterSettings { vercel_share: 1.0, failover: false, ..RouterSettings::default() }).unwrap();
    assert!(r.route(&RouteRequest { model: BOTH, user: Some("u"), body: None }).fallback.is_none());
    assert!(r.configure(share(2.0)).is_err());
    assert_eq!(r.settings().vercel_share, 1.0, "a rejected change leaves the settings alone");
}

#[test]
fn an_open_breaker_moves_traffic_both_ways() {
    let r = router(share(1.0));
    let t0 = Instant::now();
    let vercel_id = r.route(&RouteRequest { model: BOTH, user: Some("u"), body: None }).primary.model;
    r.breakers().record(Gateway::Vercel, &vercel_id, false, t0);
    r.breakers().record(Gateway::Vercel, &vercel_id, false, t0);
    let d = r.route_at(&RouteRequest { model: BOTH, user: Some("u"), body: None }, t0);
    assert_eq!(d.primary.gateway, Gateway::OpenRouter);
    assert_eq!(d.fallback.as_ref().map(|f| f.gateway), Some(Gateway::Vercel));
    assert!(d.explain().contains("breaker is open"), "{}", d.explain());
    // The other direction.
    let r = router(share(0.0));
    r.breakers().record(Gateway::OpenRouter, BOTH, false, t0);
    r.breakers().record(Gateway::OpenRouter, BOTH, false, t0);
    assert_eq!(
        r.route_at(&RouteRequest { model: BOTH, user: Some("u"), body: None }, t0).primary.gateway,
        Gateway::Vercel
    );
    // After the cooldown the probe goes back to the preferred gateway.
    let later = t0 + Duration::from_secs(31);
    assert_eq!(
        r.route_at(&RouteRequest { model: BOTH, user: Some("u"), body: None }, later).primary.gateway,
        Gateway::OpenRouter
    );
}
