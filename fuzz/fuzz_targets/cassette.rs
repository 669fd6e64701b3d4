//! LocalGateway's cassette loader (`LocalGateway::load_cassette`) on arbitrary text: the number
//! of interactions, or a typed config error.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vercel_ai_gateway::local_gateway::{LocalGateway, LocalGatewayConfig};
use vercel_ai_gateway::Error;

fn gateway() -> &'static LocalGateway {
    static GATEWAY: OnceLock<LocalGateway> = OnceLock::new();
    GATEWAY.get_or_init(|| LocalGateway::start(LocalGatewayConfig::default()).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match gateway().load_cassette(text) {
        Ok(_) => gateway().clear_cassettes(),
        Err(Error::Config { .. }) => {}
        Err(other) => panic!("unexpected {other:?}"),
    }
});
