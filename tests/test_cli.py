"""The `vercel-ai-gateway` command, run in-process against LocalGateway (`--local`)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from vercel_ai_gateway.cli import main
from vercel_ai_gateway.testing import LocalGateway

from conftest import make_jwt


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_doctor_local() -> None:
    code, out = run("--local", "doctor")
    assert code == 0, out
    assert "api_key from AI_GATEWAY_API_KEY" in out
    assert "gateway reachable" in out and "297 models" in out
    assert "credential accepted" in out
    assert "vck_local" not in out, "no secret in the output"
    code, out = run("--local", "doctor", "--json")
    report = json.loads(out)
    assert report["ok"] is True
    assert {c["check"] for c in report["checks"]} >= {"credential", "gateway reachable", "openrouter", "telemetry"}


def test_doctor_reports_what_is_broken(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    with LocalGateway() as gw:
        monkeypatch.setenv("AI_GATEWAY_BASE_URL", gw.url)
        monkeypatch.setenv("VERCEL_OIDC_TOKEN", make_jwt(expires_in=-30, signature="CANARYSIG"))
        code, out = run("doctor")
        assert code == 1
        assert "FAIL" in out and "No credential" in out
        assert "expired" in out, "the skipped source and why"
        assert "CANARYSIG" not in out
        monkeypatch.setenv("AI_GATEWAY_API_KEY", "vck_wrong_CANARY")
        code, out = run("doctor", "--json")
        report = json.loads(out)
        assert report["ok"] is False
        rejected = [c for c in report["checks"] if c["check"] == "credential accepted"]
        assert rejected and rejected[0]["ok"] is False
        assert "CANARY" not in out
    monkeypatch.setenv("AI_GATEWAY_BASE_URL", "not a url")
    code, out = run("doctor")
    assert code == 1 and "AI_GATEWAY_BASE_URL" in out


def test_models() -> None:
    code, out = run("--local", "models", "--search", "deepseek-v3.2")
    assert code == 0
    assert "deepseek/deepseek-v3.2" in out and "$0.28" in out and "2 models" in out
    code, out = run("--local", "models", "--json", "--search", "claude")
    assert all("claude" in m["id"] for m in json.loads(out))
    code, out = run("models", "--map", "--gateway", "openrouter", "--search", "grok-4.3", "--local")
    assert "x-ai/grok-4.3" in out and "xai/grok-4.3" in out and "prefix" in out


def test_route() -> None:
    code, out = run("route", "--model", "x-ai/grok-4.3", "--user", "u_42", "--share", "1")
    assert code == 0 and "vercel as xai/grok-4.3" in out and "fallback" in out
    code, out = run("route", "--model", "x-ai/grok-4.3", "--pin", "x-ai/*=openrouter", "--json")
    decision = json.loads(out)
    assert (decision["gateway"], decision["pinned"], decision["fallback"]) == ("openrouter", True, None)


def test_chat() -> None:
    code, out = run("--local", "chat", "openai/gpt-4.1-nano", "hello there")
    assert code == 0
    assert "Hello from LocalGateway! You said: hello there" in out
    assert "[vercel]" in out and "cost $0.0000" in out
    code, out = run("--local", "chat", "openai/gpt-4.1-nano", "hi", "--no-stream")
    assert "You said: hi" in out


def test_errors_are_sentences_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("--local", "chat", "nobody/nothing", "hi")
    assert code == 2
    assert "error: " in capsys.readouterr().err


def test_telemetry_test_console() -> None:
    code, out = run("telemetry", "test", "--backend", "console")
    assert code == 0 and "exported" in out


def test_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vercel_ai_gateway", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("vercel-ai-gateway ")


# ---- as users run it: a subprocess per command, exit codes included ----


def cli(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    from conftest import CREDENTIAL_VARIABLES

    base = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARIABLES}
    return subprocess.run(
        [sys.executable, "-m", "vercel_ai_gateway", *argv],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--local", "doctor"],
        ["--local", "doctor", "--json"],
        ["--local", "models", "--search", "gpt-5"],
        ["--local", "models", "--gateway", "openrouter", "--map", "--search", "grok"],
        ["route", "--model", "x-ai/grok-4.3", "--user", "u1", "--share", "0.5"],
        ["--local", "chat", "openai/gpt-4.1-nano", "hi"],
        ["telemetry", "test", "--backend", "console"],
    ],
)
def test_every_command_in_a_subprocess(argv: list[str]) -> None:
    result = cli(*argv)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert "vck_local" not in result.stdout + result.stderr
    assert "sk-or-v1" not in result.stdout + result.stderr


def test_broken_setups_in_a_subprocess() -> None:
    # No credentials at all.
    with LocalGateway() as gw:
        result = cli("doctor", env={"AI_GATEWAY_BASE_URL": gw.url})
        assert result.returncode == 1 and "No credential" in result.stdout
        # An expired OIDC token: skipped, named, never printed.
        token = make_jwt(expires_in=-60, signature="CANARYSIG")
        result = cli("doctor", env={"AI_GATEWAY_BASE_URL": gw.url, "VERCEL_OIDC_TOKEN": token})
        assert result.returncode == 1 and "expired" in result.stdout
        assert "CANARYSIG" not in result.stdout + result.stderr
        url, key = gw.url, gw.api_key
    # The gateway is unreachable (closed port).
    result = cli("doctor", env={"AI_GATEWAY_BASE_URL": url, "AI_GATEWAY_API_KEY": key})
    assert result.returncode == 1 and "gateway reachable" in result.stdout and "FAIL" in result.stdout
    result = cli("chat", "openai/gpt-5", "hi", env={"AI_GATEWAY_BASE_URL": url, "AI_GATEWAY_API_KEY": key})
    assert result.returncode == 2 and result.stderr.startswith("error: ")
    # A command-line mistake is argparse's exit code 2 with usage.
    result = cli("route")
    assert result.returncode == 2 and "--model" in result.stderr
