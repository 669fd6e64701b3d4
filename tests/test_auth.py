"""Credential resolution: every source, their precedence, expiry, malformed input, contexts."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import sys
import threading
import types
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

import vercel_ai_gateway as vag
from vercel_ai_gateway import _context
from vercel_ai_gateway.testing import LocalGateway

from conftest import make_jwt

ALL_SOURCES = [
    "the explicit api_key argument",
    "the request header x-vercel-oidc-token",
    "VERCEL_OIDC_TOKEN",
    "the file named by VERCEL_OIDC_TOKEN_FILE",
    "the Vercel CLI login refresh",
    "AI_GATEWAY_API_KEY",
    "VERCEL_AI_GATEWAY_API_KEY",
]


def test_nothing_configured_names_every_source_in_order() -> None:
    with pytest.raises(vag.NoCredentialsError) as info:
        vag.resolve_auth()
    message = str(info.value)
    checked = message.split("Sources checked, in order:")[1]
    positions = [checked.index(s) for s in ALL_SOURCES]
    assert positions == sorted(positions)
    assert "AI_GATEWAY_API_KEY" in message and "vercel env pull" in message
    assert len(info.value.sources_checked) == 7
    assert isinstance(info.value, vag.CredentialsError)
    assert vag.get_vercel_auth() is None


def test_api_key_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERCEL_AI_GATEWAY_API_KEY", "vck_second")
    cred = vag.resolve_auth()
    assert (cred.method, cred.source, cred.token, cred.expires_at) == (
        "api_key",
        "VERCEL_AI_GATEWAY_API_KEY",
        "vck_second",
        None,
    )
    monkeypatch.setenv("AI_GATEWAY_API_KEY", "vck_first")
    cred = vag.resolve_auth()
    assert (cred.source, cred.token) == ("AI_GATEWAY_API_KEY", "vck_first")
    assert vag.get_vercel_auth() == "vck_first"


def test_oidc_env_beats_api_key_unless_preferred(monkeypatch: pytest.MonkeyPatch) -> None:
    token = make_jwt()
    monkeypatch.setenv("VERCEL_OIDC_TOKEN", token)
    monkeypatch.setenv("AI_GATEWAY_API_KEY", "vck_key")
    cred = vag.resolve_auth()
    assert (cred.method, cred.source, cred.token) == ("oidc", "VERCEL_OIDC_TOKEN", token)
    assert isinstance(cred.expires_at, datetime) and cred.expires_at.tzinfo == timezone.utc
    assert cred.claims is not None and cred.claims["project"] == "demo"
    cred = vag.resolve_auth(prefer="api_key")
    assert (cred.method, cred.source) == ("api_key", "AI_GATEWAY_API_KEY")


def test_api_key_order_falls_back_to_oidc(monkeypatch: pytest.MonkeyPatch) -> None:
    token = make_jwt()
    monkeypatch.setenv("VERCEL_OIDC_TOKEN", token)
    assert vag.resolve_auth(prefer="api_key").source == "VERCEL_OIDC_TOKEN"


def test_explicit_argument_beats_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERCEL_OIDC_TOKEN", make_jwt())
    monkeypatch.setenv("AI_GATEWAY_API_KEY", "vck_env")
    with vag.use_request_headers({"x-vercel-oidc-token": make_jwt()}):
        cred = vag.resolve_auth("vck_explicit")
        assert (cred.method, cred.source, cred.token) == ("api_key", "argument", "vck_explicit")
        jwt = make_jwt()
        cred = vag.resolve_auth(jwt)
        assert (cred.method, cred.source, cred.token) == ("oidc", "argument", jwt)


def test_header_beats_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERCEL_OIDC_TOKEN", make_jwt())
    header_token = make_jwt()
    with vag.use_request_headers({"X-Vercel-OIDC-Token": header_token}):
        cred = vag.resolve_auth()
        assert (cred.source, cred.token) == ("header", header_token)
    assert vag.resolve_auth().source == "VERCEL_OIDC_TOKEN"


def test_header_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    token = make_jwt()
    for headers in (
        [(b"x-vercel-oidc-token", token.encode())],
        [("X-Vercel-Oidc-Token", token)],
        {"x-vercel-oidc-token": token.encode()},
    ):
        with vag.use_request_headers(headers):  # type: ignore[arg-type]
            assert vag.resolve_auth().token == token
    with vag.use_request_headers({"other": "x"}), pytest.raises(vag.NoCredentialsError):
        vag.resolve_auth()
    reset = vag.set_request_headers({"x-vercel-oidc-token": token})
    assert vag.resolve_auth().source == "header"
    vag.reset_request_headers(reset)
    with pytest.raises(vag.NoCredentialsError):
        vag.resolve_auth()


def test_token_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "oidc-token"
    first = make_jwt()
    path.write_text(first + "\n")
    monkeypatch.setenv("VERCEL_OIDC_TOKEN_FILE", str(path))
    monkeypatch.setenv("AI_GATEWAY_API_KEY", "vck_key")
    cred = vag.resolve_auth()
    assert (cred.method, cred.source, cred.token) == ("oidc", "VERCEL_OIDC_TOKEN_FILE", first)
    second = make_jwt(expires_in=7200, extra="rotated-token-is-longer")
    path.write_text(second)
    assert vag.resolve_auth().token == second
    monkeypatch.setenv("VERCEL_OIDC_TOKEN", make_jwt())
    assert vag.resolve_auth().source == "VERCEL_OIDC_TOKEN"


def test_unreadable_token_file_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VERCEL_OIDC_TOKEN_FILE", str(tmp_path / "missing"))
    monkeypatch.setenv("AI_GATEWAY_API_KEY", "vck_key")
    with pytest.raises(vag.CredentialsError) as info:
        vag.resolve_auth()
    assert not isinstance(info.value, vag.NoCredentialsError)
    assert "VERCEL_OIDC_TOKEN_FILE" in str(info.value)
    assert "VERCEL_OIDC_TOKEN (unset)" in str(info.value)
    monkeypatch.setenv("VERCEL_OIDC_TOKEN_FILE", str(tmp_path))
    with pytest.raises(vag.CredentialsError, match="not a regular file"):
        vag.resolve_auth()


def test_expired_token_is_skipped_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    expired = make_jwt(expires_in=-120)
    monkeypatch.setenv("VERCEL_OIDC_TOKEN", expired)
    monkeypatch.setenv("AI_GATEWAY_API_KEY", "vck_key")
    with caplog.at_level(logging.WARNING, logger="vercel_ai_gateway"):
        cred = vag.resolve_auth()
        vag.resolve_auth()
    assert cred.source == "AI_GATEWAY_API_KEY"
    warnings = [r for r in caplog.records if r.name == "vercel_ai_gateway"]
    assert len(warnings) == 1, "warned once per token, not once per request"
    assert "VERCEL_OIDC_TOKEN" in warnings[0].getMessage() and "expired" in warnings[0].getMessage()
    assert expired not in caplog.text


def test_expiry_skew(monkeypatch: pytest.MonkeyPatch) -> None:
    soon = make_jwt(expires_in=30)
    monkeypatch.setenv("VERCEL_OIDC_TOKEN", soon)
    with pytest.raises(vag.NoCredentialsError, match="Expired OIDC tokens were skipped"):
        vag.resolve_auth()
    assert vag.resolve_auth(expiry_skew=0).token == soon
    with pytest.raises(vag.NoCredentialsError):
        vag.resolve_auth(expiry_skew=3600)
    monkeypatch.setenv("VERCEL_OIDC_TOKEN", make_jwt(expires_in=600))
    assert vag.resolve_auth().source == "VERCEL_OIDC_TOKEN"


def test_expired_header_falls_through_to_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    env_token = make_jwt()
    monkeypatch.setenv("VERCEL_OIDC_TOKEN", env_token)
    with vag.use_request_headers({"x-vercel-oidc-token": make_jwt(expires_in=-5)}):
        assert vag.resolve_auth().token == env_token


@pytest.mark.parametrize(
    "bad",
    ["not-a-jwt-SECRETVALUE", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.SECRETSIG"],
)
def test_malformed_oidc_token_is_an_error(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("VERCEL_OIDC_TOKEN", bad)
    monkeypatch.setenv("AI_GATEWAY_API_KEY", "vck_key")
    with pytest.raises(vag.CredentialsError) as info:
        vag.resolve_auth()
    message = str(info.value)
    assert "VERCEL_OIDC_TOKEN" in message and "malformed" in message
    assert "the explicit api_key argument (not given)" in message
    assert "SECRET" not in message and bad not in message


def test_malformed_header_is_an_error() -> None:
    with vag.use_request_headers({"x-vercel-oidc-token": "garbage"}), pytest.raises(vag.CredentialsError) as info:
        vag.resolve_auth()
    assert "x-vercel-oidc-token" in str(info.value)


def test_api_key_with_whitespace_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_GATEWAY_API_KEY", "vck_one two")
    with pytest.raises(vag.CredentialsError, match="whitespace"):
        vag.resolve_auth()


# ---- local-development refresh through the Vercel CLI login ----


def _link_project(tmp_path: Path, cli_token: str | None) -> str:
    project_id = f"prj_{uuid.uuid4().hex[:12]}"
    (tmp_path / ".vercel").mkdir()
    (tmp_path / ".vercel" / "project.json").write_text(json.dumps({"projectId": project_id, "orgId": "team_acme"}))
    if cli_token is not None:
        cli = tmp_path / "data" / "com.vercel.cli"
        cli.mkdir(parents=True)
        (cli / "auth.json").write_text(json.dumps({"token": cli_token}))
    return project_id


def test_dev_refresh_mints_and_caches_a_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with LocalGateway(cli_token="cli_secret_token") as gw:
        project_id = _link_project(tmp_path, "cli_secret_token")
        (tmp_path / "sub").mkdir()
        monkeypatch.chdir(tmp_path / "sub")
        monkeypatch.setenv("VERCEL_AI_GATEWAY_REFRESH_URL", gw.origin)
        monkeypatch.setenv("AI_GATEWAY_API_KEY", "vck_key")
        assert vag.resolve_auth().source == "AI_GATEWAY_API_KEY", "disabled unless asked for"
        assert not gw.requests
        cred = vag.resolve_auth(dev_refresh=True)
        assert (cred.method, cred.source) == ("oidc", "vercel-cli")
        assert cred.claims is not None and cred.claims["project_id"] == project_id
        request = gw.last_request
        assert request is not None and request.path == f"/v1/projects/{project_id}/token"
        assert request.query is not None and "teamId=team_acme" in request.query
        assert request.header("authorization") == "Bearer cli_secret_token"
        cache = tmp_path / "data" / "com.vercel.token" / f"{project_id}.json"
        assert json.loads(cache.read_text())["token"] == cred.token
        assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600
        # Cached: no second call to the API, and the environment switch works too.
        monkeypatch.setenv("VERCEL_AI_GATEWAY_DEV_REFRESH", "1")
        before = len(gw.requests)
        assert vag.resolve_auth().token == cred.token
        assert len(gw.requests) == before
        assert vag.resolve_auth(dev_refresh=False).source == "AI_GATEWAY_API_KEY"


def test_dev_refresh_failure_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with LocalGateway(cli_token="right") as gw:
        _link_project(tmp_path, "wrong-cli-token")
        monkeypatch.setenv("VERCEL_AI_GATEWAY_REFRESH_URL", gw.origin)
        with pytest.raises(vag.CredentialsError) as info:
            vag.resolve_auth(dev_refresh=True)
        message = str(info.value)
        assert "HTTP 401" in message and "vercel login" in message
        assert "wrong-cli-token" not in message


def test_dev_refresh_without_link_or_login_is_skipped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AI_GATEWAY_API_KEY", "vck_key")
    assert vag.resolve_auth(dev_refresh=True).source == "AI_GATEWAY_API_KEY"
    _link_project(tmp_path, None)
    assert vag.resolve_auth(dev_refresh=True).source == "AI_GATEWAY_API_KEY"
    monkeypatch.delenv("AI_GATEWAY_API_KEY")
    with pytest.raises(vag.NoCredentialsError, match="vercel login"):
        vag.resolve_auth(dev_refresh=True)


def test_dev_refresh_unreachable_api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _link_project(tmp_path, "cli")
    with LocalGateway() as gw:
        closed = gw.origin
    monkeypatch.setenv("VERCEL_AI_GATEWAY_REFRESH_URL", closed)
    with pytest.raises(vag.CredentialsError, match="could not be reached"):
        vag.resolve_auth(dev_refresh=True)


# ---- the header context across threads and tasks ----


def test_header_context_is_per_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_GATEWAY_API_KEY", "vck_key")
    tokens = [make_jwt() for _ in range(4)]
    barrier = threading.Barrier(4)
    seen: dict[int, str] = {}

    def worker(i: int) -> None:
        with vag.use_request_headers({"x-vercel-oidc-token": tokens[i]}):
            barrier.wait()
            seen[i] = vag.resolve_auth().token

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == dict(enumerate(tokens))

    outside: list[str] = []
    with vag.use_request_headers({"x-vercel-oidc-token": tokens[0]}):
        t = threading.Thread(target=lambda: outside.append(vag.resolve_auth().source))
        t.start()
        t.join()
    assert outside == ["AI_GATEWAY_API_KEY"], "a new thread starts without the request context"


async def test_header_context_is_per_task(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_GATEWAY_API_KEY", "vck_key")
    tokens = [make_jwt() for _ in range(5)]

    async def handle(i: int) -> str:
        with vag.use_request_headers({"x-vercel-oidc-token": tokens[i]}):
            await asyncio.sleep(0)
            await asyncio.sleep(0.001 * (5 - i))
            return vag.resolve_auth().token

    assert await asyncio.gather(*(handle(i) for i in range(5))) == tokens
    assert vag.resolve_auth().source == "AI_GATEWAY_API_KEY"


def test_vercel_headers_context_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    token = make_jwt()
    fake_vercel = types.ModuleType("vercel")
    fake_headers = types.ModuleType("vercel.headers")
    current: dict[str, str] = {}
    fake_headers.get_headers = lambda: current  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vercel", fake_vercel)
    monkeypatch.setitem(sys.modules, "vercel.headers", fake_headers)
    monkeypatch.setattr(_context, "_vercel_get_headers", None)
    current["x-vercel-oidc-token"] = token
    assert vag.resolve_auth().source == "header"
    ours = make_jwt()
    with vag.use_request_headers({"x-vercel-oidc-token": ours}):
        assert vag.resolve_auth().token == ours, "our own context wins"
    current.clear()
    with pytest.raises(vag.NoCredentialsError):
        vag.resolve_auth()


def test_vercel_headers_absent_is_fine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "vercel.headers", None)
    monkeypatch.setattr(_context, "_vercel_get_headers", None)
    assert _context.current_oidc_header() is None


# ---- repr and canaries ----


def test_credential_repr_hides_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    token = make_jwt(signature="CANARYSIGNATURE")
    monkeypatch.setenv("VERCEL_OIDC_TOKEN", token)
    cred = vag.resolve_auth()
    for text in (repr(cred), str(cred), f"{cred}"):
        assert "CANARY" not in text and token not in text
        assert "token='***'" in text and "method='oidc'" in text and "source='VERCEL_OIDC_TOKEN'" in text
