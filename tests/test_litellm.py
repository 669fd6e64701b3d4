"""LiteLLM against LocalGateway with the real litellm package: the built-in `vercel_ai_gateway/`
provider with our credentials, the `vag/` custom provider on our core, and generated Router and
proxy configurations parsed back by LiteLLM. Every test checks the requests the gateway got."""

from __future__ import annotations

import os

# LiteLLM fetches its model cost map from the internet at import unless told not to.
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

import inspect
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import litellm
import pytest
import yaml
from litellm.exceptions import MidStreamFallbackError

import vercel_ai_gateway as vag
from vercel_ai_gateway.litellm import (
    PROVIDER,
    completion_kwargs,
    litellm_model_list,
    litellm_router_kwargs,
    proxy_config,
    proxy_config_yaml,
    register,
    unregister,
)
from vercel_ai_gateway.testing import LocalGateway

from conftest import CREDENTIAL_VARIABLES, USER_MESSAGE, make_jwt

# LiteLLM ≥ 1.106 builds its pydantic models lazily, and pydantic ≥ 2.12 warns about one of them.
pytestmark = pytest.mark.filterwarnings("ignore:Item .* is using the `ReadOnly` qualifier:UserWarning")

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "tests" / "fixtures" / "recorded" / "vercel"
ECHO = "Hello from LocalGateway! You said: ping"
MODEL = "openai/gpt-4o"
EMBEDDING = "openai/text-embedding-3-small"
STREAM_ERRORS = (litellm.APIConnectionError, MidStreamFallbackError)


@pytest.fixture
def env_gw(gw: LocalGateway, monkeypatch: pytest.MonkeyPatch) -> LocalGateway:
    for name, value in gw.env().items():
        monkeypatch.setenv(name, value)
    return gw


@pytest.fixture(autouse=True)
async def litellm_state() -> AsyncIterator[None]:
    """Each test starts without our provider, and closes the HTTP clients LiteLLM cached
    (one per credential and base URL) on the test's own event loop."""
    yield
    unregister()
    unregister("vercel_rust")
    cache = litellm.in_memory_llm_clients_cache
    for cached in list(cache.cache_dict.values()):
        for client in (cached, getattr(cached, "client", None)):
            close = getattr(client, "aclose", None) or getattr(client, "close", None)
            if close is not None:
                result = close()
                if inspect.isawaitable(result):
                    await result
    cache.flush_cache()


@pytest.fixture
def provider(env_gw: LocalGateway) -> Any:
    return register(max_retries=0)


def bearer(request: Any) -> str | None:
    value = request.header("authorization")
    return value.removeprefix("Bearer ") if value else None


# ---- (a) the built-in provider with fresh credentials ----


def test_completion_kwargs(monkeypatch: pytest.MonkeyPatch, env_gw: LocalGateway) -> None:
    monkeypatch.setenv("VERCEL_SITE_URL", "https://shop.example")
    monkeypatch.setenv("VERCEL_APP_NAME", "Shop")
    assert completion_kwargs("openai/gpt-4o") == {
        "api_key": env_gw.api_key,
        "api_base": env_gw.url,
        "extra_headers": {"http-referer": "https://shop.example", "x-title": "Shop"},
        "model": "vercel_ai_gateway/openai/gpt-4o",
    }
    assert completion_kwargs("vercel_ai_gateway/openai/gpt-4o", extra_headers={"x-a": "1"}, app_name="")["model"] == (
        "vercel_ai_gateway/openai/gpt-4o"
    )
    token = make_jwt()
    with vag.use_request_headers({"x-vercel-oidc-token": token}):
        assert completion_kwargs()["api_key"] == token, "OIDC first"
        assert completion_kwargs(prefer="api_key")["api_key"] == env_gw.api_key


def test_completion_kwargs_without_credentials() -> None:
    with pytest.raises(vag.NoCredentialsError):
        completion_kwargs(MODEL)


def test_builtin_chat_with_a_token_that_changes(env_gw: LocalGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERCEL_SITE_URL", "https://shop.example")
    monkeypatch.setenv("VERCEL_APP_NAME", "Shop")
    first, second = make_jwt(), make_jwt()
    answers = []
    for token in (first, second):
        with vag.use_request_headers({"x-vercel-oidc-token": token}):
            answers.append(litellm.completion(**completion_kwargs(MODEL), messages=USER_MESSAGE, max_tokens=16))
    assert [a.choices[0].message.content for a in answers] == [ECHO, ECHO]
    assert [(r.path, r.json()["model"], bearer(r)) for r in env_gw.requests] == [
        ("/v1/chat/completions", MODEL, first),
        ("/v1/chat/completions", MODEL, second),
    ]
    request = env_gw.requests[0]
    assert request.json() == {"model": MODEL, "messages": USER_MESSAGE, "max_tokens": 16}
    assert (request.header("http-referer"), request.header("x-title")) == ("https://shop.example", "Shop")


def test_builtin_streaming(env_gw: LocalGateway) -> None:
    stream = litellm.completion(**completion_kwargs(MODEL), messages=USER_MESSAGE, stream=True)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices) == ECHO
    request = env_gw.last_request
    assert request is not None and request.json()["stream"] is True and bearer(request) == env_gw.api_key


async def test_builtin_async_chat_and_stream(env_gw: LocalGateway) -> None:
    token = make_jwt()
    with vag.use_request_headers({"x-vercel-oidc-token": token}):
        answer = await litellm.acompletion(**completion_kwargs(MODEL), messages=USER_MESSAGE)
        stream = await litellm.acompletion(**completion_kwargs(MODEL), messages=USER_MESSAGE, stream=True)
        text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices])
    assert answer.choices[0].message.content == text == ECHO
    assert [bearer(r) for r in env_gw.requests] == [token, token]
    assert [r.json().get("stream") for r in env_gw.requests] == [None, True]


async def test_builtin_embeddings(env_gw: LocalGateway) -> None:
    token = make_jwt()
    with vag.use_request_headers({"x-vercel-oidc-token": token}):
        sync = litellm.embedding(**completion_kwargs(EMBEDDING), input=["hello"])
        asynchronous = await litellm.aembedding(**completion_kwargs(EMBEDDING), input=["hello"])
    assert sync.data[0]["embedding"] == asynchronous.data[0]["embedding"]
    assert len(sync.data[0]["embedding"]) == 1536
    for request in env_gw.requests:
        assert (request.path, request.json(), bearer(request)) == (
            "/v1/embeddings",
            {"model": EMBEDDING, "input": ["hello"]},
            token,
        )


# ---- (b) the custom provider ----


def test_provider_name_does_not_collide() -> None:
    assert PROVIDER == "vag"
    assert PROVIDER not in litellm.openai_compatible_providers
    assert PROVIDER not in {p.value for p in litellm.LlmProviders}
    with pytest.raises(vag.ConfigError, match="built-in LiteLLM provider"):
        register(provider="vercel_ai_gateway")
    register(provider="vercel_rust", api_key="k", base_url="http://127.0.0.1:9/v1")
    assert [item["provider"] for item in litellm.custom_provider_map] == ["vercel_rust"]


def test_custom_completion(provider: Any, env_gw: LocalGateway) -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]
    answer = litellm.completion(
        model="vag/openai/gpt-4o",
        messages=USER_MESSAGE,
        temperature=0.2,
        max_tokens=16,
        user="u_42",
        tools=tools,
        tool_choice="auto",
        providerOptions={"gateway": {"order": ["azure", "openai"]}},
        extra_body={"models": ["anthropic/claude-sonnet-4"]},
        extra_headers={"x-trace": "abc"},
    )
    request = env_gw.last_request
    assert request is not None
    assert (request.path, bearer(request), request.header("x-trace")) == ("/v1/chat/completions", env_gw.api_key, "abc")
    assert request.json() == {
        "model": MODEL,
        "messages": USER_MESSAGE,
        "temperature": 0.2,
        "max_tokens": 16,
        "user": "u_42",
        "tools": tools,
        "tool_choice": "auto",
        "providerOptions": {"gateway": {"order": ["azure", "openai"]}},
        "models": ["anthropic/claude-sonnet-4"],
    }
    assert isinstance(answer, litellm.ModelResponse)
    assert answer.choices[0].message.content == ECHO and answer.choices[0].finish_reason == "stop"
    assert answer.id.startswith("gen_") and answer.model == MODEL
    usage = answer.usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens > 0
    assert answer._hidden_params["response_cost"] == pytest.approx(usage.cost) and usage.cost > 0
    assert answer._hidden_params["vercel_ai_gateway"]["gateway"] == "vercel"


def test_credentials_per_request(provider: Any, env_gw: LocalGateway) -> None:
    first, second = make_jwt(), make_jwt()
    for token in (first, second):
        with vag.use_request_headers({"x-vercel-oidc-token": token}):
            litellm.completion(model="vag/openai/gpt-4o", messages=USER_MESSAGE)
    litellm.completion(model="vag/openai/gpt-4o", messages=USER_MESSAGE)
    assert [bearer(r) for r in env_gw.requests] == [first, second, env_gw.api_key]


def test_api_key_and_base_of_one_call(provider: Any, env_gw: LocalGateway) -> None:
    with LocalGateway() as other:
        litellm.completion(model="vag/openai/gpt-4o", messages=USER_MESSAGE, api_key=other.api_key, api_base=other.url)
        assert other.last_request is not None and bearer(other.last_request) == other.api_key
        assert not env_gw.requests


def test_custom_streaming(provider: Any, env_gw: LocalGateway) -> None:
    stream = litellm.completion(model="vag/openai/gpt-4o", messages=USER_MESSAGE, stream=True)
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == ECHO
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    request = env_gw.last_request
    assert request is not None
    assert request.json() == {
        "model": MODEL,
        "messages": USER_MESSAGE,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    rebuilt = litellm.stream_chunk_builder(chunks, messages=USER_MESSAGE)
    assert rebuilt is not None and rebuilt.choices[0].message.content == ECHO
    assert rebuilt.usage.completion_tokens > 0


async def test_custom_async(provider: Any, env_gw: LocalGateway) -> None:
    token = make_jwt()
    with vag.use_request_headers({"x-vercel-oidc-token": token}):
        answer = await litellm.acompletion(model="vag/openai/gpt-4o", messages=USER_MESSAGE)
        stream = await litellm.acompletion(model="vag/openai/gpt-4o", messages=USER_MESSAGE, stream=True)
        chunks = [chunk async for chunk in stream]
    assert answer.choices[0].message.content == ECHO
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == ECHO
    assert [bearer(r) for r in env_gw.requests] == [token, token]
    assert [r.json().get("stream") for r in env_gw.requests] == [None, True]


async def test_custom_embeddings(provider: Any, env_gw: LocalGateway) -> None:
    sync = litellm.embedding(model="vag/openai/text-embedding-3-small", input=["a", "b"])
    dims = await litellm.aembedding(model="vag/openai/text-embedding-3-small", input="a", extra_body={"dimensions": 8})
    assert len(sync.data) == 2 and len(sync.data[0]["embedding"]) == 1536
    assert sync.usage.prompt_tokens > 0 and sync.model == EMBEDDING
    assert len(dims.data[0]["embedding"]) == 8
    assert [(r.path, r.json()) for r in env_gw.requests] == [
        ("/v1/embeddings", {"model": EMBEDDING, "input": ["a", "b"]}),
        ("/v1/embeddings", {"model": EMBEDDING, "input": "a", "dimensions": 8}),
    ]


def recorded_request(name: str) -> dict[str, Any]:
    """The recorded request's body as litellm.completion arguments. LiteLLM renames
    `max_completion_tokens` to `max_tokens` for custom providers, so it goes in `extra_body`."""
    cassette = yaml.safe_load((RECORDED / name).read_text())
    body: dict[str, Any] = json.loads(cassette["interactions"][0]["request"]["body"])
    body["extra_body"] = {"max_completion_tokens": body.pop("max_completion_tokens")}
    return body


def test_tool_calls_from_a_recorded_answer(provider: Any, env_gw: LocalGateway) -> None:
    assert env_gw.load_cassette(RECORDED / "VercelCommon_gpt-5__multi_tool.yaml") >= 1
    body = recorded_request("VercelCommon_gpt-5__multi_tool.yaml")
    answer = litellm.completion(model="vag/" + body.pop("model"), **body)
    calls = answer.choices[0].message.tool_calls
    assert [(c.function.name, json.loads(c.function.arguments)) for c in calls] == [
        ("add", {"a": 2, "b": 3}),
        ("multiply", {"a": 2, "b": 3}),
    ]
    assert all(c.id.startswith("call_") for c in calls)
    assert answer.choices[0].finish_reason == "tool_calls"


def test_streamed_tool_calls_from_a_recorded_answer(provider: Any, env_gw: LocalGateway) -> None:
    env_gw.load_cassette(RECORDED / "VercelCommon_gpt-5__multi_tool_streaming.yaml")
    body = recorded_request("VercelCommon_gpt-5__multi_tool_streaming.yaml")
    body.pop("stream_options")
    chunks = list(litellm.completion(model="vag/" + body.pop("model"), **body))
    rebuilt = litellm.stream_chunk_builder(chunks)
    assert rebuilt is not None
    calls = rebuilt.choices[0].message.tool_calls
    assert sorted((c.function.name, json.loads(c.function.arguments)) for c in calls) == [
        ("add", {"a": 2, "b": 3}),
        ("multiply", {"a": 2, "b": 3}),
    ]
    assert rebuilt.choices[0].finish_reason == "tool_calls"
    assert rebuilt.usage.total_tokens > 0
    assert env_gw.last_request is not None and env_gw.last_request.fault is None


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, litellm.BadRequestError),
        (401, litellm.AuthenticationError),
        (404, litellm.NotFoundError),
        (429, litellm.RateLimitError),
        (503, litellm.ServiceUnavailableError),
    ],
)
def test_errors_map_to_litellm_types(provider: Any, env_gw: LocalGateway, status: int, error: type) -> None:
    env_gw.fail_next(status)
    with pytest.raises(error) as info:
        litellm.completion(model="vag/openai/gpt-4o", messages=USER_MESSAGE)
    assert info.value.status_code == status
    assert env_gw.api_key not in str(info.value)


def test_our_retries_run_before_litellm_sees_an_error(env_gw: LocalGateway) -> None:
    register(retry_backoff=(0.001, 0.005))
    env_gw.fail_next(503, count=2)
    answer = litellm.completion(model="vag/openai/gpt-4o", messages=USER_MESSAGE)
    assert answer.choices[0].message.content == ECHO
    assert [r.fault for r in env_gw.requests] == ["status", "status", None]
    assert answer._hidden_params["vercel_ai_gateway"]["attempts"][-1]["retries"] == 2


def test_timeouts(env_gw: LocalGateway) -> None:
    """The client's timeout applies unless the call gives one (LiteLLM's 600 s default is not one)."""
    register(timeout=0.3, max_retries=0)
    env_gw.inject("delay", delay=1.0)
    with pytest.raises(litellm.Timeout):
        litellm.completion(model="vag/openai/gpt-4o", messages=USER_MESSAGE)
    env_gw.inject("delay", delay=1.0)
    answer = litellm.completion(model="vag/openai/gpt-4o", messages=USER_MESSAGE, timeout=10)
    assert answer.choices[0].message.content == ECHO


async def test_a_stream_broken_after_output_raises_litellm_errors(provider: Any, env_gw: LocalGateway) -> None:
    """Our error as LiteLLM's, which LiteLLM's stream wrapper may wrap in a MidStreamFallbackError."""
    env_gw.inject("reset_after_chunks", after=3)
    stream = await litellm.acompletion(model="vag/openai/gpt-4o", messages=USER_MESSAGE, stream=True)
    with pytest.raises(STREAM_ERRORS) as info:
        async for _ in stream:
            pass
    assert "broke after 3 chunks" in str(info.value)
    env_gw.inject("reset_after_chunks", after=3)
    with pytest.raises(STREAM_ERRORS):
        list(litellm.completion(model="vag/openai/gpt-4o", messages=USER_MESSAGE, stream=True))
    assert len(env_gw.requests) == 2, "no retry once output reached the caller"


@pytest.fixture
def pair() -> Iterator[tuple[LocalGateway, LocalGateway]]:
    with LocalGateway() as vercel, LocalGateway() as openrouter:
        yield vercel, openrouter


def test_routing_and_failover_in_the_core(pair: tuple[LocalGateway, LocalGateway]) -> None:
    vercel, openrouter = pair
    register(
        router=vag.Router(vercel_share=1.0),
        base_url=vercel.url,
        api_key=vercel.api_key,
        openrouter_base_url=openrouter.url,
        openrouter_api_key=openrouter.api_key,
        retry_backoff=(0.001, 0.005),
    )
    vercel.fail_next(503, count=3)
    answer = litellm.completion(model="vag/anthropic/claude-opus-4.7", messages=USER_MESSAGE, user="u_42")
    assert answer._hidden_params["vercel_ai_gateway"]["gateway"] == "openrouter"
    assert len(vercel.requests) == 3 and len(openrouter.requests) == 1
    assert bearer(openrouter.requests[0]) == openrouter.api_key
    chunks = list(litellm.completion(model="vag/anthropic/claude-opus-4.7", messages=USER_MESSAGE, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == ECHO


# ---- (c) Router model lists and proxy configurations ----


def test_model_list_maps_ids_to_both_gateways() -> None:
    kwargs = litellm_router_kwargs(["openai/gpt-4o", "meta-llama/llama-3.3-70b-instruct", "x-ai/grok-4"])
    assert kwargs["model_list"] == [
        {"model_name": "openai/gpt-4o", "litellm_params": {"model": "vag/openai/gpt-4o"}},
        {"model_name": "openai/gpt-4o@openrouter", "litellm_params": {"model": "openrouter/openai/gpt-4o"}},
        {"model_name": "meta-llama/llama-3.3-70b-instruct", "litellm_params": {"model": "vag/meta/llama-3.3-70b"}},
        {
            "model_name": "meta-llama/llama-3.3-70b-instruct@openrouter",
            "litellm_params": {"model": "openrouter/meta-llama/llama-3.3-70b-instruct"},
        },
        # Not on Vercel: OpenRouter only, no fallback.
        {"model_name": "x-ai/grok-4", "litellm_params": {"model": "openrouter/x-ai/grok-4"}},
    ]
    assert kwargs["fallbacks"] == [
        {"openai/gpt-4o": ["openai/gpt-4o@openrouter"]},
        {"meta-llama/llama-3.3-70b-instruct": ["meta-llama/llama-3.3-70b-instruct@openrouter"]},
    ]
    reverse = litellm_model_list(["openai/gpt-4o"], "openrouter", vercel_provider="vercel_ai_gateway")
    assert reverse == [
        {"model_name": "openai/gpt-4o", "litellm_params": {"model": "openrouter/openai/gpt-4o"}},
        {"model_name": "openai/gpt-4o@vercel", "litellm_params": {"model": "vercel_ai_gateway/openai/gpt-4o"}},
    ]
    with pytest.raises(vag.ConfigError, match="neither"):
        litellm_model_list(["nobody/nothing"])


def test_litellm_router_falls_back_to_openrouter(pair: tuple[LocalGateway, LocalGateway]) -> None:
    """Vercel primary through our provider; LiteLLM's Router falls back to its openrouter provider."""
    vercel, openrouter = pair
    register(base_url=vercel.url, api_key=vercel.api_key, max_retries=0)
    kwargs = litellm_router_kwargs(
        ["anthropic/claude-opus-4.7"], openrouter_params={"api_base": openrouter.url, "api_key": openrouter.api_key}
    )
    router = litellm.Router(**kwargs, num_retries=0)
    vercel.fail_next(400)
    answer = router.completion(model="anthropic/claude-opus-4.7", messages=USER_MESSAGE)
    assert answer.choices[0].message.content == ECHO
    assert [r.json()["model"] for r in vercel.requests] == ["anthropic/claude-opus-4.7"]
    assert [(r.path, r.json()["model"], bearer(r)) for r in openrouter.requests] == [
        ("/v1/chat/completions", "anthropic/claude-opus-4.7", openrouter.api_key)
    ]


def test_proxy_config_round_trips_through_litellm(tmp_path: Path) -> None:
    text = proxy_config_yaml(
        ["openai/gpt-4o", "meta/llama-3.3-70b", "deepseek/deepseek-v3.2"],
        {"openai/gpt-4o": "openrouter"},
    )
    config = yaml.safe_load(text)
    assert config == proxy_config(
        ["openai/gpt-4o", "meta/llama-3.3-70b", "deepseek/deepseek-v3.2"], {"openai/gpt-4o": "openrouter"}
    )
    models = {m["model_name"]: m["litellm_params"] for m in config["model_list"]}
    assert models["openai/gpt-4o"] == {"model": "openrouter/openai/gpt-4o", "api_key": "os.environ/OPENROUTER_API_KEY"}
    assert models["openai/gpt-4o@vercel"] == {
        "model": "vercel_ai_gateway/openai/gpt-4o",
        "api_key": "os.environ/VERCEL_AI_GATEWAY_API_KEY",
    }
    assert models["meta/llama-3.3-70b@openrouter"]["model"] == "openrouter/meta-llama/llama-3.3-70b-instruct"
    assert config["router_settings"]["fallbacks"] == [
        {"openai/gpt-4o": ["openai/gpt-4o@vercel"]},
        {"meta/llama-3.3-70b": ["meta/llama-3.3-70b@openrouter"]},
        {"deepseek/deepseek-v3.2": ["deepseek/deepseek-v3.2@openrouter"]},
    ]
    os.environ["VERCEL_AI_GATEWAY_API_KEY"] = "vck_test"
    os.environ["OPENROUTER_API_KEY"] = "sk-or-test"
    try:
        router = litellm.Router(model_list=config["model_list"], fallbacks=config["router_settings"]["fallbacks"])
    finally:
        del os.environ["VERCEL_AI_GATEWAY_API_KEY"], os.environ["OPENROUTER_API_KEY"]
    if hasattr(router, "registry"):  # LiteLLM ≥ 1.110 deprecates the old accessors for these
        names, fallbacks = router.registry().names(), router.settings().fallbacks
        deployment = router.registry().deployments("openai/gpt-4o@vercel")
    else:
        names, fallbacks = router.get_model_names(), router.fallbacks
        deployment = router.get_model_list(model_name="openai/gpt-4o@vercel")
    assert sorted(names) == sorted(models)
    assert fallbacks == config["router_settings"]["fallbacks"]
    assert deployment is not None and deployment[0]["litellm_params"]["model"] == "vercel_ai_gateway/openai/gpt-4o"


def test_proxy_config_with_our_provider() -> None:
    config = proxy_config(["openai/gpt-4o"], vercel_provider="vag")
    assert config["litellm_settings"] == {
        "custom_provider_map": [{"provider": "vag", "custom_handler": "vercel_ai_gateway.litellm.proxy_handler"}]
    }
    assert config["model_list"][0]["litellm_params"] == {"model": "vag/openai/gpt-4o"}
    import vercel_ai_gateway.litellm as module

    assert isinstance(module.proxy_handler, litellm.CustomLLM)


# ---- import cost, and the example ----


def test_helpers_do_not_import_litellm() -> None:
    code = (
        "import sys\n"
        "import vercel_ai_gateway\n"
        "assert 'litellm' not in sys.modules and 'genkit' not in sys.modules\n"
        "from vercel_ai_gateway.litellm import proxy_config_yaml\n"
        "proxy_config_yaml(['openai/gpt-4o'])\n"
        "assert 'litellm' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_litellm_example_runs_offline() -> None:
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARIABLES}
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "litellm_app.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    out = result.stdout
    assert "using LocalGateway" in out
    assert "built-in: Hello from LocalGateway!" in out
    assert "vag: Hello from LocalGateway!" in out
    assert "vag streamed: Hello from LocalGateway!" in out
    assert "router fallbacks: [{'openai/gpt-4o': ['openai/gpt-4o@openrouter']}]" in out
