"""Shared fixtures: a clean credential environment and a LocalGateway per test."""

from __future__ import annotations

import base64
import json
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from vercel_ai_gateway.testing import LocalGateway

CREDENTIAL_VARIABLES = [
    "AI_GATEWAY_API_KEY",
    "VERCEL_AI_GATEWAY_API_KEY",
    "VERCEL_OIDC_TOKEN",
    "VERCEL_OIDC_TOKEN_FILE",
    "AI_GATEWAY_BASE_URL",
    "VERCEL_AI_GATEWAY_API_BASE",
    "VERCEL_AI_GATEWAY_DEV_REFRESH",
    "VERCEL_AI_GATEWAY_REFRESH_URL",
    "VERCEL_SITE_URL",
    "VERCEL_APP_NAME",
    "VERCEL_AI_GATEWAY_LOG",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No credential from the machine leaks into a test; data dirs and cwd are per test."""
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        sock.close()


@pytest.fixture
def gw() -> Iterator[LocalGateway]:
    with LocalGateway() as gateway:
        yield gateway


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(expires_in: float = 3600, signature: str = "c2lnbmF0dXJl", **claims: Any) -> str:
    """An unsigned Vercel-shaped OIDC JWT expiring ``expires_in`` seconds from now.

    A random ``jti`` keeps every token distinct, so the once-per-token warning fires per test.
    """
    now = int(time.time())
    payload = {
        "iss": "https://oidc.vercel.com/acme",
        "sub": "owner:acme:project:demo:environment:development",
        "project": "demo",
        "project_id": "prj_demo",
        "environment": "development",
        "iat": now,
        "exp": now + int(expires_in),
        "jti": uuid.uuid4().hex,
        **claims,
    }
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    return f"{header}.{_b64(json.dumps(payload).encode())}.{signature}"


def read_request(conn: socket.socket) -> tuple[bytes, dict[bytes, bytes], bytes] | None:
    """One HTTP/1.1 request read off a raw socket: its request line, its headers (names in lower
    case) and its body (by `content-length`); `None` when the client hangs up first."""
    data = b""
    while b"\r\n\r\n" not in data:
        part = conn.recv(65536)
        if not part:
            return None
        data += part
    head, _, body = data.partition(b"\r\n\r\n")
    first, *lines = head.split(b"\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(b":") for line in lines)}
    length = int(headers.get(b"content-length", b"0"))
    while len(body) < length:
        part = conn.recv(65536)
        if not part:
            return None
        body += part
    return first, headers, body


USER_MESSAGE = [{"role": "user", "content": "ping"}]
