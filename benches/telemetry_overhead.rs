//! What telemetry costs per gateway call, and how long `flush()` takes.
//!
//! Design: the client's per-call work for telemetry is the hook (`telemetry::start_call`), the
//! span's attributes from the request and the answer, ending the span (a queue push) and
//! recording the metrics. This measures exactly that, with the same chat request and answer
//! shapes the gateway sends, as process CPU time (`CLOCK_PROCESS_CPUTIME_ID`, so the batch
//! export thread's work is included) per call, telemetry installed vs not. The OTLP receiver
//! runs in this process too, so its decoding is counted as well: the figures are upper bounds
//! (`benches/telemetry_onoff.py` measures a client process alone). For repeatable instruction
//! counts run it under `valgrind --tool=callgrind` (docs/benchmarks.md). Flush latency is
//! measured against an OTLP receiver on 127.0.0.1 (`OtlpSink`), one span per flush, as a
//! request-end flush does. Run: `cargo bench --bench telemetry_overhead -- run [CALLS]`; without
//! `run` (as `cargo test --all-targets` runs bench targets) it does nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use vercel_ai_gateway::telemetry::sink::OtlpSink;
use vercel_ai_gateway::telemetry::{self, resolve, CallInfo, RequestBody, Telemetry, TelemetryOptions};

fn cpu_seconds() -> f64 {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid, writable timespec; the clock id is a constant Linux supports.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &raw mut now) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    #[allow(clippy::cast_precision_loss)]
    let seconds = now.tv_sec as f64 + now.tv_nsec as f64 * 1e-9;
    seconds
}

const REQUEST: &[u8] = br#"{"model":"openai/gpt-5","messages":[{"role":"system","content":"You are a helpful assistant"},{"role":"user","content":"Say hi in Portuguese"}],"max_completion_tokens":4000,"stream_options":{"include_usage":true}}"#;

fn answer() -> Value {
    json!({
        "id": "gen_01KKHTPVSAYPGBCBH3AE1FZJSQ", "object": "chat.completion", "created": 1773346189, "model": "openai/gpt-5",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Olá! Como posso ajudar?",
            "provider_metadata": {"gateway": {"routing": {"originalModelId": "openai/gpt-5", "resolvedProvider": "openai", "finalProvider": "openai"}, "cost": "0.00190375"}}}}],
        "usage": {"prompt_tokens": 19, "completion_tokens": 124, "total_tokens": 143, "cost": 0.00190375, "prompt_tokens_details": {"cached_tokens": 0}}
    })
}

/// CPU microseconds per call of the hook path, and the span count produced.
fn per_call(calls: usize, response: &Value) -> f64 {
    let info = CallInfo {
        operation: "chat",
        model: Some("openai/gpt-5"),
        gateway: "vercel",
        url: "https://ai-gateway.vercel.sh/v1",
        stream: false,
        request: Some(RequestBody::Bytes(REQUEST)),
        traceparent: Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
    };
    let start = cpu_seconds();
    for _ in 0..calls {
        if let Some(rec) = telemetry::start_call(&info) {
            rec.finish_ok(response, 0);
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let us = (cpu_seconds() - start) * 1e6 / calls as f64;
    us
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    if args.first().map(String::as_str) != Some("run") {
        return;
    }
    let calls: usize = args.get(1).and_then(|c| c.parse().ok()).unwrap_or(20_000);
    let response = answer();

    let off = per_call(calls, &response);

    let sink = OtlpSink::start().expect("the OTLP sink starts");
    let options =
        TelemetryOptions { backend: Some("otlp".into()), endpoint: Some(sink.url()), ..TelemetryOptions::default() };
    let config = resolve(&options, &vercel_ai_gateway::config::ProcessEnv).expect("settings resolve");
    let installed = Arc::new(Telemetry::new(config).expect("providers build"));
    telemetry::install(Arc::clone(&installed));
    per_call(1_000, &response); // warm-up
    installed.flush(Duration::from_secs(10));
    let on_cpu_start = cpu_seconds();
    let on = per_call(calls, &response);
    // Include the export of what was recorded: the batch thread's CPU counts too.
    let flushed = installed.flush(Duration::from_secs(30));
    #[allow(clippy::cast_precision_loss)]
    let on_with_export = (cpu_seconds() - on_cpu_start) * 1e6 / calls as f64;

    let mut flushes = Vec::new();
    for _ in 0..200 {
        per_call(1, &response);
        let t = Instant::now();
        assert!(installed.flush(Duration::from_secs(5)), "flush to the local receiver");
        flushes.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    flushes.sort_by(f64::total_cmp);
    telemetry::uninstall();
    println!(
        "{}",
        json!({
            "calls": calls,
            "cpu_us_per_call_off": (off * 1000.0).round() / 1000.0,
            "cpu_us_per_call_on": (on * 10.0).round() / 10.0,
            "cpu_us_per_call_on_including_export": (on_with_export * 10.0).round() / 10.0,
            "all_exported": flushed,
            "spans_received": sink.spans().len(),
            "flush_ms_p50": (percentile(&flushes, 0.5) * 100.0).round() / 100.0,
            "flush_ms_p95": (percentile(&flushes, 0.95) * 100.0).round() / 100.0,
            "flush_ms_max": (percentile(&flushes, 1.0) * 100.0).round() / 100.0,
        })
    );
}
