//! Chat-completion requests and the bodies the fake gateway answers them with.
//!
//! Design: a request is read into [`ChatRequest`] (only the fields the fake acts on), a reply is
//! decided once into a [`Generation`], and the same `Generation` renders either the JSON body
//! (§4.1 of `spec/gateway-api.md`) or the SSE events (§4.4), so a streamed and a plain reply to
//! the same request carry the same numbers. Field sets follow the recorded gateway replies;
//! nothing here knows about HTTP, so it is tested without a socket.

use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::catalog::{price, Decimal};
use super::ledger::GenerationRecord;
use super::ScriptedReply;

/// What the default reply says before echoing the user.
pub(crate) const ECHO_PREFIX: &str = "Hello from LocalGateway! You said: ";

/// A constant fingerprint in the gateway's format (`fp_` + 10 characters).
const SYSTEM_FINGERPRINT: &str = "fp_localgw001";

/// Characters per token in the deterministic token estimate.
const CHARS_PER_TOKEN: usize = 4;

/// Why a request body was rejected with 400.
#[derive(Debug, PartialEq)]
pub(crate) struct InvalidRequest {
    /// A sentence for `error.message`.
    pub message: String,
    /// The offending parameter for `error.param`.
    pub param: Option<&'static str>,
    /// A short machine-readable reason for `error.code`.
    pub code: &'static str,
}

impl InvalidRequest {
    fn new(message: impl Into<String>, param: Option<&'static str>, code: &'static str) -> Self {
        InvalidRequest { message: message.into(), param, code }
    }
}

/// The parts of a `POST /v1/chat/completions` body the fake acts on.
#[derive(Debug)]
pub(crate) struct ChatRequest {
    pub model: String,
    messages: Vec<Value>,
    pub stream: bool,
    pub include_usage: bool,
    max_tokens: Option<u64>,
    exclude_reasoning: bool,
}

impl ChatRequest {
    /// Parses and validates a body: JSON object, string `model`, array `messages`.
    pub(crate) fn parse(body: &[u8]) -> Result<ChatRequest, InvalidRequest> {
        let value: Value = serde_json::from_slice(body).map_err(|error| {
            InvalidRequest::new(format!("Invalid JSON in the request body: {error}."), None, "invalid_json")
        })?;
        let Value::Object(body) = value else {
            return Err(InvalidRequest::new("The request body must be a JSON object.", None, "invalid_type"));
        };
        let model = match body.get("model") {
            None | Some(Value::Null) => {
                return Err(missing("model"));
            }
            Some(Value::String(model)) if !model.trim().is_empty() => model.clone(),
            Some(_) => {
                return Err(InvalidRequest::new(
                    "Invalid request: 'model' must be a non-empty string such as \"openai/gpt-5\".",
                    Some("model"),
                    "invalid_type",
                ));
            }
        };
        let messages = match body.get("messages") {
            None | Some(Value::Null) => return Err(missing("messages")),
            Some(Value::Array(messages)) => messages.clone(),
            Some(_) => {
                return Err(InvalidRequest::new(
                    "Invalid request: 'messages' must be an array of messages.",
                    Some("messages"),
                    "invalid_type",
                ));
            }
        };
        let flag = |value: Option<&Value>| value.and_then(Value::as_bool).unwrap_or(false);
        Ok(ChatRequest {
            model,
            messages,
            stream: flag(body.get("stream")),
            include_usage: flag(body.get("stream_options").and_then(|options| options.get("include_usage"))),
            // The newer name wins when both are sent, as in OpenAI's API.
            max_tokens: body
                .get("max_completion_tokens")
                .and_then(Value::as_u64)
                .or_else(|| body.get("max_tokens").and_then(Value::as_u64)),
            exclude_reasoning: flag(body.get("reasoning").and_then(|reasoning| reasoning.get("exclude"))),
        })
    }

    /// The text of the last user message (text parts joined with spaces), or "".
    fn last_user_text(&self) -> String {
        self.messages
            .iter()
            .rev()
            .find(|message| message.get("role").and_then(Value::as_str) == Some("user"))
            .and_then(|message| message.get("content"))
            .map(content_text)
            .unwrap_or_default()
    }

    /// Characters of message text in the whole conversation, for the prompt-token estimate.
    fn prompt_chars(&self) -> usize {
        self.messages
            .iter()
            .filter_map(|message| message.get("content"))
            .map(|content| content_text(content).chars().count())
            .sum()
    }
}

fn missing(param: &'static str) -> InvalidRequest {
    InvalidRequest::new(
        format!("Invalid request: missing required parameter '{param}'."),
        Some(param),
        "missing_parameter",
    )
}

/// The text of a message `content`: a string, or the `text` of its `{"type":"text"}` parts.
fn content_text(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter(|part| part.get("type").and_then(Value::as_str) == Some("text"))
            .filter_map(|part| part.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

/// `ceil(chars / 4)`, at least 1: deterministic, and close enough to real tokenizers for tests
/// that only need plausible, non-zero counts.
fn estimate_tokens(chars: usize) -> u64 {
    u64::try_from(chars.div_ceil(CHARS_PER_TOKEN).max(1)).unwrap_or(u64::MAX)
}

/// Splits text into word-sized pieces that concatenate back to it exactly.
fn word_pieces(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive(' ')
}

/// One decided reply: everything both renderings need.
#[derive(Debug)]
pub(crate) struct Generation {
    pub id: String,
    created: i64,
    model: String,
    provider: String,
    content: String,
    /// Reasoning text as shown to the client (`None` when absent or excluded).
    reasoning: Option<String>,
    finish_reason: String,
    prompt_tokens: u64,
    completion_tokens: u64,
    reasoning_tokens: u64,
    input_cost: Decimal,
    output_cost: Decimal,
}

impl Generation {
    /// Decides the reply to `request` for catalog entry `entry`: the scripted reply when one is
    /// given, else the echo; truncated to `max_tokens` with `finish_reason: "length"`.
    pub(crate) fn new(
        request: &ChatRequest,
        entry: &Value,
        scripted: Option<ScriptedReply>,
        id: String,
        created: i64,
    ) -> Generation {
        let scripted = scripted.unwrap_or_else(|| ScriptedReply {
            content: format!("{ECHO_PREFIX}{}", request.last_user_text()),
            reasoning: None,
            finish_reason: None,
        });
        let mut content = scripted.content;
        let mut finish_reason = scripted.finish_reason.unwrap_or_else(|| "stop".to_owned());
        if let Some(limit) = request.max_tokens {
            let budget = usize::try_from(limit).unwrap_or(usize::MAX).saturating_mul(CHARS_PER_TOKEN);
            if content.chars().count() > budget {
                content = content.chars().take(budget).collect();
                "length".clone_into(&mut finish_reason);
            }
        }
        let reasoning = scripted.reasoning.filter(|text| !text.is_empty());
        // Excluded reasoning is still produced (and billed) upstream; only the text is withheld.
        let reasoning_tokens = reasoning.as_ref().map_or(0, |text| estimate_tokens(text.chars().count()));
        let completion_tokens = estimate_tokens(content.chars().count()).saturating_add(reasoning_tokens);
        let prompt_tokens = estimate_tokens(request.prompt_chars());
        let input_cost = price(entry, "input").times(prompt_tokens).unwrap_or_default();
        let output_cost = price(entry, "output").times(completion_tokens).unwrap_or_default();
        let provider = request.model.split_once('/').map_or(request.model.as_str(), |(creator, _)| creator).to_owned();
        Generation {
            id,
            created,
            model: request.model.clone(),
            provider,
            content,
            reasoning: if request.exclude_reasoning { None } else { reasoning },
            finish_reason,
            prompt_tokens,
            completion_tokens,
            reasoning_tokens,
            input_cost,
            output_cost,
        }
    }

    fn total_cost(&self) -> Decimal {
        self.input_cost.plus(self.output_cost).unwrap_or_default()
    }

    /// The ledger entry for this generation; timing is filled in by the server.
    pub(crate) fn record(&self, streamed: bool, created_ms: u128) -> GenerationRecord {
        GenerationRecord {
            id: self.id.clone(),
            model: self.model.clone(),
            provider: self.provider.clone(),
            streamed,
            finish_reason: Some(self.finish_reason.clone()),
            prompt_tokens: self.prompt_tokens,
            completion_tokens: self.completion_tokens,
            reasoning_tokens: self.reasoning_tokens,
            cost: self.total_cost(),
            created_ms,
            ..GenerationRecord::default()
        }
    }

    /// `usage`: cost fields are JSON numbers here, as recorded.
    fn usage(&self) -> Value {
        let cost = self.total_cost().to_f64();
        json!({
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens.saturating_add(self.completion_tokens),
            "cost": cost,
            "is_byok": false,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0, "video_tokens": 0},
            "cost_details": {
                "upstream_inference_cost": null,
                "upstream_inference_prompt_cost": 0,
                "upstream_inference_completions_cost": 0
            },
            "completion_tokens_details": {"reasoning_tokens": self.reasoning_tokens, "image_tokens": 0},
            "cache_creation_input_tokens": 0,
            "market_cost": cost,
            "gateway_cost": cost
        })
    }

    /// `provider_metadata`: the `gateway` block, whose cost fields are decimal strings.
    fn provider_metadata(&self) -> Value {
        let cost = self.total_cost().to_string();
        json!({
            "gateway": {
                "routing": {
                    "originalModelId": self.model,
                    "resolvedProvider": self.provider,
                    "canonicalSlug": self.model,
                    "finalProvider": self.provider,
                    "fallbacksAvailable": [],
                    "modelAttemptCount": 1
                },
                "cost": cost,
                "marketCost": cost,
                "surchargeCost": "0",
                "gatewayCost": cost,
                "inferenceCost": cost,
                "inputInferenceCost": self.input_cost.to_string(),
                "outputInferenceCost": self.output_cost.to_string(),
                "generationId": self.id,
                "billableWebSearchCalls": 0
            }
        })
    }

    fn reasoning_details(text: &str) -> Value {
        json!([{"type": "reasoning.text", "text": text, "format": "unknown", "index": 0}])
    }

    /// The non-streaming body.
    pub(crate) fn to_json(&self) -> Value {
        let mut message = Map::new();
        message.insert("role".into(), json!("assistant"));
        message.insert("content".into(), json!(self.content));
        if let Some(reasoning) = &self.reasoning {
            message.insert("reasoning".into(), json!(reasoning));
            message.insert("reasoning_details".into(), Self::reasoning_details(reasoning));
        }
        message.insert("provider_metadata".into(), self.provider_metadata());
        json!({
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [{
                "index": 0,
                "message": message,
                "logprobs": null,
                "finish_reason": self.finish_reason
            }],
            "usage": self.usage(),
            "system_fingerprint": SYSTEM_FINGERPRINT,
            "generationId": self.id
        })
    }

    fn chunk(&self, delta: &Value, finish_reason: Option<&str>) -> Map<String, Value> {
        let chunk = json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason}],
            "system_fingerprint": SYSTEM_FINGERPRINT
        });
        match chunk {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    /// The SSE events of the streamed reply, each a complete `data: …\n\n` frame: role chunk,
    /// reasoning deltas, content deltas, the final chunk (finish reason, provider metadata,
    /// `generationId`, and `usage` when `include_usage`), then `data: [DONE]`.
    pub(crate) fn to_sse_events(&self, include_usage: bool) -> Vec<Bytes> {
        let mut chunks = vec![self.chunk(&json!({"role": "assistant"}), None)];
        if let Some(reasoning) = &self.reasoning {
            chunks.extend(word_pieces(reasoning).map(|piece| {
                self.chunk(&json!({"reasoning": piece, "reasoning_details": Self::reasoning_details(piece)}), None)
            }));
        }
        chunks.extend(word_pieces(&self.content).map(|piece| self.chunk(&json!({"content": piece}), None)));
        let mut last = self.chunk(&json!({"provider_metadata": self.provider_metadata()}), Some(&self.finish_reason));
        if include_usage {
            last.insert("usage".into(), self.usage());
        }
        last.insert("generationId".into(), json!(self.id));
        chunks.push(last);
        chunks
            .into_iter()
            .map(|chunk| Bytes::from(format!("data: {}\n\n", Value::Object(chunk))))
            .chain(std::iter::once(Bytes::from_static(b"data: [DONE]\n\n")))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: &Value) -> ChatRequest {
        ChatRequest::parse(body.to_string().as_bytes()).unwrap()
    }

    fn priced() -> Value {
        json!({"id": "openai/gpt-5", "type": "language", "pricing": {"input": "0.00000125", "output": "0.00001"}})
    }

    #[test]
    fn validation_names_the_parameter() {
        assert_eq!(ChatRequest::parse(b"{").unwrap_err().code, "invalid_json");
        assert_eq!(ChatRequest::parse(b"[]").unwrap_err().code, "invalid_type");
        assert_eq!(ChatRequest::parse(br#"{"messages":[]}"#).unwrap_err().param, Some("model"));
        assert_eq!(ChatRequest::parse(br#"{"model":"a/b"}"#).unwrap_err().param, Some("messages"));
        assert_eq!(ChatRequest::parse(br#"{"model":1,"messages":[]}"#).unwrap_err().code, "invalid_type");
        assert_eq!(ChatRequest::parse(br#"{"model":"a/b","messages":{}}"#).unwrap_err().param, Some("messages"));
    }

    #[test]
    fn echo_uses_the_last_user_message_and_text_parts() {
        let req = request(&json!({"model": "openai/gpt-5", "messages": [
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "ignored"},
            {"role": "user", "content": [
                {"type": "text", "text": "hello"},
                {"type": "image_url", "image_url": {"url": "x"}},
                {"type": "text", "text": "there"}
            ]}
        ]}));
        let generation = Generation::new(&req, &priced(), None, "gen_X".into(), 1);
        assert_eq!(generation.content, format!("{ECHO_PREFIX}hello there"));
        assert_eq!(generation.finish_reason, "stop");
    }

    #[test]
    fn usage_and_cost_are_consistent() {
        let req = request(&json!({"model": "openai/gpt-5", "messages": [{"role": "user", "content": "abcdefgh"}]}));
        let generation = Generation::new(&req, &priced(), None, "gen_X".into(), 1);
        let body = generation.to_json();
        let usage = &body["usage"];
        assert_eq!(usage["prompt_tokens"], 2);
        let completion = u32::try_from((ECHO_PREFIX.len() + 8).div_ceil(4)).unwrap();
        assert_eq!(usage["completion_tokens"], completion);
        // 2 × 0.00000125 + 11 × 0.00001, exactly.
        assert_eq!(completion, 11);
        let gateway = &body["choices"][0]["message"]["provider_metadata"]["gateway"];
        assert_eq!(gateway["cost"], "0.0001125");
        assert_eq!(usage["cost"], json!(0.000_112_5));
        assert_eq!(gateway["routing"]["resolvedProvider"], "openai");
        assert_eq!(gateway["inputInferenceCost"], "0.0000025");
    }

    #[test]
    fn max_tokens_truncates_with_length() {
        let req = request(&json!({"model": "a/b", "max_tokens": 2, "messages": [{"role": "user", "content": "hi"}]}));
        let generation = Generation::new(&req, &json!({}), None, "gen_X".into(), 1);
        assert_eq!(generation.content, "Hello fr");
        assert_eq!(generation.finish_reason, "length");
        assert_eq!(generation.to_json()["usage"]["cost"], 0.0);
    }

    #[test]
    fn stream_events_rebuild_the_reply() {
        let req = request(&json!({"model": "a/b", "stream": true, "messages": [{"role": "user", "content": "x"}]}));
        let scripted = ScriptedReply {
            content: "one two three".into(),
            reasoning: Some("think hard".into()),
            finish_reason: None,
        };
        let generation = Generation::new(&req, &json!({}), Some(scripted), "gen_X".into(), 1);
        let events = generation.to_sse_events(false);
        assert_eq!(events.last().unwrap().as_ref(), b"data: [DONE]\n\n");
        let chunks: Vec<Value> = events[..events.len() - 1]
            .iter()
            .map(|event| serde_json::from_slice(&event[b"data: ".len()..]).unwrap())
            .collect();
        assert_eq!(chunks[0]["choices"][0]["delta"], json!({"role": "assistant"}));
        let text =
            |key: &str| -> String { chunks.iter().filter_map(|c| c["choices"][0]["delta"][key].as_str()).collect() };
        assert_eq!(text("reasoning"), "think hard");
        assert_eq!(text("content"), "one two three");
        let last = chunks.last().unwrap();
        assert_eq!(last["choices"][0]["finish_reason"], "stop");
        assert!(last.get("usage").is_none());
        assert_eq!(last["generationId"], "gen_X");
    }

    #[test]
    fn excluded_reasoning_is_billed_but_not_shown() {
        let req = request(&json!({"model": "a/b", "reasoning": {"exclude": true}, "messages": []}));
        let scripted =
            ScriptedReply { content: "ok".into(), reasoning: Some("secret plan".into()), finish_reason: None };
        let body = Generation::new(&req, &json!({}), Some(scripted), "gen_X".into(), 1).to_json();
        assert!(body["choices"][0]["message"].get("reasoning").is_none());
        assert_eq!(body["usage"]["completion_tokens_details"]["reasoning_tokens"], 3);
    }
}
