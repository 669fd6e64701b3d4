"""Retries with openai-python's semantics, sync and async: what is retried, how long we wait,
and `retries_taken` on the final error."""

from __future__ import annotations

import time

import pytest

import vercel_ai_gateway as vag
from vercel_ai_gateway.testing import LocalGateway

from conftest import USER_MESSAGE

MODEL = "openai/gpt-4.1-nano"
FAST = (0.001, 0.005)


def chat(client: vag.Client, **kwargs: object) -> vag.ResponseObject:
    return client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, **kwargs)


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503])
def test_retryable_statuses_are_retried(gw: LocalGateway, status: int) -> None:
    client = vag.Client(base_url=gw.url, api_key=gw.api_key, retry_backoff=FAST)
    gw.fail_next(status, count=2)
    r = chat(client)
    assert r.choices[0].message.content
    assert len(gw.requests) == 3


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 422, 424])
def test_other_statuses_are_not_retried(gw: LocalGateway, status: int) -> None:
    client = vag.Client(base_url=gw.url, api_key=gw.api_key, retry_backoff=FAST)
    gw.fail_next(status)
    with pytest.raises(vag.APIStatusError) as info:
        chat(client)
    assert info.value.status_code == status
    assert info.value.retries_taken == 0
    assert len(gw.requests) == 1


def test_retries_run_out(gw: LocalGateway) -> None:
    client = vag.Client(base_url=gw.url, api_key=gw.api_key, retry_backoff=FAST, max_retries=3)
    gw.fail_next(503, count=10)
    with pytest.raises(vag.InternalServerError) as info:
        chat(client)
    assert info.value.retries_taken == 3
    assert len(gw.requests) == 4
    assert client.max_retries == 3
    assert client.with_options(max_retries=0).max_retries == 0


def test_retry_after_beats_the_backoff(gw: LocalGateway) -> None:
    client = vag.Client(base_url=gw.url, api_key=gw.api_key, retry_backoff=(2.0, 2.0))
    gw.fail_next(429, retry_after="0.05")
    start = time.monotonic()
    chat(client)
    elapsed = time.monotonic() - start
    assert 0.05 <= elapsed < 1.5, elapsed


def test_backoff_is_used_without_retry_after(gw: LocalGateway) -> None:
    client = vag.Client(base_url=gw.url, api_key=gw.api_key, retry_backoff=(0.1, 0.1))
    gw.fail_next(500)
    start = time.monotonic()
    chat(client)
    assert time.monotonic() - start >= 0.075  # 0.1 s minus at most 25 % jitter


def test_connection_errors_are_retried() -> None:
    with LocalGateway() as gw:
        url = gw.url
    client = vag.Client(base_url=url, api_key="k", retry_backoff=FAST)
    with pytest.raises(vag.APIConnectionError) as info:
        chat(client)
    assert info.value.retries_taken == 2


def test_streams_are_retried_before_any_output(gw: LocalGateway) -> None:
    client = vag.Client(base_url=gw.url, api_key=gw.api_key, retry_backoff=FAST)
    gw.fail_next(502)
    chunks = list(chat(client, stream=True))
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert len(gw.requests) == 2


async def test_async_retries(gw: LocalGateway) -> None:
    client = vag.AsyncClient(base_url=gw.url, api_key=gw.api_key, retry_backoff=FAST)
    gw.fail_next(500, count=2)
    r = await client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    assert r.choices[0].message.content
    gw.fail_next(429, count=3)
    with pytest.raises(vag.RateLimitError) as info:
        await client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    assert info.value.retries_taken == 2
    gw.fail_next(503)
    stream = await client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True)
    assert [c async for c in stream][-1].choices[0].finish_reason == "stop"
    assert len(gw.requests) == 3 + 3 + 2


def test_timeouts_are_retried(silent_server: str) -> None:
    client = vag.Client(base_url=silent_server, api_key="k", timeout=0.05, max_retries=1, retry_backoff=FAST)
    with pytest.raises(vag.APITimeoutError) as info:
        chat(client)
    assert info.value.retries_taken == 1
