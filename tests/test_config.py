from __future__ import annotations

import pytest

import vercel_ai_gateway as vag
from vercel_ai_gateway.testing import LocalGateway


def test_default_gateway_url() -> None:
    assert vag.gateway_url() == "https://ai-gateway.vercel.sh/v1"
    assert vag.DEFAULT_GATEWAY_URL == "https://ai-gateway.vercel.sh/v1"
    assert vag.vercel_gateway_url() == vag.gateway_url()


def test_override_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERCEL_AI_GATEWAY_API_BASE", "http://second.example/v1")
    assert vag.gateway_url() == "http://second.example/v1"
    monkeypatch.setenv("AI_GATEWAY_BASE_URL", "https://first.example/v1/")
    assert vag.gateway_url() == "https://first.example/v1"
    assert vag.gateway_url("https://explicit.example/v1") == "https://explicit.example/v1"


def test_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_GATEWAY_BASE_URL", "")
    monkeypatch.setenv("VERCEL_AI_GATEWAY_API_BASE", "http://second.example/v1")
    assert vag.gateway_url() == "http://second.example/v1"


@pytest.mark.parametrize("variable", ["AI_GATEWAY_BASE_URL", "VERCEL_AI_GATEWAY_API_BASE"])
@pytest.mark.parametrize("value", ["not a url", "ftp://host/v1", "https://user:hunter2@host/v1", "/v1"])
def test_invalid_url_names_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(vag.ConfigError) as info:
        vag.gateway_url()
    assert info.value.variable == variable
    assert variable in str(info.value)
    assert "hunter2" not in str(info.value)
    assert isinstance(info.value, ValueError)
    with pytest.raises(vag.ConfigError):
        vag.Client()


def test_client_uses_the_resolved_url(monkeypatch: pytest.MonkeyPatch) -> None:
    assert vag.Client().base_url == "https://ai-gateway.vercel.sh/v1"
    monkeypatch.setenv("AI_GATEWAY_BASE_URL", "http://127.0.0.1:9/v1")
    assert vag.Client().base_url == "http://127.0.0.1:9/v1"
    assert vag.AsyncClient(base_url="http://localhost:1/v1").base_url == "http://localhost:1/v1"
    with pytest.raises(vag.ConfigError) as info:
        vag.Client(base_url="nope")
    assert info.value.variable == "base_url"


def test_invalid_options() -> None:
    with pytest.raises(vag.ConfigError):
        vag.Client(prefer="whatever")
    with pytest.raises(ValueError):
        vag.Client(timeout=-1)
    with pytest.raises(ValueError):
        vag.resolve_auth("k", expiry_skew=-5)


def test_version_and_public_names() -> None:
    assert vag.__version__.count(".") == 2
    for name in vag.__all__:
        assert hasattr(vag, name), name
    assert vag.Client.__module__ == "vercel_ai_gateway"
    assert LocalGateway.__module__ == "vercel_ai_gateway.testing"


def test_log_level_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import logging

    monkeypatch.setenv("VERCEL_AI_GATEWAY_LOG", "debug")
    logger = logging.getLogger("vercel_ai_gateway")
    before = logger.level
    try:
        importlib.reload(vag)
        assert logger.level == logging.DEBUG
    finally:
        logger.setLevel(before)
