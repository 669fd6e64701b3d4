//! Model catalogs of the two gateways, read into one shape.
//!
//! Design choices:
//! - **One [`ModelInfo`] for both gateways.** Vercel's `/v1/models` and OpenRouter's
//!   `/api/v1/models` differ in field names (`context_window` vs `context_length`,
//!   `pricing.input` vs `pricing.prompt`, `type` vs `architecture.output_modalities`); both are
//!   read into the same struct so id mapping and cost estimates compare like with like. Prices
//!   are USD per token as `f64`: they are compared by ratio and multiplied for estimates, never
//!   printed as gateway strings (the fake gateway keeps exact decimals for that).
//! - **Tolerant of extra and missing fields, strict about ids.** A catalog with an entry that has
//!   no string `id` is refused with a sentence naming the entry; absent, null, negative
//!   (OpenRouter's `"-1"` for "varies") or unreadable prices and limits become `None`.
//! - **Vercel's modalities are derived.** Vercel lists a `type` and `tags`, not modalities, so
//!   inputs are `text` plus `image` for the `vision` tag and `file` for `file-input`, and outputs
//!   follow the type (`image-generation` adds `image` to a language model).
//! - **Providers per model come from endpoints replies**
//!   (`/v1/models/{id}/endpoints`), attached one model at a time; [`Catalog::providers_for`]
//!   says `None` rather than guessing when no reply was attached.
//! - **Embedded snapshots are parsed once.** [`Catalog::embedded`] parses the copies in this
//!   folder (see `CATALOG.md`) on first use and hands out a `&'static` catalog; a broken
//!   snapshot is an [`Error::Internal`], not a panic.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde_json::Value;

use crate::error::{Error, Result};

const EMBEDDED_VERCEL: &str = include_str!("vercel-models.json");
const EMBEDDED_OPENROUTER: &str = include_str!("openrouter-models.json");
const EMBEDDED_VERCEL_ENDPOINTS: &str = include_str!("vercel-deepseek-v3.2-endpoints.json");

/// One of the two gateways this package routes between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Gateway {
    /// Vercel AI Gateway (`https://ai-gateway.vercel.sh/v1`).
    Vercel,
    /// OpenRouter (`https://openrouter.ai/api/v1`).
    OpenRouter,
}

impl Gateway {
    /// The lowercase name used in configuration and logs: `"vercel"` or `"openrouter"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Gateway::Vercel => "vercel",
            Gateway::OpenRouter => "openrouter",
        }
    }

    /// Reads a gateway name, ignoring case and surrounding spaces.
    pub fn parse(text: &str) -> Result<Gateway> {
        match text.trim().to_ascii_lowercase().as_str() {
            "vercel" => Ok(Gateway::Vercel),
            "openrouter" => Ok(Gateway::OpenRouter),
            _ => Err(Error::Config {
                variable: None,
                message: format!("Unknown gateway {text:?}: use \"vercel\" or \"openrouter\"."),
            }),
        }
    }

    /// The other gateway.
    pub fn other(self) -> Gateway {
        match self {
            Gateway::Vercel => Gateway::OpenRouter,
            Gateway::OpenRouter => Gateway::Vercel,
        }
    }
}

impl fmt::Display for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Gateway {
    type Err = Error;

    fn from_str(text: &str) -> Result<Gateway> {
        Gateway::parse(text)
    }
}

/// What a model produces, as far as routing cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelKind {
    /// Produces text (chat and completion models, including those that can also draw).
    Language,
    /// Produces embedding vectors.
    Embedding,
    /// Produces images only.
    Image,
    /// Anything else: video, speech, transcription, reranking, realtime.
    Other,
}

impl ModelKind {
    /// The lowercase name: `"language"`, `"embedding"`, `"image"` or `"other"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Language => "language",
            ModelKind::Embedding => "embedding",
            ModelKind::Image => "image",
            ModelKind::Other => "other",
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One catalog entry, in the same shape for both gateways.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelInfo {
    /// The model id exactly as the gateway spells it (`"x-ai/grok-4"`, `"xai/grok-4.3"`).
    pub id: String,
    /// The display name (`"xAI: Grok 4"` on OpenRouter, `"Grok 4.3"` on Vercel); the id when
    /// the entry has none.
    pub name: String,
    /// Context window in tokens, when listed.
    pub context_window: Option<u64>,
    /// Largest completion in tokens, when listed.
    pub max_output: Option<u64>,
    /// USD per prompt token, when listed and not negative.
    pub input_price: Option<f64>,
    /// USD per completion token, when listed and not negative.
    pub output_price: Option<f64>,
    /// What the model produces.
    pub kind: ModelKind,
    /// Input modalities (`"text"`, `"image"`, `"file"`, `"audio"`, `"video"`).
    pub input_modalities: Vec<String>,
    /// Output modalities (`"text"`, `"image"`, `"embeddings"`, ...).
    pub output_modalities: Vec<String>,
    /// Vercel tags (`"tool-use"`, `"reasoning"`, `"vision"`, ...); empty for OpenRouter.
    pub tags: Vec<String>,
    /// OpenRouter's `supported_parameters`; empty for Vercel, whose endpoints list them.
    pub supported_parameters: Vec<String>,
}

/// One provider serving a model, from a Vercel (or OpenRouter) endpoints reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// The provider slug, lowercased (`"deepinfra"`, `"bedrock"`); Vercel's `vertexAnthropic`
    /// is reported as `"vertex"`.
    pub provider: String,
    /// Context window at this provider, when listed.
    pub context_window: Option<u64>,
    /// Largest completion at this provider, when listed.
    pub max_output: Option<u64>,
    /// USD per prompt token at this provider.
    pub input_price: Option<f64>,
    /// USD per completion token at this provider.
    pub output_price: Option<f64>,
    /// Request parameters this provider honours (`"tools"`, `"reasoning"`, ...).
    pub supported_parameters: Vec<String>,
    /// The gateway's status code for the endpoint (0 is healthy), when listed.
    pub status: Option<i64>,
}

/// A parsed model catalog of one gateway, with optional per-model endpoints.
#[derive(Debug, Clone)]
pub struct Catalog {
    gateway: Gateway,
    models: Vec<ModelInfo>,
    index: HashMap<String, usize>,
    endpoints: HashMap<String, Vec<Endpoint>>,
}

impl Catalog {
    /// Reads the body of Vercel's `GET /v1/models` (`{"object":"list","data":[...]}`).
    pub fn from_vercel_json(json: &str) -> Result<Catalog> {
        Self::parse(Gateway::Vercel, json).map_err(|message| config_error(Gateway::Vercel, &message))
    }

    /// Reads the body of OpenRouter's `GET /api/v1/models` (`{"data":[...]}`; pagination
    /// fields are ignored, so pass the pages merged or one at a time).
    pub fn from_openrouter_json(json: &str) -> Result<Catalog> {
        Self::parse(Gateway::OpenRouter, json).map_err(|message| config_error(Gateway::OpenRouter, &message))
    }

    /// The snapshot compiled into the package for `gateway` (see `src/catalog/CATALOG.md`),
    /// parsed on first use. The Vercel snapshot carries the endpoints of
    /// `deepseek/deepseek-v3.2` and `deepseek/deepseek-v3.2-thinking`.
    pub fn embedded(gateway: Gateway) -> Result<&'static Catalog> {
        static VERCEL: OnceLock<std::result::Result<Catalog, String>> = OnceLock::new();
        static OPENROUTER: OnceLock<std::result::Result<Catalog, String>> = OnceLock::new();
        let slot = match gateway {
            Gateway::Vercel => VERCEL.get_or_init(embedded_vercel),
            Gateway::OpenRouter => OPENROUTER.get_or_init(|| Self::parse(Gateway::OpenRouter, EMBEDDED_OPENROUTER)),
        };
        slot.as_ref().map_err(|message| {
            Error::internal(format!("The embedded {gateway} model catalog is broken ({message}); this is a bug."))
        })
    }

    /// Attaches a Vercel `GET /v1/models/{model_id}/endpoints` reply (or OpenRouter's
    /// equivalent), replacing any earlier one for that model; returns the catalog for chaining.
    pub fn with_endpoints_json(mut self, model_id: &str, json: &str) -> Result<Catalog> {
        self.set_endpoints_json(model_id, json)?;
        Ok(self)
    }

    /// Like [`Catalog::with_endpoints_json`], in place.
    pub fn set_endpoints_json(&mut self, model_id: &str, json: &str) -> Result<()> {
        let document: Value = serde_json::from_str(json)
            .map_err(|error| endpoints_error(model_id, &format!("it is not valid JSON ({error})")))?;
        self.set_endpoints_value(model_id, &document).map_err(|message| endpoints_error(model_id, &message))
    }

    fn set_endpoints_value(&mut self, model_id: &str, document: &Value) -> std::result::Result<(), String> {
        let data = document.get("data").unwrap_or(document);
        if let Some(id) = data.get("id").and_then(Value::as_str) {
            if id != model_id {
                return Err(format!("it describes {id:?}, not {model_id:?}"));
            }
        }
        let entries = data
            .get("endpoints")
            .and_then(Value::as_array)
            .ok_or_else(|| "expected an object of the form {\"data\":{\"endpoints\":[...]}}".to_owned())?;
        let gateway = self.gateway;
        let endpoints = entries
            .iter()
            .enumerate()
            .map(|(position, entry)| {
                parse_endpoint(gateway, entry)
                    .ok_or_else(|| format!("endpoint {position} has no string \"provider_name\""))
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        self.endpoints.insert(model_id.to_owned(), endpoints);
        Ok(())
    }

    /// Which gateway this catalog describes.
    pub fn gateway(&self) -> Gateway {
        self.gateway
    }

    /// One model by its exact id.
    pub fn get(&self, id: &str) -> Option<&ModelInfo> {
        self.index.get(id).and_then(|&position| self.models.get(position))
    }

    /// True when the catalog lists `id`.
    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// The number of distinct model ids.
    pub fn len(&self) -> usize {
        self.models.len()
    }

    /// True when the catalog lists no model.
    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }

    /// Every model id, in the order of the document.
    pub fn ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.models.iter().map(|model| model.id.as_str())
    }

    /// Every model, in the order of the document.
    pub fn models(&self) -> impl Iterator<Item = &ModelInfo> + '_ {
        self.models.iter()
    }

    /// The cost in USD of a call with these token counts at the catalog's list prices; `None`
    /// when the model is unknown or either price is not listed.
    pub fn estimate_cost(&self, id: &str, prompt_tokens: u64, completion_tokens: u64) -> Option<f64> {
        let model = self.get(id)?;
        #[allow(clippy::cast_precision_loss)] // token counts stay far below 2^52
        let cost = model.input_price? * prompt_tokens as f64 + model.output_price? * completion_tokens as f64;
        Some(cost)
    }

    /// The endpoints attached for `model`, when an endpoints reply was attached.
    pub fn endpoints(&self, model: &str) -> Option<&[Endpoint]> {
        self.endpoints.get(model).map(Vec::as_slice)
    }

    /// The provider slugs serving `model` (deduplicated, in the reply's order), or `None` when
    /// no endpoints reply is attached for it: unknown, not "none".
    pub fn providers_for(&self, model: &str) -> Option<Vec<String>> {
        let endpoints = self.endpoints.get(model)?;
        let mut providers: Vec<String> = Vec::with_capacity(endpoints.len());
        for endpoint in endpoints {
            if !providers.contains(&endpoint.provider) {
                providers.push(endpoint.provider.clone());
            }
        }
        Some(providers)
    }

    fn parse(gateway: Gateway, json: &str) -> std::result::Result<Catalog, String> {
        let document: Value = serde_json::from_str(json).map_err(|error| format!("it is not valid JSON ({error})"))?;
        let entries = document.get("data").and_then(Value::as_array).ok_or_else(|| match gateway {
            Gateway::Vercel => "expected an object of the form {\"object\":\"list\",\"data\":[...]}".to_owned(),
            Gateway::OpenRouter => "expected an object of the form {\"data\":[...]}".to_owned(),
        })?;
        let mut catalog = Catalog {
            gateway,
            models: Vec::with_capacity(entries.len()),
            index: HashMap::new(),
            endpoints: HashMap::new(),
        };
        for (position, entry) in entries.iter().enumerate() {
            let model = match gateway {
                Gateway::Vercel => parse_vercel_model(entry),
                Gateway::OpenRouter => parse_openrouter_model(entry),
            }
            .ok_or_else(|| format!("entry {position} of \"data\" has no string \"id\""))?;
            // The first entry wins, as a client reading the list top-down would see it.
            if !catalog.index.contains_key(&model.id) {
                catalog.index.insert(model.id.clone(), catalog.models.len());
                catalog.models.push(model);
            }
        }
        Ok(catalog)
    }
}

fn embedded_vercel() -> std::result::Result<Catalog, String> {
    let mut catalog = Catalog::parse(Gateway::Vercel, EMBEDDED_VERCEL)?;
    let fixture: Value = serde_json::from_str(EMBEDDED_VERCEL_ENDPOINTS)
        .map_err(|error| format!("the endpoints snapshot is not valid JSON ({error})"))?;
    let replies = fixture
        .get("endpoints")
        .and_then(Value::as_object)
        .ok_or_else(|| "the endpoints snapshot has no \"endpoints\" object".to_owned())?;
    for (model_id, reply) in replies {
        catalog.set_endpoints_value(model_id, reply)?;
    }
    Ok(catalog)
}

fn config_error(gateway: Gateway, message: &str) -> Error {
    let source = match gateway {
        Gateway::Vercel => "the body of GET https://ai-gateway.vercel.sh/v1/models",
        Gateway::OpenRouter => "the body of GET https://openrouter.ai/api/v1/models",
    };
    Error::Config {
        variable: None,
        message: format!("The {gateway} model catalog is not usable: {message}. Pass {source}."),
    }
}

fn endpoints_error(model_id: &str, message: &str) -> Error {
    Error::Config {
        variable: None,
        message: format!(
            "The endpoints reply for {model_id:?} is not usable: {message}. Pass the body of \
             GET /v1/models/{model_id}/endpoints."
        ),
    }
}

fn parse_vercel_model(entry: &Value) -> Option<ModelInfo> {
    let id = entry.get("id")?.as_str()?.to_owned();
    let tags = strings(entry.get("tags"));
    let model_type = entry.get("type").and_then(Value::as_str).unwrap_or("language");
    let has_tag = |tag: &str| tags.iter().any(|t| t == tag);
    let mut input_modalities = vec!["text".to_owned()];
    if has_tag("vision") {
        input_modalities.push("image".to_owned());
    }
    if has_tag("file-input") {
        input_modalities.push("file".to_owned());
    }
    let (kind, outputs): (ModelKind, &[&str]) = match model_type {
        "language" if has_tag("image-generation") => (ModelKind::Language, &["text", "image"]),
        "language" => (ModelKind::Language, &["text"]),
        "embedding" => (ModelKind::Embedding, &["embeddings"]),
        "image" => (ModelKind::Image, &["image"]),
        "video" => (ModelKind::Other, &["video"]),
        "speech" => (ModelKind::Other, &["audio"]),
        "realtime" => (ModelKind::Other, &["text", "audio"]),
        "transcription" | "reranking" => (ModelKind::Other, &["text"]),
        _ => (ModelKind::Other, &[]),
    };
    if model_type == "transcription" {
        input_modalities = vec!["audio".to_owned()];
    }
    let pricing = entry.get("pricing");
    Some(ModelInfo {
        name: display_name(entry, &id),
        context_window: count(entry.get("context_window")),
        max_output: count(entry.get("max_tokens")),
        input_price: price(pricing.and_then(|p| p.get("input"))),
        output_price: price(pricing.and_then(|p| p.get("output"))),
        kind,
        input_modalities,
        output_modalities: outputs.iter().map(|&m| m.to_owned()).collect(),
        tags,
        supported_parameters: Vec::new(),
        id,
    })
}

fn parse_openrouter_model(entry: &Value) -> Option<ModelInfo> {
    let id = entry.get("id")?.as_str()?.to_owned();
    let architecture = entry.get("architecture");
    let mut input_modalities = strings(architecture.and_then(|a| a.get("input_modalities")));
    let mut output_modalities = strings(architecture.and_then(|a| a.get("output_modalities")));
    // The models endpoint lists text-output models by default; an entry without an
    // architecture is one of them.
    if input_modalities.is_empty() {
        input_modalities.push("text".to_owned());
    }
    if output_modalities.is_empty() {
        output_modalities.push("text".to_owned());
    }
    let outputs = |m: &str| output_modalities.iter().any(|o| o == m);
    let kind = if outputs("text") {
        ModelKind::Language
    } else if outputs("embeddings") {
        ModelKind::Embedding
    } else if outputs("image") {
        ModelKind::Image
    } else {
        ModelKind::Other
    };
    let pricing = entry.get("pricing");
    let top_provider = entry.get("top_provider");
    Some(ModelInfo {
        name: display_name(entry, &id),
        context_window: count(entry.get("context_length"))
            .or_else(|| count(top_provider.and_then(|t| t.get("context_length")))),
        max_output: count(top_provider.and_then(|t| t.get("max_completion_tokens"))),
        input_price: price(pricing.and_then(|p| p.get("prompt"))),
        output_price: price(pricing.and_then(|p| p.get("completion"))),
        kind,
        input_modalities,
        output_modalities,
        tags: Vec::new(),
        supported_parameters: strings(entry.get("supported_parameters")),
        id,
    })
}

fn parse_endpoint(gateway: Gateway, entry: &Value) -> Option<Endpoint> {
    let name = entry.get("provider_name")?.as_str()?;
    // OpenRouter's endpoints carry the routing slug in `tag` ("deepinfra/fp8") and a display
    // name in `provider_name`; Vercel's `provider_name` is the slug itself.
    let slug = match (gateway, entry.get("tag").and_then(Value::as_str)) {
        (Gateway::OpenRouter, Some(tag)) => tag,
        _ => name,
    };
    let pricing = entry.get("pricing");
    Some(Endpoint {
        provider: provider_slug(slug),
        context_window: count(entry.get("context_length")),
        max_output: count(entry.get("max_completion_tokens")),
        input_price: price(pricing.and_then(|p| p.get("prompt"))),
        output_price: price(pricing.and_then(|p| p.get("completion"))),
        supported_parameters: strings(entry.get("supported_parameters")),
        status: entry.get("status").and_then(Value::as_i64),
    })
}

/// A provider slug in the form routing compares: the part before any `/` (variant tags such as
/// `deepinfra/bf16`), trimmed and lowercased; Vercel's `vertexAnthropic` becomes `vertex`.
pub fn provider_slug(raw: &str) -> String {
    let base = raw.split('/').next().unwrap_or(raw).trim().to_ascii_lowercase();
    if base == "vertexanthropic" {
        "vertex".to_owned()
    } else {
        base
    }
}

fn display_name(entry: &Value, id: &str) -> String {
    entry.get("name").and_then(Value::as_str).map_or_else(|| id.to_owned(), |name| name.trim().to_owned())
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn count(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(number) => number.as_u64().filter(|&n| n > 0),
        Value::String(text) => text.trim().parse().ok().filter(|&n: &u64| n > 0),
        _ => None,
    }
}

fn price(value: Option<&Value>) -> Option<f64> {
    let parsed = match value? {
        Value::Number(number) => number.as_f64()?,
        Value::String(text) => text.trim().parse().ok()?,
        _ => return None,
    };
    (parsed.is_finite() && parsed >= 0.0).then_some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogs_parse() {
        let vercel = Catalog::embedded(Gateway::Vercel).unwrap();
        assert_eq!(vercel.len(), 297);
        assert_eq!(vercel.gateway(), Gateway::Vercel);
        let openrouter = Catalog::embedded(Gateway::OpenRouter).unwrap();
        assert_eq!(openrouter.len(), 364);
        assert!(std::ptr::eq(vercel, Catalog::embedded(Gateway::Vercel).unwrap()));
    }

    #[test]
    fn vercel_fields() {
        let vercel = Catalog::embedded(Gateway::Vercel).unwrap();
        let gpt5 = vercel.get("openai/gpt-5").unwrap();
        assert_eq!(gpt5.context_window, Some(400_000));
        assert_eq!(gpt5.input_price, Some(0.000_001_25));
        assert_eq!(gpt5.kind, ModelKind::Language);
        let embed = vercel.get("openai/text-embedding-3-small").unwrap();
        assert_eq!(embed.kind, ModelKind::Embedding);
        assert_eq!(embed.output_modalities, ["embeddings"]);
        assert_eq!(embed.input_price, None);
        let banana = vercel.get("google/gemini-2.5-flash-image").unwrap();
        assert_eq!(banana.output_modalities, ["text", "image"]);
    }

    #[test]
    fn openrouter_fields() {
        let openrouter = Catalog::embedded(Gateway::OpenRouter).unwrap();
        let grok = openrouter.get("x-ai/grok-code-fast-1").unwrap();
        assert_eq!(grok.name, "xAI: Grok Code Fast 1");
        assert_eq!(grok.context_window, Some(256_000));
        assert_eq!(grok.output_price, Some(0.000_001_5));
        assert!(grok.supported_parameters.iter().any(|p| p == "tools"));
        // "-1" means "varies" for routers: no price, no estimate.
        let auto = openrouter.get("openrouter/auto").unwrap();
        assert_eq!(auto.input_price, None);
        assert_eq!(openrouter.estimate_cost("openrouter/auto", 10, 10), None);
    }

    #[test]
    fn bad_input_is_a_config_error_with_a_sentence() {
        let message = |result: Result<Catalog>| match result {
            Err(Error::Config { message, .. }) => message,
            other => panic!("expected a configuration error, got {other:?}"),
        };
        let text = message(Catalog::from_vercel_json("{not json"));
        assert!(text.starts_with("The vercel model catalog is not usable: it is not valid JSON"), "{text}");
        assert!(text.ends_with("Pass the body of GET https://ai-gateway.vercel.sh/v1/models."), "{text}");
        let text = message(Catalog::from_openrouter_json("[]"));
        assert!(text.contains("expected an object of the form {\"data\":[...]}"), "{text}");
        let text = message(Catalog::from_openrouter_json(r#"{"data":[{"id":"a/b"},{"name":"x"}]}"#));
        assert!(text.contains("entry 1 of \"data\" has no string \"id\""), "{text}");
        let catalog = Catalog::from_vercel_json(r#"{"object":"list","data":[{"id":"acme/m1"}]}"#).unwrap();
        let text =
            message(catalog.clone().with_endpoints_json("acme/m1", r#"{"data":{"id":"acme/m2","endpoints":[]}}"#));
        assert!(text.contains("it describes \"acme/m2\", not \"acme/m1\""), "{text}");
        let text = message(catalog.with_endpoints_json("acme/m1", r#"{"data":{"endpoints":[{"status":0}]}}"#));
        assert!(text.contains("endpoint 0 has no string \"provider_name\""), "{text}");
    }

    #[test]
    fn minimal_entries_and_cost() {
        let catalog = Catalog::from_vercel_json(
            r#"{"data":[{"id":"acme/m1","pricing":{"input":"0.000001","output":"0.000002"}},{"id":"acme/m1"},{"id":"acme/m2","pricing":{"input":"-1"}}]}"#,
        )
        .unwrap();
        assert_eq!(catalog.len(), 2, "the first of two equal ids wins");
        assert_eq!(catalog.ids().collect::<Vec<_>>(), ["acme/m1", "acme/m2"]);
        let m1 = catalog.get("acme/m1").unwrap();
        assert_eq!((m1.name.as_str(), m1.kind, m1.context_window), ("acme/m1", ModelKind::Language, None));
        let cost = catalog.estimate_cost("acme/m1", 1000, 500).unwrap();
        assert!((cost - 0.002).abs() < 1e-12, "{cost}");
        assert_eq!(catalog.estimate_cost("acme/m2", 1, 1), None);
        assert_eq!(catalog.estimate_cost("acme/none", 1, 1), None);
        assert_eq!(catalog.providers_for("acme/m1"), None);
    }

    #[test]
    fn embedded_endpoints_name_the_providers() {
        let vercel = Catalog::embedded(Gateway::Vercel).unwrap();
        assert_eq!(
            vercel.providers_for("deepseek/deepseek-v3.2").unwrap(),
            ["bedrock", "deepinfra", "deepseek", "novita"]
        );
        assert_eq!(
            vercel.providers_for("deepseek/deepseek-v3.2-thinking").unwrap(),
            ["bedrock", "deepinfra", "fireworks", "novita"]
        );
        assert_eq!(vercel.providers_for("openai/gpt-5"), None);
        let fireworks = &vercel.endpoints("deepseek/deepseek-v3.2-thinking").unwrap()[2];
        assert!(fireworks.supported_parameters.iter().any(|p| p == "reasoning"));
        assert_eq!(fireworks.status, Some(0));
    }

    #[test]
    fn gateway_names() {
        assert_eq!(Gateway::parse(" OpenRouter ").unwrap(), Gateway::OpenRouter);
        assert_eq!("vercel".parse::<Gateway>().unwrap().as_str(), "vercel");
        assert_eq!(Gateway::Vercel.other(), Gateway::OpenRouter);
        let error = Gateway::parse("bedrock").unwrap_err().to_string();
        assert_eq!(error, "Unknown gateway \"bedrock\": use \"vercel\" or \"openrouter\".");
    }

    #[test]
    fn slugs_are_normalised() {
        assert_eq!(provider_slug("DeepInfra/bf16"), "deepinfra");
        assert_eq!(provider_slug("vertexAnthropic"), "vertex");
        assert_eq!(provider_slug(" groq "), "groq");
    }
}
