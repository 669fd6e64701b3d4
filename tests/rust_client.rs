//! The client engine against canned HTTP answers: SSE edge cases and error envelopes.

use std::collections::HashMap;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use vercel_ai_gateway::auth::AuthOptions;
use vercel_ai_gateway::client::{Call, CallOptions, ClientConfig, Outcome};
use vercel_ai_gateway::{Error, Secret};

/// Serves `response` (raw HTTP bytes) to every connection; returns the base URL.
async fn canned(response: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let response = response.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let mut seen = Vec::new();
                // Read until the end of the request headers and body (small requests).
                loop {
                    let n = socket.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    if let Some(pos) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&seen[..pos]).to_ascii_lowercase();
                        let len = head
                            .lines()
                            .find_map(|l| {
                                l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if seen.len() >= pos + 4 + len {
                            break;
                        }
                    }
                }
                let _ = socket.write_all(&response).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    format!("http://{addr}/v1")
}

fn http(status: &str, content_type: &str, extra_headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\n{extra_headers}content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

async fn stream_call(
    cfg: &ClientConfig,
    env: &HashMap<String, String>,
    body: Vec<u8>,
) -> Result<Outcome<vercel_ai_gateway::client::ChunkStream>, Error> {
    let (http, options) = (reqwest::Client::new(), CallOptions::default());
    Call { http: &http, config: cfg, options: &options, env }.stream("/chat/completions", body).await
}

async fn json_call(cfg: &ClientConfig, env: &HashMap<String, String>) -> Result<Outcome<serde_json::Value>, Error> {
    let (http, options) = (reqwest::Client::new(), CallOptions::default());
    Call { http: &http, config: cfg, options: &options, env }.json(reqwest::Method::GET, "/x", None).await
}

fn config(base: &str) -> ClientConfig {
    let auth = AuthOptions {
        token: Some(Secret::new("vck_test")),
        dev_refresh_enabled: Some(false),
        ..AuthOptions::default()
    };
    let mut config = ClientConfig::new(Some(base), auth, &HashMap::<String, String>::new()).unwrap();
    config.retry.max_retries = 0;
    config
}

async fn stream_all(body: &[u8]) -> Result<Vec<serde_json::Value>, Error> {
    let base = canned(http("200 OK", "text/event-stream", "", body)).await;
    let cfg = config(&base);
    let env = HashMap::<String, String>::new();
    let mut stream = stream_call(&cfg, &env, b"{}".to_vec()).await?.value;
    let mut out = Vec::new();
    while let Some(chunk) = stream.next_chunk().await? {
        out.push(chunk);
    }
    Ok(out)
}

#[tokio::test]
async fn crlf_comments_and_multiline_data() {
    let body = b": OPENROUTER PROCESSING\r\n\r\ndata: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\r\n\r\n\
data: {\"choices\":\r\ndata: [{\"delta\":{\"content\":\"b\"},\"finish_reason\":\"stop\"}]}\r\n\r\n\
event: ping\r\ndata:\r\n\r\ndata: [DONE]\r\n\r\n";
    let chunks = stream_all(body).await.unwrap();
    assert_eq!(chunks.len(), 2);
    assert_eq!(chunks[1]["choices"][0]["delta"]["content"], "b");
}

#[tokio::test]
async fn error_event_inside_a_200_stream() {
    let body = b"data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n\
data: {\"error\":{\"message\":\"Provider overloaded\",\"type\":\"internal_server_error\",\"code\":502}}\n\n";
    match stream_all(body).await {
        Err(Error::Status(e)) => {
            assert_eq!(e.status, 200);
            assert_eq!(e.error_type.as_deref(), Some("internal_server_error"));
            assert_eq!(e.code.as_deref(), Some("502"));
            assert!(e.message.contains("after 1 chunks") && e.message.contains("Provider overloaded"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn end_without_done() {
    let finished = b"data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
    assert_eq!(stream_all(finished).await.unwrap().len(), 1, "a finish reason makes the end clean");
    let truncated = b"data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n";
    match stream_all(truncated).await {
        Err(Error::Connection { message, .. }) => assert!(message.contains("incomplete"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn invalid_json_and_utf8_name_the_chunk() {
    let body = b"data: {\"choices\":[]}\n\ndata: {not json}\n\n";
    match stream_all(body).await {
        Err(Error::Decode { message, .. }) => assert!(message.starts_with("Chunk 1 "), "{message}"),
        other => panic!("{other:?}"),
    }
    let body = b"data: {\"choices\":[]}\n\ndata: \xff\xfe\n\n";
    match stream_all(body).await {
        Err(Error::Decode { message, .. }) => assert!(message.contains("UTF-8"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_json_answer_to_a_stream_request_is_a_decode_error() {
    let base = canned(http("200 OK", "application/json", "", b"{}")).await;
    let cfg = config(&base);
    let env = HashMap::<String, String>::new();
    let r = stream_call(&cfg, &env, vec![]).await;
    assert!(matches!(r, Err(Error::Decode { .. })));
}

async fn status_error(status: &str, content_type: &str, headers: &str, body: &[u8]) -> vercel_ai_gateway::StatusError {
    let base = canned(http(status, content_type, headers, body)).await;
    let cfg = config(&base);
    let env = HashMap::<String, String>::new();
    match json_call(&cfg, &env).await {
        Err(Error::Status(e)) => *e,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn error_envelopes() {
    let e = status_error(
        "429 Too Many Requests",
        "application/json",
        "retry-after-ms: 1500\r\nx-vercel-id: iad1::abc\r\n",
        br#"{"error":{"message":"Rate limit exceeded","type":"rate_limit_exceeded"},"generationId":"gen_01ABC"}"#,
    )
    .await;
    assert_eq!(e.status, 429);
    assert_eq!(e.error_type.as_deref(), Some("rate_limit_exceeded"));
    assert_eq!(e.retry_after, Some(1.5));
    assert_eq!(e.request_id.as_deref(), Some("iad1::abc"));
    assert_eq!(e.generation_id.as_deref(), Some("gen_01ABC"));
    assert_eq!(e.message, "Rate limit exceeded [gen_01ABC]");

    let e = status_error("400 Bad Request", "application/json", "retry-after: 3\r\n", br#"{"error":"id is required"}"#)
        .await;
    assert_eq!((e.message.as_str(), e.retry_after), ("id is required", Some(3.0)));

    let e = status_error("404 Not Found", "text/html", "", b"<html>nope</html>").await;
    assert_eq!(e.message, "HTTP 404 Not Found");
    assert_eq!(e.body, Some(serde_json::Value::String("<html>nope</html>".into())));
}

#[tokio::test]
async fn invalid_json_answer() {
    let base = canned(http("200 OK", "application/json", "", b"{truncated")).await;
    let cfg = config(&base);
    let env = HashMap::<String, String>::new();
    let r = json_call(&cfg, &env).await;
    match r {
        Err(Error::Decode { status: 200, message, .. }) => assert!(message.contains("not valid JSON")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn oversized_answers_are_typed_errors() {
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(5000));
    let base = canned(http("200 OK", "application/json", "", big.as_bytes())).await;
    let mut cfg = config(&base);
    cfg.limits.max_body_bytes = 4096;
    let env = HashMap::<String, String>::new();
    match json_call(&cfg, &env).await {
        Err(Error::Decode { message, .. }) => assert!(message.contains("larger than 4096 bytes"), "{message}"),
        other => panic!("{other:?}"),
    }
    let line = format!("data: {{\"choices\":[{{\"delta\":{{\"content\":\"{}\"}}}}]}}\n\n", "y".repeat(5000));
    let body = format!("data: {{\"choices\":[]}}\n\n{line}data: [DONE]\n\n");
    let base = canned(http("200 OK", "text/event-stream", "", body.as_bytes())).await;
    let mut cfg = config(&base);
    cfg.limits.max_line_bytes = 4096;
    // The whole network read is refused, so here the error comes before any chunk is handed out.
    let result = match stream_call(&cfg, &env, vec![]).await {
        Ok(out) => {
            let mut stream = out.value;
            loop {
                match stream.next_chunk().await {
                    Ok(Some(_)) => continue,
                    other => break other.map(|_| ()),
                }
            }
        }
        Err(e) => Err(e),
    };
    match result {
        Err(Error::Decode { message, .. }) => assert!(message.contains("longer than the limit"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn deeply_nested_json_is_a_typed_error() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let base = canned(http("200 OK", "application/json", "", deep.as_bytes())).await;
    let env = HashMap::<String, String>::new();
    assert!(matches!(json_call(&config(&base), &env).await, Err(Error::Decode { .. })));
}
