//! Generation ids and clocks for the fake gateway.
//!
//! Design: the gateway's ids are `gen_` + a ULID (48-bit millisecond timestamp, 80 random
//! bits, 26 Crockford base32 characters). A dozen lines do that, so no `ulid` dependency; the
//! ids need to look and sort like the real ones, not be monotonic within a millisecond.

use std::time::{SystemTime, UNIX_EPOCH};

/// Crockford's base32 alphabet (no I, L, O, U), as ULIDs use it.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_millis() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_millis())
}

/// Seconds since the Unix epoch, as the gateway's `created` fields and JWT claims use them.
pub(crate) fn unix_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
}

/// Encodes a 128-bit ULID value as 26 Crockford base32 characters (the first carries 3 bits).
fn encode_ulid(value: u128) -> String {
    (0..26u32)
        .rev()
        .map(|group| {
            // Masked to 5 bits, so the index is always in range.
            let index = usize::try_from((value >> (group * 5)) & 0x1f).unwrap_or(0);
            char::from(CROCKFORD[index])
        })
        .collect()
}

/// A fresh generation id: `gen_` followed by a 26-character ULID.
pub(crate) fn generation_id() -> String {
    let timestamp = unix_millis() & ((1u128 << 48) - 1);
    let randomness = rand::random::<u128>() & ((1u128 << 80) - 1);
    format!("gen_{}", encode_ulid((timestamp << 80) | randomness))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_known_values() {
        assert_eq!(encode_ulid(0), "00000000000000000000000000");
        assert_eq!(encode_ulid(u128::MAX), "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
        // Timestamp 1469918176385 ms is `01ARYZ6S41` in the ULID specification's example.
        assert!(encode_ulid(1_469_918_176_385u128 << 80).starts_with("01ARYZ6S41"));
    }

    #[test]
    fn generation_ids_have_the_gateway_shape() {
        let id = generation_id();
        assert_eq!(id.len(), 30);
        assert!(id.starts_with("gen_"));
        assert!(id[4..].bytes().all(|b| CROCKFORD.contains(&b)));
        assert_ne!(generation_id(), generation_id());
    }
}
