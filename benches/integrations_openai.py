"""CPU per request of openai-python through our transport vs openai-python's own httpx path.

    .venv-bench/bin/python benches/integrations_openai.py [--quick] [--rounds N] [--cpus shared|split|free]
        [--pythonpath DIR]     # e.g. the other openai major from `pip install --target DIR`

The method of `benches/run.py` (docs/benchmarks.md), which this script reuses: `LocalGateway` in a
process of its own (`benches/server.py`), each measurement in a fresh client process (this
script with `client ...` arguments) that warms up, then reads its own CPU clock around the
measured loop only; interleaved rounds with a rotating order; medians, and the ratio to the
reference measured in the same run: openai-python with its own HTTP stack (`openai.OpenAI(...,
max_retries=0)`, httpx in 2.x, httpx2 in 3.x). Rows:

- `openai_client()`: the SDK through `GatewayTransport` (the Rust core sends; per-request
  credential resolution, retries and telemetry hooks included);
- `openai_client(transport=False)`: the SDK's own stack with the per-request `api_key` callable;
- `Client` / `AsyncClient`: our client alone, for scale.

Figures: *seq* — requests one after another (µs/request); *stream* — streamed answers of about
500 chunks each (µs/chunk). Release builds only; benchmarks are not tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCHES = Path(__file__).resolve().parent
REFERENCE = "sdk-own"
SYNC = ["sdk-own", "sdk-transport", "sdk-callable", "ours"]
ASYNC = ["sdk-own-async", "sdk-transport-async", "sdk-callable-async", "ours-async"]
CLIENTS = SYNC + ASYNC
LABELS = {
    "sdk-own": "openai.OpenAI, its own HTTP stack",
    "sdk-transport": "openai_client() via GatewayTransport",
    "sdk-callable": "openai_client(transport=False)",
    "ours": "vercel_ai_gateway.Client",
    "sdk-own-async": "openai.AsyncOpenAI, its own HTTP stack",
    "sdk-transport-async": "async_openai_client() via AsyncGatewayTransport",
    "sdk-callable-async": "async_openai_client(transport=False)",
    "ours-async": "vercel_ai_gateway.AsyncClient",
}
MODES = ["seq", "stream"]
HEADERS = {"seq": "seq µs/req", "stream": "µs/chunk"}
MODEL = "openai/gpt-4.1-nano"
MESSAGES: Any = [{"role": "user", "content": "Say hello in five words."}]
VOCABULARY = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
WARM_UP = {"seq": 50, "stream": 2}
TIMES = "\N{MULTIPLICATION SIGN}"


@dataclass(frozen=True)
class Plan:
    rounds: int
    counts: dict[str, int]
    words: int


FULL = Plan(rounds=7, counts={"seq": 1000, "stream": 10}, words=500)
QUICK = Plan(rounds=1, counts={"seq": 100, "stream": 2}, words=500)

# ---- the client half: one measurement in this process ----


def stream_messages(words: int) -> Any:
    return [{"role": "user", "content": " ".join(VOCABULARY[i % len(VOCABULARY)] for i in range(words))}]


def sdk(kind: str, url: str, key: str) -> Any:
    """The SDK client of row `kind` (sync or async)."""
    import openai

    from vercel_ai_gateway import AsyncClient, Client
    from vercel_ai_gateway.openai import async_openai_client, openai_client

    is_async = kind.endswith("-async")
    base = kind.removesuffix("-async")
    if base == "sdk-own":
        cls = openai.AsyncOpenAI if is_async else openai.OpenAI
        return cls(base_url=url, api_key=key, max_retries=0)
    if base == "sdk-transport":
        if is_async:
            return async_openai_client(client=AsyncClient(base_url=url, api_key=key, max_retries=0))
        return openai_client(client=Client(base_url=url, api_key=key, max_retries=0))
    factory = async_openai_client if is_async else openai_client
    return factory(base_url=url, api_key=key, max_retries=0, transport=False)


def ours(kind: str, url: str, key: str) -> Any:
    from vercel_ai_gateway import AsyncClient, Client

    return (AsyncClient if kind.endswith("-async") else Client)(base_url=url, api_key=key, max_retries=0)


def sync_ops(kind: str, url: str, key: str, words: int) -> tuple[Callable[[], int], Callable[[], int]]:
    client = ours(kind, url, key) if kind == "ours" else sdk(kind, url, key)
    create = client.chat.completions.create
    long = stream_messages(words)
    extra = {} if kind == "ours" else {"stream_options": {"include_usage": True}}

    def complete() -> int:
        assert create(model=MODEL, messages=MESSAGES).choices[0].message.content
        return 1

    def stream() -> int:
        chunks = 0
        with create(model=MODEL, messages=long, stream=True, **extra) as events:
            for chunk in events:
                if chunk.choices:
                    chunk.choices[0].delta.content  # noqa: B018 - read as a caller would
                chunks += 1
        return chunks

    return complete, stream


def async_ops(
    kind: str, url: str, key: str, words: int
) -> tuple[Callable[[], Awaitable[int]], Callable[[], Awaitable[int]]]:
    client = ours(kind, url, key) if kind == "ours-async" else sdk(kind, url, key)
    create = client.chat.completions.create
    long = stream_messages(words)
    extra = {} if kind == "ours-async" else {"stream_options": {"include_usage": True}}

    async def complete() -> int:
        assert (await create(model=MODEL, messages=MESSAGES)).choices[0].message.content
        return 1

    async def stream() -> int:
        chunks = 0
        events = await create(model=MODEL, messages=long, stream=True, **extra)
        async with events:
            async for chunk in events:
                if chunk.choices:
                    chunk.choices[0].delta.content  # noqa: B018
                chunks += 1
        return chunks

    return complete, stream


def client_main(kind: str, mode: str, url: str, key: str, count: int, words: int) -> None:
    if kind in SYNC:
        complete, stream = sync_ops(kind, url, key, words)
        op = complete if mode == "seq" else stream
        for _ in range(WARM_UP[mode]):
            op()
        wall, cpu = time.perf_counter(), time.process_time()
        units = sum(op() for _ in range(count))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    else:

        async def run() -> tuple[int, float, float]:
            complete, stream = async_ops(kind, url, key, words)
            op = complete if mode == "seq" else stream
            for _ in range(WARM_UP[mode]):
                await op()
            wall, cpu = time.perf_counter(), time.process_time()
            units = 0
            for _ in range(count):
                units += await op()
            return units, time.process_time() - cpu, time.perf_counter() - wall

        units, cpu, wall = asyncio.run(run())
    import openai

    print(json.dumps({"units": units, "cpu_s": cpu, "wall_s": wall, "openai": openai.__version__}))


# ---- the driver ----


def measure(
    server: Any, kind: str, mode: str, plan: Plan, cpus: set[int] | None, env: dict[str, str]
) -> dict[str, Any]:
    from run import pinned

    count = plan.counts[mode]
    command = [sys.executable, __file__, "client", kind, mode, server.url, server.key, str(count), str(plan.words)]
    done = subprocess.run(
        command, check=False, capture_output=True, text=True, timeout=600, env=env, preexec_fn=pinned(cpus)
    )
    received = server.clear()
    try:
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        sys.exit(f"{kind} {mode} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    if received < count:
        sys.exit(f"{kind} {mode}: the server received {received} requests, fewer than {count}")
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "client":
        kind, mode, url, key, count, words = sys.argv[2:8]
        client_main(kind, mode, url, key, int(count), int(words))
        return
    sys.path.insert(0, str(BENCHES))
    from run import Server, machine, placement, release_extension

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one short round: a smoke run, not figures")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 7; 1 with --quick)")
    parser.add_argument("--cpus", choices=["shared", "split", "free"], default="shared")
    parser.add_argument("--pythonpath", help="prepended to the clients' PYTHONPATH (another openai major)")
    options = parser.parse_args()
    plan = QUICK if options.quick else FULL
    if options.rounds:
        plan = Plan(rounds=options.rounds, counts=plan.counts, words=plan.words)
    release_extension()
    env = dict(os.environ)
    if options.pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (options.pythonpath, env.get("PYTHONPATH")) if p)
    server_cpus, client_cpus = placement(options.cpus)
    server = Server(server_cpus)
    samples: dict[tuple[str, str], list[float]] = {}
    units: dict[tuple[str, str], set[int]] = {}
    sdk_version = ""
    started = time.perf_counter()
    try:
        for round_index in range(plan.rounds):
            for mode in MODES:
                shift = round_index % len(CLIENTS)
                for kind in CLIENTS[shift:] + CLIENTS[:shift]:
                    result = measure(server, kind, mode, plan, client_cpus, env)
                    sdk_version = result["openai"]
                    samples.setdefault((kind, mode), []).append(result["cpu_s"] / result["units"] * 1e6)
                    units.setdefault((kind, mode), set()).add(int(result["units"]))
            print(f"round {round_index + 1}/{plan.rounds} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    finally:
        server.close()
    chunk_counts = {n for kind in CLIENTS for n in units[(kind, "stream")]}
    if len(chunk_counts) != 1:
        sys.exit(f"clients consumed different numbers of chunks: {chunk_counts}")

    def cell(kind: str, mode: str) -> str:
        value = statistics.median(samples[(kind, mode)])
        reference = statistics.median(samples[(REFERENCE if kind in SYNC else REFERENCE + "-async", mode)])
        number = f"{value:,.0f}" if value >= 100 else f"{value:.1f}"
        return f"{number} ({value / reference:.2f}{TIMES})"

    rows = [["client", *(HEADERS[m] for m in MODES)]]
    rows += [[LABELS[kind], *(cell(kind, m) for m in MODES)] for kind in CLIENTS]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "| "
        + " | ".join(t.ljust(w) if i == 0 else t.rjust(w) for i, (t, w) in enumerate(zip(r, widths, strict=True)))
        + " |"
        for r in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 1) + (":" if i else "-") for i, w in enumerate(widths)) + "|")
    chunks = next(iter(chunk_counts)) // plan.counts["stream"]
    print(
        f"CPU of the client process, median of {plan.rounds} round(s); ratio to the SDK's own stack (same mode) in ()"
    )
    print(f"{machine()}; openai {sdk_version}; CPUs {options.cpus}")
    print(f"seq: {plan.counts['seq']} requests; stream: {plan.counts['stream']} streams of {chunks} chunks")
    print()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
