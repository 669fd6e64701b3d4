//! The OTLP/HTTP receiver of `LocalGateway` (feature `otel`): `POST /v1/traces` and
//! `POST /v1/metrics` on the gateway's own port.
//!
//! Design choices:
//! - **Decoding is the telemetry module's.** Bodies go to `crate::telemetry::sink::decode_export`
//!   (protobuf, gzip when `Content-Encoding: gzip`), the same decoder the Rust telemetry tests
//!   use, so the two receivers cannot disagree about what a span looks like.
//! - **Outside the request recorder.** Exporters post from background threads at times of
//!   their own; recording those posts would make `requests()` and `last_request` racy for a
//!   test that also makes gateway calls. Exports are kept in their own list instead.
//! - **Either flavour.** Telemetry does not depend on the gateway, so both flavours receive it;
//!   point an exporter at the gateway's origin (the exporter appends `/v1/traces`).
//! - **Protobuf only.** `application/json` OTLP is refused with 415 and a sentence, rather than
//!   half-decoded.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use super::{lock, Shared};
use crate::telemetry::sink::decode_export;

/// The largest export accepted; batches of thousands of spans stay far below it.
const MAX_EXPORT_BYTES: usize = 16 * 1024 * 1024;

/// The receiver's routes, with their own state and no request recording.
pub(super) fn routes(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/traces", post(receive))
        .route("/v1/metrics", post(receive))
        .layer(DefaultBodyLimit::max(MAX_EXPORT_BYTES))
        .with_state(shared)
}

/// Decodes and keeps one export; answers 200 with an empty protobuf body (an
/// `Export*ServiceResponse` with no partial success), 400 for an undecodable body.
async fn receive(State(shared): State<Arc<Shared>>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers.get(CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default();
    if content_type.contains("json") {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "LocalGateway receives OTLP as protobuf only: set the exporter's protocol to http/protobuf.",
        )
            .into_response();
    }
    let pairs: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();
    match decode_export(uri.path(), pairs, &body) {
        Ok(export) => {
            lock(&shared.telemetry).push(export);
            (StatusCode::OK, [(CONTENT_TYPE, "application/x-protobuf")], Bytes::new()).into_response()
        }
        Err(error) => (StatusCode::BAD_REQUEST, format!("LocalGateway could not decode this OTLP export: {error}"))
            .into_response(),
    }
}
