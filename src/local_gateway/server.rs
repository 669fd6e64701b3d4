//! The HTTP side of `LocalGateway`: routes, authentication, recording, and the server thread.
//!
//! Design: an axum router whose outermost layer buffers each body and records the request
//! before any handler (or the 404/405 fallbacks) answers, so tests see exactly what was sent.
//! Handlers return complete responses: a stream's events are rendered up front and handed to
//! the body as a ready stream, which keeps shutdown simple (nothing waits on a producer).
//! Error bodies use the gateway envelope `{"error":{"message","type",...}}`, except the fake
//! Vercel REST endpoint, which uses Vercel's `{"error":{"code","message"}}`.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::oneshot;

use super::completion::{ChatRequest, Generation};
use super::{ids, Fault, RecordedRequest, Shared, SHUTDOWN_GRACE};
use crate::error::{Error, Result};
use crate::jwt::{decode_claims, mint_unsigned};

/// Largest request body accepted; far above any test's needs, small enough not to exhaust
/// memory if a client streams garbage.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Lifetime of tokens from the fake project-token endpoint: 12 hours, like Vercel's.
const PROJECT_TOKEN_TTL_SECONDS: i64 = 43_200;

/// A started server: where it listens, how to stop it, and its thread.
pub(super) struct Running {
    pub address: SocketAddr,
    pub stop: oneshot::Sender<()>,
    pub thread: JoinHandle<()>,
}

/// Binds the port, builds the runtime and starts the server thread.
pub(super) fn spawn(shared: Arc<Shared>) -> Result<Running> {
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|error| Error::internal(format!("LocalGateway could not bind a port on 127.0.0.1: {error}.")))?;
    let address = listener
        .local_addr()
        .map_err(|error| Error::internal(format!("LocalGateway could not read its bound address: {error}.")))?;
    listener
        .set_nonblocking(true)
        .map_err(|error| Error::internal(format!("LocalGateway could not configure its socket: {error}.")))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Error::internal(format!("LocalGateway could not build its runtime: {error}.")))?;
    // Registering the socket needs the runtime's context; doing it here keeps the error ours.
    let listener = {
        let _context = runtime.enter();
        tokio::net::TcpListener::from_std(listener)
            .map_err(|error| Error::internal(format!("LocalGateway could not register its socket: {error}.")))?
    };
    let (stop, stop_requested) = oneshot::channel();
    let app = router(shared);
    let thread = std::thread::Builder::new()
        .name(format!("local-gateway-{}", address.port()))
        .spawn(move || serve(&runtime, listener, app, stop_requested))
        .map_err(|error| Error::internal(format!("LocalGateway could not start its thread: {error}.")))?;
    Ok(Running { address, stop, thread })
}

/// The server thread's body: serve until asked to stop (or the handle is gone), then close
/// gracefully for at most [`SHUTDOWN_GRACE`]. Returning drops the runtime, which cancels any
/// connection still open.
fn serve(
    runtime: &tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    app: Router,
    stop_requested: oneshot::Receiver<()>,
) {
    runtime.block_on(async move {
        let (close, closing) = oneshot::channel::<()>();
        let server = axum::serve(listener, app).with_graceful_shutdown(async move {
            // Either a send or a dropped sender means "close".
            let _ = closing.await;
        });
        let server = std::future::IntoFuture::into_future(server);
        tokio::pin!(server);
        tokio::select! {
            result = &mut server => {
                if let Err(error) = result {
                    log::error!("LocalGateway stopped serving: {error}");
                }
                return;
            }
            _ = stop_requested => {}
        }
        let _ = close.send(());
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await.is_err() {
            log::debug!("LocalGateway cut connections still open after {SHUTDOWN_GRACE:?}");
        }
    });
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/models", get(list_models))
        // A wildcard, so an id is looked up whole whatever slashes it holds.
        .route("/v1/models/{*id}", get(get_model))
        .route("/v1/chat/completions", post(chat_completions))
        .route("/v1/projects/{project_id}/token", post(project_token))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), record))
        .with_state(shared)
}

/// Records the request, body included, then passes it on with the buffered body.
async fn record(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let (bytes, too_large) = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => (bytes, false),
        Err(_) => (Bytes::new(), true),
    };
    shared.record(RecordedRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect(),
        body: bytes.to_vec(),
    });
    if too_large {
        return gateway_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request_error",
            &format!("The request body could not be read or exceeds {MAX_BODY_BYTES} bytes."),
            &[],
        );
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// The gateway's error envelope.
fn gateway_error(status: StatusCode, error_type: &str, message: &str, extra: &[(&str, Value)]) -> Response {
    let mut error = serde_json::Map::new();
    error.insert("message".into(), json!(message));
    error.insert("type".into(), json!(error_type));
    for (key, value) in extra {
        error.insert((*key).to_owned(), value.clone());
    }
    (status, Json(json!({ "error": error }))).into_response()
}

fn model_not_found(id: &str) -> Response {
    gateway_error(
        StatusCode::NOT_FOUND,
        "model_not_found",
        &format!("Model '{id}' not found"),
        &[("param", json!({ "modelId": id }))],
    )
}

async fn list_models(State(shared): State<Arc<Shared>>) -> Response {
    ([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], shared.catalog.list_body()).into_response()
}

async fn get_model(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match shared.catalog.get(&id) {
        Some(entry) => Json(entry.clone()).into_response(),
        None => model_not_found(&id),
    }
}

async fn not_found(uri: Uri) -> Response {
    gateway_error(
        StatusCode::NOT_FOUND,
        "not_found",
        &format!("No route for '{}' on LocalGateway; the API lives under /v1.", uri.path()),
        &[],
    )
}

/// The bearer token of `Authorization: Bearer <token>`, if well formed.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Why a bearer was refused. The messages never quote the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Missing,
    Invalid,
    Expired,
}

impl Refusal {
    fn message(self) -> &'static str {
        match self {
            Refusal::Missing => concat!(
                "Missing or malformed Authorization header: ",
                "send `Authorization: Bearer <AI Gateway API key or Vercel OIDC token>`."
            ),
            Refusal::Invalid => "Invalid API key or OIDC token.",
            Refusal::Expired => concat!(
                "The Vercel OIDC token has expired: fetch a fresh one ",
                "(for example with `vercel env pull`) or use an AI Gateway API key."
            ),
        }
    }
}

/// Applies the configured rules: listed keys; unexpired JWTs when `accept_oidc`; anything
/// non-empty when no keys are listed (expired JWTs still refused when `accept_oidc`, so tests
/// of expiry work with the default config).
fn authenticate(shared: &Shared, headers: &HeaderMap) -> std::result::Result<(), Refusal> {
    let token = bearer(headers).ok_or(Refusal::Missing)?;
    let access = &shared.access;
    if access.api_keys.iter().any(|key| key.expose() == token) {
        return Ok(());
    }
    if access.accept_oidc {
        if let Ok(claims) = decode_claims(token) {
            return match claims.exp {
                Some(exp) if exp <= ids::unix_seconds() => Err(Refusal::Expired),
                _ => Ok(()),
            };
        }
    }
    if access.api_keys.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Invalid)
    }
}

async fn chat_completions(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refusal) = authenticate(&shared, &headers) {
        return gateway_error(StatusCode::UNAUTHORIZED, "authentication_error", refusal.message(), &[]);
    }
    let request = match ChatRequest::parse(&body) {
        Ok(request) => request,
        Err(invalid) => {
            let mut extra = vec![("code", json!(invalid.code))];
            extra.extend(invalid.param.map(|param| ("param", json!(param))));
            return gateway_error(StatusCode::BAD_REQUEST, "invalid_request_error", &invalid.message, &extra);
        }
    };
    let entry = match shared.catalog.get(&request.model) {
        // A custom catalog may leave `type` out; only a declared non-language model is refused.
        Some(entry) if entry.get("type").and_then(Value::as_str).is_none_or(|kind| kind == "language") => entry,
        _ => return model_not_found(&request.model),
    };
    if let Some(fault) = shared.take_fault() {
        return fault_response(&fault);
    }
    let reply = shared.take_reply();
    let generation = Generation::new(&request, entry, reply, ids::generation_id(), ids::unix_seconds());
    if request.stream {
        let events = generation.to_sse_events(request.include_usage);
        let stream = futures_util::stream::iter(events.into_iter().map(Ok::<Bytes, Infallible>));
        (
            StatusCode::OK,
            [
                (CONTENT_TYPE, HeaderValue::from_static("text/event-stream")),
                (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            Body::from_stream(stream),
        )
            .into_response()
    } else {
        Json(generation.to_json()).into_response()
    }
}

/// The envelope type and message a fault gets when it does not set its own.
fn fault_defaults(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("invalid_request_error", "Invalid request."),
        401 => ("authentication_error", "Invalid API key or OIDC token."),
        402 => ("quota_for_entity_exceeded", "Quota limit exceeded for this entity."),
        403 => ("forbidden", "Request denied by a routing rule."),
        404 => ("not_found", "Not found."),
        424 => ("failed_dependency", "A dependency of this request failed."),
        // The documented body of a gateway 429, verbatim.
        429 => ("rate_limit_exceeded", "Rate limit exceeded"),
        code if code >= 500 => ("internal_server_error", "Internal server error."),
        code if code >= 400 => ("invalid_request_error", "The request failed."),
        _ => ("internal_server_error", "The request failed."),
    }
}

fn fault_response(fault: &Fault) -> Response {
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (default_type, default_message) = fault_defaults(status);
    let error_type = fault.error_type.as_deref().unwrap_or(default_type);
    let message = fault.message.as_deref().unwrap_or(default_message);
    let mut response = gateway_error(status, error_type, message, &[]);
    if let Some(retry_after) = &fault.retry_after {
        match HeaderValue::from_str(retry_after) {
            Ok(value) => {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            Err(_) => log::warn!("LocalGateway: a fault's retry_after is not a valid header value; not sent"),
        }
    }
    response
}

/// Vercel's REST error shape, used by the fake project-token endpoint.
fn vercel_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error": {"code": code, "message": message}}))).into_response()
}

/// The fake of `POST https://api.vercel.com/v1/projects/{id}/token`, which `vercel env pull`
/// style OIDC refresh calls with the CLI token; answers `{"token": <12-hour OIDC JWT>}`.
async fn project_token(
    State(shared): State<Arc<Shared>>,
    Path(project_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let Some(cli_token) = &shared.access.cli_token else {
        return vercel_error(
            StatusCode::NOT_FOUND,
            "not_found",
            "The project token endpoint is off: start LocalGateway with a cli_token to enable it.",
        );
    };
    if bearer(&headers) != Some(cli_token.expose()) {
        return vercel_error(
            StatusCode::UNAUTHORIZED,
            "forbidden",
            "Not authorized: send `Authorization: Bearer <Vercel CLI token>` with LocalGateway's cli_token.",
        );
    }
    let team_id = uri
        .query()
        .and_then(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(key, _)| key == "teamId")
                .map(|(_, value)| value.into_owned())
        })
        .filter(|team| !team.is_empty())
        .unwrap_or_else(|| "team_local".to_owned());
    let now = ids::unix_seconds();
    let token = mint_unsigned(&json!({
        "iss": "https://oidc.vercel.com/local",
        "aud": "https://vercel.com/local",
        "sub": format!("owner:local:project:{project_id}:environment:development"),
        "owner": "local",
        "owner_id": team_id,
        "project": project_id,
        "project_id": project_id,
        "environment": "development",
        "iat": now,
        "nbf": now,
        "exp": now.saturating_add(PROJECT_TOKEN_TTL_SECONDS),
    }));
    Json(json!({ "token": token })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_parsing() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer(&headers), None);
        headers.insert("authorization", HeaderValue::from_static("Bearer  abc "));
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert("authorization", HeaderValue::from_static("bearer abc"));
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert("authorization", HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&headers), None);
        headers.insert("authorization", HeaderValue::from_static("Bearer "));
        assert_eq!(bearer(&headers), None);
    }

    #[test]
    fn fault_defaults_follow_the_gateway_types() {
        let kind = |code| fault_defaults(StatusCode::from_u16(code).unwrap()).0;
        assert_eq!(kind(402), "quota_for_entity_exceeded");
        assert_eq!(kind(424), "failed_dependency");
        assert_eq!(kind(429), "rate_limit_exceeded");
        assert_eq!(kind(503), "internal_server_error");
        assert_eq!(kind(409), "invalid_request_error");
    }
}
