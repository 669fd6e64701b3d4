//! The provider-option translator (`translate::to_vercel` / `to_openrouter`) on arbitrary JSON:
//! a body addressed to the target id with its messages kept, or a reason it cannot go there.
//!
//! Input: JSON text; the target id is the body's own `model` (mapped when it has a partner).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use vercel_ai_gateway::catalog::{Catalog, Gateway};
use vercel_ai_gateway::routing::mapping::ModelMap;
use vercel_ai_gateway::routing::translate::{to_openrouter, to_vercel};

fn map() -> &'static ModelMap {
    static MAP: OnceLock<ModelMap> = OnceLock::new();
    MAP.get_or_init(|| {
        ModelMap::build(
            Catalog::embedded(Gateway::OpenRouter).unwrap(),
            Catalog::embedded(Gateway::Vercel).unwrap(),
            &[],
        )
    })
}

fn check(result: Result<Value, vercel_ai_gateway::routing::translate::Ineligible>, body: &Value, target: &str) {
    match result {
        Ok(out) => {
            assert_eq!(out.get("model").and_then(Value::as_str), Some(target));
            let count = |v: &Value| v.get("messages").and_then(Value::as_array).map(Vec::len);
            assert_eq!(count(&out), count(body));
        }
        Err(why) => assert!(!why.reason.is_empty()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Value>(data) else { return };
    let model = body.get("model").and_then(Value::as_str).unwrap_or("openai/gpt-5").to_owned();
    let vercel_catalog = Catalog::embedded(Gateway::Vercel).unwrap();
    let to_v = map().to_vercel(&model).to.unwrap_or_else(|| model.clone());
    check(to_vercel(&body, &to_v, map(), vercel_catalog), &body, &to_v);
    let to_o = map().to_openrouter(&model).to.unwrap_or_else(|| model.clone());
    check(to_openrouter(&body, &to_o, map()), &body, &to_o);
});
