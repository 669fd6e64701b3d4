"""The Genkit plugin (and Genkit's own OpenAI plugin pointed at the gateway) against LocalGateway,
with the real genkit and genkit-openai packages: the exact requests the gateway receives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from genkit import Genkit
from genkit.plugin_api import ActionKind
from pydantic import BaseModel

import vercel_ai_gateway as vag
from vercel_ai_gateway.genkit import VercelAIGateway, token_provider, vercel_model
from vercel_ai_gateway.testing import LocalGateway

from conftest import CREDENTIAL_VARIABLES, make_jwt

ROOT = Path(__file__).resolve().parent.parent
ECHO = "Hello from LocalGateway! You said: "


@pytest.fixture
def env_gw(gw: LocalGateway, monkeypatch: pytest.MonkeyPatch) -> LocalGateway:
    """The gateway named by AI_GATEWAY_BASE_URL / AI_GATEWAY_API_KEY, as an app on Vercel would see it."""
    for name, value in gw.env().items():
        monkeypatch.setenv(name, value)
    return gw


@pytest.fixture
def ai(env_gw: LocalGateway) -> Genkit:
    return Genkit(plugins=[VercelAIGateway(max_retries=0)])


def script_answer(gw: LocalGateway, path: Path, request_body: bytes, answer: dict[str, Any]) -> None:
    """Makes ``gw`` answer a request whose body is ``request_body`` with ``answer`` (a cassette)."""
    interaction = {
        "id": 0,
        "request": {"body": request_body.decode(), "url": "https://ai-gateway.vercel.sh/v1/chat/completions"},
        "response": {"body": json.dumps(answer), "headers": {"Content-Type": ["application/json"]}, "code": 200},
    }
    interaction["request"]["method"] = "POST"
    path.write_text(json.dumps({"version": 2, "interactions": [interaction]}))
    assert gw.load_cassette(path) == 1


def tool_call_answer(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "gen_01TOOLCALL0000000000000000",
        "object": "chat.completion",
        "created": 1,
        "model": "openai/gpt-4o",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": name, "arguments": json.dumps(arguments)},
                        }
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12, "cost": 0.00001},
    }


# ---- models ----


async def test_model_id_is_sent_whole(ai: Genkit, env_gw: LocalGateway) -> None:
    reply = await ai.generate(model="vercel/openai/gpt-4o", prompt="Say hi")
    assert reply.text == ECHO + "Say hi"
    request = env_gw.last_request
    assert request is not None
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.json() == {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "Say hi"}]}
    assert request.header("authorization") == f"Bearer {env_gw.api_key}"
    assert (request.header("user-agent") or "").startswith("vercel-ai-gateway-python/")


async def test_response_fields(ai: Genkit, env_gw: LocalGateway) -> None:
    env_gw.reply("42", reasoning="Let me think.")
    reply = await ai.generate(model=vercel_model("openai/gpt-5"), prompt="?")
    assert reply.text == "42"
    assert [part.reasoning for part in reply.message.content if part.reasoning] == ["Let me think."]  # type: ignore[union-attr]
    assert reply.finish_reason == "stop"
    usage = reply.usage
    assert usage is not None and usage.input_tokens and usage.output_tokens and usage.thoughts_tokens
    assert usage.custom is not None and usage.custom["cost"] > 0
    assert reply.custom is not None
    assert reply.custom["generationId"].startswith("gen_") and reply.custom["gateway"] == "vercel"
    assert reply.custom["costUsd"] == usage.custom["cost"]


async def test_credentials_are_resolved_per_request(env_gw: LocalGateway) -> None:
    """The request's OIDC header wins over the API key, and a new token is used at once."""
    ai = Genkit(plugins=[VercelAIGateway()])
    first, second = make_jwt(), make_jwt()
    with vag.use_request_headers({"x-vercel-oidc-token": first}):
        await ai.generate(model="vercel/openai/gpt-4o", prompt="one")
    with vag.use_request_headers({"x-vercel-oidc-token": second}):
        await ai.generate(model="vercel/openai/gpt-4o", prompt="two")
    await ai.generate(model="vercel/openai/gpt-4o", prompt="three")
    sent = [r.header("authorization") for r in env_gw.requests]
    assert sent == [f"Bearer {first}", f"Bearer {second}", f"Bearer {env_gw.api_key}"]


async def test_config_maps_to_gateway_parameters(ai: Genkit, env_gw: LocalGateway) -> None:
    await ai.generate(
        model="vercel/anthropic/claude-sonnet-4",
        system="Be brief.",
        prompt="Hi",
        config={
            "temperature": 0.2,
            "maxOutputTokens": 16,
            "top_k": 3,
            "stop_sequences": ["END"],
            "providerOptions": {"gateway": {"order": ["bedrock", "anthropic"]}},
            "models": ["openai/gpt-4o"],
            "seed": 7,
            "extra_headers": {"x-trace": "abc"},
        },
    )
    request = env_gw.last_request
    assert request is not None
    assert request.json() == {
        "model": "anthropic/claude-sonnet-4",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        "max_tokens": 16,
        "stop": ["END"],
        "temperature": 0.2,
        "providerOptions": {"gateway": {"order": ["bedrock", "anthropic"]}},
        "models": ["openai/gpt-4o"],
        "seed": 7,
    }
    assert request.header("x-trace") == "abc"


async def test_version_overrides_the_model_id(ai: Genkit, env_gw: LocalGateway) -> None:
    await ai.generate(model="vercel/openai/gpt-4o", prompt="Hi", config={"version": "openai/gpt-4o-mini"})
    assert env_gw.last_request is not None and env_gw.last_request.json()["model"] == "openai/gpt-4o-mini"


async def test_api_key_in_config_authenticates_that_request(env_gw: LocalGateway) -> None:
    with LocalGateway() as other:
        ai = Genkit(plugins=[VercelAIGateway(base_url=other.url)])
        await ai.generate(model="vercel/openai/gpt-4o", prompt="Hi", config={"api_key": other.api_key})
        assert other.last_request is not None
        assert other.last_request.header("authorization") == f"Bearer {other.api_key}"


async def test_streaming(ai: Genkit, env_gw: LocalGateway) -> None:
    result = ai.generate_stream(model="vercel/openai/gpt-4o", prompt="Stream please")
    chunks = [chunk.text async for chunk in result.stream]
    final = await result.response
    assert len(chunks) > 3 and "".join(chunks) == final.text == ECHO + "Stream please"
    assert final.finish_reason == "stop"
    assert final.usage is not None and final.usage.output_tokens and final.usage.custom
    request = env_gw.last_request
    assert request is not None
    assert request.json() == {
        "model": "openai/gpt-4o",
        "messages": [{"role": "user", "content": "Stream please"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }


async def test_tools_round_trip(ai: Genkit, env_gw: LocalGateway, tmp_path: Path) -> None:
    calls: list[str] = []

    @ai.tool()
    async def get_weather(city: str) -> str:
        """The weather in a city."""
        calls.append(city)
        return f"Sunny in {city}"

    # The first request as the plugin sends it (the echo answer calls no tool) ...
    await ai.generate(model="vercel/openai/gpt-4o", prompt="Weather in Paris?", tools=["get_weather"])
    first = env_gw.last_request
    assert first is not None
    body = first.json()
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "The weather in a city.",
                "parameters": body["tools"][0]["function"]["parameters"],
            },
        }
    ]
    # A tool taking a plain string gets an object schema: function parameters must be objects.
    assert body["tools"][0]["function"]["parameters"] == {
        "type": "object",
        "properties": {"input": {"type": "string"}},
        "required": ["input"],
    }
    # ... is then answered with a tool call; Genkit runs the tool and sends its result back.
    script_answer(env_gw, tmp_path / "tool.yaml", first.body, tool_call_answer("get_weather", {"input": "Paris"}))
    env_gw.clear_requests()
    reply = await ai.generate(model="vercel/openai/gpt-4o", prompt="Weather in Paris?", tools=["get_weather"])
    assert calls == ["Paris"]
    assert len(env_gw.requests) == 2
    follow_up = env_gw.requests[1].json()
    assert follow_up["messages"][1:] == [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"input":"Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "Sunny in Paris"},
    ]
    assert reply.text.startswith(ECHO)


class Person(BaseModel):
    name: str
    age: int


async def test_structured_output(ai: Genkit, env_gw: LocalGateway) -> None:
    env_gw.reply('{"name": "Ada", "age": 36}')
    reply = await ai.generate(model="vercel/openai/gpt-4o", prompt="Who?", output_schema=Person)
    assert reply.output == Person(name="Ada", age=36)
    request = env_gw.last_request
    assert request is not None
    response_format = request.json()["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["schema"]["properties"] == {
        "name": {"title": "Name", "type": "string"},
        "age": {"title": "Age", "type": "integer"},
    }


async def test_embedder(ai: Genkit, env_gw: LocalGateway) -> None:
    embeddings = await ai.embed(
        embedder="vercel/openai/text-embedding-3-small", content="hello", options={"dimensions": 8}
    )
    assert len(embeddings) == 1 and len(embeddings[0].embedding) == 8
    request = env_gw.last_request
    assert request is not None
    assert (request.path, request.json()) == (
        "/v1/embeddings",
        {"model": "openai/text-embedding-3-small", "input": ["hello"], "dimensions": 8},
    )


async def test_list_actions_come_from_the_catalog(env_gw: LocalGateway) -> None:
    plugin = VercelAIGateway()
    actions = {action.name: action for action in await plugin.list_actions()}
    assert env_gw.last_request is not None and env_gw.last_request.path == "/v1/models"
    model = actions["vercel/openai/gpt-4o"]
    assert model.action_type == "model"
    assert model.metadata is not None and model.metadata["model"]["supports"]["tools"] is True
    assert actions["vercel/openai/text-embedding-3-small"].action_type == "embedder"
    assert all(name.startswith("vercel/") for name in actions)
    assert await plugin.resolve(ActionKind.MODEL, "openai/gpt-4o") is None, "only the plugin's namespace"


async def test_eager_models_are_registered(env_gw: LocalGateway) -> None:
    plugin = VercelAIGateway(models=["openai/gpt-4o"], embedders=["openai/text-embedding-3-small"])
    names = [action.name for action in await plugin.init()]
    assert names == ["vercel/openai/gpt-4o", "vercel/openai/text-embedding-3-small"]


async def test_errors_are_classified_genkit_errors(ai: Genkit, env_gw: LocalGateway) -> None:
    """Genkit 0.12 boxes a model's GenkitError into the response (finish_reason "failed")."""
    env_gw.fail_next(400, message="bad request")
    reply = await ai.generate(model="vercel/openai/gpt-4o", prompt="Hi")
    assert reply.finish_reason == "failed" and reply.error is not None
    assert reply.error.status == "INVALID_ARGUMENT" and "bad request" in (reply.finish_message or "")
    reply = await ai.generate(model="vercel/nobody/nothing", prompt="Hi")
    assert reply.error is not None and reply.error.status == "NOT_FOUND"
    assert env_gw.api_key not in (reply.finish_message or "")


async def test_client_and_options_are_exclusive(gw: LocalGateway) -> None:
    with pytest.raises(TypeError):
        VercelAIGateway(client=vag.AsyncClient(base_url=gw.url, api_key=gw.api_key), max_retries=0)


# ---- routing ----


@pytest.fixture
def pair() -> Iterator[tuple[LocalGateway, LocalGateway]]:
    with LocalGateway() as vercel, LocalGateway() as openrouter:
        yield vercel, openrouter


def routed(pair: tuple[LocalGateway, LocalGateway], router: vag.Router) -> Genkit:
    vercel, openrouter = pair
    plugin = VercelAIGateway(
        router=router,
        base_url=vercel.url,
        api_key=vercel.api_key,
        openrouter_base_url=openrouter.url,
        openrouter_api_key=openrouter.api_key,
        retry_backoff=(0.001, 0.005),
    )
    return Genkit(plugins=[plugin])


async def test_router_decides_the_gateway(pair: tuple[LocalGateway, LocalGateway]) -> None:
    vercel, openrouter = pair
    reply = await routed(pair, vag.Router(vercel_share=0.0)).generate(
        model="vercel/anthropic/claude-opus-4.7", prompt="Hi"
    )
    assert reply.custom is not None and reply.custom["gateway"] == "openrouter"
    assert not vercel.requests and openrouter.last_request is not None
    assert openrouter.last_request.header("authorization") == f"Bearer {openrouter.api_key}"


async def test_router_fails_over_before_output(pair: tuple[LocalGateway, LocalGateway]) -> None:
    vercel, openrouter = pair
    vercel.fail_next(503, count=3)
    ai = routed(pair, vag.Router(vercel_share=1.0))
    reply = await ai.generate(model="vercel/anthropic/claude-opus-4.7", prompt="Hi")
    assert reply.custom is not None and reply.custom["gateway"] == "openrouter"
    assert len(vercel.requests) == 3 and len(openrouter.requests) == 1
    result = ai.generate_stream(model="vercel/anthropic/claude-opus-4.7", prompt="Hi")
    assert "".join([chunk.text async for chunk in result.stream]) == ECHO + "Hi"


# ---- telemetry: our spans are children of Genkit's model span ----


async def test_spans_join_genkit_trace(env_gw: LocalGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_telemetry import TELEMETRY_VARIABLES, OtlpReceiver

    for name in TELEMETRY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    receiver = OtlpReceiver()
    # The Python SDK's provider is process-wide and keeps its first resource: the same service
    # name as tests/test_telemetry.py's, which checks it.
    telemetry = vag.VercelTelemetry(backend="otlp", endpoint=receiver.url, service_name="shop")
    try:
        assert telemetry.install()
        ai = Genkit(plugins=[VercelAIGateway()])
        await ai.generate(model="vercel/openai/gpt-4o", prompt="Hi")
        assert telemetry.flush(timeout=10)
        spans = receiver.spans()
    finally:
        telemetry.shutdown(timeout=5)
        receiver.close()
    ours = [s for s in spans if s["scope"] == "vercel-ai-gateway"]
    genkit_model = [s for s in spans if s["name"] == "vercel/openai/gpt-4o"]
    assert len(ours) == 1 and len(genkit_model) == 1, [s["name"] for s in spans]
    assert ours[0]["name"] == "chat openai/gpt-4o"
    assert ours[0]["trace_id"] == genkit_model[0]["trace_id"]
    assert ours[0]["parent_span_id"] == genkit_model[0]["span_id"]
    sent = env_gw.last_request.header("traceparent") if env_gw.last_request else None
    assert sent == f"00-{ours[0]['trace_id']}-{ours[0]['span_id']}-01"


# ---- the seed's plain path: genkit_openai.OpenAI pointed at the gateway ----


async def test_genkit_openai_plugin_with_our_token_provider(env_gw: LocalGateway) -> None:
    from genkit_openai import OpenAI

    plugin = OpenAI(base_url=vag.vercel_gateway_url(), api_key=token_provider)
    ai = Genkit(plugins=[plugin])
    first, second = make_jwt(), make_jwt()
    with vag.use_request_headers({"x-vercel-oidc-token": first}):
        await ai.generate(model="openai/anthropic/claude-sonnet-4", prompt="one")
    with vag.use_request_headers({"x-vercel-oidc-token": second}):
        # The plugin strips every `openai/`: `openai/openai/gpt-4o` goes out as `gpt-4o` ...
        await ai.generate(model="openai/openai/gpt-4o", prompt="two")
    # ... unless the wire id is given as the version.
    await ai.generate(model="openai/openai/gpt-4o", prompt="three", config={"version": "openai/gpt-4o"})
    await plugin._runtime_client().close()  # the SDK's connection pool of this event loop
    sent = [(r.path, r.json()["model"], r.header("authorization")) for r in env_gw.requests if r.method == "POST"]
    assert sent == [
        ("/v1/chat/completions", "anthropic/claude-sonnet-4", f"Bearer {first}"),
        ("/v1/chat/completions", "gpt-4o", f"Bearer {second}"),
        ("/v1/chat/completions", "openai/gpt-4o", f"Bearer {env_gw.api_key}"),
    ]


async def test_token_provider_without_credentials() -> None:
    with pytest.raises(vag.NoCredentialsError):
        await token_provider()


# ---- the example ----


def test_genkit_example_runs_offline() -> None:
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARIABLES}
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "genkit_app.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    out = result.stdout
    assert "using LocalGateway" in out
    assert "model sent: openai/gpt-4o" in out
    assert "reply: Hello from LocalGateway!" in out
    assert "streamed: Hello from LocalGateway!" in out
    assert "embedding: 8 floats" in out
