//! The reference "1×" of `make bench`: plain reqwest doing what the Python clients do.
//!
//! Design: one process per measurement, started by `benches/run.py` (or by hand:
//! `cargo bench --bench reqwest_peer -- seq|conc|stream URL KEY COUNT`). A `current_thread` tokio
//! runtime and one `reqwest::Client`, the best plain-Rust design `spec/ffi-performance.md` found.
//! Each request posts the same JSON body as the Python clients, parses the answer with
//! `serde_json` into a `Value` and reads the content field, as a caller would; streams go through
//! `eventsource-stream` (the crate our client uses) and parse every chunk. Warm-up requests
//! open the connections first; the process CPU clock (`CLOCK_PROCESS_CPUTIME_ID`, the clock of
//! Python's `time.process_time()`) is read around the measured loop only. The result is one
//! JSON line on stdout.

use std::time::Instant;

use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use serde_json::{json, Value};

/// Concurrent tasks in `conc` mode, as many as the Python clients' threads or coroutines.
const CONCURRENCY: usize = 32;

/// The model every request names (it is in `LocalGateway`'s catalog).
const MODEL: &str = "openai/gpt-4.1-nano";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// CPU seconds used by this process so far (all threads, user and system).
fn cpu_seconds() -> f64 {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid, writable timespec; the clock id is a constant Linux supports.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &raw mut now) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    #[allow(clippy::cast_precision_loss)]
    let seconds = now.tv_sec as f64 + now.tv_nsec as f64 * 1e-9;
    seconds
}

/// What `benches/run.py` passes: the mode, where the server is, and how much to measure.
struct Args {
    mode: String,
    url: String,
    key: String,
    count: usize,
    /// The user message of every streamed request: the server echoes it word by word.
    stream_prompt: String,
}

const USAGE: &str = "usage: reqwest_peer seq|conc|stream URL KEY COUNT [STREAM_WORDS]";

impl Args {
    /// The arguments, or `None` when there are none (`cargo test --all-targets` runs every
    /// bench target that way: there is nothing to check without a server, so it passes).
    fn parse() -> Result<Option<Args>, BoxError> {
        // `cargo bench` appends `--bench`; anything starting with `--` is not ours.
        let positional: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
        if positional.is_empty() {
            return Ok(None);
        }
        let [mode, url, key, count, ..] = positional.as_slice() else {
            return Err(USAGE.into());
        };
        let words: usize = positional.get(4).map_or(Ok(500), |w| w.parse())?;
        Ok(Some(Args {
            mode: mode.clone(),
            url: format!("{}/chat/completions", url.trim_end_matches('/')),
            key: key.clone(),
            count: count.parse()?,
            stream_prompt: stream_prompt(words),
        }))
    }
}

/// The same deterministic prompt `benches/clients.py` builds: `words` short words.
fn stream_prompt(words: usize) -> String {
    const VOCABULARY: [&str; 8] = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];
    (0..words).map(|i| VOCABULARY[i % VOCABULARY.len()]).collect::<Vec<_>>().join(" ")
}

/// One plain request: POST, parse the JSON answer, read the content. Returns 1 (a request).
async fn complete(client: &reqwest::Client, args: &Args) -> Result<usize, BoxError> {
    let body = json!({"model": MODEL, "messages": [{"role": "user", "content": "Say hello in five words."}]});
    let response = client.post(&args.url).bearer_auth(&args.key).json(&body).send().await?.error_for_status()?;
    let value: Value = serde_json::from_slice(&response.bytes().await?)?;
    if value["choices"][0]["message"]["content"].as_str().is_none() {
        return Err("an answer without content".into());
    }
    Ok(1)
}

/// One streamed request: read the SSE body, parse every chunk, read its content. Returns the
/// number of chunks consumed.
async fn stream(client: &reqwest::Client, args: &Args) -> Result<usize, BoxError> {
    let body = json!({
        "model": MODEL,
        "messages": [{"role": "user", "content": args.stream_prompt}],
        "stream": true,
        "stream_options": {"include_usage": true},
    });
    let response = client.post(&args.url).bearer_auth(&args.key).json(&body).send().await?.error_for_status()?;
    let mut events = response.bytes_stream().eventsource();
    let mut chunks = 0;
    let mut text = 0;
    while let Some(event) = events.next().await {
        let event = event?;
        if event.data == "[DONE]" {
            return if text > 0 { Ok(chunks) } else { Err("a stream without content".into()) };
        }
        let chunk: Value = serde_json::from_str(&event.data)?;
        if let Some(content) = chunk["choices"][0]["delta"]["content"].as_str() {
            text += content.len();
        }
        chunks += 1;
    }
    Err("the stream ended before [DONE]".into())
}

/// Runs `count` operations of `mode`, sequentially or from [`CONCURRENCY`] tasks; returns the
/// units done (requests, or chunks for streams).
async fn run(client: &reqwest::Client, args: &std::sync::Arc<Args>, count: usize) -> Result<usize, BoxError> {
    match args.mode.as_str() {
        "seq" => {
            let mut units = 0;
            for _ in 0..count {
                units += complete(client, args).await?;
            }
            Ok(units)
        }
        "stream" => {
            let mut units = 0;
            for _ in 0..count {
                units += stream(client, args).await?;
            }
            Ok(units)
        }
        "conc" => {
            let per_task = count.div_ceil(CONCURRENCY);
            let tasks: Vec<_> = (0..CONCURRENCY)
                .map(|_| {
                    let client = client.clone();
                    let args = std::sync::Arc::clone(args);
                    tokio::spawn(async move {
                        let mut units = 0;
                        for _ in 0..per_task {
                            units += complete(&client, &args).await?;
                        }
                        Ok::<usize, BoxError>(units)
                    })
                })
                .collect();
            let mut units = 0;
            for task in tasks {
                units += task.await??;
            }
            Ok(units)
        }
        other => Err(format!("unknown mode {other:?}: expected seq, conc or stream").into()),
    }
}

fn main() -> Result<(), BoxError> {
    let Some(args) = Args::parse()? else {
        println!("reqwest_peer: nothing to measure without a server; `make bench` runs it ({USAGE})");
        return Ok(());
    };
    let args = std::sync::Arc::new(args);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let client = reqwest::Client::new();
        // Warm-up: open the connections the measured loop will reuse.
        let warm_up = match args.mode.as_str() {
            "stream" => 2,
            "conc" => 4 * CONCURRENCY,
            _ => 50,
        };
        run(&client, &args, warm_up).await?;
        let wall = Instant::now();
        let cpu = cpu_seconds();
        let units = run(&client, &args, args.count).await?;
        let cpu = cpu_seconds() - cpu;
        let wall = wall.elapsed().as_secs_f64();
        println!("{}", json!({"units": units, "cpu_s": cpu, "wall_s": wall}));
        Ok(())
    })
}
