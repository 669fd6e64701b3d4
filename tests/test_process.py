"""The client as a part of a process: fork, threads, cancellation, shutdown, hostile input.

- **fork**: a client used in the parent keeps working in forked children, sync and async (the
  engines and their pools are rebuilt by pid), as under gunicorn/uvicorn `--preload`.
- **threads**: 64 threads on one sync client; an async client shared by several event loops.
- **cancellation storms**: hundreds of asyncio tasks cancelled at random points leave no call
  in the loop's completion queue, no growing file descriptors, no orphaned future.
- **interpreter shutdown** with streams open and calls blocked in Rust: exit status 0.
- **no panic crosses into Python**: odd arguments give typed exceptions, never `PanicException`.
- **input limits**: oversized bodies, huge SSE lines, deep nesting and invalid UTF-8 from a raw
  socket server give typed errors with bounded memory.

Process-level cases run a child interpreter (`python -c`), so an abort or a hang is a failure
of the test, not of the test run; every child has a timeout.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import vercel_ai_gateway as vag
from vercel_ai_gateway import _aio
from vercel_ai_gateway.testing import LocalGateway

from conftest import USER_MESSAGE, read_request

MODEL = "openai/gpt-4.1-nano"
FAST = (0.001, 0.005)


def run_child(script: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Runs `script` in a fresh interpreter; a crash shows as a signal (negative return code)."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_clean_exit(run: subprocess.CompletedProcess[str]) -> None:
    detail = f"exit {run.returncode}\nstdout: {run.stdout[-2000:]}\nstderr: {run.stderr[-4000:]}"
    assert run.returncode == 0, detail
    for sign in ("panicked", "PanicException", "Fatal Python error", "Aborted", "Traceback"):
        assert sign not in run.stderr, detail


# ---- fork ----

FORK_SCRIPT = """
    import asyncio, os, sys, threading, warnings
    import vercel_ai_gateway as vag

    url, key = sys.argv[1], sys.argv[2]
    client = vag.Client(base_url=url, api_key=key)
    aclient = vag.AsyncClient(base_url=url, api_key=key)
    MESSAGES = [{"role": "user", "content": "ping"}]

    def use_sync(tag):
        r = client.chat.completions.create(model="openai/gpt-4.1-nano", messages=MESSAGES, user=tag)
        assert r.choices[0].message.content, r
        with client.chat.completions.create(model="openai/gpt-4.1-nano", messages=MESSAGES, stream=True, user=tag) as s:
            chunks = list(s)
        assert chunks and chunks[-1].usage is not None, chunks

    async def use_async(tag):
        r = await aclient.chat.completions.create(model="openai/gpt-4.1-nano", messages=MESSAGES, user=tag)
        assert r.choices[0].message.content, r
        s = await aclient.chat.completions.create(model="openai/gpt-4.1-nano", messages=MESSAGES, stream=True, user=tag)
        async with s:
            chunks = [c async for c in s]
        assert chunks and chunks[-1].usage is not None, chunks

    # The parent warms both engines and their connection pools, and holds a stream open.
    use_sync("parent")
    asyncio.run(use_async("parent"))
    held = client.chat.completions.create(model="openai/gpt-4.1-nano", messages=MESSAGES, stream=True, user="held")
    next(held)

    children = []
    for n in range(3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: "multi-threaded, use of fork()"
            pid = os.fork()
        if pid == 0:
            try:
                use_sync(f"child{n}")
                asyncio.run(use_async(f"child{n}"))
                threads = [threading.Thread(target=use_sync, args=(f"child{n}-t{i}",)) for i in range(4)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(20)
                assert not any(t.is_alive() for t in threads)
            except BaseException as e:
                print(f"child {n} failed: {e!r}", file=sys.stderr, flush=True)
                os._exit(1)
            sys.exit(0)  # a normal exit, finalizers included, as a worker exits
        children.append(pid)
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
    assert codes == [0, 0, 0], codes
    # The parent is unaffected: its held stream and both engines still work.
    rest = list(held)
    assert rest[-1].usage is not None
    use_sync("parent-after")
    asyncio.run(use_async("parent-after"))
    print("ok")
"""


def test_clients_work_in_forked_children(gw: LocalGateway) -> None:
    run = run_child(FORK_SCRIPT, gw.url, gw.api_key)
    assert_clean_exit(run)
    assert run.stdout.strip() == "ok"
    users = [r.json()["user"] for r in gw.requests]
    for n in range(3):
        assert users.count(f"child{n}") == 4, users  # one plain, one streamed, on each engine
        assert sum(u.startswith(f"child{n}-t") for u in users) == 8
    assert users.count("parent-after") == 4


# ---- threads ----


def test_64_threads_share_one_sync_client(gw: LocalGateway) -> None:
    # Retries enough that no call can draw every fault (the first wave of 64 takes a while on
    # two cores, so quick retries can meet the same queue of faults again).
    client = vag.Client(base_url=gw.url, api_key=gw.api_key, retry_backoff=FAST, max_retries=16)
    gw.inject("reset_before_headers", count=16)
    threads, per_thread = 64, 4
    barrier = threading.Barrier(threads)
    failures: list[str] = []
    done = [0] * threads

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            for j in range(per_thread):
                if (i + j) % 2:
                    r = client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, user=f"t{i}")
                    assert r.choices[0].message.content
                else:
                    with client.chat.completions.create(
                        model=MODEL, messages=USER_MESSAGE, stream=True, user=f"t{i}"
                    ) as stream:
                        chunks = list(stream)
                    assert chunks[-1].usage is not None
                done[i] += 1
        except Exception as e:  # noqa: BLE001 - collected and reported below
            failures.append(f"thread {i}: {e!r} retries_taken={getattr(e, 'retries_taken', None)}")

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(60)
    assert not any(t.is_alive() for t in pool), "a thread is stuck"
    assert failures == []
    assert done == [per_thread] * threads
    assert len(gw.requests) == threads * per_thread + 16
    assert sorted(r.json()["user"] for r in gw.requests if r.fault is None) == sorted(
        f"t{i}" for i in range(threads) for _ in range(per_thread)
    )


def test_a_stream_read_from_many_threads_hands_out_each_chunk_once(gw: LocalGateway) -> None:
    reply = " ".join(f"w{i}" for i in range(200))
    client = vag.Client(base_url=gw.url, api_key=gw.api_key)
    gw.reply(reply)
    with client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True) as alone:
        expected = sorted(c.choices[0].delta.content or "" for c in alone if c.choices)
    gw.reply(reply)
    stream = client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True)
    seen: list[list[Any]] = [[] for _ in range(8)]

    def drain(i: int) -> None:
        for chunk in iter(lambda: next(stream, None), None):
            seen[i].append(chunk)

    pool = [threading.Thread(target=drain, args=(i,)) for i in range(8)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(30)
    assert not any(t.is_alive() for t in pool)
    chunks = [c for part in seen for c in part]
    assert len(chunks) == stream.chunks_received
    assert sorted(c.choices[0].delta.content or "" for c in chunks if c.choices) == expected


def test_one_async_client_on_several_event_loops(gw: LocalGateway) -> None:
    client = vag.AsyncClient(base_url=gw.url, api_key=gw.api_key)
    results: list[int] = []

    async def loop_body(i: int) -> int:
        answers = await asyncio.gather(
            *(client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, user=f"l{i}") for _ in range(10))
        )
        stream = await client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True)
        chunks = [c async for c in stream]
        queue = _aio._queues[asyncio.get_running_loop()]
        assert len(queue) == 0
        return len(answers) + bool(chunks[-1].usage)

    pool = [threading.Thread(target=lambda i=i: results.append(asyncio.run(loop_body(i)))) for i in range(6)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(60)
    assert results == [11] * 6


# ---- asyncio cancellation storms ----


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def settle(queue: Any) -> None:
    """Waits (bounded) until every aborted call has left the completion queue."""
    for _ in range(200):
        if len(queue) == 0:
            return
        await asyncio.sleep(0.01)


async def test_cancellation_storm_leaves_nothing_behind(gw: LocalGateway) -> None:
    client = vag.AsyncClient(base_url=gw.url, api_key=gw.api_key, retry_backoff=FAST)
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    gw.inject("slow_drip", delay=0.004, sticky=True)
    gw.inject("delay", delay=0.02, sticky=True, route="/v1/chat/completions")
    rng = random.Random(7)

    async def one(i: int) -> None:
        if i % 3 == 0:
            await client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
        elif i % 3 == 1:
            stream = await client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True)
            async for _ in stream:
                pass
        else:
            stream = await client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True)
            async with stream:
                await stream.__anext__()
                await asyncio.sleep(rng.uniform(0, 0.01))

    tasks_per_round = 300
    baseline = open_fds()
    fds = []
    queue = None
    for _round in range(4):
        tasks = [asyncio.create_task(one(i)) for i in range(tasks_per_round)]
        for task in tasks:
            loop.call_later(rng.uniform(0, 0.4), task.cancel)
        outcomes = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=60)
        unexpected = [o for o in outcomes if o is not None and not isinstance(o, asyncio.CancelledError)]
        assert unexpected == []
        cancelled = sum(isinstance(o, asyncio.CancelledError) for o in outcomes)
        assert 0 < cancelled < len(tasks), "the storm should hit calls at every stage"
        queue = _aio._queues[loop]
        await settle(queue)
        assert len(queue) == 0, "a cancelled call is still in the completion queue"
        fds.append(open_fds())
    # Open descriptors stay within what the pool may hold (a client and a gateway end for each
    # call that ran at once); a connection leaked per cancelled call would add ~2 x 150 a round.
    assert max(fds) <= baseline + 2 * tasks_per_round + 64, (baseline, fds)
    gw.clear_faults()
    r = await client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    assert r.choices[0].message.content
    await asyncio.sleep(0.05)
    assert reported == [], reported


async def test_cancelling_a_read_keeps_the_stream_usable_or_closed(gw: LocalGateway) -> None:
    client = vag.AsyncClient(base_url=gw.url, api_key=gw.api_key)
    gw.inject("slow_drip", delay=0.05)
    stream = await client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True)
    await stream.__anext__()
    pending = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0.01)
    pending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await pending
    # The connection's reader was dropped mid-wait: the stream either continues or ends with a
    # typed error, never hangs.
    try:
        async with asyncio.timeout(5) if hasattr(asyncio, "timeout") else _no_timeout():
            async for _ in stream:
                pass
    except vag.APIError:
        pass
    assert len(_aio._queues[asyncio.get_running_loop()]) == 0


class _no_timeout:  # Python 3.10 has no asyncio.timeout; the test's own timeout bounds it there
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *args: object) -> None:
        return None


# ---- interpreter shutdown ----

SHUTDOWN_SCRIPT = """
    import asyncio, sys, threading, time
    import vercel_ai_gateway as vag

    url, key, silent = sys.argv[1], sys.argv[2], sys.argv[3]
    MESSAGES = [{"role": "user", "content": "ping"}]
    MODEL = "openai/gpt-4.1-nano"
    client = vag.Client(base_url=url, api_key=key)
    open_stream = client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
    next(open_stream)  # half read, never closed

    # Threads blocked inside Rust (detached from the interpreter) when it shuts down.
    stuck = vag.Client(base_url=silent, api_key="k", timeout=600, max_retries=0)
    def blocked():
        try:
            stuck.chat.completions.create(model="openai/gpt-4.1-nano", messages=MESSAGES)
        except BaseException:
            pass
    for _ in range(3):
        threading.Thread(target=blocked, daemon=True).start()
    def reading():
        for _ in open_stream:
            time.sleep(0.01)
    threading.Thread(target=reading, daemon=True).start()

    kept = []
    async def main():
        aclient = vag.AsyncClient(base_url=url, api_key=key)
        s = await aclient.chat.completions.create(model="openai/gpt-4.1-nano", messages=MESSAGES, stream=True)
        await s.__anext__()
        kept.append((aclient, s))  # outlives its event loop
        slow = vag.AsyncClient(base_url=silent, api_key="k", timeout=600, max_retries=0)
        kept.append(asyncio.ensure_future(slow.chat.completions.create(model="openai/gpt-4.1-nano", messages=MESSAGES)))
        await asyncio.sleep(0.05)
    asyncio.run(main())
    time.sleep(0.3)
    print("exiting", flush=True)
"""


@pytest.mark.parametrize("ending", ["fall off the end", "sys.exit(0)", "exit from a thread's stream"])
def test_interpreter_shutdown_with_streams_and_calls_open(gw: LocalGateway, silent_server: str, ending: str) -> None:
    gw.inject("slow_drip", delay=0.02, sticky=True)
    script = SHUTDOWN_SCRIPT
    if ending == "sys.exit(0)":
        script += "    sys.exit(0)\n"
    elif ending == "exit from a thread's stream":
        script += (
            "    call = lambda: list(client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True))\n"
            "    threading.Thread(target=call, daemon=True).start()\n"
        )
    started = time.monotonic()
    run = run_child(script, gw.url, gw.api_key, silent_server, timeout=30)
    assert_clean_exit(run)
    assert run.stdout.strip() == "exiting"
    assert time.monotonic() - started < 25


# ---- no panic crosses into Python ----


def odd_values(rng: random.Random) -> list[Any]:
    """Arguments a caller might pass by mistake (finite floats only)."""
    return [
        None,
        0,
        -1,
        2**31,
        2**64,
        -(2**63) - 1,
        0.0,
        -0.0,
        1e-300,
        -5.5,
        float("nan"),
        float("inf"),
        1e12,
        "",
        " ",
        "\x00",
        "a" * 10_000,
        "é/ü",
        "../../credits",
        "a?b#c",
        "line\nbreak",
        b"bytes",
        [],
        [None],
        {},
        {"k": object()},
        {1: 2},
        (1, 2),
        object(),
        rng.random(),
        "x" * rng.randrange(1, 64),
    ]


def call_everything(gw: LocalGateway, value: Any) -> list[tuple[str, BaseException]]:
    """Passes `value` to every parameter of every entry point; returns what raised a non-Exception."""
    client = vag.Client(base_url=gw.url, api_key=gw.api_key, max_retries=0, timeout=5)
    router = vag.Router()
    calls: list[tuple[str, Callable[[], Any]]] = [
        ("Timeout(total)", lambda: vag.Timeout(value)),
        ("Timeout(connect)", lambda: vag.Timeout(1, connect=value)),
        ("Timeout(idle)", lambda: vag.Timeout(1, idle=value)),
        ("Client(timeout)", lambda: vag.Client(api_key="k", timeout=value)),
        ("Client(max_retries)", lambda: vag.Client(api_key="k", max_retries=value)),
        ("Client(retry_backoff)", lambda: vag.Client(api_key="k", retry_backoff=(0, value))),
        ("Client(models_ttl)", lambda: vag.Client(api_key="k", models_ttl=value)),
        ("Client(base_url)", lambda: vag.Client(api_key="k", base_url=value)),
        ("Client(default_headers)", lambda: vag.Client(api_key="k", default_headers={"x-a": value})),
        ("Client(gateway)", lambda: vag.Client(api_key="k", gateway=value)),
        ("Client(expiry_skew)", lambda: vag.Client(api_key="k", expiry_skew=value)),
        ("Client(api_key)", lambda: vag.Client(api_key=value, base_url=gw.url).models.list()),
        ("resolve_auth", lambda: vag.resolve_auth(value)),
        ("gateway_url", lambda: vag.gateway_url(value)),
        ("Router(vercel_share)", lambda: vag.Router(vercel_share=value)),
        ("Router(pins)", lambda: vag.Router(pins={"x/*": value})),
        ("Router(breaker_cooldown)", lambda: vag.Router(breaker_cooldown=value)),
        ("Router.route", lambda: router.route(value, user=value)),
        ("Router.map_model", lambda: router.map_model(value)),
        ("chat(model)", lambda: client.chat.completions.create(model=value, messages=USER_MESSAGE)),
        ("chat(messages)", lambda: client.chat.completions.create(model=MODEL, messages=value)),
        ("chat(messages[0])", lambda: client.chat.completions.create(model=MODEL, messages=[value])),
        ("chat(param)", lambda: client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, temperature=value)),
        (
            "chat(extra_body)",
            lambda: client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, extra_body=value),
        ),
        (
            "chat(extra_headers)",
            lambda: client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, extra_headers={"x-a": value}),
        ),
        ("chat(timeout)", lambda: client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, timeout=value)),
        (
            "chat(stream)",
            lambda: list(client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=value)),
        ),
        ("embeddings(input)", lambda: client.embeddings.create(model="openai/text-embedding-3-small", input=value)),
        ("models.retrieve", lambda: client.models.retrieve(value)),
        ("models.endpoints", lambda: client.models.endpoints(value)),
        ("generations.retrieve", lambda: client.generations.retrieve(value)),
        ("with_options", lambda: client.with_options(timeout=value, max_retries=value)),
        ("inject(delay)", lambda: gw.inject("delay", delay=value, model="none/none")),
        ("inject(after)", lambda: gw.inject("truncated_sse", after=value, model="none/none")),
        ("inject(status)", lambda: gw.inject("status", status=value, model="none/none")),
    ]
    escaped = []
    for name, call in calls:
        try:
            result = call()
            if isinstance(result, vag.ResponseObject):
                for key in (value, "choices", 0, -1, 10**30):
                    try:
                        result[key]
                    except Exception:  # noqa: BLE001 - only escapes matter here
                        pass
        except Exception:  # noqa: BLE001 - typed or not, an Exception is a Python error
            pass
        except BaseException as e:  # noqa: BLE001 - a PanicException is what this test looks for
            escaped.append((name, e))
    gw.clear_faults()
    return escaped


def test_odd_arguments_raise_exceptions_never_panics(gw: LocalGateway) -> None:
    rng = random.Random(11)
    escaped = [found for value in odd_values(rng) for found in call_everything(gw, value)]
    assert escaped == [], escaped


@pytest.mark.parametrize(
    "call",
    [
        lambda: vag.Timeout(1e20),
        lambda: vag.Client(api_key="k", timeout=1e20),
        lambda: vag.Client(api_key="k", retry_backoff=(0.0, 1e20)),
        lambda: vag.Client(api_key="k", models_ttl=1e20),
        lambda: vag.Router(breaker_window=1e20),
        lambda: vag.VercelTelemetry(backend="console", timeout=1e20),
        lambda: vag.Client(api_key="k").chat.completions.create(model=MODEL, messages=USER_MESSAGE, timeout=2**64),
    ],
    ids=[
        "Timeout",
        "Client(timeout)",
        "Client(retry_backoff)",
        "Client(models_ttl)",
        "Router",
        "VercelTelemetry",
        "create(timeout=2**64)",
    ],
)
def test_huge_durations_are_value_errors(call: Callable[[], Any]) -> None:
    try:
        call()
    except BaseException as e:  # noqa: BLE001 - a PanicException would be a BaseException
        assert isinstance(e, ValueError), f"{type(e).__mro__}: {e}"
    else:
        raise AssertionError("accepted a duration of 1e20 seconds")


@pytest.mark.parametrize("url", ["http://h/v1\t/", "http://h/v\n1/", "http:10p:10///\r/////"])
def test_base_urls_come_back_normalized(url: str) -> None:
    once = vag.gateway_url(url)
    assert not any(c.isspace() or not c.isprintable() for c in once), repr(once)
    assert vag.gateway_url(once) == once


def test_an_empty_error_message_falls_back_to_the_status(
    crafted: Callable[[Callable[[socket.socket], None]], CraftedServer],
) -> None:
    server = crafted(fixed(b'{"error": {"message": ""}}', status="500 Internal Server Error"))
    with pytest.raises(vag.InternalServerError) as info:
        chat(client_for(server))
    assert str(info.value).strip(), repr(info.value)


@pytest.mark.parametrize("value", ["nan", "inf", "-5"])
def test_retry_after_is_a_finite_wait_or_none(
    crafted: Callable[[Callable[[socket.socket], None]], CraftedServer], value: str
) -> None:
    server = crafted(fixed(b"{}", status="429 Too Many Requests", extra=f"retry-after: {value}\r\n"))
    with pytest.raises(vag.RateLimitError) as info:
        chat(client_for(server))
    wait = info.value.retry_after
    assert wait is None or (math.isfinite(wait) and wait >= 0), wait


def test_internal_errors_surface_as_typed_exceptions(gw: LocalGateway) -> None:
    """Failures inside the client's machinery come out as the package's exceptions."""
    client = vag.Client(base_url=gw.url, api_key=gw.api_key)
    stream = client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True)
    list(stream)
    with pytest.raises(vag.UsageError):
        iter(stream)
    stream.close()
    stream.close()
    with pytest.raises(vag.ConfigError):
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, extra_headers={"bad header": "x"})
    with pytest.raises(vag.ConfigError):
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, extra_headers={"x-a": "line\nbreak"})
    with pytest.raises(vag.CredentialsError):
        vag.Client(base_url=gw.url, api_key="key\nwith newline").chat.completions.create(
            model=MODEL, messages=USER_MESSAGE
        )
    nested: Any = []
    for _ in range(200):
        nested = [nested]
    with pytest.raises(ValueError, match="nested"):
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, extra_body={"deep": nested})
    with pytest.raises(ValueError):
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, temperature=math.nan)

    class Exploding:
        def model_dump(self) -> Any:
            raise RuntimeError("boom from model_dump")

    with pytest.raises(RuntimeError, match="boom"):
        client.chat.completions.create(model=MODEL, messages=[Exploding()])
    with pytest.raises(vag.APIConnectionError):
        vag.Client(base_url="http://127.0.0.1:9/v1", api_key="k", max_retries=0).chat.completions.create(
            model=MODEL, messages=USER_MESSAGE
        )


# ---- input limits ----


class CraftedServer:
    """An HTTP server on 127.0.0.1 that reads each request and answers with `respond(socket)`."""

    def __init__(self, respond: Callable[[socket.socket], None]) -> None:
        self.respond = respond
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.requests = 0
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(30)
            try:
                if read_request(conn) is None:
                    return
                self.requests += 1
                self.respond(conn)
            except OSError:
                pass  # the client hung up, which is what a limit does

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def crafted() -> Iterator[Callable[[Callable[[socket.socket], None]], CraftedServer]]:
    servers: list[CraftedServer] = []

    def start(respond: Callable[[socket.socket], None]) -> CraftedServer:
        servers.append(CraftedServer(respond))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def head(status: str = "200 OK", content_type: str = "application/json", extra: str = "") -> bytes:
    return f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nConnection: close\r\n{extra}\r\n".encode()


def fixed(
    payload: bytes, status: str = "200 OK", content_type: str = "application/json", extra: str = ""
) -> Callable[[socket.socket], None]:
    def respond(conn: socket.socket) -> None:
        conn.sendall(head(status, content_type, f"Content-Length: {len(payload)}\r\n{extra}") + payload)

    return respond


def endless(
    prefix: bytes, filler: bytes, status: str = "200 OK", content_type: str = "application/json", limit: int = 1 << 40
) -> Callable[[socket.socket], None]:
    """A chunked body: `prefix`, then `filler` repeated until the client stops reading (or `limit`)."""

    def respond(conn: socket.socket) -> None:
        conn.sendall(head(status, content_type, "Transfer-Encoding: chunked\r\n"))
        conn.sendall(b"%x\r\n%s\r\n" % (len(prefix), prefix))
        block = b"%x\r\n%s\r\n" % (len(filler), filler)
        sent = 0
        while sent < limit:
            conn.sendall(block)
            sent += len(filler)
        conn.sendall(b"0\r\n\r\n")

    return respond


def client_for(server: CraftedServer) -> vag.Client:
    return vag.Client(base_url=server.url, api_key="k", max_retries=0, timeout=vag.Timeout(30, idle=10))


def chat(client: vag.Client, stream: bool = False) -> Any:
    result = client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=stream)
    return list(result) if stream else result


DEEP = b"[" * 200_000 + b"]" * 200_000


@pytest.mark.parametrize(
    ("name", "respond", "stream", "expected"),
    [
        ("deeply nested JSON", fixed(DEEP), False, vag.APIResponseValidationError),
        (
            "deeply nested SSE chunk",
            fixed(b"data: " + DEEP + b"\n\n", content_type="text/event-stream"),
            True,
            vag.APIResponseValidationError,
        ),
        ("deeply nested error body", fixed(DEEP, status="500 Internal Server Error"), False, vag.InternalServerError),
        (
            "invalid UTF-8 in JSON",
            fixed(b'{"choices": [{"message": {"content": "\xff\xfe"}}]}'),
            False,
            vag.APIResponseValidationError,
        ),
        (
            "invalid UTF-8 in SSE",
            fixed(b'data: {"choices": "\xc3\x28"}\n\n', content_type="text/event-stream"),
            True,
            vag.APIResponseValidationError,
        ),
        (
            "invalid UTF-8 error body",
            fixed(b"\xff\xfe\xfd oops", status="502 Bad Gateway"),
            False,
            vag.InternalServerError,
        ),
        (
            "invalid UTF-8 header",
            fixed(b"{}", status="503 Service Unavailable", extra="x-request-id: \xff\r\n"),
            False,
            vag.InternalServerError,
        ),
        (
            "truncated body",
            lambda c: c.sendall(head(extra="Content-Length: 1000\r\n") + b'{"choices": ['),
            False,
            vag.APIConnectionError,
        ),
        ("garbage status line", lambda c: c.sendall(b"HTTP/9 what\r\n\r\n"), False, vag.APIConnectionError),
        (
            "huge header",
            lambda c: c.sendall(head(extra="x-big: " + "a" * (1 << 20) + "\r\n")),
            False,
            vag.APIConnectionError,
        ),
        ("plain answer to a stream", fixed(b'{"choices": []}'), True, vag.APIResponseValidationError),
    ],
)
def test_hostile_answers_are_typed_errors(
    crafted: Callable[[Callable[[socket.socket], None]], CraftedServer],
    name: str,
    respond: Callable[[socket.socket], None],
    stream: bool,
    expected: type[Exception],
) -> None:
    server = crafted(respond)
    with pytest.raises(expected):
        chat(client_for(server), stream=stream)


async def test_hostile_answers_are_typed_errors_async(
    crafted: Callable[[Callable[[socket.socket], None]], CraftedServer],
) -> None:
    invalid_sse = fixed(b'data: {"a": "\xff"}\n\n', content_type="text/event-stream")
    for respond, stream in ((fixed(DEEP), False), (invalid_sse, True)):
        client = vag.AsyncClient(base_url=crafted(respond).url, api_key="k", max_retries=0)
        with pytest.raises(vag.APIResponseValidationError):
            result = await client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=stream)
            if stream:
                async for _ in result:
                    pass


MEMORY_SCRIPT = """
    import json, sys
    import vercel_ai_gateway as vag

    def rss_kib():
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

    url, stream, idle = sys.argv[1], sys.argv[2] == "stream", float(sys.argv[3])
    client = vag.Client(base_url=url, api_key="k", max_retries=0, timeout=vag.Timeout(60, idle=idle))
    client.models  # import and build everything before measuring

    # Fault in every page of the extension (a debug build is over 100 MB): its code pages count
    # in RSS once touched, and whether the first request finds them in the page cache (and maps
    # them ahead) depends on what ran before, not on what the request holds.
    import ctypes
    for line in open("/proc/self/maps"):
        fields = line.split()
        if len(fields) >= 6 and "_core" in fields[5] and fields[1].startswith("r"):
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            for page in range(lo, hi, 4096):
                ctypes.c_char.from_address(page).value
    before = rss_kib()
    try:
        result = client.chat.completions.create(
            model="openai/gpt-4.1-nano", messages=[{"role": "user", "content": "hi"}], stream=stream
        )
        if stream:
            list(result)
        outcome = "no error"
    except vag.VercelAIGatewayError as e:
        outcome = type(e).__name__ + ": " + str(e)[:300]
    # VmHWM, not ru_maxrss: the latter survives exec, so it starts at the RSS of the parent
    # (pytest, tens of MB after the tests before) and says nothing about this process.
    with open("/proc/self/status") as f:
        peak = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    print(json.dumps({"outcome": outcome, "growth_mib": (peak - before) / 1024}))
"""


def measure(server: CraftedServer, stream: bool, idle: float = 20) -> dict[str, Any]:
    run = run_child(MEMORY_SCRIPT, server.url, "stream" if stream else "plain", str(idle), timeout=120)
    assert_clean_exit(run)
    return json.loads(run.stdout)  # type: ignore[no-any-return]


MIB = 1 << 20


@pytest.mark.timeout(180)
def test_a_body_over_the_limit_is_refused_with_bounded_memory(
    crafted: Callable[[Callable[[socket.socket], None]], CraftedServer],
) -> None:
    # The default limit is 256 MiB; the server would send 512 MiB.
    server = crafted(endless(b'{"choices": "', b"a" * MIB, limit=512 * MIB))
    result = measure(server, stream=False)
    assert result["outcome"].startswith("APIResponseValidationError"), result
    assert "larger than" in result["outcome"], result
    # Reading grows one buffer by doubling, so up to twice the limit can be live while the
    # last doubling copies; what matters is that the 512 MiB body is never held.
    assert result["growth_mib"] < 2 * 256 + 64, result


@pytest.mark.timeout(60)
def test_a_huge_sse_line_is_refused_quickly_with_bounded_memory(
    crafted: Callable[[Callable[[socket.socket], None]], CraftedServer],
) -> None:
    # The default line limit is 16 MiB; the server would send a 1 GiB line, 64 KiB at a time.
    server = crafted(endless(b"data: ", b"a" * 65536, content_type="text/event-stream", limit=1024 * MIB))
    result = measure(server, stream=True, idle=5)
    assert result["outcome"].startswith("APIResponseValidationError"), result
    assert "longer than the limit" in result["outcome"], result
    assert result["growth_mib"] < 16 * 4 + 32, result


def test_an_endless_error_body_is_read_with_bounded_memory(
    crafted: Callable[[Callable[[socket.socket], None]], CraftedServer],
) -> None:
    server = crafted(
        endless(b'{"error": {"message": "', b"a" * MIB, status="500 Internal Server Error", limit=96 * MIB)
    )
    result = measure(server, stream=False)
    assert result["outcome"].startswith("InternalServerError"), result
    assert result["growth_mib"] < 32, result
