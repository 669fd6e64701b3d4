"""LocalGateway as users' tests see it: catalog, auth envelope, recording, faults."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

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
