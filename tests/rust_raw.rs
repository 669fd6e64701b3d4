//! `Call::raw` against `LocalGateway`: credentials replaced, headers merged, statuses returned as
//! answers after retries, event streams passed as raw bytes, transport failures as errors.

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{json, Value};
use vercel_ai_gateway::auth::AuthOptions;
use vercel_ai_gateway::client::raw::{RawBody, RawRequest, RawResponse};
use vercel_ai_gateway::client::{Call, CallOptions, ClientConfig, Outcome};
use vercel_ai_gateway::local_gateway::{FaultParams, LocalGateway, LocalGatewayConfig};
use vercel_ai_gateway::{Error, Secret};

const KEY: &str = "vck_raw_test";
const MODEL: &str = "openai/gpt-4.1-nano";

fn gateway() -> LocalGateway {
    LocalGateway::start(LocalGatewayConfig { api_keys: vec![KEY.into()], ..LocalGatewayConfig::default() }).unwrap()
}

fn config(base: &str, retries: u32) -> ClientConfig {
    let auth =
        AuthOptions { token: Some(Secret::new(KEY)), dev_refresh_enabled: Some(false), ..AuthOptions::default() };
    let mut config = ClientConfig::new(Some(base), auth, &HashMap::<String, String>::new()).unwrap();
    config.retry.max_retries = retries;
    config.retry.initial_delay = Duration::from_millis(1);
    config.retry.max_delay = Duration::from_millis(2);
    config.default_headers = vec![("x-default".into(), "client".into()), ("x-sdk".into(), "overridden".into())];
    config
}

fn chat(body: &Value, stream: bool) -> RawRequest {
    RawRequest {
        method: reqwest::Method::POST,
        path_and_query: "/chat/completions".into(),
        headers: vec![
            (b"authorization".to_vec(), b"Bearer sdk-placeholder".to_vec()),
            (b"content-type".to_vec(), b"application/json".to_vec()),
            (b"x-sdk".to_vec(), b"openai".to_vec()),
            (b"host".to_vec(), b"elsewhere.example".to_vec()),
            (b"accept-encoding".to_vec(), b"gzip".to_vec()),
        ],
        body: Some(Bytes::from(serde_json::to_vec(body).unwrap())),
        stream,
    }
}

async fn send(
    config: &ClientConfig,
    options: &CallOptions,
    request: &RawRequest,
) -> Result<Outcome<RawResponse>, Error> {
    let http = reqwest::Client::new();
    let env = HashMap::<String, String>::new();
    let call = Call { http: &http, config, options, env: &env };
    let generation = request.generation();
    call.raw(request, generation.as_ref(), None).await
}

async fn body_of(mut body: RawBody) -> (Vec<u8>, usize) {
    let mut all = Vec::new();
    let mut pieces = 0;
    while let Some(chunk) = body.next_chunk().await.unwrap() {
        all.extend_from_slice(&chunk);
        pieces += 1;
    }
    (all, pieces)
}

#[tokio::test]
async fn a_completion_passes_through_with_our_credential_and_merged_headers() {
    let gw = gateway();
    let options = CallOptions { extra_headers: vec![("x-call".into(), "per-call".into())], ..CallOptions::default() };
    let body = json!({"model": MODEL, "messages": [{"role": "user", "content": "ping"}]});
    let out = send(&config(&gw.base_url(), 0), &options, &chat(&body, false)).await.unwrap();
    assert_eq!(out.value.status, 200);
    assert!(!out.value.body.is_stream());
    assert_eq!(out.value.headers.get("content-type").unwrap(), "application/json");
    let (bytes, _) = body_of(out.value.body).await;
    let answer: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(answer["choices"][0]["message"]["content"], "Hello from LocalGateway! You said: ping");

    let recorded = gw.requests().pop().unwrap();
    assert_eq!((recorded.method.as_str(), recorded.path.as_str()), ("POST", "/v1/chat/completions"));
    assert_eq!(recorded.header("authorization"), Some(format!("Bearer {KEY}").as_str()), "ours, not the SDK's");
    assert_eq!(recorded.header("x-sdk"), Some("openai"), "the caller's header beats a default header");
    assert_eq!(recorded.header("x-default"), Some("client"));
    assert_eq!(recorded.header("x-call"), Some("per-call"));
    assert_ne!(recorded.header("host"), Some("elsewhere.example"));
    assert_eq!(recorded.header("accept-encoding"), None);
    assert_eq!(recorded.headers.iter().filter(|(n, _)| n == "authorization").count(), 1);
    assert_eq!(serde_json::from_slice::<Value>(&recorded.body).unwrap(), body, "the body is sent as is");
}

#[tokio::test]
async fn an_event_stream_arrives_as_raw_bytes() {
    let gw = gateway();
    let body = json!({"model": MODEL, "stream": true, "messages": [{"role": "user", "content": "one two three"}]});
    // `stream: false` on the request: an event stream is streamed anyway.
    let out = send(&config(&gw.base_url(), 0), &CallOptions::default(), &chat(&body, false)).await.unwrap();
    assert_eq!(out.value.status, 200);
    assert!(out.value.body.is_stream());
    let (bytes, pieces) = body_of(out.value.body).await;
    assert!(pieces >= 1);
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("data: {"), "{text}");
    assert!(text.trim_end().ends_with("data: [DONE]"), "{text}");
}

#[tokio::test]
async fn a_status_is_retried_then_returned_as_the_answer() {
    let gw = gateway();
    let params = FaultParams { status: Some(503), count: Some(5), ..FaultParams::default() };
    gw.inject_params("status", params).unwrap();
    let body = json!({"model": MODEL, "messages": [{"role": "user", "content": "ping"}]});
    let out = send(&config(&gw.base_url(), 2), &CallOptions::default(), &chat(&body, false)).await.unwrap();
    assert_eq!(out.value.status, 503);
    assert_eq!(out.retries_taken, 2);
    assert_eq!(gw.requests().len(), 3, "the first attempt and two retries");
    let (bytes, _) = body_of(out.value.body).await;
    let envelope: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(envelope["error"]["message"].is_string(), "{envelope}");
    assert_eq!(out.attempts.last().unwrap().status, Some(503));
}

#[tokio::test]
async fn a_retry_that_succeeds_hides_the_failure() {
    let gw = gateway();
    gw.inject_params("status", FaultParams { status: Some(500), ..FaultParams::default() }).unwrap();
    let body = json!({"model": MODEL, "messages": [{"role": "user", "content": "ping"}]});
    let out = send(&config(&gw.base_url(), 2), &CallOptions::default(), &chat(&body, false)).await.unwrap();
    assert_eq!((out.value.status, out.retries_taken), (200, 1));
}

#[tokio::test]
async fn a_client_error_is_not_retried() {
    let gw = gateway();
    let mut request = chat(&json!({"model": MODEL, "messages": []}), false);
    request.path_and_query = "/models/nobody/nothing".into();
    request.method = reqwest::Method::GET;
    request.body = None;
    let out = send(&config(&gw.base_url(), 2), &CallOptions::default(), &request).await.unwrap();
    assert_eq!(out.value.status, 404);
    assert_eq!(gw.requests().len(), 1);
}

#[tokio::test]
async fn a_connection_failure_is_an_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    drop(listener);
    let request = chat(&json!({"model": MODEL}), false);
    let err = send(&config(&base, 0), &CallOptions::default(), &request).await.unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
}

#[tokio::test]
async fn a_path_that_is_not_relative_is_refused() {
    let gw = gateway();
    let mut request = chat(&json!({"model": MODEL}), false);
    request.path_and_query = "//elsewhere.example/v1/chat/completions".into();
    let err = send(&config(&gw.base_url(), 0), &CallOptions::default(), &request).await.unwrap_err();
    assert!(matches!(err, Error::Usage { .. }), "{err:?}");
    assert!(gw.requests().is_empty());
}
