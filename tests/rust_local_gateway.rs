//! Integration tests of `LocalGateway` over real HTTP with reqwest.
//!
//! Every test starts its own gateway on an ephemeral port; nothing sleeps to synchronise: a
//! request has been recorded by the time its response arrives, and `shutdown` returns only
//! once the server thread is gone.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use vercel_ai_gateway::jwt::{decode_claims, mint_unsigned};
use vercel_ai_gateway::local_gateway::{Fault, LocalGateway, LocalGatewayConfig, ScriptedReply};
use vercel_ai_gateway::Error;

const PRICED_MODEL: &str = "openai/gpt-5";
const ECHO_PREFIX: &str = "Hello from LocalGateway! You said: ";

fn start(config: LocalGatewayConfig) -> LocalGateway {
    LocalGateway::start(config).expect("LocalGateway starts")
}

fn with_keys(keys: &[&str]) -> LocalGatewayConfig {
    LocalGatewayConfig { api_keys: keys.iter().map(|k| (*k).to_owned()).collect(), ..LocalGatewayConfig::default() }
}

fn now() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

fn hello(model: &str) -> Value {
    json!({"model": model, "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "ping"}
    ]})
}

async fn chat(gateway: &LocalGateway, bearer: Option<&str>, body: &Value) -> reqwest::Response {
    let mut request = reqwest::Client::new().post(format!("{}/chat/completions", gateway.base_url())).json(body);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request reaches the gateway")
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON body")
}

/// Splits an SSE body into its `data:` payloads, checking the framing on the way.
fn sse_payloads(text: &str) -> Vec<String> {
    assert!(text.ends_with("\n\n"), "stream ends with a blank line");
    text.split("\n\n")
        .filter(|event| !event.is_empty())
        .map(|event| event.strip_prefix("data: ").expect("every event is a data line").to_owned())
        .collect()
}

#[test]
fn the_handle_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<LocalGateway>();
}

#[tokio::test]
async fn models_list_and_one_model_without_auth() {
    let gateway = start(LocalGatewayConfig::default());
    let client = reqwest::Client::new();

    let response = client.get(format!("{}/models", gateway.base_url())).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let list = json_of(response).await;
    assert_eq!(list["object"], "list");
    assert_eq!(list["data"].as_array().unwrap().len(), 297);

    let one = json_of(client.get(format!("{}/models/{PRICED_MODEL}", gateway.base_url())).send().await.unwrap()).await;
    assert_eq!(one["id"], PRICED_MODEL);
    assert_eq!(one["object"], "model");
    assert_eq!(one["type"], "language");
    assert!(one.get("data").is_none(), "a single model has no envelope");

    let response = client.get(format!("{}/models/acme/nope", gateway.base_url())).send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(
        json_of(response).await,
        json!({"error": {
            "message": "Model 'acme/nope' not found",
            "type": "model_not_found",
            "param": {"modelId": "acme/nope"}
        }})
    );
}

#[tokio::test]
async fn chat_requires_a_valid_bearer_and_never_echoes_it() {
    let gateway = start(with_keys(&["vck_good"]));
    let body = hello(PRICED_MODEL);

    let response = chat(&gateway, None, &body).await;
    assert_eq!(response.status(), 401);
    let error = json_of(response).await;
    assert_eq!(error["error"]["type"], "authentication_error");
    assert!(error["error"]["message"].as_str().unwrap().contains("Authorization"));

    let response = chat(&gateway, Some("vck_canary_wrong"), &body).await;
    assert_eq!(response.status(), 401);
    let text = response.text().await.unwrap();
    assert!(!text.contains("canary"), "{text}");
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["error"]["type"], "authentication_error");

    assert_eq!(chat(&gateway, Some("vck_good"), &body).await.status(), 200);
}

#[tokio::test]
async fn open_mode_accepts_any_bearer() {
    let gateway = start(LocalGatewayConfig { accept_oidc: false, ..LocalGatewayConfig::default() });
    assert_eq!(chat(&gateway, Some("anything"), &hello(PRICED_MODEL)).await.status(), 200);
    // With OIDC checks off, an expired JWT is just another opaque bearer.
    let expired = mint_unsigned(&json!({"exp": now() - 60}));
    assert_eq!(chat(&gateway, Some(&expired), &hello(PRICED_MODEL)).await.status(), 200);
    assert_eq!(chat(&gateway, None, &hello(PRICED_MODEL)).await.status(), 401);
}

#[tokio::test]
async fn oidc_tokens_are_accepted_until_they_expire() {
    let gateway = start(with_keys(&["vck_good"]));
    let fresh = mint_unsigned(&json!({"sub": "owner:x:project:p", "exp": now() + 3600}));
    assert_eq!(chat(&gateway, Some(&fresh), &hello(PRICED_MODEL)).await.status(), 200);
    let no_exp = mint_unsigned(&json!({"sub": "owner:x:project:p"}));
    assert_eq!(chat(&gateway, Some(&no_exp), &hello(PRICED_MODEL)).await.status(), 200);

    let expired = mint_unsigned(&json!({"sub": "owner:x:project:p", "exp": now() - 60}));
    let response = chat(&gateway, Some(&expired), &hello(PRICED_MODEL)).await;
    assert_eq!(response.status(), 401);
    let message = json_of(response).await["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("expired"), "{message}");
    assert!(!message.contains(&expired[..20]));

    // The default config checks expiry too, even though it accepts any API key.
    let default = start(LocalGatewayConfig::default());
    assert_eq!(chat(&default, Some(&expired), &hello(PRICED_MODEL)).await.status(), 401);
    assert_eq!(chat(&default, Some("vck_any"), &hello(PRICED_MODEL)).await.status(), 200);

    let strict = start(LocalGatewayConfig { accept_oidc: false, ..with_keys(&["vck_good"]) });
    assert_eq!(chat(&strict, Some(&fresh), &hello(PRICED_MODEL)).await.status(), 401);
}

#[tokio::test]
async fn plain_completion_has_the_gateway_shape() {
    let gateway = start(LocalGatewayConfig::default());
    let response = chat(&gateway, Some("vck_test"), &hello(PRICED_MODEL)).await;
    assert_eq!(response.status(), 200);
    let body = json_of(response).await;

    let id = body["id"].as_str().unwrap();
    assert_eq!(id.len(), 30);
    assert!(id.starts_with("gen_"));
    assert_eq!(body["generationId"], id);
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["model"], PRICED_MODEL);
    assert!(body["created"].as_i64().unwrap() >= now() - 5);
    assert!(body["system_fingerprint"].as_str().unwrap().starts_with("fp_"));

    let choice = &body["choices"][0];
    assert_eq!(choice["index"], 0);
    assert_eq!(choice["finish_reason"], "stop");
    assert!(choice["logprobs"].is_null());
    let message = &choice["message"];
    assert_eq!(message["role"], "assistant");
    assert_eq!(message["content"], format!("{ECHO_PREFIX}ping"));
    assert!(message.get("reasoning").is_none());
    let gateway_meta = &message["provider_metadata"]["gateway"];
    assert_eq!(gateway_meta["generationId"], id);
    let routing = &gateway_meta["routing"];
    assert_eq!(routing["originalModelId"], PRICED_MODEL);
    assert_eq!(routing["resolvedProvider"], "openai");
    assert_eq!(routing["finalProvider"], "openai");
    assert_eq!(routing["fallbacksAvailable"], json!([]));
    assert_eq!(routing["modelAttemptCount"], 1);

    let usage = &body["usage"];
    let tokens = |key: &str| u32::try_from(usage[key].as_u64().unwrap()).unwrap();
    let (prompt, completion) = (tokens("prompt_tokens"), tokens("completion_tokens"));
    assert!(prompt >= 1 && completion >= 1);
    assert_eq!(tokens("total_tokens"), prompt + completion);
    let cost = usage["cost"].as_f64().unwrap();
    assert!(cost > 0.0);
    assert_eq!(usage["market_cost"].as_f64(), Some(cost));
    assert_eq!(usage["gateway_cost"].as_f64(), Some(cost));
    assert_eq!(usage["is_byok"], false);
    assert_eq!(usage["prompt_tokens_details"]["cached_tokens"], 0);
    assert_eq!(usage["completion_tokens_details"]["reasoning_tokens"], 0);
    assert!(usage["cost_details"].is_object());
    // gpt-5 in the catalog: $1.25 / $10 per million tokens.
    let expected = f64::from(prompt) * 0.000_001_25 + f64::from(completion) * 0.000_01;
    assert!((cost - expected).abs() < 1e-12, "{cost} vs {expected}");
    // Metadata costs are decimal strings with the same value.
    let meta_cost = gateway_meta["cost"].as_str().unwrap();
    assert!((meta_cost.parse::<f64>().unwrap() - cost).abs() < 1e-18, "{meta_cost} vs {cost}");
    assert_eq!(gateway_meta["marketCost"], meta_cost);
    assert_eq!(gateway_meta["gatewayCost"], meta_cost);

    // Ids are fresh per generation.
    let again = json_of(chat(&gateway, Some("vck_test"), &hello(PRICED_MODEL)).await).await;
    assert_ne!(again["id"], body["id"]);
}

#[tokio::test]
async fn content_parts_and_unpriced_models() {
    let gateway = start(LocalGatewayConfig::default());
    let body = json!({"model": "perplexity/sonar", "messages": [
        {"role": "user", "content": [{"type": "text", "text": "hello"}, {"type": "text", "text": "world"}]}
    ]});
    let reply = json_of(chat(&gateway, Some("k"), &body).await).await;
    assert_eq!(reply["choices"][0]["message"]["content"], format!("{ECHO_PREFIX}hello world"));
    assert_eq!(reply["usage"]["cost"].as_f64(), Some(0.0));
    assert_eq!(reply["choices"][0]["message"]["provider_metadata"]["gateway"]["cost"], "0");
}

#[tokio::test]
async fn streamed_completion_follows_the_recorded_framing() {
    let gateway = start(LocalGatewayConfig::default());
    let mut body = hello(PRICED_MODEL);
    body["stream"] = json!(true);
    body["stream_options"] = json!({"include_usage": true});
    let response = chat(&gateway, Some("k"), &body).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let payloads = sse_payloads(&response.text().await.unwrap());

    assert_eq!(payloads.last().map(String::as_str), Some("[DONE]"));
    let chunks: Vec<Value> = payloads[..payloads.len() - 1].iter().map(|p| serde_json::from_str(p).unwrap()).collect();
    assert!(chunks.len() >= 4, "role, a few content deltas, final");
    let id = chunks[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(chunks[0]["choices"][0]["delta"], json!({"role": "assistant"}));
    for chunk in &chunks {
        assert_eq!(chunk["id"], id);
        assert_eq!(chunk["object"], "chat.completion.chunk");
        assert_eq!(chunk["model"], PRICED_MODEL);
        assert!(chunk["choices"][0]["logprobs"].is_null());
    }
    let content: String = chunks.iter().filter_map(|c| c["choices"][0]["delta"]["content"].as_str()).collect();
    assert_eq!(content, format!("{ECHO_PREFIX}ping"));
    assert!(chunks[1..chunks.len() - 1].iter().all(|c| c["choices"][0]["finish_reason"].is_null()));

    let last = chunks.last().unwrap();
    assert_eq!(last["choices"][0]["finish_reason"], "stop");
    assert_eq!(last["generationId"], id);
    assert_eq!(last["choices"][0]["delta"]["provider_metadata"]["gateway"]["generationId"], id);
    assert!(last["usage"]["cost"].as_f64().unwrap() > 0.0);
    assert!(last["usage"]["completion_tokens"].as_u64().unwrap() >= 1);

    // Without include_usage the final chunk keeps its metadata but drops usage.
    body["stream_options"] = json!({"include_usage": false});
    let payloads = sse_payloads(&chat(&gateway, Some("k"), &body).await.text().await.unwrap());
    let last: Value = serde_json::from_str(&payloads[payloads.len() - 2]).unwrap();
    assert!(last.get("usage").is_none());
    assert!(last["generationId"].is_string());
}

#[tokio::test]
async fn unknown_or_non_language_model_is_a_json_404_even_when_streaming() {
    let gateway = start(LocalGatewayConfig::default());
    let mut body = hello("acme/model-does-not-exist");
    body["stream"] = json!(true);
    let response = chat(&gateway, Some("k"), &body).await;
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(
        json_of(response).await,
        json!({"error": {
            "message": "Model 'acme/model-does-not-exist' not found",
            "type": "model_not_found",
            "param": {"modelId": "acme/model-does-not-exist"}
        }})
    );
    let response = chat(&gateway, Some("k"), &hello("openai/text-embedding-3-small")).await;
    assert_eq!(response.status(), 404);
    assert_eq!(json_of(response).await["error"]["type"], "model_not_found");
}

#[tokio::test]
async fn invalid_bodies_are_400_with_param() {
    let gateway = start(LocalGatewayConfig::default());
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{}/chat/completions", gateway.base_url()))
        .bearer_auth("k")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(json_of(response).await["error"]["type"], "invalid_request_error");

    let response = chat(&gateway, Some("k"), &json!({"messages": []})).await;
    assert_eq!(response.status(), 400);
    let error = json_of(response).await["error"].clone();
    assert_eq!(error["type"], "invalid_request_error");
    assert_eq!(error["param"], "model");
    assert_eq!(error["code"], "missing_parameter");

    let error = json_of(chat(&gateway, Some("k"), &json!({"model": PRICED_MODEL})).await).await;
    assert_eq!(error["error"]["param"], "messages");
}

#[tokio::test]
async fn faults_are_served_count_times_then_normal_replies_resume() {
    let gateway = start(LocalGatewayConfig::default());
    gateway.push_fault(Fault { status: 429, error_type: None, message: None, retry_after: Some("2".into()), count: 2 });
    gateway.push_fault(Fault {
        status: 503,
        error_type: Some("service_unavailable".into()),
        message: Some("try later".into()),
        retry_after: None,
        count: 1,
    });
    let body = hello(PRICED_MODEL);

    // A request refused earlier (bad auth) does not consume a fault.
    assert_eq!(chat(&gateway, None, &body).await.status(), 401);
    for _ in 0..2 {
        let response = chat(&gateway, Some("k"), &body).await;
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], "2");
        assert_eq!(
            json_of(response).await,
            json!({"error": {"message": "Rate limit exceeded", "type": "rate_limit_exceeded"}})
        );
    }
    let response = chat(&gateway, Some("k"), &body).await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().get("retry-after").is_none());
    assert_eq!(json_of(response).await, json!({"error": {"message": "try later", "type": "service_unavailable"}}));
    assert_eq!(chat(&gateway, Some("k"), &body).await.status(), 200);

    // The default type follows the status.
    gateway.push_fault(Fault { status: 402, error_type: None, message: None, retry_after: None, count: 1 });
    let response = chat(&gateway, Some("k"), &body).await;
    assert_eq!(response.status(), 402);
    assert_eq!(json_of(response).await["error"]["type"], "quota_for_entity_exceeded");
}

#[tokio::test]
async fn scripted_replies_with_reasoning_come_first_in_order() {
    let gateway = start(LocalGatewayConfig::default());
    gateway.push_reply(ScriptedReply {
        content: "The answer is 42.".into(),
        reasoning: Some("Let me think step by step.".into()),
        finish_reason: None,
    });
    gateway.push_reply(ScriptedReply {
        content: "streamed answer".into(),
        reasoning: Some("quick thought".into()),
        finish_reason: Some("tool_calls".into()),
    });

    let body = json_of(chat(&gateway, Some("k"), &hello(PRICED_MODEL)).await).await;
    let message = &body["choices"][0]["message"];
    assert_eq!(message["content"], "The answer is 42.");
    assert_eq!(message["reasoning"], "Let me think step by step.");
    assert_eq!(message["reasoning_details"][0]["type"], "reasoning.text");
    assert_eq!(message["reasoning_details"][0]["text"], "Let me think step by step.");
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    assert!(body["usage"]["completion_tokens_details"]["reasoning_tokens"].as_u64().unwrap() > 0);

    let mut streamed = hello(PRICED_MODEL);
    streamed["stream"] = json!(true);
    let payloads = sse_payloads(&chat(&gateway, Some("k"), &streamed).await.text().await.unwrap());
    let chunks: Vec<Value> = payloads[..payloads.len() - 1].iter().map(|p| serde_json::from_str(p).unwrap()).collect();
    let deltas: Vec<&Value> = chunks.iter().map(|c| &c["choices"][0]["delta"]).collect();
    let first_content = deltas.iter().position(|d| d.get("content").is_some()).unwrap();
    let last_reasoning = deltas.iter().rposition(|d| d.get("reasoning").is_some()).unwrap();
    assert!(last_reasoning < first_content, "reasoning streams before content");
    assert!(deltas.iter().filter(|d| d.get("reasoning").is_some()).all(|d| d["reasoning_details"].is_array()));
    let reasoning: String = deltas.iter().filter_map(|d| d["reasoning"].as_str()).collect();
    assert_eq!(reasoning, "quick thought");
    let content: String = deltas.iter().filter_map(|d| d["content"].as_str()).collect();
    assert_eq!(content, "streamed answer");
    assert_eq!(chunks.last().unwrap()["choices"][0]["finish_reason"], "tool_calls");

    // The queue is empty again: back to the echo.
    let body = json_of(chat(&gateway, Some("k"), &hello(PRICED_MODEL)).await).await;
    assert_eq!(body["choices"][0]["message"]["content"], format!("{ECHO_PREFIX}ping"));
}

#[tokio::test]
async fn max_tokens_truncates_with_finish_reason_length() {
    let gateway = start(LocalGatewayConfig::default());
    let mut body = hello(PRICED_MODEL);
    body["max_tokens"] = json!(2);
    let reply = json_of(chat(&gateway, Some("k"), &body).await).await;
    assert_eq!(reply["choices"][0]["finish_reason"], "length");
    assert_eq!(reply["choices"][0]["message"]["content"], "Hello fr");
    assert_eq!(reply["usage"]["completion_tokens"], 2);
}

#[tokio::test]
async fn every_request_is_recorded_in_order_with_redacted_debug() {
    let gateway = start(LocalGatewayConfig::default());
    let client = reqwest::Client::new();
    let body = hello(PRICED_MODEL);
    let response = client
        .post(format!("{}/chat/completions?trace=1", gateway.base_url()))
        .bearer_auth("vck_canary_secret")
        .header("X-Title", "tests")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = client.get(format!("{}/nowhere", gateway.origin())).send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(json_of(response).await["error"]["type"], "not_found");
    let response = client.get(format!("{}/chat/completions", gateway.base_url())).send().await.unwrap();
    assert_eq!(response.status(), 405);

    let requests = gateway.requests();
    assert_eq!(requests.len(), 3);
    let first = &requests[0];
    assert_eq!(first.method, "POST");
    assert_eq!(first.path, "/v1/chat/completions");
    assert_eq!(first.query.as_deref(), Some("trace=1"));
    assert_eq!(first.header("AUTHORIZATION"), Some("Bearer vck_canary_secret"));
    assert_eq!(first.header("x-title"), Some("tests"));
    assert!(first.headers.iter().all(|(name, _)| *name == name.to_lowercase()));
    assert_eq!(first.json(), Some(body));
    let shown = format!("{first:?}");
    assert!(shown.contains("Bearer ***"), "{shown}");
    assert!(!shown.contains("canary"), "{shown}");
    assert_eq!((requests[1].method.as_str(), requests[1].path.as_str()), ("GET", "/nowhere"));
    assert_eq!((requests[2].method.as_str(), requests[2].path.as_str()), ("GET", "/v1/chat/completions"));

    gateway.clear_requests();
    assert!(gateway.requests().is_empty());
}

#[tokio::test]
async fn project_token_endpoint_mints_a_twelve_hour_oidc_token() {
    let client = reqwest::Client::new();
    let off = start(LocalGatewayConfig::default());
    let response =
        client.post(format!("{}/v1/projects/prj_1/token", off.origin())).bearer_auth("cli").send().await.unwrap();
    assert_eq!(response.status(), 404);

    let gateway = start(LocalGatewayConfig { cli_token: Some("cli_canary".into()), ..LocalGatewayConfig::default() });
    let url = format!("{}/v1/projects/prj_123/token?source=vercel-oidc-refresh&teamId=team_abc", gateway.origin());
    let response = client.post(&url).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(response.status(), 401);
    let error = json_of(response).await;
    assert_eq!(error["error"]["code"], "forbidden");
    assert!(!error.to_string().contains("canary"));
    assert_eq!(client.post(&url).send().await.unwrap().status(), 401);

    let response = client.post(&url).bearer_auth("cli_canary").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let token = json_of(response).await["token"].as_str().unwrap().to_owned();
    let claims = decode_claims(&token).unwrap();
    assert_eq!(claims.str("project_id"), Some("prj_123"));
    assert_eq!(claims.str("project"), Some("prj_123"));
    assert_eq!(claims.str("owner_id"), Some("team_abc"));
    assert_eq!(claims.str("owner"), Some("local"));
    assert_eq!(claims.str("environment"), Some("development"));
    assert_eq!(claims.str("iss"), Some("https://oidc.vercel.com/local"));
    assert_eq!(claims.str("aud"), Some("https://vercel.com/local"));
    assert_eq!(claims.str("sub"), Some("owner:local:project:prj_123:environment:development"));
    let iat = claims.iat.unwrap();
    assert_eq!(claims.exp, Some(iat + 43_200));
    assert_eq!(claims.all["nbf"], iat);

    // Without teamId the owner is the local team; the minted token works for inference.
    let plain = format!("{}/v1/projects/prj_9/token", gateway.origin());
    let token = json_of(client.post(&plain).bearer_auth("cli_canary").send().await.unwrap()).await;
    let token = token["token"].as_str().unwrap().to_owned();
    assert_eq!(decode_claims(&token).unwrap().str("owner_id"), Some("team_local"));
    assert_eq!(chat(&gateway, Some(&token), &hello(PRICED_MODEL)).await.status(), 200);
}

#[tokio::test]
async fn replacement_catalog_is_served_and_used() {
    let catalog = json!({"object": "list", "data": [{
        "id": "acme/rocket-1", "object": "model", "owned_by": "acme", "type": "language",
        "pricing": {"input": "0.001", "output": "0.002"}
    }]});
    let gateway =
        start(LocalGatewayConfig { catalog_json: Some(catalog.to_string()), ..LocalGatewayConfig::default() });
    let list = json_of(reqwest::get(format!("{}/models", gateway.base_url())).await.unwrap()).await;
    assert_eq!(list, catalog);
    let reply = json_of(chat(&gateway, Some("k"), &hello("acme/rocket-1")).await).await;
    let usage = &reply["usage"];
    let expected =
        usage["prompt_tokens"].as_f64().unwrap() * 0.001 + usage["completion_tokens"].as_f64().unwrap() * 0.002;
    assert!((usage["cost"].as_f64().unwrap() - expected).abs() < 1e-12);
    assert_eq!(reply["choices"][0]["message"]["provider_metadata"]["gateway"]["routing"]["resolvedProvider"], "acme");
    assert_eq!(chat(&gateway, Some("k"), &hello(PRICED_MODEL)).await.status(), 404);
}

#[test]
fn invalid_catalog_is_a_config_error() {
    for bad in ["{not json", "[1, 2]", r#"{"data": [{"name": "no id"}]}"#] {
        match LocalGateway::start(LocalGatewayConfig {
            catalog_json: Some(bad.into()),
            ..LocalGatewayConfig::default()
        }) {
            Err(Error::Config { variable, message }) => {
                assert_eq!(variable.as_deref(), Some("catalog"));
                assert!(message.ends_with('.'), "{message}");
            }
            other => panic!("expected a config error for {bad:?}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn shutdown_is_idempotent_and_closes_the_port() {
    let gateway = start(LocalGatewayConfig::default());
    let port = gateway.port();
    assert_eq!(gateway.origin(), format!("http://127.0.0.1:{port}"));
    assert_eq!(gateway.base_url(), format!("http://127.0.0.1:{port}/v1"));
    // A pooled keep-alive connection must not hold the server open.
    let client = reqwest::Client::new();
    assert_eq!(client.get(format!("{}/models", gateway.base_url())).send().await.unwrap().status(), 200);

    gateway.shutdown();
    gateway.shutdown();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the port no longer accepts");
    assert!(client.get(format!("{}/models", gateway.base_url())).send().await.is_err());
    drop(gateway);
}

#[test]
fn shutdown_is_bounded_when_a_client_never_finishes_its_request() {
    use std::io::Write;
    let gateway = start(LocalGatewayConfig::default());
    let mut stalled = std::net::TcpStream::connect(("127.0.0.1", gateway.port())).unwrap();
    stalled.write_all(b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{").unwrap();
    let started = Instant::now();
    gateway.shutdown();
    assert!(started.elapsed() < Duration::from_secs(10), "shutdown took {:?}", started.elapsed());
}

#[test]
fn answers_a_caller_that_has_no_runtime_at_all() {
    use std::io::{Read, Write};
    // Plain blocking sockets: the gateway's own thread does all the serving.
    let gateway = start(LocalGatewayConfig::default());
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", gateway.port())).unwrap();
    stream.write_all(b"GET /v1/models/openai/gpt-5 HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n").unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains(r#""id":"openai/gpt-5""#));
    // Dropping the handle shuts the gateway down too.
    let port = gateway.port();
    drop(gateway);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}
