//! `GET /v1/models/{creator}/{model}/endpoints`: the per-provider endpoints of a model.
//!
//! Design choices:
//! - **Real replies where we have them.** `vercel-deepseek-v3.2-endpoints.json` beside this file
//!   is a verbatim copy of a recorded fixture (see `CATALOG.md`); its `endpoints` object holds
//!   the live replies for `deepseek/deepseek-v3.2` and `deepseek/deepseek-v3.2-thinking`, which
//!   are served as recorded (four providers each).
//! - **Synthesised elsewhere**, from the model's catalog entry, in the shape of spec §6.3: one
//!   endpoint whose provider is the model's creator, pricing renamed to the endpoint vocabulary
//!   (`input` → `prompt`, `output` → `completion`, unpriced items `"0"`), limits from
//!   `context_window` / `max_tokens`, `supported_parameters` and modalities derived from the
//!   entry's `type` and `tags`. LocalGateway never fails, so uptimes are 100; it measures
//!   nothing, so latency and throughput are `null`.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

/// The recorded fixture; only its `endpoints` object is served.
const RECORDED: &str = include_str!("vercel-deepseek-v3.2-endpoints.json");

/// Recorded `/endpoints` replies by model id.
pub(crate) struct Endpoints {
    recorded: HashMap<String, Value>,
}

impl Endpoints {
    /// Reads the embedded replies.
    pub(crate) fn embedded() -> Result<Endpoints, String> {
        let document: Value = serde_json::from_str(RECORDED)
            .map_err(|error| format!("the embedded endpoints fixture is broken ({error}); this is a bug"))?;
        let recorded = match document.get("endpoints") {
            Some(Value::Object(replies)) => replies.iter().map(|(id, reply)| (id.clone(), reply.clone())).collect(),
            _ => return Err("the embedded endpoints fixture has no \"endpoints\" object; this is a bug".to_owned()),
        };
        Ok(Endpoints { recorded })
    }

    /// The reply for model `id` with catalog entry `entry`.
    pub(crate) fn reply(&self, id: &str, entry: &Value) -> Value {
        self.recorded.get(id).cloned().unwrap_or_else(|| synthesise(id, entry))
    }
}

/// What a model of this `type` outputs.
fn output_modalities(kind: &str, tags: &[&str]) -> Vec<&'static str> {
    match kind {
        "embedding" => vec!["embedding"],
        "image" => vec!["image"],
        "video" => vec!["video"],
        "speech" => vec!["audio"],
        "reranking" => vec!["rerank"],
        "realtime" => vec!["text", "audio"],
        _ if tags.contains(&"image-generation") => vec!["text", "image"],
        _ => vec!["text"],
    }
}

fn input_modalities(kind: &str, tags: &[&str]) -> Vec<&'static str> {
    let mut inputs = vec![if matches!(kind, "transcription") { "audio" } else { "text" }];
    if tags.contains(&"vision") {
        inputs.push("image");
    }
    if tags.contains(&"file-input") {
        inputs.push("file");
    }
    inputs
}

fn supported_parameters(kind: &str, tags: &[&str]) -> Vec<&'static str> {
    match kind {
        "language" => {
            let mut parameters = vec!["max_tokens", "temperature", "stop"];
            if tags.contains(&"tool-use") {
                parameters.extend(["tools", "tool_choice"]);
            }
            if tags.contains(&"reasoning") {
                parameters.push("reasoning");
            }
            parameters
        }
        "embedding" => vec!["dimensions"],
        _ => Vec::new(),
    }
}

/// The pricing object of an endpoint: the catalog's per-token prices renamed.
fn endpoint_pricing(entry: &Value) -> Value {
    let pricing = entry.get("pricing").cloned().unwrap_or_else(|| json!({}));
    let text = |key: &str| pricing.get(key).and_then(Value::as_str).unwrap_or("0").to_owned();
    let mut out = Map::new();
    out.insert("prompt".into(), json!(text("input")));
    out.insert("completion".into(), json!(text("output")));
    for key in ["request", "image", "image_output", "web_search", "internal_reasoning"] {
        out.insert(key.into(), json!("0"));
    }
    for key in ["input_cache_read", "input_cache_write"] {
        if let Some(price) = pricing.get(key) {
            out.insert(key.into(), price.clone());
        }
    }
    out.insert("discount".into(), json!(0));
    Value::Object(out)
}

/// A single-provider reply built from a catalog entry.
fn synthesise(id: &str, entry: &Value) -> Value {
    let kind = entry.get("type").and_then(Value::as_str).unwrap_or("language");
    let tags: Vec<&str> =
        entry.get("tags").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let name = entry.get("name").cloned().unwrap_or_else(|| json!(id));
    let provider = entry
        .get("owned_by")
        .and_then(Value::as_str)
        .or_else(|| id.split_once('/').map(|(creator, _)| creator))
        .unwrap_or(id);
    let inputs = input_modalities(kind, &tags);
    let outputs = output_modalities(kind, &tags);
    let field = |key: &str| entry.get(key).cloned().unwrap_or(Value::Null);
    let mut endpoint = json!({
        "name": format!("{provider} | {id}"),
        "model_name": name,
        "context_length": field("context_window"),
        "pricing": endpoint_pricing(entry),
        "provider_name": provider,
        "tags": tags,
        "quantization": null,
        "max_completion_tokens": field("max_tokens"),
        "max_prompt_tokens": null,
        "supported_parameters": supported_parameters(kind, &tags),
        "status": 0,
        "uptime_last_15m": 100,
        "uptime_last_1h": 100,
        "uptime_last_1d": 100,
        "latency_last_1h": null,
        "throughput_last_1h": null,
        "supports_implicit_caching": tags.contains(&"implicit-caching")
    });
    if let Some(parameters) = entry.get("supported_parameters") {
        endpoint["supported_parameters"] = parameters.clone();
    }
    json!({"data": {
        "id": id,
        "name": name,
        "created": field("created"),
        "released": field("released"),
        "description": entry.get("description").cloned().unwrap_or_else(|| json!("")),
        "architecture": {
            "tokenizer": null,
            "instruct_type": null,
            "modality": format!("{}→{}", inputs.join("+"), outputs.join("+")),
            "input_modalities": inputs,
            "output_modalities": outputs
        },
        "endpoints": [endpoint]
    }})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_replies_are_served_for_the_deepseek_models() {
        let endpoints = Endpoints::embedded().unwrap();
        let reply = endpoints.reply("deepseek/deepseek-v3.2", &json!({}));
        let providers: Vec<&str> = reply["data"]["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["provider_name"].as_str().unwrap())
            .collect();
        assert_eq!(providers, ["bedrock", "deepinfra", "deepseek", "novita"]);
        let thinking = endpoints.reply("deepseek/deepseek-v3.2-thinking", &json!({}));
        assert!(thinking["data"]["endpoints"].as_array().unwrap().iter().any(|e| e["provider_name"] == "fireworks"));
    }

    #[test]
    fn other_models_get_one_synthesised_endpoint() {
        let entry = json!({"id": "openai/gpt-5", "name": "GPT-5", "owned_by": "openai", "type": "language",
            "created": 1, "released": 2, "context_window": 400_000, "max_tokens": 128_000,
            "tags": ["reasoning", "tool-use", "vision", "file-input"],
            "pricing": {"input": "0.00000125", "output": "0.00001", "input_cache_read": "0.000000125"}});
        let reply = Endpoints::embedded().unwrap().reply("openai/gpt-5", &entry);
        let data = &reply["data"];
        assert_eq!(data["architecture"]["modality"], "text+image+file→text");
        let endpoints = data["endpoints"].as_array().unwrap();
        assert_eq!(endpoints.len(), 1);
        let endpoint = &endpoints[0];
        assert_eq!(endpoint["name"], "openai | openai/gpt-5");
        assert_eq!(endpoint["pricing"]["prompt"], "0.00000125");
        assert_eq!(endpoint["pricing"]["completion"], "0.00001");
        assert_eq!(endpoint["pricing"]["input_cache_read"], "0.000000125");
        assert_eq!(endpoint["pricing"]["request"], "0");
        assert_eq!(endpoint["context_length"], 400_000);
        assert_eq!(endpoint["max_completion_tokens"], 128_000);
        assert_eq!(
            endpoint["supported_parameters"],
            json!(["max_tokens", "temperature", "stop", "tools", "tool_choice", "reasoning"])
        );
        let embedding = Endpoints::embedded().unwrap().reply("x/e", &json!({"type": "embedding"}));
        assert_eq!(embedding["data"]["architecture"]["output_modalities"], json!(["embedding"]));
        assert_eq!(embedding["data"]["endpoints"][0]["pricing"]["prompt"], "0");
    }
}
