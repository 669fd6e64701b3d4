//! The OpenRouter flavour of `LocalGateway`: OpenRouter's ids, envelopes, provider routing and
//! reply shapes, as the recordings in `tests/fixtures/recorded/openrouter/` show them.
//!
//! Design choices:
//! - **Shapes from recordings, gaps from the docs.** Chat bodies copy the recorded field sets
//!   (`provider`, `native_finish_reason`, `refusal`, `usage.cost`, `is_byok`, `cost_details`);
//!   where nothing was recorded (errors, `/generation`, `/credits`, embeddings) the shape
//!   follows OpenRouter's published API reference and error bodies quoted in public issues
//!   (`spec/routing.md` §3.5 and §4.1). Messages that are OpenRouter's own wording are marked.
//! - **Keep-alives are part of the shape.** A plain answer starts with a whitespace line, as
//!   OpenRouter writes while it waits for the model; a stream sends `: OPENROUTER PROCESSING`
//!   comments before the first event and once more before the finish chunk. Clients must
//!   tolerate both, so the fake always sends them.
//! - **Providers are a small table, not a catalog.** Each author maps to the provider slugs
//!   that plausibly serve it (first-party first); `provider.order`, `only`, `ignore` and
//!   `allow_fallbacks` pick among them, and an empty choice is OpenRouter's 404 "No allowed
//!   providers". The reply's top-level `provider` is the chosen provider's display name.
//! - **Nothing here touches sockets**; the server calls these functions, so they are
//!   unit-tested directly.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rand::Rng as _;
use serde_json::{json, Map, Value};

use super::catalog::Decimal;
use super::ids;
use super::ledger::GenerationRecord;

/// The whitespace OpenRouter writes before a plain JSON answer while the model works (recorded:
/// one to three of these lines open every non-streamed body).
pub(crate) const KEEPALIVE: &str = "\n         \n";

/// The SSE comment OpenRouter sends to keep a stream open (recorded before the first event and,
/// in `OpenRouterCommon_openai__multi_tool_streaming.yaml`, between events).
pub(crate) const PROCESSING: &[u8] = b": OPENROUTER PROCESSING\n\n";

/// The `user_id` OpenRouter adds to errors for an authenticated caller.
pub(crate) const LOCAL_USER_ID: &str = "user_localgateway";

/// The `error.code` of an error event that does not set one: a provider failure.
pub(crate) const DEFAULT_STREAM_ERROR_STATUS: u16 = 502;

/// Characters of the random part of a generation id (recorded: `gen-1777319808-n1Y7IbUGJBiu3hP0bz53`).
const ID_RANDOM_LENGTH: usize = 20;

/// Model-id suffixes OpenRouter accepts on any model (`spec/routing.md` §2.3); `:free` is not
/// among them, as free variants are catalog entries of their own.
const VARIANTS: &[&str] = &["nitro", "floor", "exacto", "online", "thinking", "extended"];

/// Embedding models OpenRouter serves (its `/models` list holds text models only). Prices are
/// per token, illustrative of OpenRouter's list rather than a recording of it.
const EMBEDDING_MODELS: &str = r#"{"data":[
{"id":"openai/text-embedding-3-small","canonical_slug":"openai/text-embedding-3-small","name":"OpenAI: Text Embedding 3 Small","created":1706140800,"context_length":8192,"architecture":{"modality":"text->embeddings","input_modalities":["text"],"output_modalities":["embeddings"],"tokenizer":"GPT","instruct_type":null},"pricing":{"prompt":"0.00000002","completion":"0"}},
{"id":"openai/text-embedding-3-large","canonical_slug":"openai/text-embedding-3-large","name":"OpenAI: Text Embedding 3 Large","created":1706140800,"context_length":8192,"architecture":{"modality":"text->embeddings","input_modalities":["text"],"output_modalities":["embeddings"],"tokenizer":"GPT","instruct_type":null},"pricing":{"prompt":"0.00000013","completion":"0"}},
{"id":"openai/text-embedding-ada-002","canonical_slug":"openai/text-embedding-ada-002","name":"OpenAI: Text Embedding Ada 002","created":1671062400,"context_length":8192,"architecture":{"modality":"text->embeddings","input_modalities":["text"],"output_modalities":["embeddings"],"tokenizer":"GPT","instruct_type":null},"pricing":{"prompt":"0.0000001","completion":"0"}},
{"id":"google/gemini-embedding-001","canonical_slug":"google/gemini-embedding-001","name":"Google: Gemini Embedding 001","created":1752796800,"context_length":20000,"architecture":{"modality":"text->embeddings","input_modalities":["text"],"output_modalities":["embeddings"],"tokenizer":"Gemini","instruct_type":null},"pricing":{"prompt":"0.00000015","completion":"0"}},
{"id":"mistralai/mistral-embed-2312","canonical_slug":"mistralai/mistral-embed-2312","name":"Mistral: Mistral Embed 2312","created":1702598400,"context_length":8192,"architecture":{"modality":"text->embeddings","input_modalities":["text"],"output_modalities":["embeddings"],"tokenizer":"Mistral","instruct_type":null},"pricing":{"prompt":"0.0000001","completion":"0"}},
{"id":"qwen/qwen3-embedding-8b","canonical_slug":"qwen/qwen3-embedding-8b","name":"Qwen: Qwen3 Embedding 8B","created":1749513600,"context_length":32000,"architecture":{"modality":"text->embeddings","input_modalities":["text"],"output_modalities":["embeddings"],"tokenizer":"Qwen3","instruct_type":null},"pricing":{"prompt":"0.00000001","completion":"0"}}
]}"#;

/// The embedding-model list, for `GET /api/v1/embeddings/models` and model lookups.
pub(crate) fn embedding_models() -> &'static str {
    EMBEDDING_MODELS
}

/// Provider slugs serving each author's models, first-party first. Authors not listed are
/// served by a provider of their own name.
const PROVIDERS: &[(&str, &[&str])] = &[
    ("anthropic", &["anthropic", "amazon-bedrock", "google-vertex"]),
    ("openai", &["openai", "azure"]),
    ("google", &["google-vertex", "google-ai-studio"]),
    ("meta-llama", &["deepinfra", "together", "groq"]),
    ("mistralai", &["mistral"]),
    ("x-ai", &["xai"]),
    ("qwen", &["alibaba", "deepinfra", "together"]),
    ("deepseek", &["deepseek", "deepinfra", "fireworks"]),
    ("moonshotai", &["moonshotai", "groq", "fireworks"]),
    ("z-ai", &["z-ai", "deepinfra"]),
];

/// Display names of provider slugs, as OpenRouter writes them in `provider` and `provider_name`.
const DISPLAY_NAMES: &[(&str, &str)] = &[
    ("anthropic", "Anthropic"),
    ("amazon-bedrock", "Amazon Bedrock"),
    ("google-vertex", "Google"),
    ("google-ai-studio", "Google AI Studio"),
    ("openai", "OpenAI"),
    ("azure", "Azure"),
    ("deepinfra", "DeepInfra"),
    ("together", "Together"),
    ("groq", "Groq"),
    ("mistral", "Mistral"),
    ("xai", "xAI"),
    ("alibaba", "Alibaba"),
    ("deepseek", "DeepSeek"),
    ("fireworks", "Fireworks"),
    ("moonshotai", "Moonshot AI"),
    ("z-ai", "Z.AI"),
    ("cerebras", "Cerebras"),
    ("novita", "NovitaAI"),
];

/// A fresh generation id: `gen-<unix seconds>-<20 letters and digits>`, as recorded.
pub(crate) fn generation_id(created: i64) -> String {
    format!("gen-{created}-{}", random_alphanumeric(ID_RANDOM_LENGTH))
}

/// A fresh embeddings generation id, `gen-emb-<unix seconds>-<20 letters and digits>`.
pub(crate) fn embedding_id(created: i64) -> String {
    format!("gen-emb-{created}-{}", random_alphanumeric(ID_RANDOM_LENGTH))
}

fn random_alphanumeric(length: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..length).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect()
}

/// True for ids of the shape [`generation_id`] and [`embedding_id`] make.
#[cfg(test)]
pub(crate) fn is_generation_id(id: &str) -> bool {
    let rest = id.strip_prefix("gen-emb-").or_else(|| id.strip_prefix("gen-"));
    rest.and_then(|rest| rest.split_once('-')).is_some_and(|(seconds, random)| {
        !seconds.is_empty()
            && seconds.bytes().all(|b| b.is_ascii_digit())
            && !random.is_empty()
            && random.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// The model id without an OpenRouter variant suffix such as `:nitro`, for catalog lookups.
pub(crate) fn base_model(id: &str) -> &str {
    match id.rsplit_once(':') {
        Some((base, variant)) if VARIANTS.contains(&variant) => base,
        _ => id,
    }
}

/// OpenRouter's error envelope: `{"error":{"message","code","metadata"?}}` plus the caller's
/// `user_id` once the key is known.
pub(crate) fn error_body(code: u16, message: &str, metadata: Option<&Value>, authenticated: bool) -> Value {
    let mut error = Map::new();
    error.insert("message".into(), json!(message));
    error.insert("code".into(), json!(code));
    if let Some(metadata) = metadata {
        error.insert("metadata".into(), metadata.clone());
    }
    let mut body = Map::new();
    body.insert("error".into(), Value::Object(error));
    if authenticated {
        body.insert("user_id".into(), json!(LOCAL_USER_ID));
    }
    Value::Object(body)
}

/// The envelope as a response whose HTTP status equals `error.code` (a request-level failure).
pub(crate) fn error_response(
    status: StatusCode,
    message: &str,
    metadata: Option<&Value>,
    authenticated: bool,
) -> Response {
    (status, axum::Json(error_body(status.as_u16(), message, metadata, authenticated))).into_response()
}

/// The message an OpenRouter error of this code gets when a fault does not set one; the 402
/// and 503 sentences are OpenRouter's own (quoted in public issues and its error docs).
pub(crate) fn default_message(code: u16) -> &'static str {
    match code {
        400 => "Invalid request.",
        401 => "User not found.",
        402 => "Insufficient credits. Add more using https://openrouter.ai/settings/credits",
        403 => "Request blocked: your input was flagged by moderation.",
        404 => "Not Found",
        408 => "Request timed out.",
        429 => "Rate limit exceeded: limit_rpm/local/requests-per-minute.",
        502 => "Provider returned error",
        503 => "No available model provider meets your routing requirements.",
        _ => "Internal Server Error",
    }
}

/// The `metadata` an error of this code gets by default: provider errors (502) name the
/// provider and carry its raw answer, as OpenRouter's do.
pub(crate) fn default_metadata(code: u16, provider: Option<&str>) -> Option<Value> {
    (code == 502).then(|| {
        json!({
            "raw": "LocalGateway: the upstream provider failed.",
            "provider_name": provider.unwrap_or("OpenAI")
        })
    })
}

/// The provider slugs that serve `model` (its author's row of the table).
pub(crate) fn providers_for(model: &str) -> Vec<String> {
    let author = model.split_once('/').map_or(model, |(author, _)| author).trim_start_matches('~');
    match PROVIDERS.iter().find(|(name, _)| *name == author) {
        Some((_, slugs)) => slugs.iter().map(|slug| (*slug).to_owned()).collect(),
        None => vec![author.to_owned()],
    }
}

/// The display name of a provider slug; unknown slugs are shown as given.
pub(crate) fn display_name(slug: &str) -> String {
    DISPLAY_NAMES
        .iter()
        .find(|(known, _)| *known == slug)
        .map_or_else(|| slug.to_owned(), |(_, name)| (*name).to_owned())
}

/// A provider slug as OpenRouter compares them: lower-case, without a `/variant` tag.
fn normalise_slug(slug: &str) -> String {
    slug.split('/').next().unwrap_or(slug).trim().to_ascii_lowercase()
}

fn slugs(preferences: &Value, key: &str) -> Option<Vec<String>> {
    preferences
        .get(key)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(normalise_slug).collect())
}

/// Picks the provider slug for `model` under the request's `provider` preferences: `order`
/// first (then the others, unless `allow_fallbacks` is false), within `only`, minus `ignore`.
/// When nothing is left, the `metadata` of OpenRouter's 404 (`available_providers`,
/// `requested_providers`).
pub(crate) fn route(model: &str, preferences: Option<&Value>) -> Result<String, Value> {
    let available = providers_for(model);
    let Some(preferences) = preferences.filter(|value| value.is_object()) else {
        return available.first().cloned().ok_or_else(|| json!({}));
    };
    let order = slugs(preferences, "order").unwrap_or_default();
    let only = slugs(preferences, "only");
    let ignore = slugs(preferences, "ignore").unwrap_or_default();
    let fallbacks = preferences.get("allow_fallbacks").and_then(Value::as_bool).unwrap_or(true);
    let mut candidates: Vec<&String> = order.iter().filter(|slug| available.contains(slug)).collect();
    if fallbacks || order.is_empty() {
        candidates.extend(available.iter().filter(|slug| !order.contains(slug)));
    }
    let chosen = candidates
        .into_iter()
        .filter(|slug| only.as_ref().is_none_or(|only| only.contains(slug)))
        .find(|slug| !ignore.contains(slug));
    match chosen {
        Some(slug) => Ok(slug.clone()),
        None => {
            let mut requested: Vec<String> = only.unwrap_or_default();
            for slug in order {
                if !requested.contains(&slug) {
                    requested.push(slug);
                }
            }
            Err(json!({"available_providers": available, "requested_providers": requested}))
        }
    }
}

/// The provider's own finish reason, reported beside OpenRouter's normalised one (recorded:
/// `completed` for OpenAI, `end_turn`/`tool_use` for Anthropic).
pub(crate) fn native_finish_reason(model: &str, finish_reason: &str) -> String {
    let author = model.split_once('/').map_or(model, |(author, _)| author);
    match (author, finish_reason) {
        ("openai", "length") => "max_output_tokens".to_owned(),
        ("openai", _) => "completed".to_owned(),
        ("anthropic", "stop") => "end_turn".to_owned(),
        ("anthropic", "tool_calls") => "tool_use".to_owned(),
        ("anthropic", "length") => "max_tokens".to_owned(),
        (_, reason) => reason.to_owned(),
    }
}

/// The `format` of `reasoning_details` for the model's author (recorded: `anthropic-claude-v1`).
pub(crate) fn reasoning_format(model: &str) -> &'static str {
    match model.split_once('/').map_or(model, |(author, _)| author) {
        "anthropic" => "anthropic-claude-v1",
        "openai" => "openai-responses-v1",
        "google" => "google-gemini-v1",
        _ => "unknown",
    }
}

/// True when OpenRouter reports `service_tier` for the model (recorded for OpenAI models only).
pub(crate) fn reports_service_tier(model: &str) -> bool {
    model.starts_with("openai/")
}

/// `usage` as OpenRouter reports it: costs as numbers, the upstream split in `cost_details`
/// (recorded: `upstream_inference_cost` equals `cost` when the key is not BYOK).
pub(crate) fn usage(
    prompt_tokens: u64,
    completion_tokens: u64,
    reasoning_tokens: u64,
    input_cost: Decimal,
    output_cost: Decimal,
) -> Value {
    let cost = input_cost.plus(output_cost).unwrap_or_default().to_f64();
    json!({
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens.saturating_add(completion_tokens),
        "cost": cost,
        "is_byok": false,
        "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0, "audio_tokens": 0, "video_tokens": 0},
        "cost_details": {
            "upstream_inference_cost": cost,
            "upstream_inference_prompt_cost": input_cost.to_f64(),
            "upstream_inference_completions_cost": output_cost.to_f64()
        },
        "completion_tokens_details": {"reasoning_tokens": reasoning_tokens, "image_tokens": 0, "audio_tokens": 0}
    })
}

/// `GET /api/v1/generation` data for a served generation (OpenRouter's API reference).
pub(crate) fn generation_json(record: &GenerationRecord) -> Value {
    let cost = record.cost.to_f64();
    let created_at = ids::iso8601_millis(record.created_ms).replace('Z', "+00:00");
    let finish = record.finish_reason.as_deref();
    json!({"data": {
        "id": record.id,
        "upstream_id": null,
        "total_cost": cost,
        "cache_discount": null,
        "upstream_inference_cost": cost,
        "created_at": created_at,
        "model": record.model,
        "app_id": null,
        "streamed": record.streamed,
        "cancelled": false,
        "provider_name": record.provider,
        "latency": record.latency_ms,
        "moderation_latency": null,
        "generation_time": record.generation_ms,
        "finish_reason": finish,
        "native_finish_reason": finish.map(|reason| native_finish_reason(&record.model, reason)),
        "tokens_prompt": record.prompt_tokens,
        "tokens_completion": record.completion_tokens,
        "native_tokens_prompt": record.prompt_tokens,
        "native_tokens_completion": record.completion_tokens,
        "native_tokens_completion_images": 0,
        "native_tokens_reasoning": record.reasoning_tokens,
        "native_tokens_cached": record.cached_tokens,
        "num_media_prompt": null,
        "num_input_audio_prompt": null,
        "num_media_completion": null,
        "num_search_results": null,
        "origin": record.http_referer.clone().unwrap_or_default(),
        "usage": cost,
        "is_byok": false,
        "api_type": record.api_type.unwrap_or("completions"),
        "http_referer": record.http_referer
    }})
}

/// `GET /api/v1/credits`: `{"data":{"total_credits","total_usage"}}`, numbers in USD.
pub(crate) fn credits_json(balance: Decimal, used: Decimal) -> Value {
    json!({"data": {"total_credits": balance.to_f64(), "total_usage": used.to_f64()}})
}

/// `GET /api/v1/models/{author}/{slug}/endpoints`: one endpoint per provider of the model,
/// built from its catalog entry (OpenRouter's API reference; LocalGateway measures nothing, so
/// uptimes are 100 and latencies `null`).
pub(crate) fn endpoints_json(entry: &Value) -> Value {
    let id = entry.get("id").and_then(Value::as_str).unwrap_or_default();
    let slug = entry.get("canonical_slug").and_then(Value::as_str).unwrap_or(id);
    let field = |key: &str| entry.get(key).cloned().unwrap_or(Value::Null);
    let mut pricing = match entry.get("pricing") {
        Some(Value::Object(pricing)) => pricing.clone(),
        _ => Map::new(),
    };
    pricing.insert("discount".into(), json!(0));
    let endpoints: Vec<Value> = providers_for(id)
        .iter()
        .map(|provider| {
            let name = display_name(provider);
            json!({
                "name": format!("{name} | {slug}"),
                "model_name": field("name"),
                "context_length": field("context_length"),
                "pricing": pricing,
                "provider_name": name,
                "tag": provider,
                "quantization": null,
                "max_completion_tokens": entry.pointer("/top_provider/max_completion_tokens").cloned().unwrap_or(Value::Null),
                "max_prompt_tokens": null,
                "supported_parameters": entry.get("supported_parameters").cloned().unwrap_or_else(|| json!([])),
                "status": 0,
                "uptime_last_30m": 100,
                "supports_implicit_caching": false,
                "latency_last_30m": null,
                "throughput_last_30m": null
            })
        })
        .collect();
    json!({"data": {
        "id": id,
        "name": field("name"),
        "created": field("created"),
        "description": entry.get("description").cloned().unwrap_or_else(|| json!("")),
        "architecture": field("architecture"),
        "endpoints": endpoints
    }})
}

/// Reshapes a Vercel-shaped embeddings body into OpenRouter's: `id` and `provider` at the top,
/// `usage.cost` inline, no `providerMetadata`.
pub(crate) fn embeddings_body(mut body: Value, id: &str, provider: &str, cost: Decimal) -> Value {
    let data = body.get_mut("data").map(Value::take).unwrap_or_else(|| json!([]));
    let model = body.get("model").cloned().unwrap_or(Value::Null);
    let tokens = body.pointer("/usage/prompt_tokens").cloned().unwrap_or_else(|| json!(0));
    json!({
        "id": id,
        "object": "list",
        "data": data,
        "model": model,
        "provider": provider,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens, "cost": cost.to_f64(), "is_byok": false}
    })
}

/// True when an OpenRouter catalog entry outputs embeddings.
pub(crate) fn is_embedding_model(entry: &Value) -> bool {
    entry
        .pointer("/architecture/output_modalities")
        .and_then(Value::as_array)
        .is_some_and(|outputs| outputs.iter().any(|output| output == "embeddings"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_recorded_shape() {
        let id = generation_id(1_777_319_808);
        assert!(id.starts_with("gen-1777319808-"), "{id}");
        assert_eq!(id.len(), "gen-1777319808-".len() + ID_RANDOM_LENGTH);
        assert!(is_generation_id(&id));
        assert!(is_generation_id("gen-1777319808-n1Y7IbUGJBiu3hP0bz53"));
        assert!(is_generation_id(&embedding_id(5)));
        assert!(!is_generation_id("gen_01KKHTPR6079KRB242AQ8KAPH7"));
        assert!(!is_generation_id("gen-abc-xyz"));
        assert!(!is_generation_id("gen-123-"));
        assert_ne!(generation_id(1), generation_id(1));
    }

    #[test]
    fn variants_are_stripped_for_lookup() {
        assert_eq!(base_model("openai/gpt-5:nitro"), "openai/gpt-5");
        assert_eq!(base_model("meta-llama/llama-3.3-70b-instruct:free"), "meta-llama/llama-3.3-70b-instruct:free");
        assert_eq!(base_model("openai/gpt-5"), "openai/gpt-5");
    }

    #[test]
    fn envelopes_carry_the_code_and_user() {
        let body = error_body(400, "x/y is not a valid model ID", None, true);
        assert_eq!(
            body,
            json!({"error": {"message": "x/y is not a valid model ID", "code": 400}, "user_id": LOCAL_USER_ID})
        );
        let body = error_body(502, "Provider returned error", default_metadata(502, Some("Azure")).as_ref(), false);
        assert_eq!(body["error"]["metadata"]["provider_name"], "Azure");
        assert!(body.get("user_id").is_none());
        assert!(default_metadata(429, None).is_none());
    }

    #[test]
    fn provider_preferences_pick_or_refuse() {
        let model = "anthropic/claude-haiku-4.5";
        assert_eq!(route(model, None).unwrap(), "anthropic");
        assert_eq!(route(model, Some(&json!({"order": ["Amazon-Bedrock/us-east"]}))).unwrap(), "amazon-bedrock");
        assert_eq!(route(model, Some(&json!({"ignore": ["anthropic"]}))).unwrap(), "amazon-bedrock");
        assert_eq!(route(model, Some(&json!({"only": ["google-vertex"]}))).unwrap(), "google-vertex");
        let refused = route(model, Some(&json!({"only": ["groq"]}))).unwrap_err();
        assert_eq!(refused["requested_providers"], json!(["groq"]));
        assert_eq!(refused["available_providers"][0], "anthropic");
        let pinned = route(model, Some(&json!({"order": ["groq"], "allow_fallbacks": false}))).unwrap_err();
        assert_eq!(pinned["requested_providers"], json!(["groq"]));
        assert_eq!(route("acme/model", None).unwrap(), "acme");
        assert_eq!(display_name("amazon-bedrock"), "Amazon Bedrock");
        assert_eq!(display_name("acme"), "acme");
    }

    #[test]
    fn usage_splits_cost_like_the_recordings() {
        // OpenRouterCommon_openai__simple.yaml: 19 prompt and 7 completion tokens of
        // openai/gpt-5.4-nano (0.0000002 and 0.00000125 per token).
        let input = Decimal::parse("0.0000002").unwrap().times(19).unwrap();
        let output = Decimal::parse("0.00000125").unwrap().times(7).unwrap();
        let usage = usage(19, 7, 0, input, output);
        assert_eq!(usage["cost"], json!(0.000_012_55));
        assert_eq!(usage["cost_details"]["upstream_inference_cost"], json!(0.000_012_55));
        assert_eq!(usage["cost_details"]["upstream_inference_prompt_cost"], json!(0.000_003_8));
        assert_eq!(usage["cost_details"]["upstream_inference_completions_cost"], json!(0.000_008_75));
        assert_eq!(usage["total_tokens"], 26);
    }

    #[test]
    fn embedding_models_parse() {
        let document: Value = serde_json::from_str(embedding_models()).unwrap();
        let entries = document["data"].as_array().unwrap();
        assert!(entries.iter().all(is_embedding_model));
        assert!(entries.iter().any(|entry| entry["id"] == "openai/text-embedding-3-small"));
    }
}
