//! The SSE chunk decoder (`client::sse::ChunkStream` over `client::sse_frame::Decoder`) on arbitrary
//! bytes arriving in arbitrary pieces, through a canned in-memory HTTP response.
//!
//! Input: byte 0 picks the line limit (0: the default 16 MiB, n: 4n bytes), byte 1 the piece
//! size (0: the whole body at once), the rest is the body. The decoder must end (chunks, then
//! the end or one typed error) within a bounded number of steps, and stay ended.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use vercel_ai_gateway::client::sse::{ChunkStream, MAX_LINE_BYTES};

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap())
}

fn response(pieces: Vec<Vec<u8>>) -> reqwest::Response {
    let stream = futures_util::stream::iter(pieces.into_iter().map(|p| Ok::<_, std::io::Error>(bytes::Bytes::from(p))));
    let response = http::Response::builder()
        .status(200)
        .header("content-type", "text/event-stream")
        .body(reqwest::Body::wrap_stream(stream))
        .unwrap();
    reqwest::Response::from(response)
}

fuzz_target!(|data: &[u8]| {
    let [limit, size, body @ ..] = data else { return };
    let max_line = if *limit == 0 { MAX_LINE_BYTES } else { usize::from(*limit) * 4 };
    let pieces: Vec<Vec<u8>> =
        if *size == 0 { vec![body.to_vec()] } else { body.chunks(usize::from(*size)).map(<[u8]>::to_vec).collect() };
    let steps = body.len() / 6 + 2;
    runtime().block_on(async move {
        let mut stream = ChunkStream::with_limit(response(pieces), Duration::from_secs(5), max_line);
        let mut handed_out = 0u64;
        for _ in 0..=steps {
            match stream.next_chunk().await {
                Ok(Some(_)) => handed_out += 1,
                Ok(None) | Err(_) => {
                    assert!(matches!(stream.next_chunk().await, Ok(None)), "an ended stream stays ended");
                    assert_eq!(stream.chunks_received(), handed_out);
                    return;
                }
            }
        }
        panic!("the stream did not end within {steps} steps");
    });
});
