//! Catalog loading (`Catalog::from_vercel_json` / `from_openrouter_json`, what `Router(...,
//! vercel_catalog=, openrouter_catalog=)` reads) on arbitrary text: a catalog or a config error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vercel_ai_gateway::catalog::Catalog;
use vercel_ai_gateway::Error;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for result in [Catalog::from_vercel_json(text), Catalog::from_openrouter_json(text)] {
        match result {
            Ok(catalog) => {
                for id in catalog.ids() {
                    let _ = catalog.estimate_cost(id, u64::MAX, u64::MAX);
                    let _ = catalog.providers_for(id);
                }
            }
            Err(Error::Config { .. }) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
});
