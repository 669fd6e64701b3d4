//! Translation of chat-completions requests between OpenRouter and Vercel AI Gateway.
//!
//! Design choices (spec `routing.md` §3):
//! - **Convert, or refuse; never drop a constraint.** Each routing or privacy option either has
//!   an equivalent on the target (`order`, `only`, `sort`, `zdr` ↔ `zeroDataRetention`,
//!   `data_collection: "deny"` ↔ `disallowPromptTraining`), is emulated from catalog data
//!   (`ignore` and `require_parameters` from the model's endpoints, `allow_fallbacks: false` as
//!   `only = order`, `max_price` checked against the target's prices), or makes the request
//!   [`Ineligible`] with a sentence saying which option and why. Unknown options are refused
//!   too: a constraint this code does not understand is still a constraint.
//! - **What is dropped is only ever a preference or a report**, never a restriction:
//!   `preferred_min_throughput`/`preferred_max_latency` only when
//!   [`TranslateOptions::drop_soft_preferences`] says they are soft; OpenRouter's `usage`
//!   switch and `route: "fallback"` (both no-ops today); Vercel's `tags`, `caching`,
//!   `idempotencyKey` and `providerTimeouts` (reporting, cost and BYOK tuning); fallback model
//!   ids with no counterpart (a shorter fallback list narrows, never widens, what may serve).
//!   Slugs are normalised by stripping `/variant` tags, which widens a variant pin to the whole
//!   provider, as the spec accepts.
//! - **Fallback `models` are mapped id by id** through the [`ModelMap`], unmapped ids are
//!   dropped (so are repeats of the primary model), and an empty list is left out.
//! - **Decorations become options.** `:nitro` → sort by throughput, `:floor` → sort by cost
//!   (an explicit `provider.sort` wins), `:thinking` → `reasoning: {"enabled": true}` when the
//!   request sets no reasoning, `:free` → nothing (Vercel bills the paid model); `:online`,
//!   `:exacto` and unknown variants are ineligible.
//! - **Signed reasoning does not cross gateways.** Reasoning signatures and encrypted blobs
//!   are bound to the provider account that produced them, and replaying them through the
//!   other gateway fails the request. By default ([`ReasoningReplay::Downgrade`]) the
//!   `reasoning_details` of assistant messages are removed and their plain text is kept in
//!   `reasoning` (when the message has none); encrypted entries are dropped. A caller who knows
//!   the history came from the target gateway can keep them ([`ReasoningReplay::Keep`]).

use std::fmt;

use serde_json::{Map, Value};

use crate::catalog::{provider_slug, Catalog};

use super::mapping::{split_variant, ModelMap, Sort};

type JsonObject = Map<String, Value>;

/// OpenRouter provider slug → Vercel provider slug, where they differ (spec §3.2).
pub const PROVIDER_RENAMES: &[(&str, &str)] = &[
    ("amazon-bedrock", "bedrock"),
    ("google-vertex", "vertex"),
    ("google-ai-studio", "google"),
    ("together", "togetherai"),
    ("z-ai", "zai"),
    ("seed", "bytedance"),
    ("claude-on-aws", "claudeaws"),
];

/// Provider slugs spelled the same on both gateways.
pub const SHARED_PROVIDERS: &[&str] = &[
    "anthropic",
    "openai",
    "azure",
    "deepinfra",
    "fireworks",
    "groq",
    "cerebras",
    "baseten",
    "novita",
    "parasail",
    "nebius",
    "sambanova",
    "chutes",
    "cohere",
    "mistral",
    "moonshotai",
    "minimax",
    "xai",
    "deepseek",
    "inception",
    "morph",
    "perplexity",
    "alibaba",
    "xiaomi",
    "streamlake",
    "arcee-ai",
];

/// Provider slugs only Vercel has.
pub const VERCEL_ONLY_PROVIDERS: &[&str] = &["bfl", "interfaze", "klingai", "meituan", "prodia", "recraft", "voyage"];

/// Request fields OpenRouter's `require_parameters` compares with an endpoint's
/// `supported_parameters` (`max_completion_tokens` counts as `max_tokens`).
const PARAMETER_FIELDS: &[&str] = &[
    "tools",
    "tool_choice",
    "max_tokens",
    "temperature",
    "top_p",
    "top_k",
    "stop",
    "seed",
    "frequency_penalty",
    "presence_penalty",
    "repetition_penalty",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "min_p",
    "top_a",
    "response_format",
    "structured_outputs",
    "reasoning",
    "include_reasoning",
    "parallel_tool_calls",
    "verbosity",
    "web_search_options",
];

/// Why a request cannot go to the other gateway as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ineligible {
    /// A sentence naming the option and what to do.
    pub reason: String,
}

impl Ineligible {
    fn new(reason: impl Into<String>) -> Ineligible {
        Ineligible { reason: reason.into() }
    }
}

impl fmt::Display for Ineligible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for Ineligible {}

/// What to do with `reasoning_details` in the assistant messages of a translated request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReasoningReplay {
    /// Remove them, keeping their plain text in `reasoning`; drop signatures and encrypted
    /// entries. Safe when the history came from the other gateway.
    #[default]
    Downgrade,
    /// Send them unchanged (the history came from the target gateway).
    Keep,
}

/// Choices the translation cannot make on its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TranslateOptions {
    /// Treat OpenRouter's `preferred_min_throughput` / `preferred_max_latency` as soft and drop
    /// them; when false (the default) they make a request ineligible for Vercel.
    pub drop_soft_preferences: bool,
    /// What happens to signed or encrypted reasoning in assistant messages.
    pub reasoning_replay: ReasoningReplay,
}

/// An OpenRouter provider slug in Vercel's spelling: normalised with
/// [`provider_slug`] (part before `/`, lowercase), renamed per [`PROVIDER_RENAMES`], and
/// otherwise passed through.
pub fn provider_to_vercel(slug: &str) -> String {
    let slug = provider_slug(slug);
    PROVIDER_RENAMES.iter().find(|(or, _)| *or == slug).map_or(slug, |(_, v)| (*v).to_owned())
}

/// A Vercel provider slug in OpenRouter's spelling (`vertexAnthropic` → `google-vertex`);
/// unknown slugs pass through normalised.
pub fn provider_to_openrouter(slug: &str) -> String {
    let slug = provider_slug(slug);
    PROVIDER_RENAMES.iter().find(|(_, v)| *v == slug).map_or(slug, |(or, _)| (*or).to_owned())
}

/// True for a slug Vercel is known to route to.
pub fn is_vercel_provider(slug: &str) -> bool {
    SHARED_PROVIDERS.contains(&slug)
        || VERCEL_ONLY_PROVIDERS.contains(&slug)
        || PROVIDER_RENAMES.iter().any(|(_, v)| *v == slug)
}

/// Rewrites an OpenRouter chat-completions body for Vercel with default [`TranslateOptions`].
pub fn to_vercel(
    body: &Value,
    vercel_model_id: &str,
    map: &ModelMap,
    vercel_catalog: &Catalog,
) -> Result<Value, Ineligible> {
    to_vercel_with(body, vercel_model_id, map, vercel_catalog, &TranslateOptions::default())
}

/// Rewrites an OpenRouter chat-completions body for Vercel: `model` becomes
/// `vercel_model_id`, `provider` becomes `providerOptions.gateway`, fallback `models` are
/// mapped (ids with no Vercel counterpart are dropped: a shorter fallback list narrows what may
/// serve, it never widens it), decorations of the requested model become options, and
/// `reasoning_details` are downgraded per `options`. `vercel_catalog` supplies the
/// providers, endpoints and prices that `ignore`, `require_parameters`, `only` and `max_price`
/// are checked against.
pub fn to_vercel_with(
    body: &Value,
    vercel_model_id: &str,
    map: &ModelMap,
    vercel_catalog: &Catalog,
    options: &TranslateOptions,
) -> Result<Value, Ineligible> {
    let mut out = body.as_object().cloned().ok_or_else(|| Ineligible::new("The request body is not a JSON object."))?;
    let (mut provider_options, mut gateway) = take_provider_options(&mut out)?;

    let mut sort_hint = None;
    let mut enable_reasoning = false;
    if let Some(model) = out.get("model").and_then(Value::as_str) {
        let lower = model.trim().to_ascii_lowercase();
        match split_variant(&lower).1 {
            None | Some("free") => {}
            Some("nitro") => sort_hint = Some(Sort::Throughput),
            Some("floor") => sort_hint = Some(Sort::Cost),
            Some("thinking") => enable_reasoning = true,
            Some("online") => {
                return Err(Ineligible::new(format!(
                    "The model {model:?} asks for OpenRouter's web search (:online), which Vercel cannot run; keep \
                     this request on OpenRouter."
                )))
            }
            Some("exacto") => {
                return Err(Ineligible::new(format!(
                    "The model {model:?} asks for OpenRouter's curated tool-calling providers (:exacto), which Vercel \
                     cannot honour; keep this request on OpenRouter."
                )))
            }
            Some(other) => {
                return Err(Ineligible::new(format!(
                    "The model {model:?} carries the OpenRouter variant :{other}, whose meaning Vercel cannot be \
                     assumed to honour; keep this request on OpenRouter."
                )))
            }
        }
    }

    for field in ["plugins", "transforms"] {
        if let Some(value) = out.get(field) {
            if !is_empty_value(value) {
                let what = if field == "plugins" {
                    "plugins (web search, file parsing, response healing) are OpenRouter features"
                } else {
                    "transforms (such as middle-out compression) are OpenRouter prompt rewrites"
                };
                return Err(Ineligible::new(format!(
                    "The request's {what} that Vercel does not run; keep it on OpenRouter or remove \"{field}\"."
                )));
            }
        }
        out.remove(field);
    }
    // Reporting switches with no effect on what serves the request.
    out.remove("usage");
    match out.remove("route") {
        None | Some(Value::Null) => {}
        Some(Value::String(route)) if route == "fallback" => {}
        Some(other) => {
            return Err(Ineligible::new(format!(
                "The request's route {other} is not an OpenRouter routing mode this package can carry to Vercel."
            )))
        }
    }

    match out.remove("provider") {
        Some(Value::Object(provider)) => {
            provider_to_gateway(&provider, &out, vercel_model_id, vercel_catalog, options, &mut gateway, sort_hint)?;
        }
        None | Some(Value::Null) => {
            if let Some(sort) = sort_hint {
                gateway.entry("sort").or_insert_with(|| Value::String(sort.vercel().to_owned()));
            }
        }
        Some(_) => return Err(Ineligible::new("The request's \"provider\" is not an object.")),
    }

    if let Some(models) = out.remove("models") {
        let mapped = map_fallbacks(&models, vercel_model_id, |id| map.to_vercel(id).to)?;
        if !mapped.is_empty() {
            gateway.insert("models".into(), Value::from(mapped));
        }
    }
    if let Some(user) = out.get("user").and_then(Value::as_str) {
        gateway.entry("user").or_insert_with(|| Value::String(user.to_owned()));
    }
    if enable_reasoning && !out.contains_key("reasoning") {
        out.insert("reasoning".into(), serde_json::json!({"enabled": true}));
    }
    out.insert("model".into(), Value::String(vercel_model_id.to_owned()));
    if !gateway.is_empty() {
        provider_options.insert("gateway".into(), Value::Object(gateway));
    }
    if !provider_options.is_empty() {
        out.insert("providerOptions".into(), Value::Object(provider_options));
    }
    Ok(finish(out, options))
}

/// Rewrites a Vercel chat-completions body for OpenRouter with default [`TranslateOptions`].
pub fn to_openrouter(body: &Value, openrouter_model_id: &str, map: &ModelMap) -> Result<Value, Ineligible> {
    to_openrouter_with(body, openrouter_model_id, map, &TranslateOptions::default())
}

/// Rewrites a Vercel chat-completions body for OpenRouter: `model` becomes
/// `openrouter_model_id`, `providerOptions.gateway` becomes `provider` (and top-level `models`
/// and `user`). Options for a specific provider (`providerOptions.anthropic`, ...) are not read
/// by OpenRouter, so they make the request ineligible.
pub fn to_openrouter_with(
    body: &Value,
    openrouter_model_id: &str,
    map: &ModelMap,
    options: &TranslateOptions,
) -> Result<Value, Ineligible> {
    let mut out = body.as_object().cloned().ok_or_else(|| Ineligible::new("The request body is not a JSON object."))?;
    let (provider_options, gateway) = take_provider_options(&mut out)?;
    if let Some(key) = provider_options.keys().next() {
        return Err(Ineligible::new(format!(
            "providerOptions.{key} holds options for one provider that OpenRouter does not read; keep this request \
             on Vercel."
        )));
    }

    let mut provider = match out.remove("provider") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(existing)) => existing,
        Some(_) => return Err(Ineligible::new("The request's \"provider\" is not an object.")),
    };
    for (key, value) in &gateway {
        if value.is_null() {
            continue;
        }
        match key.as_str() {
            "order" | "only" => {
                let slugs = slugs(value, &format!("providerOptions.gateway.{key}"), provider_to_openrouter)?;
                provider.insert(key.clone(), Value::from(slugs));
            }
            "models" => {
                let mapped = map_fallbacks(value, openrouter_model_id, |id| map.to_openrouter(id).to)?;
                if !mapped.is_empty() {
                    out.insert("models".into(), Value::from(mapped));
                }
            }
            "user" => {
                let user = value.as_str().ok_or_else(|| {
                    Ineligible::new("providerOptions.gateway.user must be a string to carry it to OpenRouter.")
                })?;
                out.entry("user").or_insert_with(|| Value::String(user.to_owned()));
            }
            "sort" => {
                let sort = value.as_str().and_then(Sort::from_vercel).ok_or_else(|| {
                    Ineligible::new(format!(
                        "providerOptions.gateway.sort {value} is not one of \"cost\", \"tps\", \"ttft\", so it cannot \
                         be carried to OpenRouter."
                    ))
                })?;
                provider.insert("sort".into(), Value::String(sort.openrouter().to_owned()));
            }
            "disallowPromptTraining" => {
                if flag(value, "providerOptions.gateway.disallowPromptTraining")? {
                    provider.insert("data_collection".into(), Value::String("deny".into()));
                }
            }
            "zeroDataRetention" => {
                if flag(value, "providerOptions.gateway.zeroDataRetention")? {
                    provider.insert("zdr".into(), Value::Bool(true));
                }
            }
            // Reporting labels, cache markers, request de-duplication and BYOK timeouts: none
            // restricts what may serve the request.
            "tags" | "caching" | "idempotencyKey" | "providerTimeouts" => {}
            "byok" => {
                return Err(Ineligible::new(
                    "providerOptions.gateway.byok passes your own provider credentials, which OpenRouter cannot take \
                     per request; keep this request on Vercel.",
                ))
            }
            "has" if is_empty_value(value) => {}
            "has" => {
                return Err(Ineligible::new(
                    "providerOptions.gateway.has filters providers by capability, which OpenRouter cannot express; \
                     keep this request on Vercel.",
                ))
            }
            "serviceTier" => {
                return Err(Ineligible::new(
                    "providerOptions.gateway.serviceTier has no OpenRouter equivalent; keep this request on Vercel.",
                ))
            }
            "quotaEntityId" => {
                return Err(Ineligible::new(
                    "providerOptions.gateway.quotaEntityId charges a Vercel quota that OpenRouter would bypass; keep \
                     this request on Vercel.",
                ))
            }
            other => {
                return Err(Ineligible::new(format!(
                    "providerOptions.gateway.{other} is not an option this package can carry to OpenRouter; keep this \
                     request on Vercel."
                )))
            }
        }
    }
    out.insert("model".into(), Value::String(openrouter_model_id.to_owned()));
    if !provider.is_empty() {
        out.insert("provider".into(), Value::Object(provider));
    }
    Ok(finish(out, options))
}

/// Copies `reasoning_content` into `reasoning` where `reasoning` is absent, in every
/// `choices[].message` and `choices[].delta` of a response or stream chunk (or in a bare
/// message), so callers read one field whichever upstream answered.
pub fn normalize_reasoning(value: &mut Value) {
    fn fix(object: &mut Map<String, Value>) {
        let missing = object.get("reasoning").is_none_or(Value::is_null);
        if missing {
            if let Some(text) = object.get("reasoning_content").and_then(Value::as_str) {
                let text = text.to_owned();
                object.insert("reasoning".into(), Value::String(text));
            }
        }
    }
    if let Some(choices) = value.get_mut("choices").and_then(Value::as_array_mut) {
        for choice in choices {
            for key in ["message", "delta"] {
                if let Some(Value::Object(object)) = choice.get_mut(key) {
                    fix(object);
                }
            }
        }
    } else if let Value::Object(object) = value {
        if object.contains_key("role") || object.contains_key("reasoning_content") {
            fix(object);
        }
    }
}

/// Removes `reasoning_details` from the assistant messages of a request body, keeping the text
/// of `reasoning.text` and `reasoning.summary` entries in `reasoning` when the message has no
/// reasoning text; signatures and `reasoning.encrypted` entries are dropped.
pub fn downgrade_reasoning_details(body: &mut Value) {
    let Some(messages) = body.get_mut("messages").and_then(Value::as_array_mut) else { return };
    for message in messages {
        let Value::Object(message) = message else { continue };
        if message.get("role").and_then(Value::as_str) != Some("assistant") {
            continue;
        }
        let Some(details) = message.remove("reasoning_details") else { continue };
        let text: Vec<&str> = details
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|detail| match detail.get("type").and_then(Value::as_str) {
                Some("reasoning.text") => detail.get("text").and_then(Value::as_str),
                Some("reasoning.summary") => detail.get("summary").and_then(Value::as_str),
                _ => None,
            })
            .filter(|text| !text.is_empty())
            .collect();
        let has_reasoning = message.get("reasoning").and_then(Value::as_str).is_some_and(|text| !text.is_empty());
        if !has_reasoning && !text.is_empty() {
            message.insert("reasoning".into(), Value::String(text.join("\n")));
        }
    }
}

/// The translated body, with reasoning replay applied.
fn finish(out: JsonObject, options: &TranslateOptions) -> Value {
    let mut body = Value::Object(out);
    if options.reasoning_replay == ReasoningReplay::Downgrade {
        downgrade_reasoning_details(&mut body);
    }
    body
}

/// Splits `providerOptions` off a body: (the other provider options, the gateway options).
fn take_provider_options(out: &mut JsonObject) -> Result<(JsonObject, JsonObject), Ineligible> {
    let mut provider_options = match out.remove("providerOptions") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(object)) => object,
        Some(_) => return Err(Ineligible::new("The request's \"providerOptions\" is not an object.")),
    };
    let gateway = match provider_options.remove("gateway") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(object)) => object,
        Some(_) => return Err(Ineligible::new("The request's \"providerOptions.gateway\" is not an object.")),
    };
    Ok((provider_options, gateway))
}

/// OpenRouter `provider` → Vercel `providerOptions.gateway` (spec §3.1), into `gateway`.
fn provider_to_gateway(
    provider: &JsonObject,
    body: &JsonObject,
    model: &str,
    catalog: &Catalog,
    options: &TranslateOptions,
    gateway: &mut Map<String, Value>,
    sort_hint: Option<Sort>,
) -> Result<(), Ineligible> {
    let mut order = None;
    let mut only = None;
    let mut ignore = None;
    let mut allow_fallbacks = true;
    let mut require_parameters = false;
    let mut sort = sort_hint;
    let mut max_price = None;
    for (key, value) in provider {
        if value.is_null() {
            continue;
        }
        let field = format!("provider.{key}");
        match key.as_str() {
            "order" => order = Some(slugs(value, &field, provider_to_vercel)?),
            "only" => only = Some(slugs(value, &field, provider_to_vercel)?),
            "ignore" => ignore = Some(slugs(value, &field, provider_to_vercel)?),
            "allow_fallbacks" => allow_fallbacks = flag(value, &field)?,
            "require_parameters" => require_parameters = flag(value, &field)?,
            "data_collection" => match value.as_str() {
                Some("allow") => {}
                Some("deny") => {
                    gateway.insert("disallowPromptTraining".into(), Value::Bool(true));
                }
                _ => {
                    return Err(Ineligible::new(format!(
                        "provider.data_collection {value} is not \"allow\" or \"deny\", so its promise cannot be \
                         carried to Vercel; keep this request on OpenRouter."
                    )))
                }
            },
            "zdr" => {
                if flag(value, &field)? {
                    gateway.insert("zeroDataRetention".into(), Value::Bool(true));
                }
            }
            "enforce_distillable_text" => {
                if flag(value, &field)? {
                    return Err(Ineligible::new(
                        "provider.enforce_distillable_text has no Vercel equivalent; keep this request on OpenRouter.",
                    ));
                }
            }
            "quantizations" => {
                if !is_empty_value(value) {
                    return Err(Ineligible::new(
                        "provider.quantizations has no Vercel equivalent (Vercel does not filter providers by \
                         quantization); keep this request on OpenRouter.",
                    ));
                }
            }
            "sort" => sort = Some(openrouter_sort(value)?),
            "max_price" => max_price = Some(value),
            "preferred_min_throughput" | "preferred_max_latency" => {
                if !options.drop_soft_preferences {
                    return Err(Ineligible::new(format!(
                        "{field} has no Vercel equivalent; keep this request on OpenRouter, or declare these \
                         preferences soft (TranslateOptions::drop_soft_preferences) to drop them."
                    )));
                }
            }
            other => {
                return Err(Ineligible::new(format!(
                    "provider.{other} is not an option this package can carry to Vercel; keep this request on \
                     OpenRouter."
                )))
            }
        }
    }

    let served = catalog.providers_for(model);
    if let Some(ignored) = ignore.filter(|list| !list.is_empty()) {
        let Some(served) = &served else {
            return Err(Ineligible::new(format!(
                "provider.ignore needs the list of Vercel providers serving {model}, which is not known; attach its \
                 endpoints with Catalog::with_endpoints_json, or keep this request on OpenRouter."
            )));
        };
        let base = only.take().map_or_else(|| served.clone(), |list: Vec<String>| intersect(&list, served));
        let remaining: Vec<String> = base.into_iter().filter(|slug| !ignored.contains(slug)).collect();
        if remaining.is_empty() {
            return Err(Ineligible::new(format!(
                "After provider.ignore ({}) no Vercel provider serving {model} is left (it is served by {}); keep \
                 this request on OpenRouter.",
                ignored.join(", "),
                served.join(", ")
            )));
        }
        only = Some(remaining);
    }
    if !allow_fallbacks {
        only =
            match (&order, only) {
                (Some(order), Some(only)) => Some(intersect(order, &only)),
                (Some(order), None) => Some(order.clone()),
                (None, Some(only)) => Some(only),
                (None, None) => return Err(Ineligible::new(
                    "provider.allow_fallbacks: false without provider.order or provider.only cannot be expressed on \
                     Vercel, which falls back across providers; keep this request on OpenRouter.",
                )),
            };
    }
    if require_parameters {
        let Some(endpoints) = catalog.endpoints(model) else {
            return Err(Ineligible::new(format!(
                "provider.require_parameters needs the parameters each Vercel provider of {model} supports, which \
                 are not known; attach its endpoints with Catalog::with_endpoints_json, or keep this request on \
                 OpenRouter."
            )));
        };
        let wanted = request_parameters(body);
        let supporting: Vec<String> = endpoints
            .iter()
            .filter(|endpoint| wanted.iter().all(|p| endpoint.supported_parameters.iter().any(|s| s == p)))
            .map(|endpoint| endpoint.provider.clone())
            .collect();
        let narrowed = match only.take() {
            Some(list) => intersect(&list, &supporting),
            None => dedup(supporting),
        };
        if narrowed.is_empty() {
            return Err(Ineligible::new(format!(
                "No Vercel provider of {model} supports every parameter of the request ({}), as \
                 provider.require_parameters demands; keep this request on OpenRouter.",
                wanted.join(", ")
            )));
        }
        only = Some(narrowed);
    }
    if let Some(list) = only {
        let list = match &served {
            Some(served) => {
                let kept = intersect(&list, served);
                if kept.is_empty() {
                    return Err(Ineligible::new(format!(
                        "None of the providers in provider.only ({}) serves {model} on Vercel (it is served by {}); \
                         keep this request on OpenRouter.",
                        list.join(", "),
                        served.join(", ")
                    )));
                }
                kept
            }
            None if !list.iter().any(|slug| is_vercel_provider(slug)) => {
                return Err(Ineligible::new(format!(
                    "None of the providers in provider.only ({}) is a Vercel provider; keep this request on \
                     OpenRouter.",
                    list.join(", ")
                )));
            }
            None => list,
        };
        gateway.insert("only".into(), Value::from(list));
    }
    if let Some(order) = order {
        gateway.insert("order".into(), Value::from(order));
    }
    if let Some(sort) = sort {
        gateway.insert("sort".into(), Value::String(sort.vercel().to_owned()));
    }
    if let Some(limits) = max_price {
        check_max_price(limits, model, catalog, gateway.get("only"))?;
    }
    Ok(())
}

/// OpenRouter's `sort`: `"price"`, `"throughput"`, `"latency"`, or `{by, partition}` with the
/// default partition.
fn openrouter_sort(value: &Value) -> Result<Sort, Ineligible> {
    let (by, partition) = match value {
        Value::String(by) => (Some(by.as_str()), None),
        Value::Object(object) => {
            (object.get("by").and_then(Value::as_str), object.get("partition").filter(|p| !p.is_null()))
        }
        _ => (None, None),
    };
    if let Some(partition) = partition {
        if partition.as_str() != Some("model") {
            return Err(Ineligible::new(format!(
                "provider.sort.partition {partition} sorts across fallback models, which Vercel cannot express; keep \
                 this request on OpenRouter."
            )));
        }
    }
    by.and_then(Sort::from_openrouter).ok_or_else(|| {
        Ineligible::new(format!(
            "provider.sort {value} is not one of \"price\", \"throughput\", \"latency\"; keep this request on \
             OpenRouter."
        ))
    })
}

/// Enforces OpenRouter's `max_price` (USD per million tokens) against Vercel's prices for
/// `model`: the endpoints' prices when known (only those in `only`), else the catalog's.
fn check_max_price(limits: &Value, model: &str, catalog: &Catalog, only: Option<&Value>) -> Result<(), Ineligible> {
    let Value::Object(limits) = limits else {
        return Err(Ineligible::new("provider.max_price is not an object; keep this request on OpenRouter."));
    };
    let allowed = |provider: &str| {
        only.and_then(Value::as_array).is_none_or(|list| list.iter().any(|slug| slug.as_str() == Some(provider)))
    };
    for (key, limit) in limits {
        if limit.is_null() {
            continue;
        }
        let which = match key.as_str() {
            "prompt" => "prompt",
            "completion" => "completion",
            other => {
                return Err(Ineligible::new(format!(
                    "provider.max_price.{other} cannot be checked against Vercel's prices; keep this request on \
                     OpenRouter."
                )))
            }
        };
        let limit = limit
            .as_f64()
            .or_else(|| limit.as_str().and_then(|text| text.trim().parse().ok()))
            .ok_or_else(|| Ineligible::new(format!("provider.max_price.{key} is not a number.")))?;
        let pick = |input: Option<f64>, output: Option<f64>| if which == "prompt" { input } else { output };
        let prices: Vec<Option<f64>> = match catalog.endpoints(model) {
            Some(endpoints) => endpoints
                .iter()
                .filter(|endpoint| allowed(&endpoint.provider))
                .map(|endpoint| pick(endpoint.input_price, endpoint.output_price))
                .collect(),
            None => vec![catalog.get(model).and_then(|info| pick(info.input_price, info.output_price))],
        };
        let mut worst: f64 = 0.0;
        for price in prices {
            let Some(price) = price else {
                return Err(Ineligible::new(format!(
                    "provider.max_price.{key} cannot be checked because Vercel's {which} price for {model} is not \
                     known; keep this request on OpenRouter."
                )));
            };
            worst = worst.max(price * 1_000_000.0);
        }
        if worst > limit {
            return Err(Ineligible::new(format!(
                "{model} can cost ${} per million {which} tokens on Vercel, above provider.max_price.{key} \
                 (${}); keep this request on OpenRouter.",
                dollars(worst),
                dollars(limit)
            )));
        }
    }
    Ok(())
}

/// A dollar amount without float noise: `1.25`, `0.62`, `3`.
fn dollars(amount: f64) -> String {
    let text = format!("{amount:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The OpenRouter parameter names a request uses, for `require_parameters`.
fn request_parameters(body: &JsonObject) -> Vec<String> {
    let mut wanted: Vec<String> = Vec::new();
    for (key, value) in body {
        if value.is_null() {
            continue;
        }
        let name = if key == "max_completion_tokens" { "max_tokens" } else { key.as_str() };
        if PARAMETER_FIELDS.contains(&name) && !wanted.iter().any(|w| w == name) {
            wanted.push(name.to_owned());
        }
    }
    wanted
}

/// A list of provider slugs, each rewritten by `rename`, duplicates dropped.
fn slugs(value: &Value, field: &str, rename: fn(&str) -> String) -> Result<Vec<String>, Ineligible> {
    let items =
        value.as_array().ok_or_else(|| Ineligible::new(format!("{field} must be a list of provider slugs.")))?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let slug =
            item.as_str().ok_or_else(|| Ineligible::new(format!("{field} must be a list of provider slugs.")))?;
        out.push(rename(slug));
    }
    Ok(dedup(out))
}

/// A fallback `models` list mapped id by id; unmapped ids and the primary model are dropped.
fn map_fallbacks(
    value: &Value,
    primary: &str,
    map: impl Fn(&str) -> Option<String>,
) -> Result<Vec<String>, Ineligible> {
    let items =
        value.as_array().ok_or_else(|| Ineligible::new("The request's \"models\" must be a list of model ids."))?;
    let mut out = Vec::new();
    for item in items {
        let id =
            item.as_str().ok_or_else(|| Ineligible::new("The request's \"models\" must be a list of model ids."))?;
        if let Some(mapped) = map(id) {
            if mapped != primary {
                out.push(mapped);
            }
        }
    }
    Ok(dedup(out))
}

fn flag(value: &Value, field: &str) -> Result<bool, Ineligible> {
    value.as_bool().ok_or_else(|| Ineligible::new(format!("{field} must be true or false.")))
}

fn is_empty_value(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(object) => object.is_empty(),
        _ => false,
    }
}

/// The items of `list` that are also in `allowed`, in `list`'s order.
fn intersect(list: &[String], allowed: &[String]) -> Vec<String> {
    dedup(list.iter().filter(|slug| allowed.contains(slug)).cloned().collect())
}

fn dedup(list: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for item in list {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn slugs_rename_both_ways() {
        assert_eq!(provider_to_vercel("Amazon-Bedrock"), "bedrock");
        assert_eq!(provider_to_vercel("google-vertex/global"), "vertex");
        assert_eq!(provider_to_vercel("friendli"), "friendli");
        assert_eq!(provider_to_openrouter("vertexAnthropic"), "google-vertex");
        assert_eq!(provider_to_openrouter("togetherai"), "together");
        assert!(is_vercel_provider("bedrock") && !is_vercel_provider("friendli"));
    }

    #[test]
    fn reasoning_content_is_copied() {
        let mut chunk = json!({"choices": [{"delta": {"reasoning_content": "hmm"}}]});
        normalize_reasoning(&mut chunk);
        assert_eq!(chunk["choices"][0]["delta"]["reasoning"], "hmm");
    }
}
