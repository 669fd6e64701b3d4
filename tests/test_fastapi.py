"""`GatewayMiddleware` with real FastAPI apps: through httpx's ASGI transport, under uvicorn on
127.0.0.1 (in a thread), and the `examples/fastapi_vercel` app served by uvicorn in a subprocess,
against LocalGateway."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import threading
import types
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import BackgroundTasks, FastAPI
from fastapi.responses import StreamingResponse

import vercel_ai_gateway as vag
from vercel_ai_gateway import _context
from vercel_ai_gateway import fastapi as vag_fastapi
from vercel_ai_gateway.fastapi import GatewayMiddleware, vercel_wait_until
from vercel_ai_gateway.testing import LocalGateway

from conftest import CREDENTIAL_VARIABLES, make_jwt

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "fastapi_vercel"
MODEL = "openai/gpt-4.1-nano"
ECHO = "Hello from LocalGateway! You said: "
HEADER = "x-vercel-oidc-token"


def context_app(**middleware: Any) -> FastAPI:
    """Endpoints that report the OIDC header the credential chain sees, at each stage."""
    app = FastAPI()
    app.add_middleware(GatewayMiddleware, **middleware)
    seen_in_background: list[str | None] = []
    app.state.background = seen_in_background

    @app.get("/async")
    async def in_async() -> dict[str, str | None]:
        return {"token": _context.current_oidc_header()}

    @app.get("/sync")
    def in_thread() -> dict[str, str | None]:
        return {"token": _context.current_oidc_header()}

    @app.get("/stream")
    async def streamed() -> StreamingResponse:
        async def parts() -> AsyncIterator[str]:
            for i in range(3):
                await asyncio.sleep(0)
                yield f"{i}:{_context.current_oidc_header()}\n"

        return StreamingResponse(parts(), media_type="text/plain")

    @app.get("/sync-stream")
    def sync_streamed() -> StreamingResponse:
        def parts() -> Iterator[str]:
            for i in range(2):
                yield f"{i}:{_context.current_oidc_header()}\n"

        return StreamingResponse(parts(), media_type="text/plain")

    @app.get("/background")
    async def background(tasks: BackgroundTasks) -> dict[str, bool]:
        tasks.add_task(lambda: seen_in_background.append(_context.current_oidc_header()))
        return {"queued": True}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    return app


async def asgi_get(app: FastAPI, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.get(path, headers=headers)


async def test_the_request_header_is_the_token_in_every_stage() -> None:
    app = context_app()
    token = make_jwt()
    headers = {HEADER: token}
    assert (await asgi_get(app, "/async", headers)).json() == {"token": token}
    assert (await asgi_get(app, "/sync", headers)).json() == {"token": token}, "threadpool endpoints too"
    assert (await asgi_get(app, "/stream", headers)).text == "".join(f"{i}:{token}\n" for i in range(3))
    assert (await asgi_get(app, "/sync-stream", headers)).text == f"0:{token}\n1:{token}\n"
    await asgi_get(app, "/background", headers)
    assert app.state.background == [token], "background tasks run inside the request's context"
    assert (await asgi_get(app, "/async")).json() == {"token": None}, "a request without the header has none"
    assert _context.current_oidc_header() is None, "nothing leaks out of the request"


async def test_the_context_is_reset_when_the_app_fails() -> None:
    response = await asgi_get(context_app(), "/boom", {HEADER: make_jwt()})
    assert response.status_code == 500
    assert _context.current_oidc_header() is None


async def test_lifespan_and_other_scopes_pass_through() -> None:
    events: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        events.append(scope["type"])
        if scope["type"] == "lifespan":
            message = await receive()
            assert message["type"] == "lifespan.startup"
            await send({"type": "lifespan.startup.complete"})

    middleware = GatewayMiddleware(app)
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await queue.put({"type": "lifespan.startup"})
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await middleware({"type": "lifespan"}, queue.get, send)
    assert events == ["lifespan"] and sent == [{"type": "lifespan.startup.complete"}]
    with pytest.raises(ValueError, match="flush_timeout"):
        GatewayMiddleware(app, flush_timeout=0)


def gateway_app(gw: LocalGateway, **middleware: Any) -> FastAPI:
    """An app calling the gateway with our clients, streaming the answer."""
    app = FastAPI()
    app.add_middleware(GatewayMiddleware, **middleware)
    aclient = vag.AsyncClient(base_url=gw.url)
    client = vag.Client(base_url=gw.url)

    @app.get("/chat")
    async def chat() -> StreamingResponse:
        async def tokens() -> AsyncIterator[str]:
            # Created lazily, while the body streams: the header is still the current one.
            stream = await aclient.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "stream"}], stream=True
            )
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content

        return StreamingResponse(tokens(), media_type="text/plain")

    @app.get("/sync-chat")
    def sync_chat() -> dict[str, str]:
        answer = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "sync"}])
        return {"content": answer.choices[0].message.content}

    return app


async def test_gateway_calls_use_the_request_token(gw: LocalGateway) -> None:
    app = gateway_app(gw)
    first, second = make_jwt(), make_jwt()
    assert (await asgi_get(app, "/chat", {HEADER: first})).text == ECHO + "stream"
    assert (await asgi_get(app, "/sync-chat", {HEADER: second})).json() == {"content": ECHO + "sync"}
    assert [r.header("authorization") for r in gw.requests] == [f"Bearer {first}", f"Bearer {second}"]
    response = await asgi_get(app, "/sync-chat")
    assert response.status_code == 500, "no header, no key: no credential"
    assert len(gw.requests) == 2


# ---- flushing telemetry after the response ----


@pytest.fixture
def telemetry(gw: LocalGateway) -> Iterator[vag.VercelTelemetry]:
    installed = vag.VercelTelemetry(backend="otlp", endpoint=gw.origin, python_sdk=False, service_name="api")
    assert installed.install()
    try:
        yield installed
    finally:
        installed.shutdown(timeout=5)


def gateway_spans(gw: LocalGateway) -> list[str]:
    return [s["name"] for s in gw.spans if s["scope"] == "vercel-ai-gateway"]


async def test_spans_are_flushed_after_the_response(gw: LocalGateway, telemetry: vag.VercelTelemetry) -> None:
    app = gateway_app(gw)
    assert (await asgi_get(app, "/chat", {HEADER: make_jwt()})).text == ECHO + "stream"
    assert gateway_spans(gw) == [f"chat {MODEL}"], "exported by the middleware, no flush by the app"


class Collector:
    """Stands in for the Vercel runtime's `wait_until`: keeps the awaitables for after the response."""

    def __init__(self) -> None:
        self.pending: list[Awaitable[Any]] = []

    def __call__(self, awaitable: Awaitable[Any]) -> None:
        self.pending.append(awaitable)

    async def drain(self) -> None:
        for awaitable in self.pending:
            await awaitable
        self.pending.clear()


async def test_the_flush_goes_to_wait_until(gw: LocalGateway, telemetry: vag.VercelTelemetry) -> None:
    collector = Collector()
    app = gateway_app(gw, wait_until=collector)
    response = await asgi_get(app, "/chat", {HEADER: make_jwt()})
    assert response.text == ECHO + "stream"
    assert len(collector.pending) == 1, "the response went out; the flush waits in wait_until"
    await collector.drain()
    assert gateway_spans(gw) == [f"chat {MODEL}"]


async def test_vercels_wait_until_is_detected(
    gw: LocalGateway, telemetry: vag.VercelTelemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Vercel runtime sets `wait_until` through `vercel.cache.context.set_context` per request."""
    collector = Collector()
    context = types.SimpleNamespace(wait_until=None)
    fake = types.ModuleType("vercel.cache.context")
    fake.get_context = lambda: context  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vercel.cache.context", fake)
    assert vercel_wait_until() is None, "outside an invocation"
    context.wait_until = collector
    assert vercel_wait_until() is collector
    await asgi_get(gateway_app(gw), "/chat", {HEADER: make_jwt()})
    assert len(collector.pending) == 1
    await collector.drain()
    assert gateway_spans(gw) == [f"chat {MODEL}"]

    def _discard_wait_until(awaitable: Awaitable[Any]) -> None:
        raise AssertionError("a finished invocation's stand-in must not be used")

    context.wait_until = _discard_wait_until
    assert vercel_wait_until() is None


async def test_nothing_is_flushed_without_telemetry_or_when_off(
    gw: LocalGateway, telemetry: vag.VercelTelemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    collector = Collector()
    await asgi_get(gateway_app(gw, wait_until=collector, flush=False), "/chat", {HEADER: make_jwt()})
    assert collector.pending == [], "flush=False"
    telemetry.shutdown(timeout=5)
    # An OpenTelemetry SDK provider set by another test stays global for the process.
    monkeypatch.setattr(vag_fastapi, "_python_sdk_active", lambda: False)
    await asgi_get(gateway_app(gw, wait_until=collector), "/chat", {HEADER: make_jwt()})
    assert collector.pending == [], "nothing installed: nothing to flush"


# ---- under uvicorn ----


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Serves `app` with uvicorn on 127.0.0.1, port 0, in a thread. The socket listens before the
    server starts, so requests may be sent at once (they wait in the accept queue)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def test_under_uvicorn_streaming_keeps_the_token(gw: LocalGateway, telemetry: vag.VercelTelemetry) -> None:
    token = make_jwt()
    with serve(gateway_app(gw)) as url, httpx.Client(base_url=url, timeout=30) as http:
        with http.stream("GET", "/chat", headers={HEADER: token}) as response:
            assert response.status_code == 200
            pieces = list(response.iter_text())
        assert "".join(pieces) == ECHO + "stream"
        assert http.get("/sync-chat", headers={HEADER: token}).json() == {"content": ECHO + "sync"}
    assert [r.header("authorization") for r in gw.requests] == [f"Bearer {token}"] * 2
    assert gateway_spans(gw) == [f"chat {MODEL}"] * 2


# ---- the example app, served by uvicorn in a subprocess ----


@contextmanager
def example_server(env: dict[str, str]) -> Iterator[str]:
    """`uvicorn api.index:app --port 0` in examples/fastapi_vercel; yields its URL once it listens."""
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.index:app", "--host", "127.0.0.1", "--port", "0"],
        cwd=EXAMPLE,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    log: list[str] = []
    drain: threading.Thread | None = None
    try:
        for line in process.stderr:
            log.append(line)
            found = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line)
            if found:
                break
        else:
            raise AssertionError("uvicorn did not start:\n" + "".join(log))
        # Keep reading its log so the pipe never fills.
        drain = threading.Thread(target=lambda: log.extend(process.stderr or ()), daemon=True)
        drain.start()
        yield found.group(1)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if drain is not None:
            drain.join(timeout=30)
        process.stderr.close()


def example_env(gw: LocalGateway, *, api_key: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARIABLES}
    env["AI_GATEWAY_BASE_URL"] = gw.url
    if api_key:
        env["AI_GATEWAY_API_KEY"] = gw.api_key
    return env


def stream_chat(http: httpx.Client, message: str, headers: dict[str, str] | None = None) -> str:
    with http.stream("POST", "/api/chat", json={"message": message}, headers=headers) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/plain")
        return "".join(response.iter_text())


def test_the_example_streams_with_an_oidc_header_and_with_an_api_key(gw: LocalGateway) -> None:
    token = make_jwt()
    with example_server(example_env(gw, api_key=True)) as url, httpx.Client(base_url=url, timeout=30) as http:
        assert http.get("/api/health").json() == {"status": "ok", "gateway": gw.url}
        assert stream_chat(http, "with oidc", {HEADER: token}) == ECHO + "with oidc"
        assert stream_chat(http, "with key") == ECHO + "with key"
        assert http.get("/api/credential", headers={HEADER: token}).json() == {"method": "oidc", "source": "header"}
        assert http.get("/api/credential").json() == {"method": "api_key", "source": "AI_GATEWAY_API_KEY"}
    oidc, key = gw.requests
    for request, message, expected in ((oidc, "with oidc", token), (key, "with key", gw.api_key)):
        assert (request.method, request.path) == ("POST", "/v1/chat/completions")
        assert request.header("authorization") == f"Bearer {expected}"
        body = request.json()
        assert body["model"] == MODEL and body["stream"] is True
        assert body["messages"] == [{"role": "user", "content": message}]


def test_the_example_without_a_key_needs_the_header(gw: LocalGateway) -> None:
    token = make_jwt()
    with example_server(example_env(gw, api_key=False)) as url, httpx.Client(base_url=url, timeout=30) as http:
        assert stream_chat(http, "oidc only", {HEADER: token}) == ECHO + "oidc only"
        refused = http.post("/api/chat", json={"message": "no credential"})
        assert refused.status_code == 401
        assert refused.json() == {"error": "The server has no credential for the AI Gateway."}
    assert [r.header("authorization") for r in gw.requests] == [f"Bearer {token}"]
