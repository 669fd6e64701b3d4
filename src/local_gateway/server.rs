//! The HTTP side of `LocalGateway`: the connection loop, routes, authentication, recording.
//!
//! Design choices:
//! - **Connections are served by hand** (hyper's HTTP/1 connection over a tokio socket) rather
//!   than by `axum::serve`, because a fault must be able to drop a connection before any
//!   response byte: each connection task owns its connection future and a [`ConnectionKill`]
//!   that a handler can notify, and dropping the future closes the socket. The same task starts
//!   hyper's graceful shutdown when the gateway closes.
//! - **An axum router inside.** Its outermost layer buffers each body and records the request
//!   before any handler (or the 404/405 fallbacks) answers, so tests see exactly what was sent.
//! - **Handlers decide, [`reply::render`] delivers.** A handler authenticates, validates, picks
//!   the answer (a replayed recording, a scripted reply or the echo), looks up the fault, notes
//!   it on the recorded request, records the generation when a 200 goes out, then hands the
//!   reply and the fault to the renderer.
//! - Error bodies use the gateway envelope `{"error":{"message","type",...}}`, except the fake
//!   Vercel REST endpoint (Vercel's `{"error":{"code","message"}}`) and `/v1/generation`, whose
//!   errors are flat, as observed on the real one (`spec/gateway-api.md` §5.1).
//! - **One router per flavour.** The OpenRouter flavour mounts OpenRouter's routes under
//!   `/api/v1` and answers in its envelope `{"error":{"message","code"}}` (the `openrouter`
//!   module); the handlers that both flavours share branch on [`Flavor`] only where the shapes
//!   differ. The OTLP receiver (feature `otel`) is merged in outside the recording layer.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{json, Value};
use tokio::sync::{watch, Notify};

use super::cassette::{split_events, RecordedResponse};
use super::completion::{ChatRequest, Generation, InvalidRequest};
use super::embeddings::{self, EmbeddingRequest};
use super::faults::{FaultKind, FaultTarget};
use super::ledger::{usd, GenerationRecord};
use super::openrouter;
use super::reply::{self, gateway_error, ConnectionKill, Reply};
use super::{ids, lock, Flavor, RecordedRequest, Shared, SHUTDOWN_GRACE};
use crate::error::{Error, Result};
use crate::jwt::{decode_claims, mint_unsigned};

/// Largest request body accepted; far above any test's needs, small enough not to exhaust
/// memory if a client streams garbage.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Lifetime of tokens from the fake project-token endpoint: 12 hours, like Vercel's.
const PROJECT_TOKEN_TTL_SECONDS: i64 = 43_200;

/// A started server: where it listens, and its thread.
pub(super) struct Running {
    pub address: SocketAddr,
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
    let closing = shared.closing.subscribe();
    let app = router(shared);
    let thread = std::thread::Builder::new()
        .name(format!("local-gateway-{}", address.port()))
        .spawn(move || serve(&runtime, listener, app, closing))
        .map_err(|error| Error::internal(format!("LocalGateway could not start its thread: {error}.")))?;
    Ok(Running { address, thread })
}

/// The server thread's body: accept until the gateway closes, then let open connections
/// finish for at most [`SHUTDOWN_GRACE`]. Returning drops the runtime, which cancels any
/// connection still open.
fn serve(
    runtime: &tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    app: Router,
    mut closing: watch::Receiver<bool>,
) {
    runtime.block_on(async move {
        // Each connection task holds a receiver; `closed()` resolves when the last one is gone.
        let (connections, _) = watch::channel(());
        let for_connections = closing.clone();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let _ = stream.set_nodelay(true);
                        let task = serve_connection(stream, app.clone(), for_connections.clone(), connections.subscribe());
                        tokio::spawn(task);
                    }
                    // Per-connection failures (the peer left before accept) are not fatal.
                    Err(error) => log::debug!("LocalGateway: accept failed: {error}"),
                },
                // An error means the handle is gone: close as well.
                _ = closing.wait_for(|closing| *closing) => break,
            }
        }
        drop(listener);
        if tokio::time::timeout(SHUTDOWN_GRACE, connections.closed()).await.is_err() {
            log::debug!("LocalGateway cut connections still open after {SHUTDOWN_GRACE:?}");
        }
    });
}

/// Serves one connection until it ends, a handler kills it, or the gateway closes (then
/// gracefully: in-flight requests finish, idle keep-alive connections close at once).
async fn serve_connection(
    stream: tokio::net::TcpStream,
    app: Router,
    mut closing: watch::Receiver<bool>,
    _alive: watch::Receiver<()>,
) {
    let kill = ConnectionKill(Arc::new(Notify::new()));
    let extension = kill.clone();
    let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(extension.clone());
        let mut app = app.clone();
        tower_service::Service::call(&mut app, request)
    });
    // No header-read timeout (hyper's default is 30 s once a timer is set): it would also close
    // idle keep-alive connections, and a client reusing one at that moment sees a spurious
    // connection error. Stalled clients are bounded by shutdown instead.
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(None)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let mut draining = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    log::debug!("LocalGateway: connection ended with an error: {error}");
                }
                return;
            }
            // Returning drops the connection future, which closes the socket.
            () = kill.0.notified() => return,
            _ = closing.wait_for(|closing| *closing), if !draining => {
                draining = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

fn router(shared: Arc<Shared>) -> Router {
    let routes = match shared.flavor {
        Flavor::Vercel => Router::new()
            .route("/v1/models", get(list_models))
            // A wildcard, so an id is looked up whole whatever slashes it holds (and `/endpoints`).
            .route("/v1/models/{*id}", get(get_model))
            .route("/v1/chat/completions", post(chat_completions))
            // The OpenRouter-style path, so OpenRouter clients and cassettes work unchanged.
            .route("/api/v1/chat/completions", post(chat_completions))
            .route("/v1/embeddings", post(create_embeddings))
            .route("/v1/generation", get(generation))
            .route("/v1/credits", get(credits))
            .route("/v1/projects/{project_id}/token", post(project_token)),
        Flavor::OpenRouter => Router::new()
            .route("/api/v1/models", get(list_models))
            .route("/api/v1/models/{*path}", get(openrouter_model_path))
            .route("/api/v1/chat/completions", post(chat_completions))
            .route("/api/v1/embeddings", post(create_embeddings))
            .route("/api/v1/embeddings/models", get(openrouter_embedding_models))
            .route("/api/v1/generation", get(generation))
            .route("/api/v1/credits", get(credits)),
    };
    let app = routes
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), record))
        .with_state(Arc::clone(&shared));
    with_receiver(app, shared)
}

/// Adds the OTLP receiver's routes (not recorded as requests).
#[cfg(feature = "otel")]
fn with_receiver(app: Router, shared: Arc<Shared>) -> Router {
    app.merge(super::otlp::routes(shared))
}

/// Without the `otel` feature there is no receiver: `/v1/traces` answers 404.
#[cfg(not(feature = "otel"))]
fn with_receiver(app: Router, _shared: Arc<Shared>) -> Router {
    app
}

/// Which recorded request a handler is answering, and when it arrived.
#[derive(Clone, Copy, Debug)]
struct Arrival {
    sequence: u64,
    at: Instant,
}

/// Records the request, body included, then passes it on with the buffered body.
async fn record(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let at = Instant::now();
    let (mut parts, body) = request.into_parts();
    let (bytes, too_large) = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => (bytes, false),
        Err(_) => (Bytes::new(), true),
    };
    let sequence = shared.record(RecordedRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect(),
        body: bytes.to_vec(),
        fault: None,
        flavor: shared.flavor,
    });
    if too_large {
        let message = format!("The request body could not be read or exceeds {MAX_BODY_BYTES} bytes.");
        return match shared.flavor {
            Flavor::Vercel => gateway_error(StatusCode::PAYLOAD_TOO_LARGE, "invalid_request_error", &message, &[]),
            Flavor::OpenRouter => openrouter::error_response(StatusCode::PAYLOAD_TOO_LARGE, &message, None, false),
        };
    }
    parts.extensions.insert(Arrival { sequence, at });
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// An unknown model: Vercel's 404 `model_not_found`, or OpenRouter's 400 in its own words
/// ("<id> is not a valid model ID", quoted in public issues).
fn model_not_found(flavor: Flavor, id: &str) -> Response {
    match flavor {
        Flavor::Vercel => gateway_error(
            StatusCode::NOT_FOUND,
            "model_not_found",
            &format!("Model '{id}' not found"),
            &[("param", json!({ "modelId": id }))],
        ),
        Flavor::OpenRouter => {
            openrouter::error_response(StatusCode::BAD_REQUEST, &format!("{id} is not a valid model ID"), None, true)
        }
    }
}

fn invalid_request(flavor: Flavor, invalid: InvalidRequest) -> Response {
    match flavor {
        Flavor::Vercel => {
            let mut extra = vec![("code", json!(invalid.code))];
            extra.extend(invalid.param.map(|param| ("param", json!(param))));
            gateway_error(StatusCode::BAD_REQUEST, "invalid_request_error", &invalid.message, &extra)
        }
        Flavor::OpenRouter => openrouter::error_response(StatusCode::BAD_REQUEST, &invalid.message, None, true),
    }
}

fn unauthorized(flavor: Flavor, refusal: Refusal) -> Response {
    match flavor {
        Flavor::Vercel => gateway_error(StatusCode::UNAUTHORIZED, "authentication_error", refusal.message(), &[]),
        Flavor::OpenRouter => {
            openrouter::error_response(StatusCode::UNAUTHORIZED, refusal.openrouter_message(), None, false)
        }
    }
}

async fn list_models(State(shared): State<Arc<Shared>>) -> Response {
    ([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], shared.catalog.list_body()).into_response()
}

/// `GET /v1/models/{id}` and `GET /v1/models/{id}/endpoints`: an id that is in the catalog
/// wins, so only a path ending in `/endpoints` whose prefix is a model gets the endpoints.
async fn get_model(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    if let Some(entry) = shared.catalog.get(&id) {
        return Json(entry.clone()).into_response();
    }
    match id.strip_suffix("/endpoints") {
        Some(model) => match shared.catalog.get(model) {
            Some(entry) => Json(shared.endpoints.reply(model, entry)).into_response(),
            None => model_not_found(Flavor::Vercel, model),
        },
        None => model_not_found(Flavor::Vercel, &id),
    }
}

/// The OpenRouter catalog entry for `id`: by id, by `canonical_slug`, or without a variant
/// suffix such as `:nitro`.
fn openrouter_entry<'a>(shared: &'a Shared, id: &str) -> Option<&'a Value> {
    shared.catalog.get_or_slug(id).or_else(|| shared.catalog.get_or_slug(openrouter::base_model(id)))
}

/// The OpenRouter embedding model `id`: from the catalog when it lists one, else from the
/// embedding-model list.
fn openrouter_embedding_entry<'a>(shared: &'a Shared, id: &str) -> Option<&'a Value> {
    openrouter_entry(shared, id)
        .filter(|entry| openrouter::is_embedding_model(entry))
        .or_else(|| shared.embedding_catalog.as_ref().and_then(|catalog| catalog.get_or_slug(id)))
}

/// `GET /api/v1/models/{author}/{slug}/endpoints` (by id or canonical slug); OpenRouter has
/// no single-model route, so any other path under `/models/` is a 404.
async fn openrouter_model_path(State(shared): State<Arc<Shared>>, Path(path): Path<String>, uri: Uri) -> Response {
    let Some(model) = path.strip_suffix("/endpoints") else {
        return not_found_for(shared.flavor, uri.path());
    };
    match openrouter_entry(&shared, model).or_else(|| openrouter_embedding_entry(&shared, model)) {
        Some(entry) => Json(openrouter::endpoints_json(entry)).into_response(),
        None => {
            openrouter::error_response(StatusCode::NOT_FOUND, &format!("No endpoints found for {model}."), None, false)
        }
    }
}

/// `GET /api/v1/embeddings/models`: OpenRouter's embedding models.
async fn openrouter_embedding_models(State(shared): State<Arc<Shared>>) -> Response {
    let body = shared.embedding_catalog.as_ref().map(super::catalog::Catalog::list_body).unwrap_or_default();
    ([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

fn not_found_for(flavor: Flavor, path: &str) -> Response {
    let message = format!(
        "No route for '{path}' on LocalGateway ({flavor} flavour); the API lives under {}.",
        flavor.api_prefix()
    );
    match flavor {
        Flavor::Vercel => gateway_error(StatusCode::NOT_FOUND, "not_found", &message, &[]),
        Flavor::OpenRouter => openrouter::error_response(StatusCode::NOT_FOUND, &message, None, false),
    }
}

async fn not_found(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    not_found_for(shared.flavor, uri.path())
}

/// Milliseconds since `since`, saturating.
fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The common tail of the inference handlers: note the fault, record the generation when a 200
/// will go out, render.
async fn deliver(
    shared: &Shared,
    arrival: Option<Arrival>,
    kill: Option<&ConnectionKill>,
    reply: Reply,
    fault: Option<FaultKind>,
    generation: Option<GenerationRecord>,
) -> Response {
    if let (Some(fault), Some(arrival)) = (&fault, arrival) {
        shared.note_fault(arrival.sequence, fault);
    }
    let answers = !fault.as_ref().is_some_and(FaultKind::replaces_reply);
    if let (true, Some(mut record)) = (answers && reply.status.is_success(), generation) {
        let delay = match &fault {
            Some(FaultKind::Delay(delay)) => u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            _ => 0,
        };
        let waited = arrival.map_or(0, |arrival| elapsed_ms(arrival.at));
        record.latency_ms = waited.saturating_add(delay);
        record.generation_ms = record.latency_ms;
        lock(&shared.ledger).record(record);
    }
    reply::render(reply, fault.as_ref(), kill, shared.closing.subscribe(), shared.flavor).await
}

/// A recorded answer as a [`Reply`]: status, content type and body unchanged.
fn replay(recorded: RecordedResponse) -> Reply {
    let status = StatusCode::from_u16(recorded.status).unwrap_or(StatusCode::OK);
    let streamed = recorded.is_event_stream();
    let content_type = recorded
        .content_type
        .as_deref()
        .and_then(|kind| HeaderValue::from_str(kind).ok())
        .unwrap_or_else(|| HeaderValue::from_static("application/octet-stream"));
    let pieces = if streamed { split_events(&recorded.body) } else { vec![recorded.body] };
    Reply { status, content_type, pieces, streamed, headers: Vec::new() }
}

/// The `HTTP-Referer` attribution header, kept for OpenRouter's generation lookup.
fn referer(headers: &HeaderMap) -> Option<String> {
    headers.get("http-referer").and_then(|value| value.to_str().ok()).map(str::to_owned)
}

/// OpenRouter names each answer's generation in `X-Generation-Id` (its streaming docs).
fn with_generation_header(flavor: Flavor, reply: Reply, id: Option<&str>) -> Reply {
    match (flavor, id) {
        (Flavor::OpenRouter, Some(id)) => reply.with_header("x-generation-id", id),
        _ => reply,
    }
}

async fn chat_completions(
    State(shared): State<Arc<Shared>>,
    arrival: Option<Extension<Arrival>>,
    kill: Option<Extension<ConnectionKill>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let arrival = arrival.map(|Extension(arrival)| arrival);
    let kill = kill.as_ref().map(|Extension(kill)| kill);
    let flavor = shared.flavor;
    if let Err(refusal) = authenticate(&shared, &headers) {
        return unauthorized(flavor, refusal);
    }
    let path = uri.path();
    let recorded = {
        let mut tape = lock(&shared.tape);
        if tape.is_empty() {
            None
        } else {
            tape.answer("POST", path, &body)
        }
    };
    if let Some(recorded) = recorded {
        let sent: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let model = sent.get("model").and_then(Value::as_str).unwrap_or_default();
        let stream = sent.get("stream").and_then(Value::as_bool).unwrap_or(false);
        let fault = shared.take_fault(&FaultTarget { path, model, stream });
        let streamed = recorded.is_event_stream();
        let mut generation = GenerationRecord::from_recorded(&recorded.body, streamed);
        if let Some(record) = &mut generation {
            record.created_ms = ids::unix_millis();
            record.http_referer = referer(&headers);
        }
        let reply =
            with_generation_header(flavor, replay(recorded), generation.as_ref().map(|record| record.id.as_str()));
        return deliver(&shared, arrival, kill, reply, fault, generation).await;
    }
    let request = match ChatRequest::parse(&body) {
        Ok(request) => request,
        Err(invalid) => return invalid_request(flavor, invalid),
    };
    let entry = match flavor {
        Flavor::Vercel => shared
            .catalog
            .get(&request.model)
            // A custom catalog may leave `type` out; only a declared non-language model is refused.
            .filter(|entry| entry.get("type").and_then(Value::as_str).is_none_or(|kind| kind == "language")),
        Flavor::OpenRouter => {
            openrouter_entry(&shared, &request.model).filter(|entry| !openrouter::is_embedding_model(entry))
        }
    };
    let Some(entry) = entry else { return model_not_found(flavor, &request.model) };
    let provider = match flavor {
        Flavor::Vercel => None,
        Flavor::OpenRouter => match openrouter::route(&request.model, request.provider.as_ref()) {
            Ok(slug) => Some(openrouter::display_name(&slug)),
            Err(metadata) => {
                // OpenRouter's own words (quoted in public issues), with its metadata.
                return openrouter::error_response(
                    StatusCode::NOT_FOUND,
                    "No allowed providers are available for the selected model.",
                    Some(&metadata),
                    true,
                );
            }
        },
    };
    let fault = shared.take_fault(&FaultTarget { path, model: &request.model, stream: request.stream });
    // A fault that answers instead of the model leaves the scripted reply for the next request.
    let scripted = if fault.as_ref().is_some_and(FaultKind::replaces_reply) { None } else { shared.take_reply() };
    let created = ids::unix_seconds();
    let generation = match provider {
        None => Generation::new(&request, entry, scripted, ids::generation_id(), created),
        Some(provider) => {
            let reported = entry.get("canonical_slug").and_then(Value::as_str).unwrap_or(&request.model).to_owned();
            Generation::new(&request, entry, scripted, openrouter::generation_id(created), created)
                .on_openrouter(reported, provider)
        }
    };
    let mut record = generation.record(request.stream, ids::unix_millis());
    record.http_referer = referer(&headers);
    let reply = if request.stream {
        Reply::events(generation.to_events(request.include_usage))
    } else {
        Reply::json_text(generation.to_body())
    };
    let reply = with_generation_header(flavor, reply, Some(&generation.id));
    deliver(&shared, arrival, kill, reply, fault, Some(record)).await
}

async fn create_embeddings(
    State(shared): State<Arc<Shared>>,
    arrival: Option<Extension<Arrival>>,
    kill: Option<Extension<ConnectionKill>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let arrival = arrival.map(|Extension(arrival)| arrival);
    let kill = kill.as_ref().map(|Extension(kill)| kill);
    let flavor = shared.flavor;
    if let Err(refusal) = authenticate(&shared, &headers) {
        return unauthorized(flavor, refusal);
    }
    let request = match EmbeddingRequest::parse(&body) {
        Ok(request) => request,
        Err(invalid) => return invalid_request(flavor, invalid),
    };
    if flavor == Flavor::OpenRouter {
        return openrouter_embeddings(&shared, arrival, kill, &uri, &headers, &request).await;
    }
    let entry = match shared.catalog.get(&request.model) {
        Some(entry) if entry.get("type").and_then(Value::as_str) == Some("embedding") => entry,
        Some(entry) => {
            let kind = entry.get("type").and_then(Value::as_str).unwrap_or("language");
            return gateway_error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                &format!(
                    "Model '{}' is a {kind} model, not an embedding model; use one such as \
                     'openai/text-embedding-3-small'.",
                    request.model
                ),
                &[("param", json!("model")), ("code", json!("invalid_model_type"))],
            );
        }
        None => return model_not_found(flavor, &request.model),
    };
    let reply = match embeddings::respond(&request, entry, ids::generation_id(), ids::unix_millis()) {
        Ok(reply) => reply,
        Err(invalid) => return invalid_request(flavor, invalid),
    };
    let fault = shared.take_fault(&FaultTarget { path: uri.path(), model: &request.model, stream: false });
    deliver(&shared, arrival, kill, Reply::json(&reply.body), fault, Some(reply.record)).await
}

/// `POST /api/v1/embeddings`: the same vectors in OpenRouter's reply shape.
async fn openrouter_embeddings(
    shared: &Shared,
    arrival: Option<Arrival>,
    kill: Option<&ConnectionKill>,
    uri: &Uri,
    headers: &HeaderMap,
    request: &EmbeddingRequest,
) -> Response {
    let flavor = Flavor::OpenRouter;
    let Some(entry) = openrouter_embedding_entry(shared, &request.model) else {
        if openrouter_entry(shared, &request.model).is_some() {
            return openrouter::error_response(
                StatusCode::BAD_REQUEST,
                &format!("{} is not an embedding model; use one such as openai/text-embedding-3-small.", request.model),
                None,
                true,
            );
        }
        return model_not_found(flavor, &request.model);
    };
    let provider = openrouter::display_name(&openrouter::route(&request.model, None).unwrap_or_default());
    let id = openrouter::embedding_id(ids::unix_seconds());
    let mut reply = match embeddings::respond(request, entry, id.clone(), ids::unix_millis()) {
        Ok(reply) => reply,
        Err(invalid) => return invalid_request(flavor, invalid),
    };
    reply.record.provider.clone_from(&provider);
    reply.record.api_type = Some("embeddings");
    reply.record.http_referer = referer(headers);
    let body = openrouter::embeddings_body(reply.body, &id, &provider, reply.record.cost);
    let fault = shared.take_fault(&FaultTarget { path: uri.path(), model: &request.model, stream: false });
    let answer = Reply::json(&body).with_header("x-generation-id", &id);
    deliver(shared, arrival, kill, answer, fault, Some(reply.record)).await
}

/// The first value of query parameter `name`, decoded.
fn query_value(uri: &Uri, name: &str) -> Option<String> {
    let query = uri.query()?;
    url::form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
}

/// The flat error bodies of `/v1/generation`.
fn flat_error(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// `GET /v1/generation?id=gen_…`: the recorded generation in the shape of spec §7.1; on the
/// OpenRouter flavour, `GET /api/v1/generation?id=gen-…` in OpenRouter's shape.
async fn generation(State(shared): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    if let Err(refusal) = authenticate(&shared, &headers) {
        return unauthorized(shared.flavor, refusal);
    }
    let id = query_value(&uri, "id").unwrap_or_default();
    let id = id.trim();
    if shared.flavor == Flavor::OpenRouter {
        if id.is_empty() {
            return openrouter::error_response(
                StatusCode::BAD_REQUEST,
                "Missing required query parameter: id",
                None,
                true,
            );
        }
        return match lock(&shared.ledger).get(id) {
            Some(record) => Json(openrouter::generation_json(record)).into_response(),
            None => {
                openrouter::error_response(StatusCode::NOT_FOUND, &format!("Generation {id} not found"), None, true)
            }
        };
    }
    if id.is_empty() {
        return flat_error(StatusCode::BAD_REQUEST, json!({"error": "id is required"}));
    }
    if !ids::is_generation_id(id) {
        return flat_error(
            StatusCode::BAD_REQUEST,
            json!({"error": "Invalid generation ID format. Expected format: gen_<ulid>"}),
        );
    }
    match lock(&shared.ledger).get(id) {
        Some(record) => Json(json!({"data": record.to_json()})).into_response(),
        None => flat_error(
            StatusCode::NOT_FOUND,
            json!({"error": "Usage event not found", "id": id, "message": format!("No usage event found with ID {id}")}),
        ),
    }
}

/// `GET /v1/credits`: the configured balance minus what was served, both decimal strings. On
/// the OpenRouter flavour, `{"data":{"total_credits","total_usage"}}` as numbers.
async fn credits(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(refusal) = authenticate(&shared, &headers) {
        return unauthorized(shared.flavor, refusal);
    }
    let used = lock(&shared.ledger).total_used();
    match shared.flavor {
        Flavor::Vercel => Json(json!({"balance": usd(shared.balance.saturating_minus(used)), "total_used": usd(used)}))
            .into_response(),
        Flavor::OpenRouter => Json(openrouter::credits_json(shared.balance, used)).into_response(),
    }
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

    /// OpenRouter's own messages (quoted in public issues); it has no OIDC, so no expiry.
    fn openrouter_message(self) -> &'static str {
        match self {
            Refusal::Missing => "No auth credentials found",
            Refusal::Invalid | Refusal::Expired => "User not found.",
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
    let team_id =
        query_value(&uri, "teamId").filter(|team| !team.is_empty()).unwrap_or_else(|| "team_local".to_owned());
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
        let kind = |code| super::super::reply::fault_defaults(StatusCode::from_u16(code).unwrap()).0;
        assert_eq!(kind(402), "quota_for_entity_exceeded");
        assert_eq!(kind(424), "failed_dependency");
        assert_eq!(kind(429), "rate_limit_exceeded");
        assert_eq!(kind(503), "internal_server_error");
        assert_eq!(kind(409), "invalid_request_error");
    }
}
