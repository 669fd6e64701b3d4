"""One measurement of one Python client, in a process of its own (started by `benches/run.py`).

    python benches/clients.py CLIENT MODE URL KEY COUNT [STREAM_WORDS]

CLIENT is one of `CLIENTS`; MODE is `seq` (COUNT requests one after another), `conc` (COUNT
requests from 32 threads, or 32 coroutines under `asyncio.gather`) or `stream` (COUNT streamed
requests one after another, each answered with about STREAM_WORDS chunks). Every client sends
the same JSON body and reads what a caller would read: the message content of an answer, the
delta content of every chunk. Imports and warm-up (which opens the connections and starts the
threads) are not measured; `time.process_time()` (CPU of the whole process, all threads) is
read around the measured loop only. Prints one JSON line: units done (requests or chunks),
CPU seconds, wall seconds.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

CONCURRENCY = 32
MODEL = "openai/gpt-4.1-nano"
MESSAGES = [{"role": "user", "content": "Say hello in five words."}]
VOCABULARY = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
# Streams ask for usage on the final chunk, as our client does by default.
STREAM_OPTIONS = {"include_usage": True}
WARM_UP = {"seq": 50, "conc": 4 * CONCURRENCY, "stream": 2}

SyncOps = tuple[Callable[[], int], Callable[[], int]]
AsyncOps = tuple[Callable[[], Awaitable[int]], Callable[[], Awaitable[int]]]


def stream_messages(words: int) -> list[dict[str, str]]:
    """The user message of a streamed request; the same text as `stream_prompt` in reqwest_peer.rs."""
    text = " ".join(VOCABULARY[i % len(VOCABULARY)] for i in range(words))
    return [{"role": "user", "content": text}]


# Each factory returns (one request -> 1, one stream -> chunks consumed).


def ours_sync(url: str, key: str, words: int) -> SyncOps:
    import vercel_ai_gateway as vag

    client = vag.Client(base_url=url, api_key=key)
    create = client.chat.completions.create
    long = stream_messages(words)

    def complete() -> int:
        answer = create(model=MODEL, messages=MESSAGES)
        assert answer.choices[0].message.content
        return 1

    def stream() -> int:
        chunks = 0
        with create(model=MODEL, messages=long, stream=True) as events:
            for chunk in events:
                if chunk.choices:
                    chunk.choices[0].delta.content  # noqa: B018 - read as a caller would
                chunks += 1
        return chunks

    return complete, stream


def ours_async(url: str, key: str, words: int) -> AsyncOps:
    import vercel_ai_gateway as vag

    client = vag.AsyncClient(base_url=url, api_key=key)
    create = client.chat.completions.create
    long = stream_messages(words)

    async def complete() -> int:
        answer = await create(model=MODEL, messages=MESSAGES)
        assert answer.choices[0].message.content
        return 1

    async def stream() -> int:
        chunks = 0
        events = await create(model=MODEL, messages=long, stream=True)
        async with events:
            async for chunk in events:
                if chunk.choices:
                    chunk.choices[0].delta.content  # noqa: B018
                chunks += 1
        return chunks

    return complete, stream


def openai_sync(url: str, key: str, words: int) -> SyncOps:
    import openai

    client = openai.OpenAI(base_url=url, api_key=key, max_retries=0)
    create = client.chat.completions.create
    long = stream_messages(words)

    def complete() -> int:
        answer = create(model=MODEL, messages=MESSAGES)  # type: ignore[arg-type]
        assert answer.choices[0].message.content
        return 1

    def stream() -> int:
        chunks = 0
        with create(model=MODEL, messages=long, stream=True, stream_options=STREAM_OPTIONS) as events:  # type: ignore[arg-type]
            for chunk in events:
                if chunk.choices:
                    chunk.choices[0].delta.content  # noqa: B018
                chunks += 1
        return chunks

    return complete, stream


def openai_async(url: str, key: str, words: int) -> AsyncOps:
    import openai

    client = openai.AsyncOpenAI(base_url=url, api_key=key, max_retries=0)
    create = client.chat.completions.create
    long = stream_messages(words)

    async def complete() -> int:
        answer = await create(model=MODEL, messages=MESSAGES)  # type: ignore[arg-type]
        assert answer.choices[0].message.content
        return 1

    async def stream() -> int:
        chunks = 0
        events = await create(model=MODEL, messages=long, stream=True, stream_options=STREAM_OPTIONS)  # type: ignore[arg-type]
        async with events:
            async for chunk in events:
                if chunk.choices:
                    chunk.choices[0].delta.content  # noqa: B018
                chunks += 1
        return chunks

    return complete, stream


def _httpx_limits() -> Any:
    import httpx

    # httpx keeps 20 idle connections by default; 32 workers would then reconnect all the time.
    # openai-python raises the same limit (to 100) for the same reason.
    return httpx.Limits(max_connections=100, max_keepalive_connections=100)


def _content(chunk: dict[str, Any]) -> None:
    if chunk["choices"]:
        chunk["choices"][0]["delta"].get("content")


def httpx_sync(url: str, key: str, words: int) -> SyncOps:
    import httpx

    client = httpx.Client(headers={"authorization": f"Bearer {key}"}, limits=_httpx_limits(), timeout=60)
    endpoint = f"{url}/chat/completions"
    plain_body = {"model": MODEL, "messages": MESSAGES}
    stream_body = {"model": MODEL, "messages": stream_messages(words), "stream": True, "stream_options": STREAM_OPTIONS}

    def complete() -> int:
        response = client.post(endpoint, json=plain_body)
        response.raise_for_status()
        assert json.loads(response.content)["choices"][0]["message"]["content"]
        return 1

    def stream() -> int:
        chunks = 0
        with client.stream("POST", endpoint, json=stream_body) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if line.startswith("data: "):
                    data = line[6:]
                    if data == "[DONE]":
                        break
                    _content(json.loads(data))
                    chunks += 1
        return chunks

    return complete, stream


def httpx_async(url: str, key: str, words: int) -> AsyncOps:
    import httpx

    client = httpx.AsyncClient(headers={"authorization": f"Bearer {key}"}, limits=_httpx_limits(), timeout=60)
    endpoint = f"{url}/chat/completions"
    plain_body = {"model": MODEL, "messages": MESSAGES}
    stream_body = {"model": MODEL, "messages": stream_messages(words), "stream": True, "stream_options": STREAM_OPTIONS}

    async def complete() -> int:
        response = await client.post(endpoint, json=plain_body)
        response.raise_for_status()
        assert json.loads(response.content)["choices"][0]["message"]["content"]
        return 1

    async def stream() -> int:
        chunks = 0
        async with client.stream("POST", endpoint, json=stream_body) as response:
            response.raise_for_status()
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    data = line[6:]
                    if data == "[DONE]":
                        break
                    _content(json.loads(data))
                    chunks += 1
        return chunks

    return complete, stream


SYNC_CLIENTS: dict[str, Callable[[str, str, int], SyncOps]] = {
    "ours-sync": ours_sync,
    "openai-sync": openai_sync,
    "httpx-sync": httpx_sync,
}
ASYNC_CLIENTS: dict[str, Callable[[str, str, int], AsyncOps]] = {
    "ours-async": ours_async,
    "openai-async": openai_async,
    "httpx-async": httpx_async,
}
CLIENTS = [*SYNC_CLIENTS, *ASYNC_CLIENTS]


def run_sync(ops: SyncOps, mode: str, count: int, pool: ThreadPoolExecutor) -> int:
    complete, stream = ops
    if mode == "seq":
        return sum(complete() for _ in range(count))
    if mode == "stream":
        return sum(stream() for _ in range(count))
    per_worker = -(-count // CONCURRENCY)

    def worker() -> int:
        return sum(complete() for _ in range(per_worker))

    return sum(f.result() for f in [pool.submit(worker) for _ in range(CONCURRENCY)])


async def run_async(ops: AsyncOps, mode: str, count: int) -> int:
    complete, stream = ops
    if mode == "seq":
        return sum([await complete() for _ in range(count)])
    if mode == "stream":
        return sum([await stream() for _ in range(count)])
    per_worker = -(-count // CONCURRENCY)

    async def worker() -> int:
        return sum([await complete() for _ in range(per_worker)])

    return sum(await asyncio.gather(*(worker() for _ in range(CONCURRENCY))))


def measure(client: str, mode: str, url: str, key: str, count: int, words: int) -> dict[str, float]:
    if client in SYNC_CLIENTS:
        ops = SYNC_CLIENTS[client](url, key, words)
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            run_sync(ops, mode, WARM_UP[mode], pool)
            wall, cpu = time.perf_counter(), time.process_time()
            units = run_sync(ops, mode, count, pool)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    else:

        async def main() -> tuple[int, float, float]:
            ops = ASYNC_CLIENTS[client](url, key, words)
            await run_async(ops, mode, WARM_UP[mode])
            wall, cpu = time.perf_counter(), time.process_time()
            units = await run_async(ops, mode, count)
            return units, time.process_time() - cpu, time.perf_counter() - wall

        units, cpu, wall = asyncio.run(main())
    return {"units": units, "cpu_s": cpu, "wall_s": wall}


def main() -> None:
    if len(sys.argv) not in (6, 7) or sys.argv[1] not in CLIENTS or sys.argv[2] not in WARM_UP:
        sys.exit(f"usage: clients.py {{{','.join(CLIENTS)}}} {{seq,conc,stream}} URL KEY COUNT [STREAM_WORDS]")
    client, mode, url, key, count = sys.argv[1:6]
    words = int(sys.argv[6]) if len(sys.argv) == 7 else 500
    print(json.dumps(measure(client, mode, url, key, int(count), words)))


if __name__ == "__main__":
    main()
