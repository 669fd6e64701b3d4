"""Secret hygiene beyond tests/test_secrets.py: canary credentials through every surface.

Canaries: a Vercel API key, a Vercel OIDC JWT (live and expired), an OpenRouter key, telemetry
keys (Honeycomb, an OTLP header, Langfuse's key pair). Surfaces: `repr`/`str` of every object,
exceptions with their chains and tracebacks, logs at every level (`VERCEL_AI_GATEWAY_LOG=debug`,
the root logger at DEBUG, everything a child process prints), exported spans, metrics and their
resources, the command line with and without `--json`, and the LiteLLM and Genkit error paths.
A canary may appear only where it must: in the `authorization` header LocalGateway received, and
in the telemetry headers the collector received.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import os
import socket
import subprocess
import sys
import textwrap
import threading
import traceback
from collections.abc import Iterator

import pytest

import vercel_ai_gateway as vag
from vercel_ai_gateway import cli
from vercel_ai_gateway.testing import LocalGateway

from conftest import USER_MESSAGE, make_jwt, read_request

MARK = "CANARY9e1d"
API_KEY = f"vck_{MARK}_apikey_0123456789abcdef"
OPENROUTER_KEY = f"sk-or-v1-{MARK}openrouter0123456789"
HONEYCOMB_KEY = f"hcaik_{MARK}honeycomb0123456789"
OTLP_HEADER = f"{MARK}otlpheader0123456789"
LANGFUSE_PUBLIC = f"pk-lf-{MARK}public"
LANGFUSE_SECRET = f"sk-lf-{MARK}secret0123456789"
MODEL = "anthropic/claude-opus-4.7"


def oidc_tokens() -> tuple[str, str]:
    return make_jwt(signature=f"{MARK}oidcsig"), make_jwt(expires_in=-600, signature=f"{MARK}expiredsig")


def secret_forms(*secrets: str) -> list[str]:
    """Each secret, and the base64 forms a Basic header or a debug dump would carry."""
    forms = list(secrets)
    for s in secrets:
        forms.append(base64.b64encode(s.encode()).decode())
    forms.append(base64.b64encode(f"{LANGFUSE_PUBLIC}:{LANGFUSE_SECRET}".encode()).decode())
    return forms


def leaks(texts: list[str]) -> list[str]:
    """Lines holding the canary mark (every secret above carries it)."""
    found = []
    for text in texts:
        for line in text.splitlines():
            if MARK in line:
                found.append(line[:300])
    return found


def describe(error: BaseException) -> str:
    """Everything a user, a log handler or an error tracker could see of an exception."""
    parts = ["".join(traceback.format_exception(error)), repr(error), str(error)]
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts += [repr(current), str(current)]
        parts += [f"{k}={v!r}" for k, v in vars(current).items()]
        parts += [str(note) for note in getattr(current, "__notes__", [])]
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


@pytest.fixture
def gateways() -> Iterator[tuple[LocalGateway, LocalGateway]]:
    with (
        LocalGateway(api_key=API_KEY) as vercel,
        LocalGateway(flavor="openrouter", api_key=OPENROUTER_KEY) as openrouter,
    ):
        yield vercel, openrouter


@pytest.fixture
def canary_env(monkeypatch: pytest.MonkeyPatch, gateways: tuple[LocalGateway, LocalGateway]) -> None:
    vercel, openrouter = gateways
    monkeypatch.setenv("AI_GATEWAY_BASE_URL", vercel.url)
    monkeypatch.setenv("AI_GATEWAY_API_KEY", API_KEY)
    monkeypatch.setenv("OPENROUTER_BASE_URL", openrouter.url)
    monkeypatch.setenv("OPENROUTER_API_KEY", OPENROUTER_KEY)
    for name in (
        "HONEYCOMB_API_KEY",
        "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "LANGFUSE_SECRET_KEY",
    ):
        monkeypatch.delenv(name, raising=False)


# ---- a child process that does everything, with every log switched on ----

EVERYTHING = r"""
    import asyncio, json, logging, os, sys, traceback
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
    import vercel_ai_gateway as vag
    from vercel_ai_gateway import cli, use_request_headers
    from vercel_ai_gateway.testing import LocalGateway

    api_key, openrouter_key, oidc, expired, honeycomb = sys.argv[1:6]
    MESSAGES = [{"role": "user", "content": "ping"}]
    MODEL = "anthropic/claude-opus-4.7"
    shown = []

    def show(*values):
        for v in values:
            shown.extend([repr(v), str(v)])

    def describe(e):
        chain = []
        while e is not None and len(chain) < 10:
            chain += ["".join(traceback.format_exception(e)), repr(e), str(e), repr(vars(e))]
            e = e.__cause__ or e.__context__
        return "\n".join(chain)

    def attempt(name, call):
        try:
            show(call())
        except BaseException as e:
            shown.append(name + ": " + describe(e))

    with LocalGateway(api_key=api_key) as v, LocalGateway(flavor="openrouter", api_key=openrouter_key) as o:
        os.environ.update({
            "AI_GATEWAY_BASE_URL": v.url, "AI_GATEWAY_API_KEY": api_key, "VERCEL_OIDC_TOKEN": expired,
            "OPENROUTER_BASE_URL": o.url, "OPENROUTER_API_KEY": openrouter_key,
        })
        show(v, o)
        tel = vag.VercelTelemetry(backend="honeycomb", api_key=honeycomb, endpoint=v.origin, python_sdk=False,
                                  capture_content=True)
        show(tel, tel.header_names, tel.notes, tel.resource_attributes, tel.endpoint, tel.metrics_endpoint)
        tel.install()
        router = vag.Router(vercel_share=0.5)
        client = vag.Client(router=router, retry_backoff=(0.001, 0.002))
        aclient = vag.AsyncClient(router=router, retry_backoff=(0.001, 0.002))
        show(client, aclient, client.with_options(timeout=3), router, vag.resolve_auth())
        for user in ("a", "b", "c", "d"):
            show(router.route(MODEL, user=user))
            r = client.chat.completions.create(model=MODEL, messages=MESSAGES, user=user)
            show(r, r.attempts, r.routing, r.to_dict())
            with client.chat.completions.create(model=MODEL, messages=MESSAGES, user=user, stream=True) as s:
                show(s, *list(s), s.attempts)
        v.fail_next(503, count=3)
        o.fail_next(503, count=3)
        attempt("both down", lambda: client.chat.completions.create(model=MODEL, messages=MESSAGES, user="a"))
        with use_request_headers({"x-vercel-oidc-token": oidc}):
            show(vag.resolve_auth(), vag.get_vercel_auth() is not None)
            show(client.chat.completions.create(model="openai/gpt-4.1-nano", messages=MESSAGES))
        async def run_async():
            r = await aclient.chat.completions.create(model=MODEL, messages=MESSAGES, user="a")
            s = await aclient.chat.completions.create(model=MODEL, messages=MESSAGES, user="b", stream=True)
            show(r, s, *[c async for c in s])
        asyncio.run(run_async())
        wrong = vag.Client(api_key=api_key + "x", openrouter_api_key=openrouter_key + "x",
                           router=vag.Router(vercel_share=1.0))
        attempt("wrong keys", lambda: wrong.chat.completions.create(model=MODEL, messages=MESSAGES))
        newline = vag.Client(api_key=api_key + "\n")
        attempt("newline key", lambda: newline.chat.completions.create(model=MODEL, messages=MESSAGES))
        attempt("malformed jwt", lambda: vag.resolve_auth(oidc.split(".")[0] + ".bad." + oidc.split(".")[2]))
        dead = vag.Client(api_key=expired)
        attempt("expired only", lambda: dead.chat.completions.create(model=MODEL, messages=MESSAGES))
        attempt("no openrouter key", lambda: vag.Client(gateway="openrouter", openrouter_base_url=o.url).models.list())
        tel.flush(timeout=10)
        show(v.spans, v.metrics, o.spans, v.requests, o.requests)
        for argv in (["doctor"], ["doctor", "--json"], ["models", "--json", "--search", "claude"],
                     ["route", "--model", MODEL, "--json"], ["chat", MODEL, "hi", "--share", "0.5"],
                     ["chat", MODEL, "hi", "--no-stream"]):
            buffer = __import__("io").StringIO()
            code = cli.main(argv, out=buffer)
            shown.append(f"cli {argv} -> {code}: {buffer.getvalue()}")
        tel.shutdown(timeout=5)
        exports = [e for e in v.otlp_exports]
        assert exports and any(e["spans"] for e in exports), "telemetry was exported"
        assert all(e["headers"].get("x-honeycomb-team") == honeycomb for e in exports)
        for e in exports:
            e["headers"].pop("x-honeycomb-team")
        show(exports)
    print(json.dumps(shown))
"""


def test_no_canary_anywhere_a_busy_process_shows(gateways: tuple[LocalGateway, LocalGateway]) -> None:
    oidc, expired = oidc_tokens()
    env = {
        **os.environ,
        "VERCEL_AI_GATEWAY_LOG": "debug",
        "RUST_LOG": "trace",
        "RUST_BACKTRACE": "1",
        "PYTHONWARNINGS": "default",
    }
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(EVERYTHING), API_KEY, OPENROUTER_KEY, oidc, expired, HONEYCOMB_KEY],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    shown = json.loads(run.stdout)
    assert any("chat anthropic/claude-opus-4.7" in s for s in shown), "spans were captured"
    assert any("expired" in line and "WARNING" in line for line in run.stderr.splitlines()), "logs were captured"
    assert any("both down" in s and "InternalServerError" in s for s in shown), "errors were captured"
    assert leaks([run.stdout, run.stderr]) == []


# ---- in-process surfaces ----


def test_reprs_and_exceptions_in_process(
    gateways: tuple[LocalGateway, LocalGateway], canary_env: None, caplog: pytest.LogCaptureFixture
) -> None:
    vercel, openrouter = gateways
    oidc, expired = oidc_tokens()
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    client = vag.Client(
        api_key=API_KEY,
        openrouter_api_key=OPENROUTER_KEY,
        router=vag.Router(vercel_share=1.0),
        default_headers={"x-trace": "t"},
        retry_backoff=(0.001, 0.002),
    )
    seen += [repr(client), str(client), repr(client.with_options(max_retries=0))]
    seen += [repr(vag.resolve_auth(API_KEY)), repr(vag.resolve_auth(oidc)), str(vag.resolve_auth(oidc))]
    vercel.fail_next(401, count=1)
    r = client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, user="u1")
    seen += [repr(r), json.dumps(r.attempts), r.routing or "", r.to_json()]
    seen += [repr(x) for x in vercel.requests + openrouter.requests]
    errors: list[BaseException] = []
    for call in (
        lambda: vag.Client(api_key=expired, max_retries=0).chat.completions.create(model=MODEL, messages=USER_MESSAGE),
        lambda: vag.Client(api_key=API_KEY + "z", max_retries=0).chat.completions.create(
            model=MODEL, messages=USER_MESSAGE
        ),
        lambda: vag.Client(
            gateway="openrouter", openrouter_api_key=OPENROUTER_KEY + "z", max_retries=0
        ).models.retrieve("nobody/nothing"),
        lambda: vag.Client(api_key=API_KEY + "\r\n", max_retries=0).chat.completions.create(
            model=MODEL, messages=USER_MESSAGE
        ),
        lambda: vag.Client(base_url=f"https://u:{API_KEY}@example.invalid/v1"),
        lambda: vag.Client(api_key=API_KEY, openrouter_base_url=f"https://openrouter.ai/api/v1?key={OPENROUTER_KEY}"),
        lambda: vag.resolve_auth(f"{oidc.split('.')[0]}.{MARK}notbase64!.sig"),
        lambda: vag.VercelTelemetry(backend="honeycomb", api_key=HONEYCOMB_KEY, headers={"x-bad\n": HONEYCOMB_KEY}),
        lambda: vag.VercelTelemetry(backend="otlp", endpoint=f"http://u:{OTLP_HEADER}@127.0.0.1:1"),
        lambda: vag.VercelTelemetry(backend="honeycomb", api_key=HONEYCOMB_KEY + "\n"),
    ):
        try:
            call()
        except Exception as e:  # noqa: BLE001 - every exception is inspected
            errors.append(e)
    assert len(errors) >= 6, errors
    # An exception wrapped by application code keeps its chain in the traceback.
    try:
        try:
            vag.Client(api_key=API_KEY + "z", max_retries=0).chat.completions.create(model=MODEL, messages=USER_MESSAGE)
        except vag.APIStatusError as inner:
            raise RuntimeError("the app's own error") from inner
    except RuntimeError as outer:
        errors.append(outer)
    seen += [describe(e) for e in errors]
    seen += [caplog.text] + [r.getMessage() for r in caplog.records]
    assert leaks(seen) == []


def test_telemetry_objects_and_exports_hold_no_key(
    gateways: tuple[LocalGateway, LocalGateway], canary_env: None
) -> None:
    vercel, _ = gateways
    presets = [
        vag.VercelTelemetry(backend="honeycomb", api_key=HONEYCOMB_KEY, python_sdk=False),
        vag.VercelTelemetry(backend="langfuse", public_key=LANGFUSE_PUBLIC, api_key=LANGFUSE_SECRET, python_sdk=False),
        vag.VercelTelemetry(backend="datadog", api_key=HONEYCOMB_KEY, python_sdk=False),
        vag.VercelTelemetry(
            backend="otlp", endpoint=vercel.origin, headers={"authorization": OTLP_HEADER}, python_sdk=False
        ),
    ]
    seen = []
    for tel in presets:
        seen += [repr(tel), str(tel), repr(tel.header_names), repr(tel.notes), repr(tel.resource_attributes)]
        seen += [str(tel.endpoint), str(tel.metrics_endpoint), tel.backend, tel.service_name]
    tel = presets[-1]
    assert tel.install()
    try:
        client = vag.Client(api_key=API_KEY, max_retries=0)
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
        list(client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True))
        try:
            vag.Client(api_key=API_KEY + "z", max_retries=0).chat.completions.create(model=MODEL, messages=USER_MESSAGE)
        except vag.AuthenticationError:
            pass
        assert tel.flush(timeout=10)
    finally:
        tel.shutdown(timeout=5)
    exports = vercel.otlp_exports
    assert exports and vercel.spans
    assert all(e["headers"].get("authorization") == OTLP_HEADER for e in exports)
    for export in exports:
        export["headers"].pop("authorization")
        seen.append(json.dumps(export, default=str))
    seen.append(json.dumps(vercel.spans, default=str) + json.dumps(vercel.metrics, default=str))
    assert leaks(seen) == []
    # The gateway key went where it must: the authorization header of the inference requests.
    assert {r.header("authorization") for r in vercel.requests} >= {f"Bearer {API_KEY}"}


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    out = io.StringIO()
    code = cli.main(argv, out=out)
    captured = capsys.readouterr()
    return f"exit {code}\n{out.getvalue()}\n{captured.out}\n{captured.err}"


def test_cli_output_holds_no_key(
    gateways: tuple[LocalGateway, LocalGateway],
    canary_env: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    vercel, _ = gateways
    oidc, expired = oidc_tokens()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", vercel.origin)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", f"authorization={OTLP_HEADER}")
    outputs = []
    for token in (None, oidc, expired):
        if token:
            monkeypatch.setenv("VERCEL_OIDC_TOKEN", token)
        for argv in (["doctor"], ["doctor", "--json"], ["models", "--json", "--search", "opus"]):
            outputs.append(run_cli(argv, capsys))
    outputs.append(run_cli(["chat", MODEL, "hi", "--share", "0.5"], capsys))
    outputs.append(run_cli(["chat", MODEL, "hi", "--gateway", "openrouter", "--no-stream"], capsys))
    outputs.append(run_cli(["telemetry", "test", "--timeout", "5"], capsys))
    monkeypatch.setenv("HONEYCOMB_API_KEY", HONEYCOMB_KEY)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT")
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_HEADERS")
    outputs.append(run_cli(["doctor", "--json"], capsys))
    # Error paths: a rejected key, a broken token.
    monkeypatch.setenv("AI_GATEWAY_API_KEY", API_KEY + "z")
    monkeypatch.delenv("VERCEL_OIDC_TOKEN")
    outputs.append(run_cli(["chat", MODEL, "hi"], capsys))
    outputs.append(run_cli(["doctor", "--json"], capsys))
    monkeypatch.setenv("VERCEL_OIDC_TOKEN", f"{MARK}.broken.token")
    outputs.append(run_cli(["doctor", "--json"], capsys))
    outputs.append(run_cli(["chat", MODEL, "hi"], capsys))
    doctor = json.loads(outputs[1].split("\n", 1)[1])
    assert any(c["check"] == "credential" for c in doctor["checks"]), "doctor ran"
    assert any("exported" in o for o in outputs), "the telemetry test ran"
    assert leaks(outputs) == []


# ---- LiteLLM and Genkit error paths ----


def test_litellm_error_paths_hold_no_key(
    gateways: tuple[LocalGateway, LocalGateway], canary_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no download at import
    litellm = pytest.importorskip("litellm")
    from vercel_ai_gateway import litellm as vag_litellm

    vercel, _ = gateways
    # completion_kwargs() hands LiteLLM the key on purpose; the generated config names variables.
    seen = [vag_litellm.proxy_config_yaml([MODEL], primary="vercel")]
    vag_litellm.register()
    try:
        for status in (401, 429, 500, 400):
            vercel.fail_next(status, count=3)
            try:
                litellm.completion(model=f"vag/{MODEL}", messages=USER_MESSAGE, api_key=API_KEY, max_retries=0)
            except Exception as e:  # noqa: BLE001 - LiteLLM's own types
                seen.append(describe(e))
        try:
            litellm.completion(model=f"vag/{MODEL}", messages=USER_MESSAGE, api_key=API_KEY + "z")
        except Exception as e:  # noqa: BLE001
            seen.append(describe(e))
    finally:
        vag_litellm.unregister()
    assert len(seen) >= 6
    assert leaks(seen) == []


async def test_genkit_error_paths_hold_no_key(
    gateways: tuple[LocalGateway, LocalGateway], canary_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    genkit = pytest.importorskip("genkit")
    from vercel_ai_gateway.genkit import VercelAIGateway

    vercel, _ = gateways
    ai = genkit.Genkit(plugins=[VercelAIGateway(max_retries=0)])
    seen = []
    for status in (401, 400, 503):
        vercel.fail_next(status)
        try:
            reply = await ai.generate(model=f"vercel/{MODEL}", prompt="Hi")
            seen += [repr(reply), str(reply.finish_message), repr(reply.error)]
        except Exception as e:  # noqa: BLE001
            seen.append(describe(e))
    monkeypatch.setenv("AI_GATEWAY_API_KEY", API_KEY + "z")
    try:
        reply = await ai.generate(model=f"vercel/{MODEL}", prompt="Hi")
        seen += [repr(reply), str(reply.finish_message), repr(reply.error)]
    except Exception as e:  # noqa: BLE001
        seen.append(describe(e))
    assert leaks(seen) == []


# ---- a gateway that echoes the credential ----


@pytest.fixture
def echoing_server() -> Iterator[str]:
    """A server that quotes the Authorization header it got (as some proxies do): in a 401, or,
    under `/inband/`, in an error event after one good chunk of a 200 stream."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)

    def answer(conn: socket.socket) -> None:
        request = read_request(conn)
        if request is None:
            return
        first, fields, _ = request
        auth = fields.get(b"authorization", b"").decode()
        quoted = {"error": {"message": f"Invalid key. Received API Key = {auth}", "type": "auth", "param": auth}}
        if b"/inband/" in first:
            chunk = {
                "id": "c1",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": MODEL,
                "choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": None}],
            }
            events = f"data: {json.dumps(chunk)}\n\ndata: {json.dumps(quoted)}\n\n"
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + events.encode()
            )
            return
        body = json.dumps(quoted)
        conn.sendall(
            b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n{body}".encode()
        )

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn:
                answer(conn)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    finally:
        sock.close()


def test_a_credential_echoed_by_the_gateway_is_redacted(echoing_server: str) -> None:
    client = vag.Client(base_url=echoing_server, api_key=API_KEY, max_retries=0)
    with pytest.raises(vag.AuthenticationError) as info:
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    assert "Received API Key = Bearer ***" in str(info.value), "the rest of the message is kept"
    assert leaks([describe(info.value)]) == []
    with pytest.raises(vag.AuthenticationError) as info:
        client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True)
    assert leaks([describe(info.value)]) == []


async def test_a_credential_echoed_inside_a_stream_is_redacted(echoing_server: str) -> None:
    client = vag.AsyncClient(base_url=echoing_server + "/inband", api_key=API_KEY, max_retries=0)
    stream = await client.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True)
    received = []
    with pytest.raises(vag.APIStatusError) as info:
        async for chunk in stream:
            received.append(chunk.choices[0].delta.content)
    assert received == ["Hi"]
    assert "***" in str(info.value)
    assert leaks([describe(info.value)]) == []


def test_a_credential_echoed_to_the_openai_sdk_is_redacted(echoing_server: str) -> None:
    import openai

    from vercel_ai_gateway.openai import openai_client

    sdk = openai_client(client=vag.Client(base_url=echoing_server, api_key=API_KEY, max_retries=0))
    with pytest.raises(openai.AuthenticationError) as info:
        sdk.chat.completions.create(model=MODEL, messages=USER_MESSAGE)
    assert "***" in str(info.value)
    assert leaks([describe(info.value), repr(info.value.body), info.value.response.text]) == []


async def test_async_errors_hold_no_key(gateways: tuple[LocalGateway, LocalGateway], canary_env: None) -> None:
    client = vag.AsyncClient(api_key=API_KEY + "z", openrouter_api_key=OPENROUTER_KEY + "z", max_retries=0)
    seen = []
    for gateway in ("vercel", "openrouter"):
        try:
            await client.with_options(max_retries=0).chat.completions.create(model=MODEL, messages=USER_MESSAGE)
        except vag.APIStatusError as e:
            seen.append(describe(e))
        routed = vag.AsyncClient(
            api_key=API_KEY + "z",
            openrouter_api_key=OPENROUTER_KEY + "z",
            router=vag.Router(vercel_share=1.0 if gateway == "vercel" else 0.0),
            max_retries=0,
        )
        try:
            stream = await routed.chat.completions.create(model=MODEL, messages=USER_MESSAGE, stream=True)
            async for _ in stream:
                pass
        except vag.APIStatusError as e:
            seen.append(describe(e))
    await asyncio.sleep(0)
    assert len(seen) == 4
    assert leaks(seen) == []
