//! `POST /v1/embeddings`: requests, deterministic vectors, and the gateway's reply shape.
//!
//! Design choices:
//! - **Deterministic, meaningless vectors.** Each input's vector is drawn from a `SplitMix64`
//!   generator seeded with the 64-bit FNV-1a hash of its text (both fixed algorithms, so the
//!   numbers never change between runs, machines or Rust versions), then scaled to unit length
//!   like OpenAI's. Equal texts get equal vectors; nothing else about them means anything.
//! - **`dimensions` shortens like OpenAI's models do**: the full vector is truncated to the
//!   first `dimensions` components and renormalised, so a shortened vector is a prefix
//!   (up to scale) of the full one. Asking for more than the model has is a 400.
//! - **Native sizes**: a table of the catalog's embedding models (1536 for
//!   `openai/text-embedding-3-small`, 3072 for `-large`, …), a `dimensions` field in a
//!   replacement catalog's entry, else 1536.
//! - **Shape per `spec/gateway-api.md` §4.6**: no top-level id; `providerMetadata.gateway`
//!   carries `routing`, `cost` (a decimal string) and `generationId`; `usage` has prompt and
//!   total tokens (`ceil(chars / 4)` per input, as for chat). `encoding_format: "base64"`
//!   (what the openai SDK sends by default) returns little-endian `f32`s in base64.

use base64::Engine as _;
use serde_json::{json, Value};

use super::catalog::{price, Decimal};
use super::completion::InvalidRequest;
use super::ledger::GenerationRecord;

/// The vector size when neither the table nor the catalog knows the model.
pub(crate) const DEFAULT_DIMENSIONS: usize = 1536;

/// Native sizes of the catalog's embedding models (from the providers' model cards).
const NATIVE_DIMENSIONS: &[(&str, usize)] = &[
    ("openai/text-embedding-3-small", 1536),
    ("openai/text-embedding-3-large", 3072),
    ("openai/text-embedding-ada-002", 1536),
    ("alibaba/qwen3-embedding-0.6b", 1024),
    ("alibaba/qwen3-embedding-4b", 2560),
    ("alibaba/qwen3-embedding-8b", 4096),
    ("amazon/titan-embed-text-v2", 1024),
    ("cohere/embed-v4.0", 1536),
    ("google/gemini-embedding-001", 3072),
    ("google/gemini-embedding-2", 3072),
    ("google/text-embedding-005", 768),
    ("google/text-multilingual-embedding-002", 768),
    ("mistral/codestral-embed", 1536),
    ("mistral/mistral-embed", 1024),
    ("voyage/voyage-code-2", 1536),
];

/// Voyage's current models are 1024-wide by default.
const VOYAGE_DIMENSIONS: usize = 1024;

/// Inputs accepted in one request, as OpenAI allows.
const MAX_INPUTS: usize = 2048;

/// How an embedding is encoded in the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Float,
    Base64,
}

/// A validated `POST /v1/embeddings` body.
#[derive(Debug)]
pub(crate) struct EmbeddingRequest {
    pub model: String,
    inputs: Vec<String>,
    dimensions: Option<usize>,
    encoding: Encoding,
}

fn bad(message: impl Into<String>, param: &'static str, code: &'static str) -> InvalidRequest {
    InvalidRequest { message: message.into(), param: Some(param), code }
}

impl EmbeddingRequest {
    /// Parses and validates a body: `model` (string), `input` (a string or a non-empty list of
    /// strings), optional `dimensions` (positive integer) and `encoding_format`.
    pub(crate) fn parse(body: &[u8]) -> Result<EmbeddingRequest, InvalidRequest> {
        let value: Value = serde_json::from_slice(body).map_err(|error| InvalidRequest {
            message: format!("Invalid JSON in the request body: {error}."),
            param: None,
            code: "invalid_json",
        })?;
        let Value::Object(body) = value else {
            return Err(InvalidRequest {
                message: "The request body must be a JSON object.".into(),
                param: None,
                code: "invalid_type",
            });
        };
        let model = match body.get("model") {
            Some(Value::String(model)) if !model.trim().is_empty() => model.clone(),
            None | Some(Value::Null) => {
                return Err(bad("Invalid request: missing required parameter 'model'.", "model", "missing_parameter"))
            }
            Some(_) => {
                return Err(bad(
                    "Invalid request: 'model' must be a non-empty string such as \"openai/text-embedding-3-small\".",
                    "model",
                    "invalid_type",
                ))
            }
        };
        let not_text =
            || bad("Invalid request: 'input' must be a string or a list of strings.", "input", "invalid_type");
        let inputs = match body.get("input") {
            None | Some(Value::Null) => {
                return Err(bad("Invalid request: missing required parameter 'input'.", "input", "missing_parameter"))
            }
            Some(Value::String(text)) => vec![text.clone()],
            Some(Value::Array(items)) if !items.is_empty() && items.len() <= MAX_INPUTS => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(not_text)?,
            Some(Value::Array(_)) => {
                return Err(bad(
                    format!("Invalid request: 'input' must hold between 1 and {MAX_INPUTS} strings."),
                    "input",
                    "invalid_value",
                ))
            }
            Some(_) => return Err(not_text()),
        };
        let dimensions = match body.get("dimensions") {
            None | Some(Value::Null) => None,
            Some(value) => match value.as_u64().and_then(|n| usize::try_from(n).ok()) {
                Some(n) if n >= 1 => Some(n),
                _ => {
                    return Err(bad(
                        "Invalid request: 'dimensions' must be a positive integer.",
                        "dimensions",
                        "invalid_value",
                    ))
                }
            },
        };
        let encoding = match body.get("encoding_format").and_then(Value::as_str) {
            None | Some("float") => Encoding::Float,
            Some("base64") => Encoding::Base64,
            Some(other) => {
                return Err(bad(
                    format!("Invalid request: 'encoding_format' must be \"float\" or \"base64\", not \"{other}\"."),
                    "encoding_format",
                    "invalid_value",
                ))
            }
        };
        Ok(EmbeddingRequest { model, inputs, dimensions, encoding })
    }
}

/// The model's native vector size.
pub(crate) fn native_dimensions(model: &str, entry: &Value) -> usize {
    if let Some(size) = entry.get("dimensions").and_then(Value::as_u64).and_then(|n| usize::try_from(n).ok()) {
        if size > 0 {
            return size;
        }
    }
    if let Some((_, size)) = NATIVE_DIMENSIONS.iter().find(|(id, _)| *id == model) {
        return *size;
    }
    if model.starts_with("voyage/") {
        VOYAGE_DIMENSIONS
    } else {
        DEFAULT_DIMENSIONS
    }
}

/// 64-bit FNV-1a.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The unit-length vector for `text`, `size` components long.
pub(crate) fn vector(text: &str, native: usize, size: usize) -> Vec<f32> {
    let mut state = fnv1a(text);
    let mut next = || {
        // SplitMix64.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    // 53 random bits to a float in [-1, 1).
    #[allow(clippy::cast_precision_loss)]
    let full: Vec<f64> = (0..native).map(|_| (next() >> 11) as f64 / (1u64 << 52) as f64 - 1.0).collect();
    let kept = &full[..size.min(full.len())];
    let norm = kept.iter().map(|x| x * x).sum::<f64>().sqrt();
    #[allow(clippy::cast_possible_truncation)]
    kept.iter().map(|x| if norm > 0.0 { (x / norm) as f32 } else { 0.0 }).collect()
}

/// Characters per token in the deterministic estimate.
const CHARS_PER_TOKEN: usize = 4;

/// A decided embeddings reply.
pub(crate) struct EmbeddingReply {
    pub body: Value,
    pub record: GenerationRecord,
}

/// Builds the reply, or the 400 for `dimensions` larger than the model's.
pub(crate) fn respond(
    request: &EmbeddingRequest,
    entry: &Value,
    id: String,
    created_ms: u128,
) -> Result<EmbeddingReply, InvalidRequest> {
    let native = native_dimensions(&request.model, entry);
    let size = request.dimensions.unwrap_or(native);
    if size > native {
        return Err(bad(
            format!("Invalid request: '{}' produces at most {native} dimensions, not {size}.", request.model),
            "dimensions",
            "invalid_value",
        ));
    }
    let data: Vec<Value> = request
        .inputs
        .iter()
        .enumerate()
        .map(|(index, text)| {
            let values = vector(text, native, size);
            let embedding = match request.encoding {
                Encoding::Float => json!(values),
                Encoding::Base64 => {
                    let bytes: Vec<u8> = values.iter().flat_map(|x| x.to_le_bytes()).collect();
                    json!(base64::engine::general_purpose::STANDARD.encode(bytes))
                }
            };
            json!({"object": "embedding", "index": index, "embedding": embedding})
        })
        .collect();
    let tokens: u64 = request
        .inputs
        .iter()
        .map(|text| u64::try_from(text.chars().count().div_ceil(CHARS_PER_TOKEN).max(1)).unwrap_or(u64::MAX))
        .fold(0, u64::saturating_add);
    let cost: Decimal = price(entry, "input").times(tokens).unwrap_or_default();
    let provider = request.model.split_once('/').map_or(request.model.as_str(), |(creator, _)| creator).to_owned();
    let body = json!({
        "object": "list",
        "data": data,
        "model": request.model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        "providerMetadata": {"gateway": {
            "routing": {
                "originalModelId": request.model,
                "resolvedProvider": provider,
                "canonicalSlug": request.model,
                "finalProvider": provider,
                "fallbacksAvailable": [],
                "modelAttemptCount": 1
            },
            "cost": cost.to_string(),
            "marketCost": cost.to_string(),
            "generationId": id
        }}
    });
    let record = GenerationRecord {
        id,
        model: request.model.clone(),
        provider,
        streamed: false,
        finish_reason: Some("stop".to_owned()),
        prompt_tokens: tokens,
        cost,
        created_ms,
        ..GenerationRecord::default()
    };
    Ok(EmbeddingReply { body, record })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &Value) -> Result<EmbeddingRequest, InvalidRequest> {
        EmbeddingRequest::parse(body.to_string().as_bytes())
    }

    #[test]
    fn validation_names_the_parameter() {
        assert_eq!(parse(&json!({"input": "x"})).unwrap_err().param, Some("model"));
        assert_eq!(parse(&json!({"model": "a/b"})).unwrap_err().code, "missing_parameter");
        assert_eq!(parse(&json!({"model": "a/b", "input": [1, 2]})).unwrap_err().param, Some("input"));
        assert_eq!(parse(&json!({"model": "a/b", "input": []})).unwrap_err().code, "invalid_value");
        assert_eq!(
            parse(&json!({"model": "a/b", "input": "x", "dimensions": 0})).unwrap_err().param,
            Some("dimensions")
        );
        assert_eq!(
            parse(&json!({"model": "a/b", "input": "x", "encoding_format": "hex"})).unwrap_err().param,
            Some("encoding_format")
        );
        assert_eq!(EmbeddingRequest::parse(b"[").unwrap_err().code, "invalid_json");
    }

    #[test]
    fn vectors_are_deterministic_unit_length_prefixes() {
        let full = vector("hello", 1536, 1536);
        assert_eq!(full, vector("hello", 1536, 1536));
        assert_ne!(full, vector("hello!", 1536, 1536));
        let norm: f32 = full.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "{norm}");
        let short = vector("hello", 1536, 8);
        assert_eq!(short.len(), 8);
        let ratio = short[0] / full[0];
        assert!(short.iter().zip(&full).all(|(s, f)| (s / f - ratio).abs() < 1e-3));
        // FNV-1a of "" is its offset basis: the vector of "" is fixed forever.
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn reply_shape_sizes_and_base64() {
        let request = parse(&json!({"model": "openai/text-embedding-3-small", "input": ["abcd", "abcdefgh"]})).unwrap();
        let entry = json!({"type": "embedding", "pricing": {"input": "0.00000002"}});
        let reply = respond(&request, &entry, "gen_X".into(), 0).unwrap();
        let body = &reply.body;
        assert_eq!(body["data"][1]["index"], 1);
        assert_eq!(body["data"][0]["embedding"].as_array().unwrap().len(), 1536);
        assert_eq!(body["usage"], json!({"prompt_tokens": 3, "total_tokens": 3}));
        assert_eq!(body["providerMetadata"]["gateway"]["cost"], "0.00000006");
        assert_eq!(body["providerMetadata"]["gateway"]["generationId"], "gen_X");
        assert!(body.get("id").is_none());
        assert_eq!(reply.record.cost.to_string(), "0.00000006");

        let request = parse(&json!({"model": "voyage/voyage-3.5", "input": "x", "dimensions": 4,
            "encoding_format": "base64"}))
        .unwrap();
        let reply = respond(&request, &json!({}), "gen_Y".into(), 0).unwrap();
        let encoded = reply.body["data"][0]["embedding"].as_str().unwrap().to_owned();
        let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap();
        let floats: Vec<f32> = bytes.chunks(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect();
        assert_eq!(floats, vector("x", 1024, 4));

        let too_many = parse(&json!({"model": "google/text-embedding-005", "input": "x", "dimensions": 769})).unwrap();
        assert_eq!(respond(&too_many, &json!({}), "gen_Z".into(), 0).err().unwrap().param, Some("dimensions"));
        assert_eq!(native_dimensions("acme/e", &json!({"dimensions": 12})), 12);
        assert_eq!(native_dimensions("acme/e", &json!({})), DEFAULT_DIMENSIONS);
    }
}
