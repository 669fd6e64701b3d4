"""LocalGateway as users' tests see it: routes, auth envelope, recording, cassettes, faults, flavours, OTLP."""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import vercel_ai_gateway as vag
from vercel_ai_gateway.testing import LocalGateway

from conftest import USER_MESSAGE, make_jwt


def get(url: str, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        with e:
            return e.code, json.loads(e.read())


def test_models_catalog(gw: LocalGateway) -> None:
    status, body = get(f"{gw.url}/models")
    assert status == 200 and body["object"] == "list"
    assert len(body["data"]) == 297
    ids = {m["id"] for m in body["data"]}
    assert {"openai/gpt-5", "anthropic/claude-sonnet-4", "deepseek/deepseek-v3.2"} <= ids
    status, model = get(f"{gw.url}/models/deepseek/deepseek-v3.2")
    assert status == 200 and model["context_window"] == 128000
    status, missing = get(f"{gw.url}/models/nobody/nothing")
    assert status == 404 and missing["error"]["type"] == "model_not_found"


def test_catalog_replacement(tmp_path: Path) -> None:
    catalog = tmp_path / "models.json"
    catalog.write_text(
        json.dumps({"object": "list", "data": [{"id": "acme/tiny", "object": "model", "type": "language"}]})
    )
    with LocalGateway(catalog=catalog) as gw:
        assert [m["id"] for m in get(f"{gw.url}/models")[1]["data"]] == ["acme/tiny"]
        r = vag.Client(base_url=gw.url, api_key=gw.api_key).chat.completions.create(
            model="acme/tiny", messages=USER_MESSAGE
        )
        assert r.usage.cost == 0
    catalog.write_text("{not json")
    with pytest.raises(vag.ConfigError) as info:
        LocalGateway(catalog=catalog)
    assert info.value.variable == "catalog"
    with pytest.raises(vag.ConfigError):
        LocalGateway(catalog=tmp_path / "missing.json")


def test_authentication_envelope(gw: LocalGateway) -> None:
    request = urllib.request.Request(
        f"{gw.url}/chat/completions",
        data=json.dumps({"model": "openai/gpt-5", "messages": USER_MESSAGE}).encode(),
        headers={"content-type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    with info.value as e:
        assert e.code == 401
        assert json.loads(e.read())["error"]["type"] == "authentication_error"


def test_oidc_tokens_are_accepted_unless_disabled() -> None:
    token = make_jwt()
    with LocalGateway() as gw:
        r = vag.Client(base_url=gw.url, api_key=token).chat.completions.create(
            model="openai/gpt-5", messages=USER_MESSAGE
        )
        assert r.choices[0].message.content
    with LocalGateway(accept_oidc=False) as gw, pytest.raises(vag.AuthenticationError):
        vag.Client(base_url=gw.url, api_key=token).chat.completions.create(model="openai/gpt-5", messages=USER_MESSAGE)


def test_extra_keys_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalGateway(api_key="vck_main", extra_api_keys=["vck_other"]) as gw:
        assert gw.env() == {"AI_GATEWAY_BASE_URL": gw.url, "AI_GATEWAY_API_KEY": "vck_main"}
        for k, v in gw.env().items():
            monkeypatch.setenv(k, v)
        vag.Client().chat.completions.create(model="openai/gpt-5", messages=USER_MESSAGE)
        vag.Client(api_key="vck_other").chat.completions.create(model="openai/gpt-5", messages=USER_MESSAGE)
        assert [r.header("authorization") for r in gw.requests] == ["Bearer vck_main", "Bearer vck_other"]


def test_recorded_requests(gw: LocalGateway) -> None:
    assert gw.last_request is None
    client = vag.Client(base_url=gw.url, api_key=gw.api_key)
    client.chat.completions.create(model="openai/gpt-5", messages=USER_MESSAGE, user="u1")
    (request,) = gw.requests
    assert request.json()["user"] == "u1"
    assert json.loads(request.body) == request.json()
    assert request.headers["authorization"] == f"Bearer {gw.api_key}"
    assert gw.api_key not in repr(request)
    gw.clear_requests()
    assert gw.requests == []


def test_close_is_idempotent() -> None:
    gw = LocalGateway()
    url = gw.url
    gw.close()
    gw.close()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{url}/models", timeout=2)
    assert url.startswith("http://127.0.0.1:")


# ---- routes: embeddings, endpoints, generation lookup, credits ----

RECORDED = Path(__file__).parent / "fixtures" / "recorded"


def send(
    gw: LocalGateway, method: str, path: str, body: Any = None, *, token: str | None = None, timeout: float = 10
) -> tuple[int, dict[str, str], bytes]:
    """One raw HTTP exchange with the gateway: status, headers and the whole body."""
    connection = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=timeout)
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    try:
        connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def chat_body(stream: bool = False, model: str = "openai/gpt-5") -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "messages": USER_MESSAGE}
    if stream:
        body.update(stream=True, stream_options={"include_usage": True})
    return body


def sse_events(raw: bytes) -> list[str]:
    return [event for event in raw.decode().split("\n\n") if event]


def test_embeddings_route(gw: LocalGateway) -> None:
    body = {"model": "openai/text-embedding-3-small", "input": ["one", "two"], "dimensions": 8}
    assert send(gw, "POST", "/v1/embeddings", body)[0] == 401
    status, _, raw = send(gw, "POST", "/v1/embeddings", body, token=gw.api_key)
    assert status == 200
    reply = json.loads(raw)
    assert [item["index"] for item in reply["data"]] == [0, 1]
    assert all(len(item["embedding"]) == 8 for item in reply["data"])
    assert reply["usage"] == {"prompt_tokens": 2, "total_tokens": 2}
    generation_id = reply["providerMetadata"]["gateway"]["generationId"]
    status, _, raw = send(gw, "GET", f"/v1/generation?id={generation_id}", token=gw.api_key)
    assert status == 200 and json.loads(raw)["data"]["model"] == "openai/text-embedding-3-small"
    status, _, raw = send(gw, "POST", "/v1/embeddings", {"model": "openai/gpt-5", "input": "x"}, token=gw.api_key)
    assert status == 400 and json.loads(raw)["error"]["param"] == "model"


def test_endpoints_route(gw: LocalGateway) -> None:
    status, body = get(f"{gw.origin}/v1/models/deepseek/deepseek-v3.2/endpoints")
    assert status == 200
    assert [e["provider_name"] for e in body["data"]["endpoints"]] == ["bedrock", "deepinfra", "deepseek", "novita"]
    status, body = get(f"{gw.url}/models/anthropic/claude-sonnet-4/endpoints")
    assert status == 200 and len(body["data"]["endpoints"]) == 1
    assert body["data"]["endpoints"][0]["provider_name"] == "anthropic"
    assert get(f"{gw.url}/models/nobody/nothing/endpoints")[0] == 404


def test_generation_lookup_and_credits() -> None:
    with LocalGateway(balance="10") as gw:
        assert get(f"{gw.url}/credits", gw.api_key) == (200, {"balance": "10.00", "total_used": "0.00"})
        completion = vag.Client(base_url=gw.url, api_key=gw.api_key).chat.completions.create(
            model="openai/gpt-5", messages=USER_MESSAGE
        )
        status, body = get(f"{gw.url}/generation?id={completion.id}", gw.api_key)
        assert status == 200
        assert body["data"]["id"] == completion.id
        assert body["data"]["total_cost"] == completion.usage.cost
        assert body["data"]["tokens_prompt"] == completion.usage.prompt_tokens
        _, account = get(f"{gw.url}/credits", gw.api_key)
        assert float(account["total_used"]) == pytest.approx(completion.usage.cost)
        assert float(account["balance"]) == pytest.approx(10 - completion.usage.cost)
        assert get(f"{gw.url}/generation", gw.api_key) == (400, {"error": "id is required"})
        assert get(f"{gw.url}/generation?id=nope", gw.api_key)[0] == 400
        status, body = get(f"{gw.url}/generation?id=gen_01ARZ3NDEKTSV4RRFFQ69G5FAV", gw.api_key)
        assert status == 404 and body["error"] == "Usage event not found"
        assert get(f"{gw.url}/credits")[0] == 401
    with LocalGateway(balance=2.5) as gw:
        assert get(f"{gw.url}/credits", gw.api_key)[1]["balance"] == "2.50"
    with pytest.raises(vag.ConfigError) as info:
        LocalGateway(balance="lots")
    assert info.value.variable == "balance"


# ---- cassettes ----


def test_load_cassette_replays_recordings() -> None:
    cassette = RECORDED / "vercel" / "VercelCommon_gpt-5__simple.yaml"
    with LocalGateway() as gw:
        assert gw.load_cassette(cassette) == 1
        assert gw.load_cassette(str(RECORDED / "vercel" / "VercelCommon_gpt-5__tool.yaml")) == 2
        client = vag.Client(base_url=gw.url, api_key=gw.api_key)
        completion = client.chat.completions.create(
            model="openai/gpt-5",
            messages=[
                {"content": "You are a helpful assistant", "role": "system"},
                {"content": "Say hi in Portuguese", "role": "user"},
            ],
            max_completion_tokens=4000,
            temperature=None,
        )
        assert completion.id == "gen_01KKHTPR6079KRB242AQ8KAPH7"
        assert completion.choices[0].message.content == "Olá!"
        assert gw.last_request is not None and gw.last_request.json()["max_completion_tokens"] == 4000
        gw.clear_cassettes()
        again = client.chat.completions.create(
            model="openai/gpt-5",
            messages=[
                {"content": "You are a helpful assistant", "role": "system"},
                {"content": "Say hi in Portuguese", "role": "user"},
            ],
            max_completion_tokens=4000,
        )
        assert again.choices[0].message.content.startswith("Hello from LocalGateway!")


def test_openrouter_cassettes_load_and_replay_on_the_alias(gw: LocalGateway) -> None:
    total = sum(gw.load_cassette(path) for path in sorted((RECORDED / "openrouter").glob("*.yaml")))
    assert total == 24
    client = vag.Client(base_url=f"{gw.origin}/api/v1", api_key=gw.api_key)
    completion = client.chat.completions.create(
        model="openai/gpt-5.4-nano",
        messages=[
            {"content": "You are a helpful assistant", "role": "system"},
            {"content": "Say hi in Portuguese", "role": "user"},
        ],
        max_completion_tokens=4000,
        usage={"include": True},
    )
    assert completion.model == "openai/gpt-5.4-nano-20260317"
    assert gw.last_request is not None and gw.last_request.path == "/api/v1/chat/completions"


def test_bad_cassettes_are_config_errors(tmp_path: Path) -> None:
    with LocalGateway() as gw:
        broken = tmp_path / "broken.yaml"
        broken.write_text("version: 2\ninteractions: [\n")
        with pytest.raises(vag.ConfigError) as info:
            gw.load_cassette(broken)
        assert info.value.variable == "cassette"
        with pytest.raises(vag.ConfigError, match="cannot be read"):
            gw.load_cassette(tmp_path / "missing.yaml")


# ---- fault injection ----


def test_inject_status_with_headers_and_recorded_fault(gw: LocalGateway) -> None:
    gw.inject("status", status=503, code="busy", headers={"retry-after-ms": "150"}, count=2)
    for _ in range(2):
        status, headers, raw = send(gw, "POST", "/v1/chat/completions", chat_body(), token=gw.api_key)
        assert status == 503 and headers["retry-after-ms"] == "150"
        assert json.loads(raw) == {
            "error": {"message": "Internal server error.", "type": "internal_server_error", "code": "busy"}
        }
    assert send(gw, "POST", "/v1/chat/completions", chat_body(), token=gw.api_key)[0] == 200
    assert [r.fault for r in gw.requests] == ["status", "status", None]


def test_inject_delay_and_slow_drip(gw: LocalGateway) -> None:
    gw.inject("delay", delay=0.1)
    started = time.monotonic()
    assert send(gw, "POST", "/v1/chat/completions", chat_body(), token=gw.api_key)[0] == 200
    assert time.monotonic() - started >= 0.1
    gw.reply("a b")
    gw.inject("slow_drip", delay=0.05)
    started = time.monotonic()
    status, _, raw = send(gw, "POST", "/v1/chat/completions", chat_body(stream=True), token=gw.api_key)
    events = sse_events(raw)
    assert status == 200 and events[-1] == "data: [DONE]"
    assert time.monotonic() - started >= 0.05 * (len(events) - 1)
    assert gw.last_request is not None and gw.last_request.fault == "slow_drip"


def test_inject_hang_and_resets(gw: LocalGateway) -> None:
    gw.inject("hang")
    with pytest.raises(TimeoutError):
        send(gw, "POST", "/v1/chat/completions", chat_body(), token=gw.api_key, timeout=0.2)
    gw.inject("reset_before_headers")
    with pytest.raises(http.client.RemoteDisconnected):
        send(gw, "POST", "/v1/chat/completions", chat_body(), token=gw.api_key)
    gw.inject("reset_after_chunks", after=2)
    with pytest.raises(http.client.IncompleteRead) as info:
        send(gw, "POST", "/v1/chat/completions", chat_body(stream=True), token=gw.api_key)
    assert len(sse_events(info.value.partial)) == 2
    assert [r.fault for r in gw.requests] == ["hang", "reset_before_headers", "reset_after_chunks"]


def test_inject_stream_corruptions(gw: LocalGateway) -> None:
    gw.inject("malformed_json")
    status, _, raw = send(gw, "POST", "/v1/chat/completions", chat_body(), token=gw.api_key)
    assert status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)
    gw.inject("malformed_json", after=0)
    first = sse_events(send(gw, "POST", "/v1/chat/completions", chat_body(stream=True), token=gw.api_key)[2])[0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(first.removeprefix("data: "))
    gw.inject("truncated_sse", after=100)
    events = sse_events(send(gw, "POST", "/v1/chat/completions", chat_body(stream=True), token=gw.api_key)[2])
    assert "data: [DONE]" not in events
    assert all(json.loads(e.removeprefix("data: "))["choices"][0]["finish_reason"] is None for e in events)
    gw.inject("error_event", after=1, error_type="overloaded", message="Try again", code="529")
    events = sse_events(send(gw, "POST", "/v1/chat/completions", chat_body(stream=True), token=gw.api_key)[2])
    assert len(events) == 2
    assert json.loads(events[1].removeprefix("data: ")) == {
        "error": {"message": "Try again", "type": "overloaded", "code": "529"}
    }


def test_sticky_and_filtered_faults_until_cleared(gw: LocalGateway) -> None:
    gw.inject("status", status=429, sticky=True, model="openai/gpt-5")
    gw.inject("truncated_sse", route="/v1/chat/completions")  # stream-only: waits for a stream
    for _ in range(3):
        assert send(gw, "POST", "/v1/chat/completions", chat_body(), token=gw.api_key)[0] == 429
    other = chat_body(model="anthropic/claude-sonnet-4")
    assert send(gw, "POST", "/v1/chat/completions", other, token=gw.api_key)[0] == 200
    other["stream"] = True
    events = sse_events(send(gw, "POST", "/api/v1/chat/completions", other, token=gw.api_key)[2])
    assert "data: [DONE]" not in events
    gw.clear_faults()
    assert send(gw, "POST", "/v1/chat/completions", chat_body(), token=gw.api_key)[0] == 200
    assert [r.fault for r in gw.requests] == ["status"] * 3 + [None, "truncated_sse", None]


@pytest.mark.parametrize(
    ("kind", "kwargs", "variable"),
    [
        ("explode", {}, "kind"),
        ("status", {}, "status"),
        ("status", {"status": 200}, "status"),
        ("hang", {"delay": 1.0}, "delay"),
        ("delay", {}, "delay"),
        ("slow_drip", {"after": 2, "delay": 0.1}, "after"),
        ("hang", {"count": 0}, "count"),
        ("hang", {"sticky": True, "count": 2}, "count"),
        ("hang", {"route": "/v1/models"}, "route"),
    ],
)
def test_inject_rejects_what_does_not_apply(gw: LocalGateway, kind: str, kwargs: dict[str, Any], variable: str) -> None:
    with pytest.raises(vag.ConfigError) as info:
        gw.inject(kind, **kwargs)  # type: ignore[arg-type]
    assert info.value.variable == variable
    assert send(gw, "POST", "/v1/chat/completions", chat_body(), token=gw.api_key)[0] == 200


# ---- the OpenRouter flavour ----

OR_MODEL = "openai/gpt-5.4-nano"


@pytest.fixture
def orgw() -> Iterator[LocalGateway]:
    with LocalGateway(flavor="openrouter") as gateway:
        yield gateway


def test_openrouter_flavor_basics(orgw: LocalGateway) -> None:
    assert orgw.flavor == "openrouter" and orgw.url == f"{orgw.origin}/api/v1"
    assert orgw.api_key.startswith("sk-or-v1-") and len(orgw.api_key) == len("sk-or-v1-") + 64
    assert orgw.env() == {"OPENROUTER_BASE_URL": orgw.url, "OPENROUTER_API_KEY": orgw.api_key}
    assert repr(orgw) == f"LocalGateway(flavor='openrouter', url='{orgw.url}')"
    status, body = get(f"{orgw.url}/models")
    assert status == 200 and len(body["data"]) == 364
    assert get(f"{orgw.origin}/v1/models")[0] == 404
    assert [r.flavor for r in orgw.requests] == ["openrouter", "openrouter"]
    with pytest.raises(vag.ConfigError) as info:
        LocalGateway(flavor="otlp")  # type: ignore[arg-type]
    assert info.value.variable == "flavor"
    with pytest.raises(vag.ConfigError) as info:
        LocalGateway(flavor="openrouter", cli_token="cli")
    assert info.value.variable == "cli_token"


def test_openrouter_answers_the_client_plain_and_streamed(orgw: LocalGateway) -> None:
    client = vag.Client(base_url=orgw.url, api_key=orgw.api_key)
    answer = client.chat.completions.create(model=OR_MODEL, messages=USER_MESSAGE)
    assert answer.id.startswith("gen-") and answer.model == "openai/gpt-5.4-nano-20260317"
    assert answer["provider"] == "OpenAI" and answer.usage.cost > 0 and answer.usage.is_byok is False
    assert answer.usage.cost_details["upstream_inference_cost"] == answer.usage.cost
    chunks = list(client.chat.completions.create(model=OR_MODEL, messages=USER_MESSAGE, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices).startswith("Hello")
    assert chunks[-1].usage.cost > 0 and chunks[-2].usage is None, "usage comes in its own last chunk"
    # The raw body: keep-alive whitespace, the X-Generation-Id header, comments in the stream.
    status, headers, raw = send(orgw, "POST", "/api/v1/chat/completions", chat_body(model=OR_MODEL), token=orgw.api_key)
    assert status == 200 and raw.startswith(b"\n         \n{")
    assert headers["x-generation-id"] == json.loads(raw)["id"]
    _, _, raw = send(orgw, "POST", "/api/v1/chat/completions", chat_body(True, OR_MODEL), token=orgw.api_key)
    events = sse_events(raw)
    assert events[0] == ": OPENROUTER PROCESSING" and events[-1] == "data: [DONE]"
    assert events.count(": OPENROUTER PROCESSING") == 2


def test_openrouter_errors_use_its_envelope(orgw: LocalGateway) -> None:
    client = vag.Client(base_url=orgw.url, api_key=orgw.api_key, max_retries=0)
    with pytest.raises(vag.BadRequestError, match="acme/nope is not a valid model ID"):
        client.chat.completions.create(model="acme/nope", messages=USER_MESSAGE)
    with pytest.raises(vag.AuthenticationError, match="User not found"):
        vag.Client(base_url=orgw.url, api_key="sk-or-wrong").chat.completions.create(
            model=OR_MODEL, messages=USER_MESSAGE
        )
    status, _, raw = send(orgw, "POST", "/api/v1/chat/completions", chat_body(model=OR_MODEL))
    assert status == 401 and json.loads(raw) == {"error": {"message": "No auth credentials found", "code": 401}}
    orgw.fail_next(429, retry_after="7")
    status, headers, raw = send(orgw, "POST", "/api/v1/chat/completions", chat_body(model=OR_MODEL), token=orgw.api_key)
    assert status == 429 and headers["retry-after"] == "7"
    assert json.loads(raw)["error"]["code"] == 429 and "type" not in json.loads(raw)["error"]
    body = {**chat_body(model=OR_MODEL), "provider": {"only": ["groq"]}}
    status, _, raw = send(orgw, "POST", "/api/v1/chat/completions", body, token=orgw.api_key)
    assert status == 404
    assert json.loads(raw)["error"]["metadata"] == {
        "available_providers": ["openai", "azure"],
        "requested_providers": ["groq"],
    }


def test_openrouter_in_band_and_mid_stream_errors(orgw: LocalGateway) -> None:
    client = vag.Client(base_url=orgw.url, api_key=orgw.api_key, max_retries=0)
    orgw.inject("in_band_error", message="Upstream error from OpenAI", metadata={"provider_name": "OpenAI"})
    with pytest.raises(vag.APIStatusError, match="Upstream error from OpenAI"):
        client.chat.completions.create(model=OR_MODEL, messages=USER_MESSAGE)
    assert orgw.last_request is not None and orgw.last_request.fault == "in_band_error"
    orgw.inject("error_event", after=2, status=502, message="Provider disconnected")
    with pytest.raises(vag.APIStatusError, match="Provider disconnected"):
        list(client.chat.completions.create(model=OR_MODEL, messages=USER_MESSAGE, stream=True))
    assert [r.fault for r in orgw.requests] == ["in_band_error", "error_event"]
    orgw.inject("error_event", after=2)
    _, _, raw = send(orgw, "POST", "/api/v1/chat/completions", chat_body(True, OR_MODEL), token=orgw.api_key)
    last = json.loads(sse_events(raw)[-1].removeprefix("data: "))
    assert last["choices"][0]["finish_reason"] == "error" and last["error"]["code"] == 502
    assert last["provider"] == "OpenAI" and last["id"].startswith("gen-")


@pytest.mark.parametrize(
    ("flavor", "kwargs", "variable"),
    [
        ("openrouter", {"kind": "status", "status": 500, "error_type": "x"}, "error_type"),
        ("openrouter", {"kind": "error_event", "code": "x"}, "code"),
        ("vercel", {"kind": "status", "status": 500, "metadata": {"a": 1}}, "metadata"),
        ("vercel", {"kind": "error_event", "status": 502}, "status"),
        ("vercel", {"kind": "in_band_error", "delay": 1.0}, "delay"),
    ],
)
def test_faults_are_checked_against_the_flavor(flavor: str, kwargs: dict[str, Any], variable: str) -> None:
    with LocalGateway(flavor=flavor) as gateway:  # type: ignore[arg-type]
        with pytest.raises(vag.ConfigError) as info:
            gateway.inject(**kwargs)
        assert info.value.variable == variable


def test_openrouter_generation_credits_endpoints_embeddings() -> None:
    with LocalGateway(flavor="openrouter", balance=5) as orgw:
        client = vag.Client(base_url=orgw.url, api_key=orgw.api_key)
        answer = client.chat.completions.create(model=OR_MODEL, messages=USER_MESSAGE)
        status, looked_up = get(f"{orgw.url}/generation?id={answer.id}", orgw.api_key)
        assert status == 200 and looked_up["data"]["total_cost"] == answer.usage.cost
        assert looked_up["data"]["provider_name"] == "OpenAI" and looked_up["data"]["api_type"] == "completions"
        status, account = get(f"{orgw.url}/credits", orgw.api_key)
        assert account == {"data": {"total_credits": 5.0, "total_usage": answer.usage.cost}}
        status, endpoints = get(f"{orgw.url}/models/{OR_MODEL}/endpoints")
        assert [e["provider_name"] for e in endpoints["data"]["endpoints"]] == ["OpenAI", "Azure"]
        vectors = client.embeddings.create(model="openai/text-embedding-3-small", input=["a", "b"], dimensions=4)
        assert vectors["id"].startswith("gen-emb-") and len(vectors.data[1].embedding) == 4
        assert vectors.usage.cost > 0


def test_both_flavors_side_by_side_behind_a_router() -> None:
    model = "anthropic/claude-opus-4.7"  # the same id in both catalogs
    with LocalGateway() as vercel, LocalGateway(flavor="openrouter") as openrouter:
        client = vag.Client(
            base_url=vercel.url,
            api_key=vercel.api_key,
            openrouter_base_url=openrouter.url,
            openrouter_api_key=openrouter.api_key,
            router=vag.Router(vercel_share=0.0),
            retry_backoff=(0.001, 0.005),
        )
        answer = client.chat.completions.create(model=model, messages=USER_MESSAGE, user="u_1")
        assert answer.gateway == "openrouter" and answer.id.startswith("gen-")
        assert [r.flavor for r in openrouter.requests] == ["openrouter"] and not vercel.requests
        openrouter.inject("status", status=503, sticky=True)
        answer = client.chat.completions.create(model=model, messages=USER_MESSAGE, user="u_1")
        assert answer.gateway == "vercel" and answer.id.startswith("gen_")
        assert [r.flavor for r in vercel.requests] == ["vercel"]


# ---- the OTLP receiver ----


def test_telemetry_is_received_and_kept_apart_from_requests() -> None:
    with LocalGateway(flavor="openrouter") as orgw, LocalGateway() as gw:
        tel = vag.VercelTelemetry(backend="otlp", endpoint=orgw.origin, service_name="shop", python_sdk=False)
        assert tel.install()
        try:
            vag.Client(base_url=gw.url, api_key=gw.api_key).chat.completions.create(
                model="openai/gpt-5", messages=USER_MESSAGE
            )
            assert tel.flush(timeout=10)
        finally:
            tel.shutdown(timeout=5)
        (span,) = [s for s in orgw.spans if s["scope"] == "vercel-ai-gateway"]
        assert span["name"] == "chat openai/gpt-5" and span["kind"] == 3 and span["status"] in (0, 1)
        assert len(span["trace_id"]) == 32 and len(span["span_id"]) == 16 and span["parent_span_id"] == ""
        assert span["attributes"]["gen_ai.request.model"] == "openai/gpt-5"
        assert span["resource"]["service.name"] == "shop"
        names = {m["name"] for m in orgw.metrics}
        assert "gen_ai.client.token.usage" in names
        assert {e["path"] for e in orgw.otlp_exports} == {"/v1/traces", "/v1/metrics"}
        assert orgw.otlp_exports[0]["headers"]["content-type"] == "application/x-protobuf"
        assert orgw.requests == [], "exports are not recorded requests"
        orgw.clear_telemetry()
        assert orgw.spans == [] and orgw.metrics == [] and orgw.otlp_exports == []


def test_raw_otlp_exports_plain_and_gzip(gw: LocalGateway) -> None:
    import gzip

    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span

    span = Span(
        name="job",
        trace_id=bytes(range(16)),
        span_id=bytes(range(8)),
        kind=Span.SPAN_KIND_INTERNAL,
        attributes=[KeyValue(key="n", value=AnyValue(int_value=7))],
    )
    body = ExportTraceServiceRequest(resource_spans=[ResourceSpans(scope_spans=[ScopeSpans(spans=[span])])])
    raw = body.SerializeToString()

    def post(data: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(f"{gw.origin}/v1/traces", data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as e:
            with e:
                return e.code

    protobuf = {"content-type": "application/x-protobuf"}
    assert post(raw, protobuf) == 200
    assert post(gzip.compress(raw), {**protobuf, "content-encoding": "gzip"}) == 200
    assert post(b"\xff\xff garbage", protobuf) == 400
    assert post(b"{}", {"content-type": "application/json"}) == 415
    assert [(s["name"], s["kind"], s["attributes"]) for s in gw.spans] == [("job", 1, {"n": 7})] * 2
    assert gw.spans[0]["trace_id"] == bytes(range(16)).hex()
