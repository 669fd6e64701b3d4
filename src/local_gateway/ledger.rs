//! The ledger: every generation the fake gateway served, for `GET /v1/generation` and
//! `GET /v1/credits`.
//!
//! Design choices:
//! - **A record per 200 answer.** A chat completion or an embedding is recorded when its 200
//!   answer starts (faults that answer an error, hang or reset before headers record nothing;
//!   a stream a fault breaks later was still generated, and is billed, as upstream). Replayed
//!   cassette answers are recorded too, with the id, tokens and cost read from the recorded
//!   body.
//! - **Costs stay exact.** They are kept as [`Decimal`]s and summed exactly; `/v1/credits`
//!   prints decimal strings, `/v1/generation` prints numbers, as the real endpoints do
//!   (`spec/gateway-api.md` §7).
//! - **Two renderings.** [`GenerationRecord::to_json`] is Vercel's `/v1/generation` data; the
//!   OpenRouter flavour renders the same record in its own shape (`openrouter::generation_json`).
//! - **Lookups answer at once.** The real endpoint has an ingestion delay of seconds; tests want
//!   the answer, so there is none.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::catalog::Decimal;
use super::ids;

/// One served generation.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct GenerationRecord {
    pub id: String,
    pub model: String,
    pub provider: String,
    pub streamed: bool,
    pub finish_reason: Option<String>,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub reasoning_tokens: u64,
    pub cached_tokens: u64,
    pub cache_creation_tokens: u64,
    pub cost: Decimal,
    /// When it was created, in Unix milliseconds.
    pub created_ms: u128,
    /// Milliseconds from the request to the first byte of the answer.
    pub latency_ms: u64,
    /// Milliseconds from the request to the complete answer, as far as the fake knows it.
    pub generation_ms: u64,
    /// The request's `HTTP-Referer` attribution header, reported by OpenRouter's lookup.
    pub http_referer: Option<String>,
    /// OpenRouter's `api_type` (`"completions"` or `"embeddings"`); `None` reads as completions.
    pub api_type: Option<&'static str>,
}

/// Reads a cost that is a decimal string (exact) or a JSON number.
fn decimal_of(value: &Value) -> Option<Decimal> {
    match value {
        Value::String(text) => Decimal::parse(text),
        Value::Number(number) => Decimal::parse(&number.to_string()),
        _ => None,
    }
}

fn count(value: &Value) -> u64 {
    value.as_u64().unwrap_or(0)
}

impl GenerationRecord {
    /// Fills tokens and cost from a `usage` object; the gateway metadata's exact `cost` string
    /// wins over `usage.cost` when both are present.
    fn absorb_usage(&mut self, usage: &Value) {
        if !usage.is_object() {
            return;
        }
        self.prompt_tokens = count(&usage["prompt_tokens"]);
        self.completion_tokens = count(&usage["completion_tokens"]);
        self.reasoning_tokens = count(&usage["completion_tokens_details"]["reasoning_tokens"]);
        self.cached_tokens = count(&usage["prompt_tokens_details"]["cached_tokens"]);
        self.cache_creation_tokens = count(&usage["cache_creation_input_tokens"]);
        if self.cost == Decimal::default() {
            self.cost = decimal_of(&usage["cost"]).unwrap_or_default();
        }
    }

    fn absorb_gateway_metadata(&mut self, metadata: &Value) {
        let gateway = &metadata["gateway"];
        if let Some(cost) = decimal_of(&gateway["cost"]) {
            self.cost = cost;
        }
        if let Some(provider) = gateway["routing"]["finalProvider"].as_str() {
            provider.clone_into(&mut self.provider);
        }
    }

    fn absorb_chunk(&mut self, chunk: &Value) {
        if self.id.is_empty() {
            let id = chunk["generationId"].as_str().or_else(|| chunk["id"].as_str()).unwrap_or_default();
            id.clone_into(&mut self.id);
        }
        if self.model.is_empty() {
            chunk["model"].as_str().unwrap_or_default().clone_into(&mut self.model);
        }
        // OpenRouter names the serving provider at the top level.
        if let Some(provider) = chunk["provider"].as_str() {
            provider.clone_into(&mut self.provider);
        }
        for choice in chunk["choices"].as_array().into_iter().flatten() {
            if let Some(reason) = choice["finish_reason"].as_str() {
                self.finish_reason = Some(reason.to_owned());
            }
            for holder in [&choice["message"], &choice["delta"]] {
                self.absorb_gateway_metadata(&holder["provider_metadata"]);
            }
        }
        self.absorb_gateway_metadata(&chunk["providerMetadata"]);
        self.absorb_usage(&chunk["usage"]);
    }

    /// What a recorded answer says about its generation: the JSON body, or each SSE event's
    /// `data:` payload in order. `None` when it names no id.
    pub(crate) fn from_recorded(body: &[u8], streamed: bool) -> Option<GenerationRecord> {
        let mut record = GenerationRecord { streamed, created_ms: ids::unix_millis(), ..GenerationRecord::default() };
        if streamed {
            let text = String::from_utf8_lossy(body);
            for line in text.lines() {
                let Some(payload) = line.strip_prefix("data:") else { continue };
                if let Ok(chunk) = serde_json::from_str::<Value>(payload.trim()) {
                    record.absorb_chunk(&chunk);
                }
            }
        } else {
            record.absorb_chunk(&serde_json::from_slice::<Value>(body).ok()?);
        }
        if record.provider.is_empty() {
            record.provider = record.model.split_once('/').map(|(creator, _)| creator.to_owned()).unwrap_or_default();
        }
        (!record.id.is_empty()).then_some(record)
    }

    /// The `data` object of `GET /v1/generation` (§7.1): costs as numbers.
    pub(crate) fn to_json(&self) -> Value {
        let cost = self.cost.to_f64();
        json!({
            "id": self.id,
            "total_cost": cost,
            "upstream_inference_cost": 0,
            "usage": cost,
            "created_at": ids::iso8601_millis(self.created_ms),
            "model": self.model,
            "is_byok": false,
            "provider_name": self.provider,
            "streamed": self.streamed,
            "finish_reason": self.finish_reason,
            "latency": self.latency_ms,
            "generation_time": self.generation_ms,
            "tokens_prompt": self.prompt_tokens,
            "tokens_completion": self.completion_tokens,
            "native_tokens_prompt": self.prompt_tokens,
            "native_tokens_completion": self.completion_tokens,
            "native_tokens_reasoning": self.reasoning_tokens,
            "native_tokens_cached": self.cached_tokens,
            "native_tokens_cache_creation": self.cache_creation_tokens,
            "billable_web_search_calls": 0
        })
    }
}

/// Every generation served, by id, and the running total of their costs.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    by_id: HashMap<String, GenerationRecord>,
    total_used: Decimal,
}

impl Ledger {
    /// Records a generation; a replayed recording served twice is billed twice, as a real
    /// second request would be, but looked up once.
    pub(crate) fn record(&mut self, record: GenerationRecord) {
        self.total_used = self.total_used.plus(record.cost).unwrap_or(self.total_used);
        self.by_id.insert(record.id.clone(), record);
    }

    pub(crate) fn get(&self, id: &str) -> Option<&GenerationRecord> {
        self.by_id.get(id)
    }

    pub(crate) fn total_used(&self) -> Decimal {
        self.total_used
    }
}

/// A USD amount as `/v1/credits` prints it: at least two decimals (`"100.00"`, `"99.9998875"`).
pub(crate) fn usd(amount: Decimal) -> String {
    let text = amount.to_string();
    match text.split_once('.') {
        None => format!("{text}.00"),
        Some((_, fraction)) if fraction.len() == 1 => format!("{text}0"),
        Some(_) => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_plain_and_streamed_bodies_are_read() {
        let plain = br#"{"id":"gen_A","model":"openai/gpt-5","choices":[{"index":0,"message":{"content":"hi",
            "provider_metadata":{"gateway":{"cost":"0.0000032","routing":{"finalProvider":"azure"}}}},
            "finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":3,"cost":0.0000031}}"#;
        let record = GenerationRecord::from_recorded(plain, false).unwrap();
        assert_eq!((record.id.as_str(), record.provider.as_str()), ("gen_A", "azure"));
        assert_eq!(record.cost.to_string(), "0.0000032");
        assert_eq!((record.prompt_tokens, record.completion_tokens), (20, 3));
        assert_eq!(record.finish_reason.as_deref(), Some("stop"));

        let streamed = concat!(
            ": OPENROUTER PROCESSING\n\n",
            "data: {\"id\":\"gen-1\",\"model\":\"a/b\",\"choices\":[{\"delta\":{\"content\":\"x\"},\"finish_reason\":null}]}\n\n",
            "data: {\"id\":\"gen-1\",\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}],",
            "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7,\"cost\":1.5e-7,",
            "\"completion_tokens_details\":{\"reasoning_tokens\":2}}}\n\n",
            "data: [DONE]\n\n"
        );
        let record = GenerationRecord::from_recorded(streamed.as_bytes(), true).unwrap();
        assert_eq!((record.id.as_str(), record.model.as_str(), record.provider.as_str()), ("gen-1", "a/b", "a"));
        assert_eq!(record.finish_reason.as_deref(), Some("tool_calls"));
        assert_eq!(record.cost.to_string(), "0.00000015");
        assert_eq!(record.reasoning_tokens, 2);
        assert!(GenerationRecord::from_recorded(b"{}", false).is_none());
        assert!(GenerationRecord::from_recorded(b"not json", false).is_none());
    }

    #[test]
    fn ledger_sums_exactly_and_formats_dollars() {
        let mut ledger = Ledger::default();
        for (id, cost) in [("gen_1", "0.1"), ("gen_2", "0.2"), ("gen_1", "0.0000001")] {
            ledger.record(GenerationRecord {
                id: id.into(),
                cost: Decimal::parse(cost).unwrap(),
                ..GenerationRecord::default()
            });
        }
        assert_eq!(ledger.total_used().to_string(), "0.3000001");
        assert_eq!(ledger.get("gen_1").unwrap().cost.to_string(), "0.0000001");
        assert_eq!(usd(Decimal::parse("100").unwrap()), "100.00");
        assert_eq!(usd(Decimal::parse("4.5").unwrap()), "4.50");
        assert_eq!(usd(Decimal::parse("0.00000008").unwrap()), "0.00000008");
        let json = ledger.get("gen_2").unwrap().to_json();
        assert_eq!(json["total_cost"], json!(0.2));
        assert_eq!(json["usage"], json!(0.2));
        assert_eq!(json["created_at"], "1970-01-01T00:00:00.000Z");
    }
}
