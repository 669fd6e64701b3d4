"""Routing between two gateways with failover, against a Vercel-flavour and an
OpenRouter-flavour LocalGateway side by side. The model used has the same id on both gateways.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import vercel_ai_gateway as vag
from vercel_ai_gateway.testing import LocalGateway

from conftest import USER_MESSAGE

MODEL = "anthropic/claude-opus-4.7"
FAST = (0.001, 0.005)


@pytest.fixture
def pair() -> Iterator[tuple[LocalGateway, LocalGateway]]:
    with LocalGateway() as vercel, LocalGateway(flavor="openrouter") as openrouter:
        yield vercel, openrouter


def client_for(pair: tuple[LocalGateway, LocalGateway], router: vag.Router, cls: type = vag.Client) -> vag.Client:
    vercel, openrouter = pair
    return cls(  # type: ignore[no-any-return]
        base_url=vercel.url,
        api_key=vercel.api_key,
        openrouter_base_url=openrouter.url,
        openrouter_api_key=openrouter.api_key,
        router=router,
        retry_backoff=FAST,
    )


def chat(client: vag.Client, **kwargs: object) -> vag.ResponseObject:
    return client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, user="u_42", **kwargs)


def test_share_decides_the_gateway(pair: tuple[LocalGateway, LocalGateway]) -> None:
    vercel, openrouter = pair
    r = chat(client_for(pair, vag.Router(vercel_share=1.0)))
    assert r.gateway == "vercel" and len(r.attempts) == 1
    assert r.routing is not None and "bucket" in r.routing
    assert len(vercel.requests) == 1 and not openrouter.requests
    r = chat(client_for(pair, vag.Router(vercel_share=0.0)))
    assert r.gateway == "openrouter"
    assert openrouter.last_request is not None
    assert openrouter.last_request.header("authorization") == f"Bearer {openrouter.api_key}"
    assert r.cost_usd is not None and r.cost_usd > 0 and r.cost_estimated is False


def test_failover_on_a_gateway_outage(pair: tuple[LocalGateway, LocalGateway]) -> None:
    vercel, openrouter = pair
    vercel.fail_next(503, count=3)
    r = chat(client_for(pair, vag.Router(vercel_share=1.0)))
    assert r.gateway == "openrouter"
    first, second = r.attempts
    assert (first["gateway"], first["status"], first["retries"]) == ("vercel", 503, 2)
    assert (second["gateway"], second["error"]) == ("openrouter", None)
    assert len(vercel.requests) == 3 and len(openrouter.requests) == 1


@pytest.mark.parametrize("status", [400, 403, 424])
def test_no_failover_on_request_or_policy_errors(pair: tuple[LocalGateway, LocalGateway], status: int) -> None:
    vercel, openrouter = pair
    vercel.fail_next(status)
    with pytest.raises(vag.APIStatusError) as info:
        chat(client_for(pair, vag.Router(vercel_share=1.0)))
    assert info.value.status_code == status
    assert not openrouter.requests


def test_streams_fail_over_before_output_only(pair: tuple[LocalGateway, LocalGateway]) -> None:
    vercel, openrouter = pair
    client = client_for(pair, vag.Router(vercel_share=1.0))
    vercel.inject("reset_before_headers", count=3)
    with chat(client, stream=True) as stream:
        chunks = list(stream)
    assert stream.gateway == "openrouter" and [a["gateway"] for a in stream.attempts] == ["vercel", "openrouter"]
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert stream.cost_usd is not None
    # Output already reached the caller: the break surfaces, nothing is replayed anywhere.
    before = len(openrouter.requests)
    vercel.inject("reset_after_chunks", after=2)
    stream = chat(client, stream=True)
    received = []
    with pytest.raises(vag.APIConnectionError):
        for chunk in stream:
            received.append(chunk)
    assert 1 <= len(received) <= 2
    assert len(openrouter.requests) == before


async def test_async_failover_and_output_rule(pair: tuple[LocalGateway, LocalGateway]) -> None:
    vercel, openrouter = pair
    client = client_for(pair, vag.Router(vercel_share=1.0), vag.AsyncClient)
    vercel.fail_next(502, count=3)
    r = await client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, user="u_42")
    assert r.gateway == "openrouter"
    vercel.inject("error_event", after=2)
    before = len(openrouter.requests)
    stream = await client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, user="u_42", stream=True)
    with pytest.raises(vag.APIStatusError):
        async for _ in stream:
            pass
    assert len(openrouter.requests) == before


def test_pins_go_outside_the_share_without_failover(pair: tuple[LocalGateway, LocalGateway]) -> None:
    vercel, openrouter = pair
    router = vag.Router(vercel_share=1.0, pins={"anthropic": "openrouter"})
    decision = router.route(MODEL, user="u_42")
    assert (decision.gateway, decision.pinned, decision.fallback) == ("openrouter", True, None)
    openrouter.fail_next(503, count=3)
    with pytest.raises(vag.InternalServerError):
        chat(client_for(pair, router))
    assert not vercel.requests


def test_breaker_moves_traffic_after_repeated_failures(pair: tuple[LocalGateway, LocalGateway]) -> None:
    vercel, _openrouter = pair
    router = vag.Router(vercel_share=1.0, breaker_consecutive_failures=2, breaker_cooldown=60)
    client = client_for(pair, router).with_options(max_retries=0)
    vercel.inject("status", status=500, sticky=True)
    for _ in range(2):
        assert chat(client).gateway == "openrouter"
    assert any(state == "open" for _, state in router.breakers())
    seen = len(vercel.requests)
    r = chat(client)
    assert r.gateway == "openrouter" and len(r.attempts) == 1, "the open breaker routes straight to OpenRouter"
    assert len(vercel.requests) == seen
    assert "breaker is open" in (r.routing or "")
    router.reset_breakers()
    assert router.breakers() == []


def test_missing_openrouter_key_fails_over_to_vercel(pair: tuple[LocalGateway, LocalGateway]) -> None:
    vercel, openrouter = pair
    client = vag.Client(
        base_url=vercel.url, api_key=vercel.api_key, openrouter_base_url=openrouter.url, router=vag.Router()
    )
    r = chat(client)
    assert r.gateway == "vercel"
    assert "OPENROUTER_API_KEY" in (r.attempts[0]["error"] or "")


def test_unrouted_openrouter_gateway(pair: tuple[LocalGateway, LocalGateway], monkeypatch: pytest.MonkeyPatch) -> None:
    _, openrouter = pair
    monkeypatch.setenv("OPENROUTER_API_KEY", openrouter.api_key)
    monkeypatch.setenv("OPENROUTER_BASE_URL", openrouter.url)
    client = vag.Client(gateway="openrouter")
    assert (client.gateway, client.base_url) == ("openrouter", openrouter.url)
    assert chat(client).gateway == "openrouter"
    with pytest.raises(vag.ConfigError):
        vag.Client(gateway="elsewhere")
    monkeypatch.delenv("OPENROUTER_API_KEY")
    with pytest.raises(vag.NoCredentialsError, match="OPENROUTER_API_KEY"):
        chat(vag.Client(gateway="openrouter"))


def test_router_api() -> None:
    router = vag.Router(vercel_share=0.05, pins={"xai/*": "vercel"})
    d = router.route("x-ai/grok-4.3", user="u_42")
    assert d.gateway == "vercel" and d.model == "xai/grok-4.3" and d.pinned
    assert d.requested == "x-ai/grok-4.3"
    assert "pinned to vercel" in d.explain()
    d = router.route("anthropic/claude-opus-4.7", user="u_42", body={"messages": [], "user": "x"})
    assert d.bucket is not None and d.fallback is not None
    assert d.body is not None and d.body["model"] == d.model
    assert router.route("anthropic/claude-opus-4.7", user="u_42").bucket == d.bucket, "sticky"
    m = router.map_model("x-ai/grok-4.3")
    assert (m["to"], m["kind"]) == ("xai/grok-4.3", "prefix")
    assert router.map_model("xai/grok-4.3", to="openrouter")["to"] == "x-ai/grok-4.3"
    stats = router.mapping_stats()
    assert sum(stats.values()) == 364 and stats["exact"] > 100
    router.configure(vercel_share=0.5, failover=False)
    assert (router.vercel_share, router.failover, router.pins) == (0.5, False, [("xai/*", "vercel")])
    with pytest.raises(vag.ConfigError):
        router.configure(vercel_share=2)
    with pytest.raises(vag.ConfigError):
        vag.Router(pins={"gryphe/mythomax-l2-13b": "vercel"})
    overridden = vag.Router(overrides={"mistralai/devstral-2512": "mistral/devstral-2"})
    assert overridden.map_model("mistralai/devstral-2512")["kind"] == "override"
    assert repr(router).startswith("Router(vercel_share=0.5")
