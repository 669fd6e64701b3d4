//! The model-id mapper (`ModelMap::to_vercel` / `to_openrouter`) over the embedded catalogs on
//! arbitrary ids: targets are real ids of the other catalog, never decorated in reverse, and a
//! Vercel id's partner maps back to it.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vercel_ai_gateway::catalog::{Catalog, Gateway};
use vercel_ai_gateway::routing::mapping::ModelMap;

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

fuzz_target!(|data: &[u8]| {
    let Ok(id) = std::str::from_utf8(data) else { return };
    let (openrouter, vercel) =
        (Catalog::embedded(Gateway::OpenRouter).unwrap(), Catalog::embedded(Gateway::Vercel).unwrap());
    let forward = map().to_vercel(id);
    assert!(!forward.reason.is_empty());
    if let Some(to) = &forward.to {
        assert!(vercel.contains(to), "{id} → {to}");
    }
    let reverse = map().to_openrouter(id);
    assert!(!reverse.reason.is_empty());
    if let Some(to) = &reverse.to {
        assert!(openrouter.contains(to), "{id} → {to}");
        if vercel.contains(id) {
            assert_eq!(map().to_vercel(to).to.as_deref(), Some(id), "{id} → {to} does not map back");
        }
    }
});
