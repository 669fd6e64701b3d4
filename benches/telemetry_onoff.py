"""CPU per request with telemetry off vs on, and the latency of `flush()`, in one run.

Run on a release build: `python benches/telemetry_onoff.py [--requests 2000] [--rounds 5]`.
LocalGateway runs in its own process (`benches/server.py`) and also receives the OTLP exports
(`/v1/traces` on its origin), so the measured process is only the client. Each round measures
the client's CPU (`time.process_time`) over sequential chat completions with telemetry off, then
installed (Rust provider only, spans batched), and flushes at the end. Target (issue 8):
≤ 10 % more CPU per request with telemetry on.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import vercel_ai_gateway as vag

HERE = Path(__file__).resolve().parent
MESSAGES = [{"role": "user", "content": "hello"}]


def cpu_per_request(client: vag.Client, requests: int) -> float:
    for _ in range(50):
        client.chat.completions.create(model="openai/gpt-4.1-nano", messages=MESSAGES)
    start = time.process_time()
    for _ in range(requests):
        client.chat.completions.create(model="openai/gpt-4.1-nano", messages=MESSAGES)
    return (time.process_time() - start) / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, str(HERE / "server.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url, key = server.stdout.readline().split()
        origin = url.rsplit("/v1", 1)[0]
        client = vag.Client(base_url=url, api_key=key, max_retries=0)
        off, on, flushes = [], [], []
        tel = vag.VercelTelemetry(backend="otlp", endpoint=origin, service_name="bench", python_sdk=False)
        for _ in range(args.rounds):
            off.append(cpu_per_request(client, args.requests))
            tel.install()
            on.append(cpu_per_request(client, args.requests))
            started = time.perf_counter()
            assert tel.flush(timeout=10), "the export failed"
            flushes.append((time.perf_counter() - started) * 1000)
            tel.shutdown(timeout=10)
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)
    m_off, m_on = statistics.median(off), statistics.median(on)
    extra = (m_on / m_off - 1) * 100
    print(f"telemetry off: {m_off:.1f} µs CPU/request; on: {m_on:.1f} µs CPU/request (+{extra:.0f} %)")
    print(f"flush() after {args.requests} calls: median {statistics.median(flushes):.1f} ms, max {max(flushes):.1f} ms")


if __name__ == "__main__":
    main()
