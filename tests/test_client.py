"""Client and AsyncClient against LocalGateway: completions, streams, errors, credentials."""

from __future__ import annotations

import asyncio
import inspect
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

import vercel_ai_gateway as vag
from vercel_ai_gateway.testing import LocalGateway

from conftest import USER_MESSAGE, make_jwt

MODEL = "openai/gpt-4.1-nano"
ECHO = "Hello from LocalGateway! You said: ping"


FAST_RETRIES = (0.001, 0.005)


@pytest.fixture
def client(gw: LocalGateway) -> vag.Client:
    """No retries: these tests look at single attempts (tests/test_retries.py covers retrying)."""
    return vag.Client(base_url=gw.url, api_key=gw.api_key, max_retries=0)


@pytest.fixture
def aclient(gw: LocalGateway) -> vag.AsyncClient:
    return vag.AsyncClient(base_url=gw.url, api_key=gw.api_key, max_retries=0)


def check_completion(r: vag.ResponseObject) -> None:
    assert r.object == "chat.completion"
    assert r.id.startswith("gen_") and len(r.id) == 30
    assert r.generationId == r.id
    assert r.model == MODEL
    choice = r.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content == ECHO
    assert choice.finish_reason == "stop"
    assert choice.message.provider_metadata.gateway.generationId == r.id
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    assert r.usage.cost > 0


def test_completion(client: vag.Client, gw: LocalGateway) -> None:
    r = client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    check_completion(r)
    request = gw.last_request
    assert request is not None
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.header("authorization") == f"Bearer {gw.api_key}"
    assert request.header("content-type") == "application/json"
    assert request.header(
        "user-agent",
    ).startswith("vercel-ai-gateway-python/")  # type: ignore[union-attr]
    assert request.json() == {"model": MODEL, "messages": USER_MESSAGE}
    assert list(request.json()) == ["model", "messages"]


async def test_async_completion(aclient: vag.AsyncClient, gw: LocalGateway) -> None:
    r = await aclient.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    check_completion(r)
    assert gw.last_request is not None and gw.last_request.header("authorization") == f"Bearer {gw.api_key}"


def test_response_object_access(client: vag.Client) -> None:
    r = client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    assert r["choices"][0]["message"]["content"] == r.choices[0].message.content
    assert r.choices[-1].index == 0
    assert "usage" in r and "nope" not in r
    assert r.nope is None, "absent fields read as None, as in openai-python"
    with pytest.raises(KeyError):
        r["nope"]
    with pytest.raises(AttributeError):
        r._private  # noqa: B018
    assert r.get("nope", 5) == 5
    assert r.keys()[:2] == ["id", "object"]
    assert list(r) == r.keys() and len(r) == len(r.keys())
    d = r.to_dict()
    assert isinstance(d, dict) and d["choices"][0]["message"]["content"] == ECHO
    assert r.model_dump() == d
    assert r == d
    import json

    assert json.loads(r.to_json()) == d == json.loads(r.model_dump_json())
    assert repr(r).startswith("ResponseObject({")
    assert isinstance(r.usage.prompt_tokens, int) and isinstance(r.usage.cost, float)


def test_parameters_pass_through(client: vag.Client, gw: LocalGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERCEL_SITE_URL", "https://example.com")
    monkeypatch.setenv("VERCEL_APP_NAME", "Demo App")
    client.chat.completions.create(
        model=MODEL,
        messages=USER_MESSAGE,
        temperature=0.2,
        user="u_42",
        seed=None,
        providerOptions={"gateway": {"order": ["azure", "openai"]}},
        models=["anthropic/claude-sonnet-4"],
        reasoning={"effort": "low"},
        tools=({"type": "function", "function": {"name": "f", "parameters": {}}},),
        extra_body={"temperature": 0.5, "custom": [1, 2.5, True, None]},
        extra_headers={"X-Trace": "abc"},
    )
    request = gw.last_request
    assert request is not None
    body = request.json()
    assert body["temperature"] == 0.5, "extra_body wins"
    assert "seed" not in body, "None means not given"
    assert body["providerOptions"] == {"gateway": {"order": ["azure", "openai"]}}
    assert body["models"] == ["anthropic/claude-sonnet-4"]
    assert body["tools"][0]["function"]["name"] == "f"
    assert body["custom"] == [1, 2.5, True, None]
    assert body["user"] == "u_42"
    assert request.header("x-trace") == "abc"
    assert request.header("http-referer") == "https://example.com"
    assert request.header("x-title") == "Demo App"


def test_default_headers_and_override(gw: LocalGateway) -> None:
    client = vag.Client(
        base_url=gw.url, api_key=gw.api_key, default_headers={"x-team": "a", "x-title": "Mine"}, max_retries=0
    )
    client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, extra_headers={"x-team": "b"})
    request = gw.last_request
    assert request is not None
    assert request.header("x-team") == "b"
    assert request.header("x-title") == "Mine"


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"model": 3, "messages": USER_MESSAGE}, TypeError),
        ({"model": MODEL, "messages": "hi"}, TypeError),
        ({"model": MODEL, "messages": USER_MESSAGE, "temperature": float("nan")}, ValueError),
        ({"model": MODEL, "messages": USER_MESSAGE, "metadata": {1: "x"}}, TypeError),
        ({"model": MODEL, "messages": USER_MESSAGE, "metadata": object()}, TypeError),
        ({"model": MODEL, "messages": USER_MESSAGE, "extra_headers": {"bad header": "x"}}, vag.ConfigError),
    ],
)
def test_bad_arguments(client: vag.Client, gw: LocalGateway, kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        client.chat.completions.create(**kwargs)
    assert not any(r.path == "/v1/chat/completions" for r in gw.requests)


# ---- streaming ----


def check_chunks(chunks: list[vag.ResponseObject]) -> None:
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == ECHO
    assert all(c.object == "chat.completion.chunk" and c.id == chunks[0].id for c in chunks)
    final = chunks[-1]
    assert final.choices[0].finish_reason == "stop"
    assert final.usage.total_tokens > 0 and final.usage.cost > 0
    assert final.generationId == chunks[0].id


def test_stream(client: vag.Client, gw: LocalGateway) -> None:
    stream = client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True)
    assert isinstance(stream, vag.Stream)
    chunks = list(stream)
    check_chunks(chunks)
    assert stream.chunks_received == len(chunks)
    request = gw.last_request
    assert request is not None
    assert request.json()["stream"] is True
    assert request.json()["stream_options"] == {"include_usage": True}
    with pytest.raises(vag.UsageError, match="already iterated"):
        iter(stream)


async def test_async_stream(aclient: vag.AsyncClient) -> None:
    stream = await aclient.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True)
    assert isinstance(stream, vag.AsyncStream)
    chunks = [c async for c in stream]
    check_chunks(chunks)
    assert stream.chunks_received == len(chunks)
    with pytest.raises(vag.UsageError):
        stream.__aiter__()


def test_stream_options_given_are_kept(client: vag.Client, gw: LocalGateway) -> None:
    chunks = list(
        client.chat.completions.create(
            model=MODEL, messages=USER_MESSAGE, stream=True, stream_options={"include_usage": False}
        )
    )
    assert chunks[-1].usage is None
    assert gw.last_request is not None and gw.last_request.json()["stream_options"] == {"include_usage": False}


def test_stream_close_and_context_manager(client: vag.Client) -> None:
    with client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True) as stream:
        first = next(stream)
        assert first.choices[0].delta.role == "assistant"
    assert list(stream) == [], "a closed stream yields nothing more"
    stream.close()
    assert stream.chunks_received == 1


async def test_async_stream_context_manager(aclient: vag.AsyncClient) -> None:
    stream = await aclient.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True)
    async with stream as s:
        async for _ in s:
            break
    await stream.aclose()
    assert stream.chunks_received == 1


def test_scripted_reply_with_reasoning(client: vag.Client, gw: LocalGateway) -> None:
    gw.reply("42", reasoning="Let me think.")
    r = client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    assert r.choices[0].message.content == "42"
    assert r.choices[0].message.reasoning == "Let me think."
    assert r.choices[0].message.reasoning_details[0].type == "reasoning.text"
    gw.reply("streamed", reasoning="Hmm.")
    chunks = list(client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True))
    assert "".join(c.choices[0].delta.reasoning or "" for c in chunks) == "Hmm."
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "streamed"


# ---- errors ----

STATUS_ERRORS = [
    (400, "invalid_request_error", vag.BadRequestError),
    (401, "authentication_error", vag.AuthenticationError),
    (402, "quota_for_entity_exceeded", vag.PaymentRequiredError),
    (403, "forbidden", vag.PermissionDeniedError),
    (404, "not_found", vag.NotFoundError),
    (409, None, vag.ConflictError),
    (422, None, vag.UnprocessableEntityError),
    (424, "failed_dependency", vag.FailedDependencyError),
    (429, "rate_limit_exceeded", vag.RateLimitError),
    (500, "internal_server_error", vag.InternalServerError),
    (503, None, vag.InternalServerError),
    (418, None, vag.APIStatusError),
]


@pytest.mark.parametrize("status, error_type, cls", STATUS_ERRORS)
def test_status_errors(client: vag.Client, gw: LocalGateway, status: int, error_type: str | None, cls: type) -> None:
    gw.fail_next(
        status, error_type=error_type, message=f"injected {status}", retry_after="7" if status == 429 else None
    )
    with pytest.raises(cls) as info:
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    e = info.value
    assert isinstance(e, vag.APIStatusError) and isinstance(e, vag.APIError)
    assert e.status_code == status
    assert e.message == f"injected {status}" == str(e)
    assert e.url == f"{gw.url}/chat/completions"
    if error_type:
        assert e.type == error_type
    assert e.retries_taken == 0
    assert e.retry_after == (7.0 if status == 429 else None)
    assert isinstance(e.body, dict) and e.body["error"]["message"] == f"injected {status}"


@pytest.mark.parametrize("status, error_type, cls", STATUS_ERRORS[::3])
async def test_async_status_errors(
    aclient: vag.AsyncClient, gw: LocalGateway, status: int, error_type: str | None, cls: type
) -> None:
    gw.fail_next(status, error_type=error_type)
    with pytest.raises(cls) as info:
        await aclient.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    assert info.value.status_code == status


def test_errors_before_a_stream_are_raised_by_create(client: vag.Client, gw: LocalGateway) -> None:
    gw.fail_next(429, error_type="rate_limit_exceeded")
    with pytest.raises(vag.RateLimitError):
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True)
    with pytest.raises(vag.NotFoundError) as info:
        client.chat.completions.create(model="nobody/nothing", messages=USER_MESSAGE, stream=True)
    assert info.value.type == "model_not_found"
    assert info.value.param == {"modelId": "nobody/nothing"}


def test_fault_count(client: vag.Client, gw: LocalGateway) -> None:
    gw.fail_next(500, count=2)
    for _ in range(2):
        with pytest.raises(vag.InternalServerError):
            client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    check_completion(client.chat.completions.create(model=MODEL, messages=USER_MESSAGE))


def test_rejected_key(gw: LocalGateway) -> None:
    client = vag.Client(base_url=gw.url, api_key="vck_wrong_CANARY", max_retries=0)
    with pytest.raises(vag.AuthenticationError) as info:
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    assert info.value.type == "authentication_error"
    assert "CANARY" not in str(info.value) and "CANARY" not in repr(info.value.body)


def test_no_credentials_raises_before_sending(gw: LocalGateway) -> None:
    client = vag.Client(base_url=gw.url)
    with pytest.raises(vag.NoCredentialsError):
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    assert gw.requests == []


def test_connection_error() -> None:
    with LocalGateway() as gw:
        url, key = gw.url, gw.api_key
    client = vag.Client(base_url=url, api_key=key, max_retries=0)
    with pytest.raises(vag.APIConnectionError) as info:
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    assert not isinstance(info.value, vag.APITimeoutError)
    assert info.value.url == f"{url}/chat/completions"
    assert "could not connect" in str(info.value)


def test_timeout(silent_server: str) -> None:
    client = vag.Client(base_url=silent_server, api_key="k", timeout=0.2, max_retries=0)
    with pytest.raises(vag.APITimeoutError):
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    with pytest.raises(vag.APITimeoutError):
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True)
    slow = vag.Client(base_url=silent_server, api_key="k", max_retries=0)
    with pytest.raises(vag.APITimeoutError):
        slow.chat.completions.create(model=MODEL, messages=USER_MESSAGE, timeout=0.2)


async def test_async_timeout_and_cancellation(silent_server: str) -> None:
    client = vag.AsyncClient(base_url=silent_server, api_key="k", timeout=0.2, max_retries=0)
    with pytest.raises(vag.APITimeoutError):
        await client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    patient = vag.AsyncClient(base_url=silent_server, api_key="k")
    task = asyncio.ensure_future(patient.chat.completions.create(model=MODEL, messages=USER_MESSAGE))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


# ---- credentials per request ----


def test_credentials_are_resolved_per_request(gw: LocalGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    client = vag.Client(base_url=gw.url)
    monkeypatch.setenv("AI_GATEWAY_API_KEY", gw.api_key)
    client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    token = make_jwt()
    with vag.use_request_headers({"x-vercel-oidc-token": token}):
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    expired = make_jwt(expires_in=-1)
    with vag.use_request_headers({"x-vercel-oidc-token": expired}):
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    sent = [r.header("authorization") for r in gw.requests]
    assert sent == [f"Bearer {gw.api_key}", f"Bearer {token}", f"Bearer {gw.api_key}"]


async def test_async_credentials_per_task(gw: LocalGateway) -> None:
    client = vag.AsyncClient(base_url=gw.url)
    tokens = [make_jwt() for _ in range(6)]

    async def handle(token: str) -> None:
        with vag.use_request_headers({"x-vercel-oidc-token": token}):
            await asyncio.sleep(0)
            await client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)

    await asyncio.gather(*(handle(t) for t in tokens))
    assert sorted(r.header("authorization") for r in gw.requests) == sorted(f"Bearer {t}" for t in tokens)


def test_prefer_api_key_on_the_client(gw: LocalGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERCEL_OIDC_TOKEN", make_jwt())
    monkeypatch.setenv("AI_GATEWAY_API_KEY", gw.api_key)
    vag.Client(base_url=gw.url, prefer="api_key").chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    assert gw.last_request is not None and gw.last_request.header("authorization") == f"Bearer {gw.api_key}"


def test_many_threads_share_one_client(client: vag.Client, gw: LocalGateway) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(5):
                r = client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
                assert r.choices[0].message.content == ECHO
                assert (
                    "".join(
                        c.choices[0].delta.content or ""
                        for c in client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True)
                    )
                    == ECHO
                )
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(gw.requests) == 80


async def test_concurrent_async_requests(aclient: vag.AsyncClient, gw: LocalGateway) -> None:
    results = await asyncio.gather(
        *(aclient.chat.completions.create(model=MODEL, messages=USER_MESSAGE) for _ in range(32))
    )
    assert {r.choices[0].message.content for r in results} == {ECHO}
    assert len({r.id for r in results}) == 32


# ---- twins ----


TWINS = [
    ("Client", "AsyncClient"),
    ("Chat", "AsyncChat"),
    ("ChatCompletions", "AsyncChatCompletions"),
    ("Embeddings", "AsyncEmbeddings"),
    ("Models", "AsyncModels"),
    ("Generations", "AsyncGenerations"),
    ("Stream", "AsyncStream"),
]


@pytest.mark.parametrize("sync_name, async_name", TWINS)
def test_sync_and_async_twins_match(sync_name: str, async_name: str) -> None:
    from vercel_ai_gateway import _core

    sync_cls, async_cls = getattr(_core, sync_name), getattr(_core, async_name)
    sync_names = {n for n in dir(sync_cls) if not n.startswith("_")}
    async_names = {n.replace("aclose", "close") for n in dir(async_cls) if not n.startswith("_")}
    assert sync_names == async_names
    for name in sync_names:
        sync_attr = getattr(sync_cls, name)
        if callable(sync_attr) and name != "close":
            assert inspect.signature(sync_attr) == inspect.signature(getattr(async_cls, name)), name
    if sync_name == "Client":
        assert inspect.signature(sync_cls) == inspect.signature(async_cls)


def test_ctrl_c_interrupts_a_sync_call(silent_server: str) -> None:
    code = (
        "import os, signal, threading, time\n"
        "import vercel_ai_gateway as vag\n"
        f"client = vag.Client(base_url={silent_server!r}, api_key='k', max_retries=0)\n"
        "threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()\n"
        "start = time.monotonic()\n"
        "try:\n"
        "    client.chat.completions.create(model='openai/gpt-5', messages=[])\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted after', time.monotonic() - start)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True)
    assert result.stdout.startswith("interrupted after")
    assert float(result.stdout.split()[-1]) < 2.0


def test_reprs() -> None:
    assert repr(vag.Client(api_key="vck_CANARY")) == "Client(base_url='https://ai-gateway.vercel.sh/v1')"
    assert "CANARY" not in repr(vag.AsyncClient(api_key="vck_CANARY"))


# ---- catalog, generations, credits, embeddings ----


def test_models_list_is_cached(client: vag.Client, gw: LocalGateway) -> None:
    page = client.models.list()
    assert page.object == "list" and len(page) == 297
    first = next(iter(page))
    assert first.id == page.data[0].id and "/" in first.id
    assert [m.id for m in page][:2] == [m["id"] for m in page.to_dict()["data"][:2]]
    assert "object" in page.keys()
    client.models.list()
    assert len([r for r in gw.requests if r.path == "/v1/models"]) == 1, "served from the cache"
    client.models.list(refresh=True)
    assert len([r for r in gw.requests if r.path == "/v1/models"]) == 2
    uncached = vag.Client(base_url=gw.url, api_key=gw.api_key, models_ttl=0)
    uncached.models.list()
    uncached.models.list()
    assert len([r for r in gw.requests if r.path == "/v1/models"]) == 4


async def test_async_models(aclient: vag.AsyncClient, gw: LocalGateway) -> None:
    page = await aclient.models.list()
    await aclient.models.list()
    assert len(page) == 297
    assert len([r for r in gw.requests if r.path == "/v1/models"]) == 1
    model = await aclient.models.retrieve("deepseek/deepseek-v3.2")
    assert model.context_window == 128000


def test_models_retrieve(client: vag.Client, gw: LocalGateway) -> None:
    model = client.models.retrieve("deepseek/deepseek-v3.2")
    assert model.id == "deepseek/deepseek-v3.2" and model.pricing.input == "0.00000028"
    assert gw.last_request is not None and gw.last_request.path == "/v1/models/deepseek/deepseek-v3.2"
    with pytest.raises(vag.NotFoundError) as info:
        client.models.retrieve("nobody/nothing")
    assert info.value.type == "model_not_found"
    for bad in ["", "../etc", "a//b", "a b/c", "x/?y"]:
        with pytest.raises(ValueError):
            client.models.retrieve(bad)


def test_generation_id_is_validated(client: vag.Client) -> None:
    with pytest.raises(ValueError):
        client.generations.retrieve("")


def test_timeout_objects() -> None:
    t = vag.Timeout(30, connect=2, first_byte=5, idle=1.5)
    assert (t.total, t.connect, t.first_byte, t.idle) == (30, 2, 5, 1.5)
    assert vag.Timeout() == vag.Timeout(600.0, connect=10.0)
    assert repr(vag.Timeout(1)) == "Timeout(total=1, connect=10, first_byte=None, idle=None)"
    client = vag.Client(api_key="k", timeout=t)
    assert client.timeout == t
    assert vag.Client(api_key="k", timeout=5).timeout == vag.Timeout(5)
    assert client.with_options(timeout=7).timeout == vag.Timeout(7, connect=2, first_byte=5, idle=1.5)
    for bad in (0, -1, float("inf"), "5", True):
        with pytest.raises((ValueError, TypeError)):
            vag.Client(api_key="k", timeout=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        vag.Timeout(1, connect=0)


def test_first_byte_timeout(silent_server: str) -> None:
    client = vag.Client(base_url=silent_server, api_key="k", max_retries=0, timeout=vag.Timeout(30, first_byte=0.1))
    start = time.monotonic()
    with pytest.raises(vag.APITimeoutError, match=r"no response within 0\.1 s"):
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    assert time.monotonic() - start < 5


def test_attribution_arguments_win(gw: LocalGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERCEL_SITE_URL", "https://env.example")
    client = vag.Client(base_url=gw.url, api_key=gw.api_key, site_url="https://arg.example", app_name="Arg App")
    client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    request = gw.last_request
    assert request is not None
    assert request.header("http-referer") == "https://arg.example"
    assert request.header("x-title") == "Arg App"


@pytest.fixture
def unaccepting_server() -> Iterator[str]:
    """A listener whose accept queue is full, so a new connection attempt hangs in SYN."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        for filler in fillers:
            filler.close()
        server.close()


def test_connect_timeout(unaccepting_server: str) -> None:
    client = vag.Client(base_url=unaccepting_server, api_key="k", max_retries=0, timeout=vag.Timeout(30, connect=0.2))
    start = time.monotonic()
    with pytest.raises(vag.APITimeoutError, match=r"connect timeout of 0\.2 s"):
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    assert time.monotonic() - start < 5


def test_catalog_needs_no_credential(gw: LocalGateway) -> None:
    client = vag.Client(base_url=gw.url)
    assert len(client.models.list()) == 297
    assert gw.last_request is not None and gw.last_request.header("authorization") is None
    with pytest.raises(vag.NoCredentialsError):
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
