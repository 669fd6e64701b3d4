"""The real openai SDK through `vercel_ai_gateway.openai`, against LocalGateway.

Every test runs with the openai installed in the environment; `test_the_other_openai_major`
runs this whole file again in a subprocess with the other major (2.x on httpx, 3.x on httpx2)
installed into `<venv>/sdk-targets/` and put first on `PYTHONPATH`, so both majors are covered.
The tests assert what LocalGateway received: path, model, bearer token and its source, headers.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

import vercel_ai_gateway as vag
from vercel_ai_gateway.openai import (
    PLACEHOLDER_API_KEY,
    AsyncGatewayTransport,
    GatewayTransport,
    async_openai_client,
    openai_client,
)
from vercel_ai_gateway.testing import LocalGateway, RecordedRequest

from conftest import CREDENTIAL_VARIABLES, make_jwt

ROOT = Path(__file__).resolve().parent.parent
MODEL = "openai/gpt-4.1-nano"
EMBEDDING_MODEL = "openai/text-embedding-3-small"
ECHO = "Hello from LocalGateway! You said: "
MESSAGES: Any = [{"role": "user", "content": "ping"}]
FAST = (0.001, 0.005)
MAJOR = int(openai.__version__.split(".")[0])


def bearer(request: RecordedRequest | None) -> str | None:
    assert request is not None
    return request.header("authorization")


@pytest.fixture
def sdk(gw: LocalGateway) -> openai.OpenAI:
    return openai_client(client=vag.Client(base_url=gw.url, api_key=gw.api_key, max_retries=0))


@pytest.fixture
def async_sdk(gw: LocalGateway) -> openai.AsyncOpenAI:
    return async_openai_client(client=vag.AsyncClient(base_url=gw.url, api_key=gw.api_key, max_retries=0))


def test_the_sdk_major_is_the_one_expected() -> None:
    """The nested run of `test_the_other_openai_major` really imports the other major."""
    expected = os.environ.get("VAG_EXPECT_OPENAI_MAJOR")
    if expected is not None:
        assert str(MAJOR) == expected, openai.__file__
    lib = __import__("httpx2" if MAJOR >= 3 else "httpx")
    assert issubclass(GatewayTransport, lib.BaseTransport)
    assert issubclass(AsyncGatewayTransport, lib.AsyncBaseTransport)


# ---- what the gateway receives ----


def check_request(request: RecordedRequest | None, gw: LocalGateway, path: str) -> dict[str, Any]:
    assert request is not None
    assert (request.method, request.path) == ("POST", path)
    assert request.header("authorization") == f"Bearer {gw.api_key}", "our credential, not the SDK's placeholder"
    assert PLACEHOLDER_API_KEY not in str(request.headers)
    assert (request.header("user-agent") or "").endswith(f"OpenAI/Python {openai.__version__}")
    assert request.header("x-stainless-retry-count") == "0", "the SDK does not retry: the core does"
    assert request.header("content-type") == "application/json"
    assert request.header("accept-encoding") is None
    body = request.json()
    assert isinstance(body, dict)
    return body


def test_completion(gw: LocalGateway) -> None:
    core = vag.Client(base_url=gw.url, api_key=gw.api_key, app_name="shop", max_retries=0)
    sdk = openai_client(client=core, default_headers={"x-demo": "1"})
    completion = sdk.chat.completions.create(model=MODEL, messages=MESSAGES, temperature=0.5)
    assert isinstance(completion, openai.types.chat.ChatCompletion)
    assert completion.choices[0].message.content == ECHO + "ping"
    assert completion.id.startswith("gen_") and completion.usage is not None and completion.usage.total_tokens > 0
    body = check_request(gw.last_request, gw, "/v1/chat/completions")
    assert body == {"model": MODEL, "messages": MESSAGES, "temperature": 0.5}
    assert gw.last_request is not None
    assert gw.last_request.header("x-demo") == "1", "the SDK's headers pass through"
    assert gw.last_request.header("x-title") == "shop", "the client's attribution is added"


async def test_async_completion(gw: LocalGateway) -> None:
    core = vag.AsyncClient(base_url=gw.url, api_key=gw.api_key, app_name="shop", max_retries=0)
    sdk = async_openai_client(client=core, default_headers={"x-demo": "1"})
    completion = await sdk.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert isinstance(completion, openai.types.chat.ChatCompletion)
    assert completion.choices[0].message.content == ECHO + "ping"
    body = check_request(gw.last_request, gw, "/v1/chat/completions")
    assert body == {"model": MODEL, "messages": MESSAGES}
    assert gw.last_request is not None and gw.last_request.header("x-stainless-async") is not None
    assert gw.last_request.header("x-demo") == "1" and gw.last_request.header("x-title") == "shop"


WORDS = "one two three four five six"


def test_stream(sdk: openai.OpenAI, gw: LocalGateway) -> None:
    messages: Any = [{"role": "user", "content": WORDS}]
    text, usage = "", None
    with sdk.chat.completions.create(
        model=MODEL, messages=messages, stream=True, stream_options={"include_usage": True}
    ) as stream:
        for chunk in stream:
            assert isinstance(chunk, openai.types.chat.ChatCompletionChunk)
            if chunk.choices and chunk.choices[0].delta.content:
                text += chunk.choices[0].delta.content
            usage = chunk.usage or usage
    assert text == ECHO + WORDS
    assert usage is not None and usage.completion_tokens > 0
    body = check_request(gw.last_request, gw, "/v1/chat/completions")
    assert body["stream"] is True and body["model"] == MODEL


async def test_async_stream(async_sdk: openai.AsyncOpenAI, gw: LocalGateway) -> None:
    messages: Any = [{"role": "user", "content": WORDS}]
    stream = await async_sdk.chat.completions.create(model=MODEL, messages=messages, stream=True)
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == ECHO + WORDS
    body = check_request(gw.last_request, gw, "/v1/chat/completions")
    assert body["stream"] is True


def test_embeddings_and_models(sdk: openai.OpenAI, gw: LocalGateway) -> None:
    result = sdk.embeddings.create(model=EMBEDDING_MODEL, input=["a", "b"])
    assert len(result.data) == 2 and len(result.data[0].embedding) > 0
    body = check_request(gw.last_request, gw, "/v1/embeddings")
    assert (body["model"], body["input"]) == (EMBEDDING_MODEL, ["a", "b"])
    models = sdk.models.list()
    assert any(m.id == MODEL for m in models.data)
    request = gw.last_request
    assert request is not None and (request.method, request.path) == ("GET", "/v1/models")
    assert bearer(request) == f"Bearer {gw.api_key}"


# ---- credentials: per request, OIDC first ----


def test_the_token_follows_the_request_context(gw: LocalGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_GATEWAY_API_KEY", gw.api_key)
    sdk = openai_client(base_url=gw.url)
    first, second = make_jwt(), make_jwt()
    with vag.use_request_headers({"x-vercel-oidc-token": first}):
        sdk.chat.completions.create(model=MODEL, messages=MESSAGES)
    with vag.use_request_headers({"X-Vercel-OIDC-Token": second}):
        sdk.chat.completions.create(model=MODEL, messages=MESSAGES)
    sdk.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert [bearer(r) for r in gw.requests] == [f"Bearer {first}", f"Bearer {second}", f"Bearer {gw.api_key}"]


async def test_concurrent_tasks_each_send_their_own_token(gw: LocalGateway) -> None:
    sdk = async_openai_client(base_url=gw.url)
    tokens = [make_jwt() for _ in range(12)]

    async def one(i: int) -> None:
        with vag.use_request_headers({"x-vercel-oidc-token": tokens[i]}):
            await sdk.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": f"task {i}"}])

    await asyncio.gather(*(one(i) for i in range(len(tokens))))
    seen = {}
    for request in gw.requests:
        body = request.json()
        assert isinstance(body, dict)
        seen[body["messages"][0]["content"]] = bearer(request)
    assert seen == {f"task {i}": f"Bearer {tokens[i]}" for i in range(len(tokens))}


def test_without_the_transport_the_api_key_is_resolved_per_request(gw: LocalGateway) -> None:
    first, second = make_jwt(), make_jwt()
    with openai_client(base_url=gw.url, transport=False) as sdk:
        with vag.use_request_headers({"x-vercel-oidc-token": first}):
            sdk.chat.completions.create(model=MODEL, messages=MESSAGES)
        with vag.use_request_headers({"x-vercel-oidc-token": second}):
            sdk.chat.completions.create(model=MODEL, messages=MESSAGES)
        assert sdk.base_url == f"{gw.url}/"
    assert [bearer(r) for r in gw.requests] == [f"Bearer {first}", f"Bearer {second}"]


async def test_without_the_transport_async(gw: LocalGateway) -> None:
    token = make_jwt()
    async with async_openai_client(base_url=gw.url, transport=False) as sdk:
        with vag.use_request_headers({"x-vercel-oidc-token": token}):
            await sdk.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert bearer(gw.last_request) == f"Bearer {token}"


# ---- errors are the SDK's own ----


def test_errors_are_the_sdks_exceptions(sdk: openai.OpenAI, gw: LocalGateway) -> None:
    with pytest.raises(openai.NotFoundError) as not_found:
        sdk.models.retrieve("nobody/nothing")
    assert not_found.value.status_code == 404
    gw.fail_next(400, message="bad field")
    with pytest.raises(openai.BadRequestError) as bad:
        sdk.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert "bad field" in str(bad.value)
    gw.fail_next(429, count=3)
    with pytest.raises(openai.RateLimitError):
        sdk.chat.completions.create(model=MODEL, messages=MESSAGES)


async def test_async_errors_are_the_sdks_exceptions(async_sdk: openai.AsyncOpenAI, gw: LocalGateway) -> None:
    with pytest.raises(openai.NotFoundError):
        await async_sdk.models.retrieve("nobody/nothing")
    gw.fail_next(500)
    with pytest.raises(openai.InternalServerError):
        await async_sdk.chat.completions.create(model=MODEL, messages=MESSAGES)


def test_no_credential_is_an_authentication_error_saying_what_to_do(gw: LocalGateway) -> None:
    with pytest.raises(openai.AuthenticationError) as e:
        openai_client(base_url=gw.url).chat.completions.create(model=MODEL, messages=MESSAGES)
    assert e.value.status_code == 401 and "AI_GATEWAY_API_KEY" in str(e.value)
    assert not gw.requests, "nothing is sent without a credential"


async def test_async_no_credential(gw: LocalGateway) -> None:
    with pytest.raises(openai.AuthenticationError):
        await async_openai_client(base_url=gw.url).chat.completions.create(model=MODEL, messages=MESSAGES)


def test_connection_and_timeout_errors(silent_server: str) -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    refused = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    sock.close()
    with pytest.raises(openai.APIConnectionError) as e:
        openai_client(api_key="k", base_url=refused, max_retries=0).models.list()
    assert not isinstance(e.value, openai.APITimeoutError)
    silent = openai_client(api_key="k", base_url=silent_server, max_retries=0, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        silent.models.list()
    assert time.monotonic() - started < 5, "the SDK's timeout bounds the core's wait"


async def test_async_timeout(silent_server: str) -> None:
    silent = async_openai_client(api_key="k", base_url=silent_server, max_retries=0, timeout=0.3)
    with pytest.raises(openai.APITimeoutError):
        await silent.models.list()


def test_a_stream_broken_midway_raises(sdk: openai.OpenAI, gw: LocalGateway) -> None:
    gw.inject("reset_after_chunks", after=2)
    received = []
    # As with the SDK's own transport: 3.x wraps the library's read error, 2.x lets it through.
    broken: type[Exception] = openai.APIConnectionError if MAJOR >= 3 else __import__("httpx").TransportError
    with pytest.raises(broken):
        for chunk in sdk.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True):
            received.append(chunk)
    assert len(received) == 2, "what arrived before the break was handed out, then no retry"
    assert len(gw.requests) == 1


# ---- the core's retries, routing and telemetry apply ----


def test_the_core_retries_with_its_policy(gw: LocalGateway) -> None:
    sdk = openai_client(client=vag.Client(base_url=gw.url, api_key=gw.api_key, retry_backoff=FAST))
    gw.fail_next(503, count=2)
    completion = sdk.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert completion.choices[0].message.content == ECHO + "ping"
    assert len(gw.requests) == 3
    assert {r.header("x-stainless-retry-count") for r in gw.requests} == {"0"}
    sdk = openai_client(client=vag.Client(base_url=gw.url, api_key=gw.api_key, retry_backoff=FAST), max_retries=0)
    gw.clear_requests()
    gw.fail_next(503)
    with pytest.raises(openai.InternalServerError):
        sdk.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert len(gw.requests) == 1, "max_retries= sets the core's retries"


@pytest.fixture
def pair() -> Iterator[tuple[LocalGateway, LocalGateway]]:
    with LocalGateway() as vercel, LocalGateway() as openrouter:
        yield vercel, openrouter


ROUTED_MODEL = "anthropic/claude-opus-4.7"


def test_routing_and_failover_apply(pair: tuple[LocalGateway, LocalGateway]) -> None:
    vercel, openrouter = pair
    core = vag.Client(
        base_url=vercel.url,
        api_key=vercel.api_key,
        openrouter_base_url=openrouter.url,
        openrouter_api_key=openrouter.api_key,
        router=vag.Router(vercel_share=1.0),
        retry_backoff=FAST,
    )
    sdk = openai_client(client=core)
    completion = sdk.chat.completions.create(model=ROUTED_MODEL, messages=MESSAGES, user="u_42")
    assert completion.choices[0].message.content == ECHO + "ping"
    assert len(vercel.requests) == 1 and not openrouter.requests
    vercel.fail_next(503, count=3)
    completion = sdk.chat.completions.create(model=ROUTED_MODEL, messages=MESSAGES, user="u_42")
    assert completion.choices[0].message.content == ECHO + "ping"
    assert len(vercel.requests) == 4, "the first gateway with its retries, then failover"
    request = openrouter.last_request
    assert request is not None and request.path == "/v1/chat/completions"
    assert bearer(request) == f"Bearer {openrouter.api_key}", "the other gateway's credential"
    assert (request.header("user-agent") or "").endswith(f"OpenAI/Python {openai.__version__}")


async def test_async_routing(pair: tuple[LocalGateway, LocalGateway]) -> None:
    vercel, openrouter = pair
    core = vag.AsyncClient(
        base_url=vercel.url,
        api_key=vercel.api_key,
        openrouter_base_url=openrouter.url,
        openrouter_api_key=openrouter.api_key,
        router=vag.Router(vercel_share=0.0),
    )
    stream = await async_openai_client(client=core).chat.completions.create(
        model=ROUTED_MODEL, messages=MESSAGES, stream=True
    )
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == ECHO + "ping"
    assert not vercel.requests and len(openrouter.requests) == 1


def test_telemetry_records_sdk_calls(gw: LocalGateway) -> None:
    telemetry = vag.VercelTelemetry(backend="otlp", endpoint=gw.origin, python_sdk=False, service_name="sdk")
    assert telemetry.install()
    try:
        sdk = openai_client(client=vag.Client(base_url=gw.url, api_key=gw.api_key))
        sdk.chat.completions.create(model=MODEL, messages=MESSAGES)
        list(sdk.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True))
        sdk.models.list()
        sent = [r.header("traceparent") for r in gw.requests if r.path == "/v1/chat/completions"]
        assert telemetry.flush(timeout=10)
    finally:
        telemetry.shutdown(timeout=5)
    spans = [s for s in gw.spans if s["scope"] == "vercel-ai-gateway"]
    assert [s["name"] for s in spans] == [f"chat {MODEL}"] * 2, "catalog calls are not GenAI spans"
    plain, streamed = spans
    for span, header in zip(spans, sent, strict=True):
        assert header == f"00-{span['trace_id']}-{span['span_id']}-01"
    assert plain["attributes"]["gen_ai.usage.output_tokens"] > 0
    assert streamed["attributes"]["gen_ai.request.stream"] is True
    assert streamed["attributes"]["gen_ai.response.finish_reasons"] == ["stop"]


# ---- the transports on their own ----


@pytest.mark.parametrize("name", ["httpx", "httpx2"])
def test_the_transport_serves_either_library(name: str, gw: LocalGateway) -> None:
    lib = pytest.importorskip(name)
    core = vag.Client(base_url=gw.url, api_key=gw.api_key)
    with lib.Client(transport=GatewayTransport(core), base_url=f"{gw.url}/") as http:
        response = http.get("models", headers={"authorization": "Bearer not-this-one"})
        assert isinstance(response, lib.Response)
        assert response.status_code == 200 and response.json()["data"]
        assert bearer(gw.last_request) == f"Bearer {gw.api_key}"
        missing = http.get("models/nobody/nothing")
        assert missing.status_code == 404 and missing.json()["error"]
        with http.stream("POST", "chat/completions", json={"model": MODEL, "messages": MESSAGES, "stream": True}) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            text = b"".join(r.iter_raw()).decode()
        assert text.rstrip().endswith("data: [DONE]")
        with pytest.raises(ValueError, match="base_url"):
            http.get("https://elsewhere.example/v1/models")


@pytest.mark.parametrize("name", ["httpx", "httpx2"])
async def test_the_async_transport_serves_either_library(name: str, gw: LocalGateway) -> None:
    lib = pytest.importorskip(name)
    core = vag.AsyncClient(base_url=gw.url, api_key=gw.api_key)
    async with lib.AsyncClient(transport=AsyncGatewayTransport(core), base_url=f"{gw.url}/") as http:
        response = await http.get("models")
        assert isinstance(response, lib.Response) and response.status_code == 200
        body = {"model": MODEL, "messages": MESSAGES, "stream": True}
        async with http.stream("POST", "chat/completions", json=body) as r:
            pieces = [p async for p in r.aiter_raw()]
        assert b"".join(pieces).rstrip().endswith(b"data: [DONE]")


def test_raw_answers_directly(gw: LocalGateway) -> None:
    core = vag.Client(base_url=gw.url, api_key=gw.api_key)
    raw = core._send_raw("GET", "/models/nobody/nothing", [(b"x-a", b"1")])
    assert (raw.status, raw.is_stream, raw.gateway) == (404, False, "vercel")
    assert raw.content is not None and b"not found" in raw.content
    assert repr(raw) == "RawResponse(status=404, gateway='vercel', stream=False)"
    body = b'{"model": "openai/gpt-4.1-nano", "stream": true, "messages": [{"role": "user", "content": "hi"}]}'
    with core._send_raw("POST", "/chat/completions", [], body) as streamed:
        assert streamed.is_stream and streamed.content is None
        first = next(iter(streamed))
        assert first.startswith(b"data: ")
        assert streamed.read().rstrip().endswith(b"data: [DONE]")
    with pytest.raises(vag.UsageError):
        core._send_raw("GET", "https://elsewhere.example/x", [])
    with pytest.raises(ValueError):
        core._send_raw("NOT A METHOD", "/models", [])


async def test_async_raw_answers_directly(gw: LocalGateway) -> None:
    core = vag.AsyncClient(base_url=gw.url, api_key=gw.api_key)
    raw = await core._send_raw("GET", "/models", [])
    assert raw.status == 200 and raw.content is not None
    assert await raw.aread() == raw.content
    body = b'{"model": "openai/gpt-4.1-nano", "stream": true, "messages": [{"role": "user", "content": "hi"}]}'
    streamed = await core._send_raw("POST", "/chat/completions", [], body)
    async with streamed:
        pieces = [p async for p in streamed]
    assert b"".join(pieces).rstrip().endswith(b"data: [DONE]")


def test_factories_refuse_conflicting_arguments(gw: LocalGateway) -> None:
    with pytest.raises(TypeError, match="http_client"):
        openai_client(api_key="k", http_client=object())
    with pytest.raises(TypeError, match="transport=False"):
        openai_client(client=vag.Client(api_key="k"), transport=False)


def test_importing_the_module_does_not_import_openai() -> None:
    code = "import sys, vercel_ai_gateway.openai; assert 'openai' not in sys.modules, sorted(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_the_example_runs_offline() -> None:
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARIABLES}
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "openai_sdk.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = result.stdout
    assert f"openai {openai.__version__}" in out
    assert "completion: Hello from LocalGateway! You said: Say hello in five words." in out
    assert "streamed:   Hello from LocalGateway! You said: Say hello in five words." in out
    assert "error:      openai.NotFoundError (HTTP 404)" in out
    assert "async:      Hello from LocalGateway!" in out
    assert result.stderr == ""


# ---- the other openai major, in a subprocess ----


def _other_major_dir() -> Path:
    """openai of the other major, installed once with `pip install --target` (not into the venv:
    2.x and 3.x cannot share one environment)."""
    other = 2 if MAJOR >= 3 else 3
    target = Path(sys.prefix) / "sdk-targets" / f"openai{other}"
    if (target / "openai").is_dir():
        return target
    staging = target.with_name(target.name + f".partial{os.getpid()}")
    spec = f"openai>={other},<{other + 1}"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--target", str(staging), spec],
        check=True,
        timeout=240,
    )
    try:
        staging.rename(target)
    except OSError:  # another run won the race
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
    return target


@pytest.mark.timeout(420)
def test_the_other_openai_major() -> None:
    target = _other_major_dir()
    other = "2" if MAJOR >= 3 else "3"
    env = {**os.environ, "PYTHONPATH": str(target), "VAG_EXPECT_OPENAI_MAJOR": other}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-x",
            __file__,
            "-k",
            "not other_openai_major",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and " failed" not in result.stdout
