//! Request translation between OpenRouter and Vercel: every row of spec `routing.md` §3.1 both
//! ways, provider slugs (§3.2), ineligibility reasons, reasoning replay and normalisation (§3.4).

use std::sync::OnceLock;

use serde_json::{json, Value};
use vercel_ai_gateway::catalog::{Catalog, Gateway};
use vercel_ai_gateway::routing::mapping::ModelMap;
use vercel_ai_gateway::routing::translate::{
    normalize_reasoning, provider_to_openrouter, provider_to_vercel, to_openrouter, to_openrouter_with, to_vercel,
    to_vercel_with, Ineligible, ReasoningReplay, TranslateOptions, PROVIDER_RENAMES,
};

/// Served by bedrock, deepinfra, deepseek and novita in the embedded endpoints snapshot.
const DEEPSEEK: &str = "deepseek/deepseek-v3.2";
/// Also fireworks, the only one listing `reasoning` among its parameters.
const DEEPSEEK_THINKING: &str = "deepseek/deepseek-v3.2-thinking";
/// No endpoints attached: providers unknown.
const SONNET: &str = "anthropic/claude-sonnet-4.5";

fn vercel() -> &'static Catalog {
    Catalog::embedded(Gateway::Vercel).unwrap()
}

fn map() -> &'static ModelMap {
    static MAP: OnceLock<ModelMap> = OnceLock::new();
    MAP.get_or_init(|| ModelMap::build(Catalog::embedded(Gateway::OpenRouter).unwrap(), vercel(), &[]))
}

fn chat(model: &str) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": "hi"}], "temperature": 0.2, "stream": true})
}

fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

/// OpenRouter body with `provider` → Vercel, for `model`.
fn or_to_vercel(model: &str, provider: Value) -> Result<Value, Ineligible> {
    to_vercel(&with(chat(model), "provider", provider), model, map(), vercel())
}

fn gateway_of(translated: &Value) -> &Value {
    &translated["providerOptions"]["gateway"]
}

/// Vercel body with `providerOptions.gateway` → OpenRouter, for `model`.
fn vercel_to_or(model: &str, gateway: Value) -> Result<Value, Ineligible> {
    to_openrouter(&with(chat(model), "providerOptions", json!({ "gateway": gateway })), model, map())
}

fn refused(result: Result<Value, Ineligible>) -> String {
    let reason = result.expect_err("expected the request to be ineligible").reason;
    assert!(reason.ends_with('.'), "not a sentence: {reason}");
    reason
}

#[test]
fn model_is_rewritten_and_the_rest_kept() {
    let body = chat("x-ai/grok-4.3");
    let out = to_vercel(&body, "xai/grok-4.3", map(), vercel()).unwrap();
    assert_eq!(out["model"], "xai/grok-4.3");
    assert_eq!(out["messages"], body["messages"]);
    assert_eq!(out["temperature"], 0.2);
    assert_eq!(out["stream"], true);
    assert!(out.get("providerOptions").is_none(), "nothing to carry, nothing added: {out}");
    let back = to_openrouter(&out, "x-ai/grok-4.3", map()).unwrap();
    assert_eq!(back, body);
    assert!(refused(to_vercel(&json!([1]), "a/b", map(), vercel())).contains("not a JSON object"));
}

#[test]
fn order_maps_slugs_both_ways() {
    let out =
        or_to_vercel(SONNET, json!({"order": ["amazon-bedrock", "google-vertex/global", "Anthropic", "anthropic"]}))
            .unwrap();
    assert_eq!(gateway_of(&out)["order"], json!(["bedrock", "vertex", "anthropic"]));
    assert!(out.get("provider").is_none());
    let back = vercel_to_or(SONNET, json!({"order": ["bedrock", "vertexAnthropic", "anthropic"]})).unwrap();
    assert_eq!(back["provider"]["order"], json!(["amazon-bedrock", "google-vertex", "anthropic"]));
    assert!(back.get("providerOptions").is_none());
}

#[test]
fn only_is_checked_against_the_providers_serving_the_model() {
    // Known providers: keep those that serve the model, in the caller's order.
    let out = or_to_vercel(DEEPSEEK, json!({"only": ["novita", "groq", "deepinfra/fp8"]})).unwrap();
    assert_eq!(gateway_of(&out)["only"], json!(["novita", "deepinfra"]));
    let reason = refused(or_to_vercel(DEEPSEEK, json!({"only": ["groq"]})));
    assert!(
        reason
            .contains("serves deepseek/deepseek-v3.2 on Vercel (it is served by bedrock, deepinfra, deepseek, novita)"),
        "{reason}"
    );
    // Unknown providers: pass through, unless none of them exists on Vercel.
    let out = or_to_vercel(SONNET, json!({"only": ["amazon-bedrock", "friendli"]})).unwrap();
    assert_eq!(gateway_of(&out)["only"], json!(["bedrock", "friendli"]));
    let reason = refused(or_to_vercel(SONNET, json!({"only": ["friendli", "venice"]})));
    assert!(reason.contains("is a Vercel provider"), "{reason}");
    let back = vercel_to_or(SONNET, json!({"only": ["togetherai", "zai"]})).unwrap();
    assert_eq!(back["provider"]["only"], json!(["together", "z-ai"]));
    assert!(refused(or_to_vercel(SONNET, json!({"only": "anthropic"}))).contains("list of provider slugs"));
}

#[test]
fn ignore_becomes_only_from_the_endpoints() {
    let out = or_to_vercel(DEEPSEEK, json!({"ignore": ["amazon-bedrock", "novita"]})).unwrap();
    assert_eq!(gateway_of(&out)["only"], json!(["deepinfra", "deepseek"]));
    assert!(gateway_of(&out).get("ignore").is_none());
    // Intersected with `only` when both are given.
    let out = or_to_vercel(DEEPSEEK, json!({"only": ["deepseek", "novita"], "ignore": ["novita"]})).unwrap();
    assert_eq!(gateway_of(&out)["only"], json!(["deepseek"]));
    let reason =
        refused(or_to_vercel(DEEPSEEK, json!({"ignore": ["amazon-bedrock", "deepinfra", "deepseek", "novita"]})));
    assert!(reason.starts_with("After provider.ignore"), "{reason}");
    let reason = refused(or_to_vercel(SONNET, json!({"ignore": ["anthropic"]})));
    assert!(reason.contains("not known") && reason.contains("with_endpoints_json"), "{reason}");
    // An empty list ignores nothing.
    assert!(or_to_vercel(SONNET, json!({"ignore": []})).is_ok());
}

#[test]
fn attached_endpoints_answer_ignore() {
    let endpoints = json!({"data": {"id": SONNET, "endpoints": [
        {"provider_name": "anthropic", "supported_parameters": ["tools"]},
        {"provider_name": "bedrock", "supported_parameters": ["tools"]},
        {"provider_name": "vertexAnthropic", "supported_parameters": ["tools"]},
    ]}});
    let catalog = vercel().clone().with_endpoints_json(SONNET, &endpoints.to_string()).unwrap();
    assert_eq!(catalog.providers_for(SONNET).unwrap(), ["anthropic", "bedrock", "vertex"]);
    let body = with(chat(SONNET), "provider", json!({"ignore": ["anthropic", "google-vertex"]}));
    let out = to_vercel(&body, SONNET, map(), &catalog).unwrap();
    assert_eq!(gateway_of(&out)["only"], json!(["bedrock"]));
}

#[test]
fn allow_fallbacks_false_pins_the_order() {
    let out =
        or_to_vercel(SONNET, json!({"order": ["anthropic", "amazon-bedrock"], "allow_fallbacks": false})).unwrap();
    assert_eq!(gateway_of(&out)["only"], json!(["anthropic", "bedrock"]));
    assert_eq!(gateway_of(&out)["order"], json!(["anthropic", "bedrock"]));
    let out = or_to_vercel(SONNET, json!({"only": ["anthropic"], "allow_fallbacks": false})).unwrap();
    assert_eq!(gateway_of(&out)["only"], json!(["anthropic"]));
    let reason = refused(or_to_vercel(SONNET, json!({"allow_fallbacks": false})));
    assert!(reason.contains("allow_fallbacks: false"), "{reason}");
    let out = or_to_vercel(SONNET, json!({"allow_fallbacks": true})).unwrap();
    assert!(out.get("providerOptions").is_none());
    assert!(refused(or_to_vercel(SONNET, json!({"allow_fallbacks": "no"}))).contains("true or false"));
}

#[test]
fn require_parameters_filters_providers_by_their_parameters() {
    let body = with(
        with(chat(DEEPSEEK_THINKING), "reasoning", json!({"effort": "high"})),
        "provider",
        json!({"require_parameters": true}),
    );
    let out = to_vercel(&body, DEEPSEEK_THINKING, map(), vercel()).unwrap();
    assert_eq!(gateway_of(&out)["only"], json!(["fireworks"]));
    // Plain parameters every provider lists.
    let body = with(
        with(chat(DEEPSEEK), "max_completion_tokens", json!(100)),
        "provider",
        json!({"require_parameters": true}),
    );
    let out = to_vercel(&body, DEEPSEEK, map(), vercel()).unwrap();
    assert_eq!(gateway_of(&out)["only"], json!(["bedrock", "deepinfra", "deepseek", "novita"]));
    let body = with(
        with(chat(DEEPSEEK), "reasoning", json!({"effort": "high"})),
        "provider",
        json!({"require_parameters": true}),
    );
    let reason = refused(to_vercel(&body, DEEPSEEK, map(), vercel()));
    assert!(reason.contains("(temperature, reasoning)"), "{reason}");
    let reason = refused(or_to_vercel(SONNET, json!({"require_parameters": true})));
    assert!(reason.contains("not known"), "{reason}");
    assert!(or_to_vercel(SONNET, json!({"require_parameters": false})).is_ok());
}

#[test]
fn privacy_options_map_both_ways_and_are_never_weakened() {
    let out = or_to_vercel(SONNET, json!({"data_collection": "deny", "zdr": true})).unwrap();
    assert_eq!(gateway_of(&out)["disallowPromptTraining"], true);
    assert_eq!(gateway_of(&out)["zeroDataRetention"], true);
    let out = or_to_vercel(SONNET, json!({"data_collection": "allow", "zdr": false})).unwrap();
    assert!(out.get("providerOptions").is_none(), "{out}");
    assert!(refused(or_to_vercel(SONNET, json!({"data_collection": "maybe"}))).contains("data_collection"));
    assert!(refused(or_to_vercel(SONNET, json!({"zdr": "yes"}))).contains("true or false"));

    let back = vercel_to_or(SONNET, json!({"disallowPromptTraining": true, "zeroDataRetention": true})).unwrap();
    assert_eq!(back["provider"], json!({"data_collection": "deny", "zdr": true}));
    let back = vercel_to_or(SONNET, json!({"disallowPromptTraining": false, "zeroDataRetention": false})).unwrap();
    assert!(back.get("provider").is_none());

    let reason = refused(or_to_vercel(SONNET, json!({"enforce_distillable_text": true})));
    assert!(reason.contains("enforce_distillable_text has no Vercel equivalent"), "{reason}");
    assert!(or_to_vercel(SONNET, json!({"enforce_distillable_text": false})).is_ok());
}

#[test]
fn quantizations_are_ineligible() {
    let reason = refused(or_to_vercel(SONNET, json!({"quantizations": ["fp8"]})));
    assert!(reason.starts_with("provider.quantizations has no Vercel equivalent"), "{reason}");
    assert!(or_to_vercel(SONNET, json!({"quantizations": []})).is_ok());
}

#[test]
fn sort_maps_both_ways() {
    for (openrouter, vercel_sort) in [("price", "cost"), ("throughput", "tps"), ("latency", "ttft")] {
        let out = or_to_vercel(SONNET, json!({"sort": openrouter})).unwrap();
        assert_eq!(gateway_of(&out)["sort"], vercel_sort);
        let back = vercel_to_or(SONNET, json!({"sort": vercel_sort})).unwrap();
        assert_eq!(back["provider"]["sort"], openrouter);
    }
    let out = or_to_vercel(SONNET, json!({"sort": {"by": "throughput", "partition": "model"}})).unwrap();
    assert_eq!(gateway_of(&out)["sort"], "tps");
    assert!(refused(or_to_vercel(SONNET, json!({"sort": {"by": "price", "partition": "none"}}))).contains("partition"));
    assert!(refused(or_to_vercel(SONNET, json!({"sort": "vibes"}))).contains("provider.sort"));
    assert!(refused(vercel_to_or(SONNET, json!({"sort": "vibes"}))).contains("providerOptions.gateway.sort"));
}

#[test]
fn max_price_is_enforced_against_vercel_prices() {
    // Endpoints known: the dearest allowed provider counts (bedrock, $0.62 per million prompt).
    let out = or_to_vercel(DEEPSEEK, json!({"max_price": {"prompt": 1, "completion": 2}})).unwrap();
    assert!(out.get("providerOptions").is_none(), "the limit is checked here, not sent: {out}");
    let reason = refused(or_to_vercel(DEEPSEEK, json!({"max_price": {"prompt": 0.5}})));
    assert!(reason.contains("above provider.max_price.prompt"), "{reason}");
    // ... unless `only` leaves just the cheap ones.
    assert!(or_to_vercel(DEEPSEEK, json!({"only": ["deepinfra"], "max_price": {"prompt": 0.5}})).is_ok());
    // Endpoints unknown: the catalog price (openai/gpt-5, $1.25 per million prompt tokens).
    assert!(or_to_vercel("openai/gpt-5", json!({"max_price": {"prompt": 2}})).is_ok());
    assert!(refused(or_to_vercel("openai/gpt-5", json!({"max_price": {"prompt": 1}}))).contains("$1.25"));
    // A price Vercel does not list cannot be checked.
    assert!(refused(or_to_vercel("meta/llama-3.3-70b", json!({"max_price": {"prompt": 1}}))).contains("not known"));
    assert!(refused(or_to_vercel(SONNET, json!({"max_price": {"request": 0.01}}))).contains("max_price.request"));
}

#[test]
fn soft_preferences_are_dropped_only_when_declared_soft() {
    let body = with(chat(SONNET), "provider", json!({"preferred_min_throughput": 50, "preferred_max_latency": 2}));
    let reason = refused(to_vercel(&body, SONNET, map(), vercel()));
    assert!(reason.contains("drop_soft_preferences"), "{reason}");
    let options = TranslateOptions { drop_soft_preferences: true, ..TranslateOptions::default() };
    let out = to_vercel_with(&body, SONNET, map(), vercel(), &options).unwrap();
    assert!(out.get("providerOptions").is_none() && out.get("provider").is_none(), "{out}");
}

#[test]
fn unknown_provider_options_are_refused() {
    let reason = refused(or_to_vercel(SONNET, json!({"experimental_thing": true})));
    assert_eq!(reason, "provider.experimental_thing is not an option this package can carry to Vercel; keep this request on OpenRouter.");
    assert!(refused(or_to_vercel(SONNET, json!("anthropic"))).contains("not an object"));
    // Null means "not set".
    assert!(or_to_vercel(SONNET, json!({"only": null, "zdr": null})).is_ok());
}

#[test]
fn fallback_models_are_mapped_id_by_id() {
    let body = with(
        chat("x-ai/grok-4.3"),
        "models",
        json!([
            "x-ai/grok-4.3",
            "qwen/qwen3-14b",
            "openrouter/auto",
            "thedrummer/rocinante-12b",
            "meta-llama/llama-3.3-70b-instruct:free",
            "qwen/qwen3-14b"
        ]),
    );
    let out = to_vercel(&body, "xai/grok-4.3", map(), vercel()).unwrap();
    assert_eq!(gateway_of(&out)["models"], json!(["alibaba/qwen-3-14b", "meta/llama-3.3-70b"]));
    assert!(out.get("models").is_none());
    // Nothing mappable: no list at all.
    let body = with(chat("x-ai/grok-4.3"), "models", json!(["openrouter/auto"]));
    assert!(to_vercel(&body, "xai/grok-4.3", map(), vercel()).unwrap().get("providerOptions").is_none());

    let back = vercel_to_or(
        "xai/grok-4.3",
        json!({"models": ["alibaba/qwen-3-14b", "xai/grok-4.20-non-reasoning", "zai/glm-4.7"]}),
    )
    .unwrap();
    assert_eq!(back["models"], json!(["qwen/qwen3-14b", "z-ai/glm-4.7"]));
    assert!(refused(to_vercel(&with(chat(SONNET), "models", json!("a/b")), SONNET, map(), vercel()))
        .contains("list of model ids"));
}

#[test]
fn user_is_carried_both_ways() {
    let out = to_vercel(&with(chat(SONNET), "user", json!("u_42")), SONNET, map(), vercel()).unwrap();
    assert_eq!(out["user"], "u_42");
    assert_eq!(gateway_of(&out)["user"], "u_42");
    let back = vercel_to_or(SONNET, json!({"user": "u_7"})).unwrap();
    assert_eq!(back["user"], "u_7");
}

#[test]
fn vercel_only_options() {
    // Reporting, caching, de-duplication and BYOK tuning restrict nothing: dropped.
    let back = vercel_to_or(SONNET, json!({"tags": ["team-a"], "caching": "auto", "idempotencyKey": "k1", "providerTimeouts": {"byok": {"anthropic": 5000}}})).unwrap();
    assert!(back.get("provider").is_none() && back.get("providerOptions").is_none(), "{back}");
    for (key, value, expect) in [
        ("byok", json!({"anthropic": [{"apiKey": "sk-..."}]}), "own provider credentials"),
        ("has", json!(["vision"]), "capability"),
        ("serviceTier", json!("flex"), "serviceTier"),
        ("quotaEntityId", json!("team-a"), "quota"),
        ("somethingNew", json!(1), "somethingNew"),
    ] {
        let reason = refused(vercel_to_or(SONNET, json!({ key: value })));
        assert!(reason.contains(expect), "{key}: {reason}");
    }
    assert!(vercel_to_or(SONNET, json!({"has": []})).is_ok());
    let body = with(chat(SONNET), "providerOptions", json!({"anthropic": {"effort": "high"}}));
    assert!(refused(to_openrouter(&body, SONNET, map())).contains("providerOptions.anthropic"));
}

#[test]
fn decorations_become_options() {
    let out = to_vercel(&chat("x-ai/grok-4.3:nitro"), "xai/grok-4.3", map(), vercel()).unwrap();
    assert_eq!(out["model"], "xai/grok-4.3");
    assert_eq!(gateway_of(&out)["sort"], "tps");
    let out = to_vercel(&chat("qwen/qwen3-14b:floor"), "alibaba/qwen-3-14b", map(), vercel()).unwrap();
    assert_eq!(gateway_of(&out)["sort"], "cost");
    // An explicit provider.sort wins over the decoration.
    let body = with(chat("x-ai/grok-4.3:nitro"), "provider", json!({"sort": "latency"}));
    assert_eq!(gateway_of(&to_vercel(&body, "xai/grok-4.3", map(), vercel()).unwrap())["sort"], "ttft");
    // :nitro with a null provider, or other provider options, still sorts.
    let body = with(chat("x-ai/grok-4.3:nitro"), "provider", Value::Null);
    assert_eq!(gateway_of(&to_vercel(&body, "xai/grok-4.3", map(), vercel()).unwrap())["sort"], "tps");
    let body = with(chat("x-ai/grok-4.3:nitro"), "provider", json!({"zdr": true}));
    assert_eq!(gateway_of(&to_vercel(&body, "xai/grok-4.3", map(), vercel()).unwrap())["sort"], "tps");

    let out = to_vercel(&chat("qwen/qwen-plus-2025-07-28:thinking"), "alibaba/qwen3.5-plus", map(), vercel()).unwrap();
    assert_eq!(out["reasoning"], json!({"enabled": true}));
    let body = with(chat("qwen/qwen-plus-2025-07-28:thinking"), "reasoning", json!({"effort": "low"}));
    assert_eq!(
        to_vercel(&body, "alibaba/qwen3.5-plus", map(), vercel()).unwrap()["reasoning"],
        json!({"effort": "low"})
    );

    let out = to_vercel(&chat("openai/gpt-oss-120b:free"), "openai/gpt-oss-120b", map(), vercel()).unwrap();
    assert!(out.get("providerOptions").is_none());
    for model in ["openai/gpt-5:online", "moonshotai/kimi-k2.6:exacto", "openai/gpt-5:sparkly"] {
        let reason = refused(to_vercel(&chat(model), "openai/gpt-5", map(), vercel()));
        assert!(reason.contains("keep this request on OpenRouter"), "{model}: {reason}");
    }
}

#[test]
fn openrouter_only_fields() {
    let body = with(chat(SONNET), "plugins", json!([{"id": "web"}]));
    assert!(refused(to_vercel(&body, SONNET, map(), vercel())).contains("plugins"));
    let body = with(chat(SONNET), "transforms", json!(["middle-out"]));
    assert!(refused(to_vercel(&body, SONNET, map(), vercel())).contains("middle-out"));
    let body = with(
        with(
            with(with(chat(SONNET), "transforms", json!([])), "usage", json!({"include": true})),
            "route",
            json!("fallback"),
        ),
        "plugins",
        json!([]),
    );
    let out = to_vercel(&body, SONNET, map(), vercel()).unwrap();
    for key in ["transforms", "usage", "route", "plugins"] {
        assert!(out.get(key).is_none(), "{key} left in {out}");
    }
    assert!(
        refused(to_vercel(&with(chat(SONNET), "route", json!("sideways")), SONNET, map(), vercel())).contains("route")
    );
}

fn conversation() -> Value {
    json!({
        "model": SONNET,
        "messages": [
            {"role": "user", "content": "2+2?"},
            {"role": "assistant", "content": "4", "reasoning_details": [
                {"type": "reasoning.text", "text": "Add them.", "signature": "sig-abc", "format": "anthropic-claude-v1", "index": 0},
                {"type": "reasoning.encrypted", "data": "opaque", "format": "anthropic-claude-v1", "index": 1},
            ]},
            {"role": "assistant", "content": "ok", "reasoning": "Kept.", "reasoning_details": [
                {"type": "reasoning.summary", "summary": "Summary."},
            ]},
            {"role": "user", "content": "and 3+3?", "reasoning_details": "user messages are left alone"},
        ],
    })
}

#[test]
fn signed_reasoning_is_downgraded_when_switching_gateways() {
    let expected = json!([
        {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": "4", "reasoning": "Add them."},
        {"role": "assistant", "content": "ok", "reasoning": "Kept."},
        {"role": "user", "content": "and 3+3?", "reasoning_details": "user messages are left alone"},
    ]);
    let out = to_vercel(&conversation(), SONNET, map(), vercel()).unwrap();
    assert_eq!(out["messages"], expected);
    let back = to_openrouter(&conversation(), SONNET, map()).unwrap();
    assert_eq!(back["messages"], expected);

    let keep = TranslateOptions { reasoning_replay: ReasoningReplay::Keep, ..TranslateOptions::default() };
    assert_eq!(
        to_vercel_with(&conversation(), SONNET, map(), vercel(), &keep).unwrap()["messages"],
        conversation()["messages"]
    );
    assert_eq!(
        to_openrouter_with(&conversation(), SONNET, map(), &keep).unwrap()["messages"],
        conversation()["messages"]
    );
}

#[test]
fn reasoning_content_is_normalised() {
    let mut response = json!({"choices": [
        {"message": {"role": "assistant", "content": "4", "reasoning_content": "Add."}},
        {"message": {"role": "assistant", "content": "4", "reasoning": "Own.", "reasoning_content": "Other."}},
        {"message": {"role": "assistant", "content": "4", "reasoning": null, "reasoning_content": "Was null."}},
    ]});
    normalize_reasoning(&mut response);
    assert_eq!(response["choices"][0]["message"]["reasoning"], "Add.");
    assert_eq!(response["choices"][1]["message"]["reasoning"], "Own.");
    assert_eq!(response["choices"][2]["message"]["reasoning"], "Was null.");

    let mut chunk = json!({"choices": [{"index": 0, "delta": {"reasoning_content": "Thinking"}}]});
    normalize_reasoning(&mut chunk);
    assert_eq!(chunk["choices"][0]["delta"], json!({"reasoning_content": "Thinking", "reasoning": "Thinking"}));

    let mut message = json!({"role": "assistant", "reasoning_content": "Bare."});
    normalize_reasoning(&mut message);
    assert_eq!(message["reasoning"], "Bare.");

    let mut untouched = json!({"choices": [{"delta": {"content": "x"}}]});
    normalize_reasoning(&mut untouched);
    assert_eq!(untouched, json!({"choices": [{"delta": {"content": "x"}}]}));
}

#[test]
fn provider_slug_tables() {
    for (openrouter, vercel_slug) in PROVIDER_RENAMES {
        assert_eq!(provider_to_vercel(openrouter), *vercel_slug);
        assert_eq!(provider_to_openrouter(vercel_slug), *openrouter);
    }
    assert_eq!(provider_to_vercel("Google-AI-Studio"), "google");
    assert_eq!(provider_to_vercel("xai/zdr"), "xai");
    assert_eq!(provider_to_vercel("together/fast"), "togetherai");
    assert_eq!(provider_to_vercel("openai/flex"), "openai");
    assert_eq!(provider_to_vercel("seed"), "bytedance");
    assert_eq!(provider_to_openrouter("vertexAnthropic"), "google-vertex");
    assert_eq!(provider_to_openrouter("claudeaws"), "claude-on-aws");
    // Unknown slugs pass through (normalised).
    assert_eq!(provider_to_vercel("ionstream"), "ionstream");
    assert_eq!(provider_to_openrouter("klingai"), "klingai");
    assert_eq!(provider_to_openrouter("deepinfra"), "deepinfra");
}
