"""Canary test: no credential appears in any error, log record, repr or str."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

import pytest

import vercel_ai_gateway as vag
from vercel_ai_gateway.testing import LocalGateway

from conftest import USER_MESSAGE, make_jwt

CANARY = "CANARY7f3a"


def leaks(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s in text] + ([CANARY] if CANARY in text else [])


def describe(error: BaseException) -> str:
    """Everything a user or a log handler could see of an exception."""
    parts = ["".join(traceback.format_exception(error)), repr(error), str(error)]
    parts += [repr(v) for v in vars(error).values()]
    return "\n".join(parts)


def test_no_secret_in_any_surface(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    api_key = f"vck_{CANARY}_apikey"
    good_jwt = make_jwt(signature=f"{CANARY}goodsig")
    expired_jwt = make_jwt(expires_in=-100, signature=f"{CANARY}expiredsig")
    malformed = f"{CANARY}.not.ajwt"
    malformed_jwt = f"eyJhbGciOiJSUzI1NiJ9.{CANARY}payload.sig"
    secrets = [api_key, good_jwt, expired_jwt, malformed, malformed_jwt, f"{CANARY}cli"]
    seen: list[str] = []

    caplog.set_level(logging.DEBUG)
    with LocalGateway(api_key=api_key, cli_token=f"{CANARY}cli") as gw:
        seen += [repr(gw), str(gw)]
        # Expired token skipped (warning logged), API key used.
        monkeypatch.setenv("VERCEL_OIDC_TOKEN", expired_jwt)
        monkeypatch.setenv("AI_GATEWAY_API_KEY", api_key)
        cred = vag.resolve_auth()
        seen += [repr(cred), str(cred)]
        client = vag.Client(base_url=gw.url)
        seen.append(repr(client))
        response = client.chat.completions.create(model="openai/gpt-4.1-nano", messages=USER_MESSAGE)
        seen.append(repr(response))
        stream = client.chat.completions.create(model="openai/gpt-4.1-nano", messages=USER_MESSAGE, stream=True)
        seen.append(repr(stream))
        seen += [repr(c) for c in stream]
        # A header token sent to the gateway.
        with vag.use_request_headers({"x-vercel-oidc-token": good_jwt}):
            cred = vag.resolve_auth()
            seen += [repr(cred), str(cred)]
            client.chat.completions.create(model="openai/gpt-4.1-nano", messages=USER_MESSAGE)
        seen += [repr(r) for r in gw.requests]
        # Errors: rejected key, malformed token, failed refresh, missing credentials, bad URL.
        errors: list[BaseException] = []
        for action in (
            lambda: vag.Client(base_url=gw.url, api_key=f"vck_{CANARY}_wrong").chat.completions.create(
                model="openai/gpt-4.1-nano", messages=USER_MESSAGE
            ),
            lambda: vag.resolve_auth(malformed_jwt),
            lambda: vag.Client(base_url=f"https://user:{CANARY}@host/v1"),
        ):
            try:
                action()
            except vag.VercelAIGatewayError as e:
                errors.append(e)
        monkeypatch.setenv("VERCEL_OIDC_TOKEN", malformed)
        try:
            vag.resolve_auth()
        except vag.CredentialsError as e:
            errors.append(e)
        monkeypatch.delenv("VERCEL_OIDC_TOKEN")
        monkeypatch.delenv("AI_GATEWAY_API_KEY")
        (tmp_path / ".vercel").mkdir()
        (tmp_path / ".vercel" / "project.json").write_text('{"projectId": "prj_canary", "orgId": "team_x"}')
        (tmp_path / "data" / "com.vercel.cli").mkdir(parents=True)
        (tmp_path / "data" / "com.vercel.cli" / "auth.json").write_text(f'{{"token": "{CANARY}wrongcli"}}')
        monkeypatch.setenv("VERCEL_AI_GATEWAY_REFRESH_URL", gw.origin)
        for action in (lambda: vag.resolve_auth(dev_refresh=True), lambda: vag.resolve_auth()):
            try:
                action()
            except vag.CredentialsError as e:
                errors.append(e)
        assert len(errors) == 6
        seen += [describe(e) for e in errors]
    seen.append(caplog.text)
    seen += [r.getMessage() for r in caplog.records]
    assert any("expired" in r.getMessage() for r in caplog.records), "the skip was logged"
    found = [leak for text in seen for leak in leaks(text, secrets)]
    assert found == []
