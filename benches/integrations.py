"""CPU per request through the Genkit and LiteLLM integrations against each framework's own path.

    python benches/integrations.py [--quick] [--rounds N] [--requests N] [--words N] [--cpus shared|free]

Release builds only, in an environment with the `genkit` and `litellm` extras and genkit-openai
(the test extra has them). Pairs measured in the same run, same model, same JSON body:

| row | path |
|---|---|
| LiteLLM `vag/` | `litellm.completion(model="vag/...")`: our custom provider, HTTP in our Rust core |
| LiteLLM built-in | `litellm.completion(model="vercel_ai_gateway/...")`: LiteLLM's OpenAI-SDK path |
| Genkit plugin | `ai.generate(model="vercel/...")` with `VercelAIGateway` |
| Genkit genkit-openai | `ai.generate(model="openai/...")` with `genkit_openai.OpenAI(base_url=gateway)` |
| AsyncClient / Client | our client alone: the floor under both frameworks |

Method (as benches/run.py): a `LocalGateway` serves from a process of its own
(`benches/server.py`); each measurement is a fresh process that imports, warms up (opening the
connections), then reads its own CPU clock (`time.process_time()`, all threads) around N
sequential requests, or around streamed requests of about WORDS chunks each (CPU per chunk).
Rounds interleave the cases in rotating order; the table shows medians over rounds. By default
the server and every client share one CPU, which keeps samples stable. The server's request
count is checked after every measurement, so a case that did not send its requests fails.
Benchmarks are not tests (STYLE.md 12).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

BENCHES = Path(__file__).resolve().parent
MODEL = "openai/gpt-4.1-nano"
MESSAGES = [{"role": "user", "content": "Say hello in five words."}]
VOCABULARY = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
WARM_UP = 20
TIMES = "\N{MULTIPLICATION SIGN}"

# case -> (label, framework it is compared within)
CASES = {
    "litellm-vag": "LiteLLM `vag/` custom provider (sync)",
    "litellm-builtin": "LiteLLM built-in `vercel_ai_gateway/` (sync)",
    "litellm-vag-async": "LiteLLM `vag/` custom provider (async)",
    "litellm-builtin-async": "LiteLLM built-in `vercel_ai_gateway/` (async)",
    "genkit-plugin": "Genkit `VercelAIGateway` plugin",
    "genkit-openai": "Genkit `genkit_openai.OpenAI` plugin",
    "client": "vercel_ai_gateway Client (no framework)",
    "async-client": "vercel_ai_gateway AsyncClient (no framework)",
}
PAIRS = [
    ("litellm-vag", "litellm-builtin"),
    ("litellm-vag-async", "litellm-builtin-async"),
    ("genkit-plugin", "genkit-openai"),
]
MODES = ["seq", "stream"]


def long_messages(words: int) -> list[dict[str, str]]:
    return [{"role": "user", "content": " ".join(VOCABULARY[i % len(VOCABULARY)] for i in range(words))}]


# ---- the client side: one case, one mode, in a process of its own ----

Op = Callable[[], Awaitable[int]]


def build(case: str, url: str, key: str, words: int) -> tuple[Op, Op]:
    """(one request -> 1, one stream -> chunks read), as coroutines (sync calls are wrapped)."""
    long = long_messages(words)
    if case.startswith("litellm"):
        os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        import litellm

        litellm.suppress_debug_info = True
        if "vag" in case:
            from vercel_ai_gateway.litellm import register

            register(base_url=url, api_key=key)
            target: dict[str, Any] = {"model": f"vag/{MODEL}"}
        else:
            target = {"model": f"vercel_ai_gateway/{MODEL}", "api_key": key, "api_base": url}
        if case.endswith("async"):

            async def complete() -> int:
                answer = await litellm.acompletion(**target, messages=MESSAGES)
                assert answer.choices[0].message.content
                return 1

            async def stream() -> int:
                chunks = 0
                events = await litellm.acompletion(**target, messages=long, stream=True)
                async for chunk in events:
                    if chunk.choices:
                        chunk.choices[0].delta.content  # noqa: B018 - read as a caller would
                    chunks += 1
                return chunks

            return complete, stream

        def complete_sync() -> int:
            answer = litellm.completion(**target, messages=MESSAGES)
            assert answer.choices[0].message.content
            return 1

        def stream_sync() -> int:
            chunks = 0
            for chunk in litellm.completion(**target, messages=long, stream=True):
                if chunk.choices:
                    chunk.choices[0].delta.content  # noqa: B018
                chunks += 1
            return chunks

        return wrap(complete_sync), wrap(stream_sync)

    if case.startswith("genkit"):
        from genkit import Genkit

        if case == "genkit-plugin":
            from vercel_ai_gateway.genkit import VercelAIGateway

            ai = Genkit(plugins=[VercelAIGateway(base_url=url, api_key=key)])
            name, config = f"vercel/{MODEL}", {}
        else:
            from genkit_openai import OpenAI

            ai = Genkit(plugins=[OpenAI(base_url=url, api_key=key)])
            # The plugin strips `openai/`; the version puts the gateway id back on the wire.
            name, config = f"openai/{MODEL}", {"version": MODEL}
        text = long[0]["content"]

        async def generate() -> int:
            reply = await ai.generate(model=name, prompt=MESSAGES[0]["content"], config=config)
            assert reply.text
            return 1

        async def generate_stream() -> int:
            chunks = 0
            result = ai.generate_stream(model=name, prompt=text, config=config)
            async for chunk in result.stream:
                chunk.text  # noqa: B018
                chunks += 1
            await result.response
            return chunks

        return generate, generate_stream

    import vercel_ai_gateway as vag

    if case == "client":
        client = vag.Client(base_url=url, api_key=key)

        def complete_client() -> int:
            assert client.chat.completions.create(model=MODEL, messages=MESSAGES).choices[0].message.content
            return 1

        def stream_client() -> int:
            chunks = 0
            with client.chat.completions.create(model=MODEL, messages=long, stream=True) as events:
                for chunk in events:
                    if chunk.choices:
                        chunk.choices[0].delta.content  # noqa: B018
                    chunks += 1
            return chunks

        return wrap(complete_client), wrap(stream_client)

    aclient = vag.AsyncClient(base_url=url, api_key=key)

    async def complete_async() -> int:
        answer = await aclient.chat.completions.create(model=MODEL, messages=MESSAGES)
        assert answer.choices[0].message.content
        return 1

    async def stream_async() -> int:
        chunks = 0
        async with await aclient.chat.completions.create(model=MODEL, messages=long, stream=True) as events:
            async for chunk in events:
                if chunk.choices:
                    chunk.choices[0].delta.content  # noqa: B018
                chunks += 1
        return chunks

    return complete_async, stream_async


def wrap(fn: Callable[[], int]) -> Op:
    async def call() -> int:
        return fn()

    return call


async def run_case(case: str, mode: str, url: str, key: str, count: int, words: int) -> dict[str, float]:
    complete, stream = build(case, url, key, words)
    op = complete if mode == "seq" else stream
    for _ in range(WARM_UP if mode == "seq" else 2):
        await op()
    cpu, wall = time.process_time(), time.perf_counter()
    units = 0
    for _ in range(count):
        units += await op()
    return {"units": units, "cpu_s": time.process_time() - cpu, "wall_s": time.perf_counter() - wall}


def child(argv: list[str]) -> None:
    case, mode, url, key, count, words = argv
    print(json.dumps(asyncio.run(run_case(case, mode, url, key, int(count), int(words)))), flush=True)


# ---- the driver ----


class Server:
    def __init__(self, cpus: set[int] | None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(BENCHES / "server.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
        )
        assert self.process.stdout is not None
        self.url, self.key = self.process.stdout.readline().split()

    def clear(self) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("clear\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline().split()[1])

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def measure(server: Server, case: str, mode: str, count: int, words: int, cpus: set[int] | None) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", case, mode, server.url, server.key, str(count), str(words)],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
    )
    received = server.clear()
    try:
        result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        sys.exit(f"{case} {mode} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    if received < count:
        sys.exit(f"{case} {mode}: the server received {received} requests, fewer than {count}")
    return result


def versions() -> str:
    from importlib.metadata import version

    names = ("vercel-ai-gateway", "litellm", "openai", "genkit", "genkit-openai")
    return ", ".join(f"{name} {version(name)}" for name in names)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one short round: a smoke run, not figures")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300, help="sequential requests per measurement")
    parser.add_argument("--streams", type=int, default=5, help="streamed requests per measurement")
    parser.add_argument("--words", type=int, default=200, help="chunks per streamed answer, about")
    parser.add_argument("--cpus", choices=["shared", "free"], default="shared")
    parser.add_argument("--json", type=Path, help="also write every sample to this file")
    options = parser.parse_args()
    if options.quick:
        options.rounds, options.requests, options.streams = 1, 30, 1
    import vercel_ai_gateway._core as core

    sys.path.insert(0, str(BENCHES))
    from run import elf_sections

    if any(n == ".symtab" or n.startswith(".debug") for n in elf_sections(Path(core.__file__ or "").read_bytes())):
        sys.exit("the installed vercel_ai_gateway is a debug build: benchmark a release build")
    cpus = {sorted(os.sched_getaffinity(0))[0]} if options.cpus == "shared" else None
    server = Server(cpus)
    samples: dict[tuple[str, str], list[float]] = {}
    try:
        cases = list(CASES)
        for round_index in range(options.rounds):
            order = cases[round_index % len(cases) :] + cases[: round_index % len(cases)]
            for mode in MODES:
                count = options.requests if mode == "seq" else options.streams
                for case in order:
                    result = measure(server, case, mode, count, options.words, cpus)
                    samples.setdefault((case, mode), []).append(result["cpu_s"] / result["units"] * 1e6)
            print(f"round {round_index + 1}/{options.rounds} done", file=sys.stderr, flush=True)
    finally:
        server.close()
    median = {key: statistics.median(values) for key, values in samples.items()}
    print(f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}")
    print(f"versions: {versions()}")
    print(
        f"method: {options.rounds} rounds, {options.requests} requests, {options.streams} streams of ~{options.words}"
    )
    print(f"chunks, CPUs {options.cpus}; medians of CPU µs per request / per chunk\n")
    print("| path | µs/request | µs/chunk |")
    print("|---|--:|--:|")
    for case, label in CASES.items():
        print(f"| {label} | {median[(case, 'seq')]:,.0f} | {median[(case, 'stream')]:,.1f} |")
    print("\n| ours vs the framework's own path | per request | per chunk |")
    print("|---|--:|--:|")
    for ours, theirs in PAIRS:
        seq = median[(ours, "seq")] / median[(theirs, "seq")]
        chunk = median[(ours, "stream")] / median[(theirs, "stream")]
        print(f"| {CASES[ours]} / {CASES[theirs]} | {seq:.2f}{TIMES} | {chunk:.2f}{TIMES} |")
    if options.json:
        options.json.write_text(json.dumps({f"{c}/{m}": v for (c, m), v in samples.items()}, indent=1))


if __name__ == "__main__":
    main()
