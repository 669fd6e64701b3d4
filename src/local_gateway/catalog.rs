//! The model catalog the fake gateway serves, and exact decimal prices from it.
//!
//! Design: the `/v1/models` document is kept as the text it arrived as (served byte for byte,
//! so a replacement catalog round-trips exactly) plus an index by id for lookups. Prices are
//! decimal strings per token (`"0.00000125"`); multiplying them in `f64` would print float
//! noise (`0.000023749999999999998`) where the gateway prints `"0.00002375"`, so costs use a
//! small fixed-point [`Decimal`] instead.
//!
//! Both gateways' documents have the `{"data":[...]}` envelope, so one index serves both; the
//! OpenRouter flavour reads the project's OpenRouter snapshot (`src/catalog/`), whose prices are
//! `pricing.prompt`/`completion` where Vercel's are `input`/`output` ([`price`] reads either),
//! and also finds entries by `canonical_slug`, the id OpenRouter reports and links to.

use std::collections::HashMap;
use std::fmt;

use bytes::Bytes;
use serde_json::Value;

/// The embedded catalog; see `CATALOG.md` beside this file for its origin and licences.
const EMBEDDED_CATALOG: &str = include_str!("vercel-models.json");

/// OpenRouter's `/api/v1/models` reply, verbatim (see `src/catalog/CATALOG.md`).
const EMBEDDED_OPENROUTER_CATALOG: &str = include_str!("../catalog/openrouter-models.json");

/// Digits kept after the decimal point; prices are around 1e-9 per token at the smallest.
const MAX_SCALE: u32 = 24;

/// A parsed `/v1/models` document.
pub(crate) struct Catalog {
    text: Bytes,
    by_id: HashMap<String, Value>,
    /// `canonical_slug` → id, for the entries that have one.
    by_slug: HashMap<String, String>,
}

impl Catalog {
    /// The Vercel catalog compiled into the binary.
    pub(crate) fn embedded() -> Result<Catalog, String> {
        Self::from_static(EMBEDDED_CATALOG)
    }

    /// The OpenRouter catalog compiled into the binary.
    pub(crate) fn embedded_openrouter() -> Result<Catalog, String> {
        Self::from_static(EMBEDDED_OPENROUTER_CATALOG)
    }

    /// A catalog compiled into the binary; a broken one is a bug, reported as such.
    pub(crate) fn from_static(text: &'static str) -> Result<Catalog, String> {
        Self::index(Bytes::from_static(text.as_bytes()))
            .map_err(|message| format!("the embedded model catalog is broken ({message}); this is a bug"))
    }

    /// A catalog supplied by the user. The error is a sentence naming what is wrong.
    pub(crate) fn parse(text: String) -> Result<Catalog, String> {
        Self::index(Bytes::from(text)).map_err(|message| format!("The catalog JSON is not usable: {message}."))
    }

    fn index(text: Bytes) -> Result<Catalog, String> {
        let document: Value =
            serde_json::from_slice(&text).map_err(|error| format!("it is not valid JSON ({error})"))?;
        let entries = document
            .get("data")
            .and_then(Value::as_array)
            .ok_or_else(|| "expected an object of the form {\"object\":\"list\",\"data\":[...]}".to_owned())?;
        let mut by_id = HashMap::with_capacity(entries.len());
        let mut by_slug = HashMap::new();
        for (position, entry) in entries.iter().enumerate() {
            let id = entry
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("entry {position} of \"data\" has no string \"id\""))?;
            // The first entry wins, as a client reading the list top-down would see it.
            by_id.entry(id.to_owned()).or_insert_with(|| entry.clone());
            if let Some(slug) = entry.get("canonical_slug").and_then(Value::as_str) {
                by_slug.entry(slug.to_owned()).or_insert_with(|| id.to_owned());
            }
        }
        Ok(Catalog { text, by_id, by_slug })
    }

    /// The document as received, for `GET /v1/models`.
    pub(crate) fn list_body(&self) -> Bytes {
        self.text.clone()
    }

    /// One entry by id.
    pub(crate) fn get(&self, id: &str) -> Option<&Value> {
        self.by_id.get(id)
    }

    /// One entry by id, else by `canonical_slug`.
    pub(crate) fn get_or_slug(&self, id: &str) -> Option<&Value> {
        self.get(id).or_else(|| self.by_slug.get(id).and_then(|id| self.by_id.get(id)))
    }

    /// The number of distinct model ids.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }
}

/// The per-token price `pricing.<kind>` of a catalog entry; zero when absent or unreadable,
/// as for the catalog's unpriced models (and OpenRouter's routers, priced `"-1"`). `input` and
/// `output` fall back to OpenRouter's names, `prompt` and `completion`.
pub(crate) fn price(entry: &Value, kind: &str) -> Decimal {
    let alias = match kind {
        "input" => "prompt",
        "output" => "completion",
        other => other,
    };
    let pricing = entry.get("pricing");
    match pricing.and_then(|pricing| pricing.get(kind).or_else(|| pricing.get(alias))) {
        Some(Value::String(text)) => Decimal::parse(text),
        Some(Value::Number(number)) => Decimal::parse(&number.to_string()),
        _ => None,
    }
    .unwrap_or_default()
}

/// A non-negative fixed-point number: `units / 10^scale`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Decimal {
    units: u128,
    scale: u32,
}

impl Decimal {
    /// Parses a plain decimal (`"0.00000125"`, `"3"`); exponent forms go through `f64`, whose
    /// `Display` never uses an exponent. Negative prices (some catalogs write `"-1"` for
    /// "varies") and anything unreadable give `None`.
    pub(crate) fn parse(text: &str) -> Option<Decimal> {
        let text = text.trim();
        if text.contains(['e', 'E']) {
            let value: f64 = text.parse().ok()?;
            return if value.is_finite() && value >= 0.0 { Self::parse(&value.to_string()) } else { None };
        }
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty() && fraction.is_empty() {
            return None;
        }
        if !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        // ASCII digits only, so any byte index is a char boundary. Digits beyond MAX_SCALE are
        // far below a millionth of a cent per million tokens.
        let fraction = &fraction[..fraction.len().min(MAX_SCALE as usize)];
        let digits = format!("{whole}{fraction}");
        let units = if digits.is_empty() { 0 } else { digits.parse().ok()? };
        Some(Decimal { units, scale: u32::try_from(fraction.len()).ok()? })
    }

    /// `self × factor`, `None` on overflow.
    pub(crate) fn times(self, factor: u64) -> Option<Decimal> {
        Some(Decimal { units: self.units.checked_mul(u128::from(factor))?, scale: self.scale })
    }

    /// `self + other`, `None` on overflow.
    pub(crate) fn plus(self, other: Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        let widen = |d: Decimal| d.units.checked_mul(10u128.checked_pow(scale - d.scale)?);
        Some(Decimal { units: widen(self)?.checked_add(widen(other)?)?, scale })
    }

    /// `self - other`, or zero when `other` is larger (a balance does not go below zero here).
    pub(crate) fn saturating_minus(self, other: Decimal) -> Decimal {
        let scale = self.scale.max(other.scale);
        let widen = |d: Decimal| 10u128.checked_pow(scale - d.scale).and_then(|factor| d.units.checked_mul(factor));
        match (widen(self), widen(other)) {
            (Some(left), Some(right)) => Decimal { units: left.saturating_sub(right), scale },
            _ => Decimal::default(),
        }
    }

    /// The value as the nearest `f64`, for the `usage` fields that are JSON numbers.
    pub(crate) fn to_f64(self) -> f64 {
        self.to_string().parse().unwrap_or(0.0)
    }
}

impl fmt::Display for Decimal {
    /// Plain decimal notation without trailing zeros: `0.00002375`, `0`, `12`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.units.to_string();
        let scale = self.scale as usize;
        let padded =
            if digits.len() <= scale { format!("{}{digits}", "0".repeat(scale + 1 - digits.len())) } else { digits };
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        let fraction = fraction.trim_end_matches('0');
        if fraction.is_empty() {
            f.write_str(whole)
        } else {
            write!(f, "{whole}.{fraction}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dec(text: &str) -> Decimal {
        Decimal::parse(text).unwrap()
    }

    #[test]
    fn decimal_arithmetic_is_exact() {
        assert_eq!(dec("0.00000125").times(19).unwrap().to_string(), "0.00002375");
        let total = dec("0.000002").times(20).unwrap().plus(dec("0.0000004").times(3).unwrap()).unwrap();
        assert_eq!(total.to_string(), "0.0000412");
        assert_eq!(dec("3").times(2).unwrap().to_string(), "6");
        assert_eq!(dec("0.10").to_string(), "0.1");
        assert_eq!(Decimal::default().to_string(), "0");
        assert_eq!(dec("1e-7").to_string(), "0.0000001");
        assert!((dec("0.00002375").to_f64() - 0.000_023_75).abs() < 1e-18);
        assert_eq!(Decimal::parse("-1"), None);
        assert_eq!(Decimal::parse("free"), None);
        assert_eq!(Decimal::parse("."), None);
        assert_eq!(dec("100.00").saturating_minus(dec("0.0001125")).to_string(), "99.9998875");
        assert_eq!(dec("1").saturating_minus(dec("2")).to_string(), "0");
    }

    #[test]
    fn embedded_catalog_indexes_every_model() {
        let catalog = Catalog::embedded().unwrap();
        assert_eq!(catalog.len(), 297);
        let gpt5 = catalog.get("openai/gpt-5").unwrap();
        assert_eq!(price(gpt5, "input"), dec("0.00000125"));
        assert_eq!(price(&json!({"id": "x/y"}), "input"), Decimal::default());
    }

    #[test]
    fn replacement_catalog_errors_are_sentences() {
        let error = Catalog::parse("{not json".into()).err().unwrap();
        assert!(error.starts_with("The catalog JSON is not usable: it is not valid JSON"), "{error}");
        assert!(Catalog::parse("[]".into()).err().unwrap().contains("\"data\""));
        assert!(Catalog::parse(r#"{"data":[{"name":"x"}]}"#.into()).err().unwrap().contains("entry 0"));
        let catalog = Catalog::parse(r#"{"object":"list","data":[{"id":"acme/m1"}]}"#.into()).unwrap();
        assert!(catalog.get("acme/m1").is_some());
    }

    #[test]
    fn openrouter_catalog_reads_prompt_prices_and_slugs() {
        let catalog = Catalog::embedded_openrouter().unwrap();
        assert_eq!(catalog.len(), 364);
        let nano = catalog.get("openai/gpt-5.4-nano").unwrap();
        assert_eq!(price(nano, "input"), dec("0.0000002"));
        assert_eq!(price(nano, "output"), dec("0.00000125"));
        let by_slug = catalog.get_or_slug("anthropic/claude-4.5-haiku-20251001").unwrap();
        assert_eq!(by_slug["id"], "anthropic/claude-haiku-4.5");
        assert_eq!(price(&json!({"pricing": {"prompt": "-1"}}), "input"), Decimal::default());
    }
}
