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

/// True for a well-formed generation id: `gen_` and 26 Crockford base32 characters (any case).
pub(crate) fn is_generation_id(id: &str) -> bool {
    id.strip_prefix("gen_")
        .is_some_and(|ulid| ulid.len() == 26 && ulid.bytes().all(|b| CROCKFORD.contains(&b.to_ascii_uppercase())))
}

/// Unix milliseconds as an ISO 8601 UTC timestamp with milliseconds, e.g.
/// `2026-05-22T00:00:00.000Z`, as `/v1/generation` prints `created_at`.
pub(crate) fn iso8601_millis(millis: u128) -> String {
    let seconds = millis / 1000;
    let days = i64::try_from(seconds / 86_400).unwrap_or(i64::MAX / 2);
    let of_day = seconds % 86_400;
    // Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60,
        millis % 1000
    )
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
    fn timestamps_are_iso8601() {
        assert_eq!(iso8601_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601_millis(1_779_408_000_000), "2026-05-22T00:00:00.000Z");
        assert_eq!(iso8601_millis(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(iso8601_millis(1_773_346_188_999), "2026-03-12T20:09:48.999Z");
    }

    #[test]
    fn generation_id_format() {
        assert!(is_generation_id(&generation_id()));
        assert!(is_generation_id("gen_01kkhtpr6079krb242aq8kaph7"));
        assert!(!is_generation_id("gen_01KKHTPR6079KRB242AQ8KAPH"));
        assert!(!is_generation_id("gen-1777319809-KRozO9hOQbdWkZAi8Zj7"));
        assert!(!is_generation_id("gen_01KKHTPR6079KRB242AQ8KAPHU"));
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
