"""VercelTelemetry from Python: presets and reprs, one trace across Python and Rust spans,
flushing, against an OTLP receiver started in-process on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import vercel_ai_gateway as vag
from vercel_ai_gateway import _core

TELEMETRY_VARIABLES = [
    "VERCEL_AI_GATEWAY_TELEMETRY",
    "HONEYCOMB_API_KEY",
    "HONEYCOMB_TRACES_APIKEY",
    "DD_API_KEY",
    "DD_SITE",
    "GRAFANA_CLOUD_INSTANCE_ID",
    "AXIOM_TOKEN",
    "NEW_RELIC_LICENSE_KEY",
    "LANGFUSE_SECRET_KEY",
    "LANGFUSE_PUBLIC_KEY",
    "DASH0_AUTH_TOKEN",
    "SIGNOZ_INGESTION_KEY",
    "VERCEL_OTEL_ENDPOINTS",
    "OTEL_SDK_DISABLED",
    "OTEL_SERVICE_NAME",
    "OTEL_RESOURCE_ATTRIBUTES",
    "OTEL_TRACES_SAMPLER",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "VERCEL_ENV",
    "VERCEL_REGION",
]

ROOT = Path(__file__).resolve().parent.parent
KEY = "hcaik_canary_0123456789"


@pytest.fixture(autouse=True)
def no_telemetry_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in TELEMETRY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _attribute(value: Any) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_attribute(v) for v in value.array_value.values]
    return getattr(value, kind) if kind else None


class OtlpReceiver:
    """An OTLP/HTTP receiver on 127.0.0.1 that decodes trace exports (protobuf, gzip)."""

    def __init__(self, status: int = 200) -> None:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

        self.exports: list[dict[str, Any]] = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                spans = []
                if self.path.endswith("/traces"):
                    request = ExportTraceServiceRequest.FromString(body)
                    for rs in request.resource_spans:
                        resource = {kv.key: _attribute(kv.value) for kv in rs.resource.attributes}
                        for ss in rs.scope_spans:
                            for s in ss.spans:
                                spans.append(
                                    {
                                        "name": s.name,
                                        "trace_id": s.trace_id.hex(),
                                        "span_id": s.span_id.hex(),
                                        "parent_span_id": s.parent_span_id.hex(),
                                        "kind": s.kind,
                                        "scope": ss.scope.name,
                                        "attributes": {kv.key: _attribute(kv.value) for kv in s.attributes},
                                        "resource": resource,
                                    }
                                )
                receiver.exports.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "spans": spans}
                )
                self.send_response(receiver.status)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def spans(self) -> list[dict[str, Any]]:
        return [s for e in list(self.exports) for s in e["spans"]]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    r = OtlpReceiver()
    try:
        yield r
    finally:
        r.close()


@pytest.fixture
def installed(receiver: OtlpReceiver) -> Iterator[vag.VercelTelemetry]:
    tel = vag.VercelTelemetry(backend="otlp", endpoint=receiver.url, service_name="shop")
    assert tel.install()
    try:
        yield tel
    finally:
        tel.shutdown(timeout=5)


def test_repr_shows_backend_and_endpoint_never_the_key() -> None:
    tel = vag.VercelTelemetry(backend="honeycomb", api_key=KEY, region="eu", dataset="classic")
    text = repr(tel)
    assert text == (
        "VercelTelemetry(backend='honeycomb', endpoint='https://api.eu1.honeycomb.io/v1/traces', "
        "service_name='app', api_key='***')"
    )
    assert KEY not in text and KEY not in str(tel)
    assert tel.header_names == ["x-honeycomb-team", "x-honeycomb-dataset"]
    assert tel.metrics_endpoint is None and any("HONEYCOMB_METRICS_DATASET" in n for n in tel.notes)
    assert not tel.installed
    assert repr(vag.VercelTelemetry(backend="console")) == (
        "VercelTelemetry(backend='console', endpoint='stdout', service_name='app', api_key=None)"
    )


def test_missing_and_contradictory_settings_raise_config_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(vag.ConfigError) as e:
        vag.VercelTelemetry(backend="honeycomb")
    assert e.value.variable == "HONEYCOMB_API_KEY"
    with pytest.raises(vag.ConfigError) as e:
        vag.VercelTelemetry(backend="datadog", api_key=KEY, llm_observability=True, datadog_intake="managed")
    assert e.value.variable == "llm_observability"
    assert KEY not in str(e.value)
    with pytest.raises(vag.ConfigError) as e:
        vag.VercelTelemetry(backend="newrelic", api_key=KEY, dataset="d")
    assert e.value.variable == "dataset"
    assert isinstance(e.value, ValueError)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    with pytest.raises(vag.ConfigError) as e:
        vag.VercelTelemetry(backend="otlp")
    assert e.value.variable == "OTEL_EXPORTER_OTLP_PROTOCOL"
    with pytest.raises(ValueError, match="timeout"):
        vag.VercelTelemetry(backend="console", timeout=0)


def test_from_env_detects_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    off = vag.VercelTelemetry.from_env()
    assert (off.backend, off.enabled, off.endpoint) == ("off", False, None)
    assert not off.install()
    monkeypatch.setenv("DD_API_KEY", KEY)
    monkeypatch.setenv("DD_SITE", "datadoghq.eu")
    monkeypatch.setenv("VERCEL_ENV", "production")
    monkeypatch.setenv("VERCEL_REGION", "fra1")
    tel = vag.VercelTelemetry.from_env(service_name="api")
    assert tel.backend == "datadog"
    assert tel.endpoint == "https://otlp.datadoghq.eu/v1/traces"
    assert tel.metrics_endpoint == "https://otlp.datadoghq.eu/v1/metrics"
    assert dict(tel.resource_attributes)["deployment.environment.name"] == "production"
    assert dict(tel.resource_attributes)["cloud.region"] == "fra1"
    assert tel.service_name == "api"
    monkeypatch.setenv("HONEYCOMB_API_KEY", KEY)
    with pytest.raises(vag.ConfigError) as e:
        vag.VercelTelemetry.from_env()
    assert e.value.variable == "VERCEL_AI_GATEWAY_TELEMETRY"
    monkeypatch.setenv("VERCEL_AI_GATEWAY_TELEMETRY", "honeycomb")
    assert vag.VercelTelemetry().backend == "honeycomb"


def test_importing_the_package_imports_no_opentelemetry() -> None:
    code = (
        "import sys, vercel_ai_gateway as vag\n"
        "from vercel_ai_gateway._otel import current_traceparent\n"
        "vag.VercelTelemetry(backend='console')\n"
        "assert current_traceparent() is None\n"
        "assert not [m for m in sys.modules if m.startswith('opentelemetry')], sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_no_recorder_when_nothing_is_installed() -> None:
    assert _core._record_call("chat", "openai/gpt-5", response={}) is None


def test_python_and_rust_spans_share_one_trace(installed: vag.VercelTelemetry, receiver: OtlpReceiver) -> None:
    from opentelemetry import trace

    from vercel_ai_gateway._otel import current_traceparent

    tracer = trace.get_tracer("test-app")
    with tracer.start_as_current_span("POST /chat") as root, tracer.start_as_current_span("genkit generate") as child:
        ctx = child.get_span_context()
        assert current_traceparent() == f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"
        outgoing = _core._record_call(
            "chat",
            "anthropic/claude-sonnet-4.5",
            response={
                "id": "gen_1",
                "model": "anthropic/claude-sonnet-4.5",
                "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hi"}}],
                "usage": {"prompt_tokens": 12, "completion_tokens": 3, "cost": 0.0001},
            },
        )
    assert installed.installed
    assert installed.flush(timeout=10) is True

    spans = {s["name"]: s for s in receiver.spans()}
    assert set(spans) == {"POST /chat", "genkit generate", "chat anthropic/claude-sonnet-4.5"}, spans
    python_root, python_child, rust = (
        spans["POST /chat"],
        spans["genkit generate"],
        spans["chat anthropic/claude-sonnet-4.5"],
    )
    assert (
        python_root["trace_id"]
        == python_child["trace_id"]
        == rust["trace_id"]
        == f"{root.get_span_context().trace_id:032x}"
    )
    assert python_root["parent_span_id"] == ""
    assert python_child["parent_span_id"] == python_root["span_id"]
    assert rust["parent_span_id"] == python_child["span_id"], "the Rust span is a child of the current Python span"
    assert outgoing == f"00-{rust['trace_id']}-{rust['span_id']}-01"
    assert rust["kind"] == 3 and rust["scope"] == "vercel-ai-gateway"
    assert rust["attributes"]["gen_ai.provider.name"] == "anthropic"
    assert rust["attributes"]["gen_ai.usage.input_tokens"] == 12
    assert rust["attributes"]["gen_ai.response.finish_reasons"] == ["stop"]
    for span in (python_root, rust):
        assert span["resource"]["service.name"] == "shop", "both providers describe the same service"


def test_spans_are_exported_by_the_flush_at_request_end(installed: vag.VercelTelemetry, receiver: OtlpReceiver) -> None:
    _core._record_call("chat", "openai/gpt-5", response={"model": "openai/gpt-5"})
    assert receiver.spans() == [], "batched until the flush"
    started = time.monotonic()
    assert installed.flush(timeout=5)
    assert time.monotonic() - started < 2
    assert [s["name"] for s in receiver.spans()] == ["chat openai/gpt-5"]
    assert receiver.exports[0]["path"] == "/v1/traces"
    assert receiver.exports[0]["headers"]["content-type"] == "application/x-protobuf"
    # The flush helper thread is gone once flush returned (bounded wait: it exits right after).
    deadline = time.monotonic() + 5
    while _flush_threads() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _flush_threads() == 0


def _flush_threads() -> int:
    count = 0
    for task in Path("/proc/self/task").iterdir():
        try:
            if (task / "comm").read_text().strip() == "vag-otel-flush":
                count += 1
        except OSError:
            continue
    return count


def test_streams_and_errors_are_recorded(installed: vag.VercelTelemetry, receiver: OtlpReceiver) -> None:
    chunks = [
        {"id": "gen_s", "model": "openai/gpt-5", "choices": [{"index": 0, "delta": {"content": "Hi"}}]},
        {"id": "gen_s", "model": "openai/gpt-5", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {"id": "gen_s", "choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 1}},
    ]
    _core._record_call("chat", "openai/gpt-5", chunks=chunks)
    _core._record_call("chat", "openai/gpt-4.1", error_status=429)
    assert installed.flush(timeout=10)
    spans = {s["name"]: s for s in receiver.spans()}
    stream = spans["chat openai/gpt-5"]["attributes"]
    assert stream["gen_ai.request.stream"] is True
    assert stream["ai_gateway.stream.chunks"] == 3
    assert stream["gen_ai.usage.output_tokens"] == 1
    assert spans["chat openai/gpt-4.1"]["attributes"]["error.type"] == "429"


def test_content_capture_is_opt_in(receiver: OtlpReceiver) -> None:
    request = {"model": "openai/gpt-5", "messages": [{"role": "user", "content": "secret prompt"}], "temperature": 0.5}
    answer = {"choices": [{"finish_reason": "stop", "message": {"role": "assistant", "content": "reply"}}]}
    for capture in (False, True):
        tel = vag.VercelTelemetry(backend="otlp", endpoint=receiver.url, capture_content=capture, python_sdk=False)
        tel.install()
        _core._record_call("chat", f"openai/capture-{capture}", request=request, response=answer)
        assert tel.flush(timeout=10)
        tel.shutdown()
    spans = {s["name"]: s["attributes"] for s in receiver.spans()}
    off, on = spans["chat openai/capture-False"], spans["chat openai/capture-True"]
    assert off["gen_ai.request.temperature"] == 0.5
    assert "gen_ai.input.messages" not in off and "gen_ai.output.messages" not in off
    assert json.loads(on["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": "secret prompt"}]}
    ]
    assert json.loads(on["gen_ai.output.messages"])[0]["parts"][0]["content"] == "reply"


def test_flush_tolerates_an_absent_backend() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tel = vag.VercelTelemetry(backend="otlp", endpoint=f"http://127.0.0.1:{port}", timeout=0.5)
    assert tel.install()
    try:
        from opentelemetry import trace

        with trace.get_tracer("t").start_as_current_span("request"):
            _core._record_call("chat", "openai/gpt-5", response={})
        started = time.monotonic()
        assert tel.flush(timeout=1.0) is False
        assert time.monotonic() - started < 4
    finally:
        tel.shutdown(timeout=1.0)


def test_a_refused_export_makes_flush_false() -> None:
    refusing = OtlpReceiver(status=403)
    try:
        tel = vag.VercelTelemetry(backend="otlp", endpoint=refusing.url, python_sdk=False, timeout=2)
        tel.install()
        _core._record_call("chat", "openai/gpt-5", response={})
        assert tel.flush(timeout=10) is False
        tel.shutdown()
    finally:
        refusing.close()


def test_console_backend_prints_one_line_per_span() -> None:
    code = (
        "import vercel_ai_gateway as vag\n"
        "from vercel_ai_gateway import _core\n"
        "from opentelemetry import trace\n"
        "tel = vag.VercelTelemetry(backend='console', service_name='demo')\n"
        "assert tel.install()\n"
        "with trace.get_tracer('demo').start_as_current_span('handler'):\n"
        "    _core._record_call('chat', 'openai/gpt-5', response={'usage': {'prompt_tokens': 2}})\n"
        "assert tel.flush(timeout=5)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in TELEMETRY_VARIABLES}
    out = subprocess.run([sys.executable, "-c", code], check=True, timeout=60, capture_output=True, text=True, env=env)
    lines = out.stdout.splitlines()
    rust = next(line for line in lines if 'span "chat openai/gpt-5"' in line)
    python = next(line for line in lines if line.startswith("[python] span 'handler'"))
    assert "gen_ai.usage.input_tokens=2" in rust
    python_span_id = python.split("span_id=")[1].split()[0]
    assert f"parent_id={python_span_id}" in rust


def test_stub_signature_matches_runtime() -> None:
    import inspect

    params = list(inspect.signature(vag.VercelTelemetry).parameters)
    assert params[:8] == [
        "backend",
        "service_name",
        "api_key",
        "region",
        "dataset",
        "metrics_dataset",
        "endpoint",
        "traces_endpoint",
    ]
    assert "capture_content" in params and "sample_ratio" in params


def test_python_sdk_required_but_missing_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, receiver: OtlpReceiver
) -> None:
    from vercel_ai_gateway import _otel

    monkeypatch.setitem(sys.modules, "vercel_ai_gateway._otel_sdk", None)  # import now raises ImportError
    monkeypatch.delattr(vag, "_otel_sdk", raising=False)
    assert _otel.install_python_sdk({}, None) == "unavailable"
    tel = vag.VercelTelemetry(backend="otlp", endpoint=receiver.url, python_sdk=True)
    with pytest.raises(vag.ConfigError) as e:
        tel.install()
    assert e.value.variable == "python_sdk"
    tel.shutdown(timeout=1)


# ---- through the client: every call is a span joined to the caller's trace ----


def test_client_calls_are_spans_in_the_callers_trace(installed: vag.VercelTelemetry, receiver: OtlpReceiver) -> None:
    from opentelemetry import trace

    from vercel_ai_gateway.testing import LocalGateway

    with LocalGateway() as gw:
        client = vag.Client(base_url=gw.url, api_key=gw.api_key)
        messages = [{"role": "user", "content": "hi"}]
        tracer = trace.get_tracer("test-app")
        with tracer.start_as_current_span("POST /chat") as root:
            client.chat.completions.create(model="openai/gpt-4.1-nano", messages=messages)
            list(client.chat.completions.create(model="openai/gpt-4.1-nano", messages=messages, stream=True))
            gw.fail_next(400)
            with pytest.raises(vag.BadRequestError):
                client.chat.completions.create(model="openai/gpt-4.1-nano", messages=messages)
        sent = [r.header("traceparent") for r in gw.requests]
    assert installed.flush(timeout=10)
    rust = [s for s in receiver.spans() if s["scope"] == "vercel-ai-gateway"]
    assert [s["name"] for s in rust] == ["chat openai/gpt-4.1-nano"] * 3
    trace_id = f"{root.get_span_context().trace_id:032x}"
    root_id = f"{root.get_span_context().span_id:016x}"
    for span, header in zip(rust, sent, strict=True):
        assert span["trace_id"] == trace_id and span["parent_span_id"] == root_id
        assert header == f"00-{trace_id}-{span['span_id']}-01", "the gateway request carries the span's context"
    ok, streamed, failed = rust
    assert ok["attributes"]["gen_ai.usage.output_tokens"] > 0
    assert ok["attributes"]["server.address"] == "127.0.0.1"
    assert streamed["attributes"]["gen_ai.response.finish_reasons"] == ["stop"]
    assert failed["attributes"]["error.type"]


async def test_async_client_calls_are_spans(installed: vag.VercelTelemetry, receiver: OtlpReceiver) -> None:
    from vercel_ai_gateway.testing import LocalGateway

    with LocalGateway() as gw:
        client = vag.AsyncClient(base_url=gw.url, api_key=gw.api_key)
        await client.embeddings.create(model="openai/text-embedding-3-small", input="hi")
        await client.models.list()
    assert installed.flush(timeout=10)
    names = [s["name"] for s in receiver.spans() if s["scope"] == "vercel-ai-gateway"]
    assert names == ["embeddings openai/text-embedding-3-small"], "catalog calls are not GenAI spans"
