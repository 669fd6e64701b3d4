//! Chat-completion requests and the bodies the fake gateway answers them with.
//!
//! Design: a request is read into [`ChatRequest`] (only the fields the fake acts on), a reply is
//! decided once into a [`Generation`], and the same `Generation` renders either the JSON body
//! (§4.1 of `spec/gateway-api.md`) or the SSE events (§4.4), so a streamed and a plain reply to
//! the same request carry the same numbers. Field sets follow the recorded gateway replies;
//! nothing here knows about HTTP, so it is tested without a socket. A generation served by the
//! OpenRouter flavour ([`Generation::on_openrouter`]) renders OpenRouter's shapes instead, as
//! recorded in `tests/fixtures/recorded/openrouter/`: keep-alive whitespace before the JSON,
//! `: OPENROUTER PROCESSING` comments in the stream, no role-only chunk, and a usage chunk
//! that repeats the finish chunk.

use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::catalog::{price, Decimal};
use super::ledger::GenerationRecord;
use super::openrouter;
use super::{Flavor, ScriptedReply};

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
    /// OpenRouter's `provider` routing preferences, as sent.
    pub provider: Option<Value>,
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
            // OpenRouter's legacy `include_reasoning: false` means the same as `exclude`.
            exclude_reasoning: flag(body.get("reasoning").and_then(|reasoning| reasoning.get("exclude")))
                || body.get("include_reasoning") == Some(&Value::Bool(false)),
            provider: body.get("provider").filter(|value| value.is_object()).cloned(),
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
    /// Which gateway's shapes to render.
    flavor: Flavor,
    /// The model id the answer reports (OpenRouter: the entry's `canonical_slug`).
    reported_model: String,
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
            flavor: Flavor::Vercel,
            reported_model: request.model.clone(),
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

    /// Makes this an OpenRouter answer reporting `reported_model`, served by `provider` (a
    /// display name such as `"OpenAI"`).
    pub(crate) fn on_openrouter(mut self, reported_model: String, provider: String) -> Generation {
        self.flavor = Flavor::OpenRouter;
        self.reported_model = reported_model;
        self.provider = provider;
        self
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

    /// The non-streaming body (Vercel's shape; see [`Generation::to_body`] for both).
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

    /// The non-streaming body as sent, in the flavour's shape (OpenRouter's is preceded by its
    /// keep-alive whitespace).
    pub(crate) fn to_body(&self) -> String {
        match self.flavor {
            Flavor::Vercel => self.to_json().to_string(),
            Flavor::OpenRouter => format!("{}{}", openrouter::KEEPALIVE, self.to_openrouter_json()),
        }
    }

    /// The SSE events in the flavour's shape; OpenRouter always reports usage.
    pub(crate) fn to_events(&self, include_usage: bool) -> Vec<Bytes> {
        match self.flavor {
            Flavor::Vercel => self.to_sse_events(include_usage),
            Flavor::OpenRouter => self.to_openrouter_events(),
        }
    }

    fn openrouter_usage(&self) -> Value {
        openrouter::usage(
            self.prompt_tokens,
            self.completion_tokens,
            self.reasoning_tokens,
            self.input_cost,
            self.output_cost,
        )
    }

    fn openrouter_reasoning_details(&self, text: &str, signed: bool) -> Value {
        let format = openrouter::reasoning_format(&self.model);
        let mut detail = json!({"type": "reasoning.text", "text": text, "format": format, "index": 0});
        if signed && format == "anthropic-claude-v1" {
            // Anthropic signs its thinking; the fake's signature only has the shape of one.
            detail["signature"] = json!("TG9jYWxHYXRld2F5IHJlYXNvbmluZyBzaWduYXR1cmU=");
        }
        json!([detail])
    }

    /// OpenRouter's non-streaming body, field for field as recorded.
    pub(crate) fn to_openrouter_json(&self) -> Value {
        let mut message = Map::new();
        message.insert("role".into(), json!("assistant"));
        message.insert("content".into(), json!(self.content));
        message.insert("refusal".into(), Value::Null);
        message.insert("reasoning".into(), json!(self.reasoning));
        if let Some(reasoning) = &self.reasoning {
            message.insert("reasoning_details".into(), self.openrouter_reasoning_details(reasoning, true));
        }
        let mut body = Map::new();
        body.insert("id".into(), json!(self.id));
        body.insert("object".into(), json!("chat.completion"));
        body.insert("created".into(), json!(self.created));
        body.insert("model".into(), json!(self.reported_model));
        body.insert("provider".into(), json!(self.provider));
        body.insert("system_fingerprint".into(), Value::Null);
        if openrouter::reports_service_tier(&self.model) {
            body.insert("service_tier".into(), json!("default"));
        }
        body.insert(
            "choices".into(),
            json!([{
                "index": 0,
                "logprobs": null,
                "finish_reason": self.finish_reason,
                "native_finish_reason": openrouter::native_finish_reason(&self.model, &self.finish_reason),
                "message": message
            }]),
        );
        body.insert("usage".into(), self.openrouter_usage());
        Value::Object(body)
    }

    fn openrouter_chunk(&self, delta: &Value, finish: bool) -> Map<String, Value> {
        let mut chunk = Map::new();
        chunk.insert("id".into(), json!(self.id));
        chunk.insert("object".into(), json!("chat.completion.chunk"));
        chunk.insert("created".into(), json!(self.created));
        chunk.insert("model".into(), json!(self.reported_model));
        chunk.insert("provider".into(), json!(self.provider));
        // Recorded on OpenAI's finish chunks only.
        if finish && openrouter::reports_service_tier(&self.model) {
            chunk.insert("service_tier".into(), json!("default"));
        }
        let (reason, native) = if finish {
            (json!(self.finish_reason), json!(openrouter::native_finish_reason(&self.model, &self.finish_reason)))
        } else {
            (Value::Null, Value::Null)
        };
        chunk.insert(
            "choices".into(),
            json!([{"index": 0, "delta": delta, "finish_reason": reason, "native_finish_reason": native}]),
        );
        chunk
    }

    /// OpenRouter's SSE events as recorded: a keep-alive comment, reasoning deltas, content
    /// deltas (each delta carries `role`; there is no role-only chunk), another keep-alive, the
    /// finish chunk, the same chunk again with `usage`, then `data: [DONE]`.
    pub(crate) fn to_openrouter_events(&self) -> Vec<Bytes> {
        let data = |chunk: Map<String, Value>| Bytes::from(format!("data: {}\n\n", Value::Object(chunk)));
        let mut events = vec![Bytes::from_static(openrouter::PROCESSING)];
        if let Some(reasoning) = &self.reasoning {
            events.extend(word_pieces(reasoning).map(|piece| {
                let delta = json!({"content": "", "role": "assistant", "reasoning": piece,
                    "reasoning_details": self.openrouter_reasoning_details(piece, false)});
                data(self.openrouter_chunk(&delta, false))
            }));
        }
        events.extend(
            word_pieces(&self.content)
                .map(|piece| data(self.openrouter_chunk(&json!({"content": piece, "role": "assistant"}), false))),
        );
        events.push(Bytes::from_static(openrouter::PROCESSING));
        let finish = self.openrouter_chunk(&json!({"content": "", "role": "assistant"}), true);
        let mut with_usage = finish.clone();
        with_usage.insert("usage".into(), self.openrouter_usage());
        events.push(data(finish));
        events.push(data(with_usage));
        events.push(Bytes::from_static(b"data: [DONE]\n\n"));
        events
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
    fn openrouter_rendering_follows_the_recordings() {
        let req =
            request(&json!({"model": "anthropic/claude-haiku-4.5", "messages": [{"role": "user", "content": "x"}],
            "provider": {"order": ["amazon-bedrock"]}}));
        assert_eq!(req.provider, Some(json!({"order": ["amazon-bedrock"]})));
        let scripted = ScriptedReply { content: "a b".into(), reasoning: Some("r s".into()), finish_reason: None };
        let generation = Generation::new(
            &req,
            &json!({"pricing": {"prompt": "0.000001", "completion": "0.000005"}}),
            Some(scripted),
            "gen-1-abc".into(),
            1,
        )
        .on_openrouter("anthropic/claude-4.5-haiku-20251001".into(), "Amazon Bedrock".into());
        let body = generation.to_body();
        assert!(body.starts_with(openrouter::KEEPALIVE));
        let json: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["model"], "anthropic/claude-4.5-haiku-20251001");
        assert_eq!(json["provider"], "Amazon Bedrock");
        assert!(json.get("service_tier").is_none(), "recorded for OpenAI only");
        assert_eq!(json["choices"][0]["native_finish_reason"], "end_turn");
        assert_eq!(json["choices"][0]["message"]["reasoning_details"][0]["format"], "anthropic-claude-v1");
        // 1 prompt token at 0.000001, and 1 content + 1 reasoning token at 0.000005.
        assert_eq!(json["usage"]["cost"], json!(0.000_011));
        let events = generation.to_events(false);
        let text: Vec<String> = events.iter().map(|e| String::from_utf8(e.to_vec()).unwrap()).collect();
        assert_eq!(text[0], ": OPENROUTER PROCESSING\n\n");
        assert_eq!(text[text.len() - 4], ": OPENROUTER PROCESSING\n\n");
        assert_eq!(text.last().unwrap(), "data: [DONE]\n\n");
        let chunks: Vec<Value> = text
            .iter()
            .filter_map(|t| t.strip_prefix("data: "))
            .filter(|t| !t.starts_with("[DONE]"))
            .map(|t| serde_json::from_str(t).unwrap())
            .collect();
        assert_eq!(chunks[0]["choices"][0]["delta"]["reasoning"], "r ");
        assert_eq!(chunks[0]["choices"][0]["delta"]["content"], "");
        assert!(chunks.iter().all(|c| c["choices"][0]["delta"]["role"] == "assistant"), "no role-only chunk");
        let last = chunks.last().unwrap();
        assert!(last["usage"].is_object());
        assert_eq!(chunks[chunks.len() - 2]["choices"], last["choices"]);
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
