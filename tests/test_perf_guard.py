"""The regression guard of `make test` for CPU per request (issue 8, docs/benchmarks.md).

Not a timed test: nothing here compares with a fixed number of microseconds, so a slow or busy
machine cannot fail it. It compares CPU per request of our `Client` with openai-python's against
the same loopback server in the same process and run (the server in a process of its own, so its
work is not counted), and fails only on a gross regression: ours costing more than
openai-python's (in `make bench` ours costs about 16 times less, and the tests run a debug build that
is still about twice as cheap). The same holds with telemetry installed, which guards the
per-call telemetry path (a span, its attributes, the metrics, the batch export).
Bounded: a few hundred requests per client, a few seconds in all.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import openai
import pytest

import vercel_ai_gateway as vag

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = [{"role": "user", "content": "hello"}]
MODEL = "openai/gpt-4.1-nano"
ROUNDS = 3
REQUESTS = 100


@pytest.fixture
def server() -> Iterator[tuple[str, str]]:
    with subprocess.Popen(
        [sys.executable, str(ROOT / "benches" / "server.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        url, key = proc.stdout.readline().split()
        try:
            yield url, key
        finally:
            proc.stdin.close()
            proc.wait(timeout=10)


def cpu_per_request(call: Callable[[], object]) -> float:
    """The least CPU seconds per request over a few rounds (the least is the least disturbed)."""
    for _ in range(10):
        call()
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.process_time()
        for _ in range(REQUESTS):
            call()
        best = min(best, (time.process_time() - start) / REQUESTS)
    return best


def test_our_cpu_per_request_stays_below_openai_python(server: tuple[str, str]) -> None:
    url, key = server
    ours = vag.Client(base_url=url, api_key=key, max_retries=0)
    theirs = openai.OpenAI(base_url=url, api_key=key, max_retries=0)

    def ours_call() -> object:
        answer = ours.chat.completions.create(model=MODEL, messages=MESSAGES)
        assert answer.choices[0].message.content
        return answer

    def theirs_call() -> object:
        answer = theirs.chat.completions.create(model=MODEL, messages=MESSAGES)  # type: ignore[arg-type]
        assert answer.choices[0].message.content
        return answer

    baseline = cpu_per_request(theirs_call)
    plain = cpu_per_request(ours_call)
    telemetry = vag.VercelTelemetry(
        backend="otlp", endpoint=url.rsplit("/v1", 1)[0], service_name="guard", python_sdk=False
    )
    telemetry.install()
    try:
        traced = cpu_per_request(ours_call)
        assert telemetry.flush(timeout=10), "the spans reached the loopback receiver"
    finally:
        telemetry.shutdown(timeout=10)
        theirs.close()
    figures = f"openai-python {baseline * 1e6:.0f} µs, ours {plain * 1e6:.0f} µs, with telemetry {traced * 1e6:.0f} µs"
    print(figures)
    assert plain < baseline, f"CPU per request regressed past openai-python's: {figures}"
    assert traced < baseline, f"CPU per request with telemetry regressed past openai-python's: {figures}"
