"""The OpenTelemetry Python SDK configured with the settings the Rust exporter resolved.

Imported only by ``VercelTelemetry.install()`` (through ``_otel``), so the SDK is imported only
by apps that install telemetry. The SDK allows one global tracer provider per process; the one
installed here forwards to a switchable span processor, so installing another
``VercelTelemetry`` later (tests, a changed configuration) redirects the Python spans too. Its
resource and sampler are fixed by the first install. An app that configured its own SDK
provider keeps it; ``VercelTelemetry.flush()`` flushes it with ours.
"""

from __future__ import annotations

import threading
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased, Sampler, TraceIdRatioBased

__all__ = ["install", "stop"]


class _SwitchableProcessor(SpanProcessor):
    """Forwards to a processor that a later install may replace (or to none)."""

    def __init__(self) -> None:
        self.inner: SpanProcessor | None = None

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        inner = self.inner
        if inner is not None:
            inner.on_start(span, parent_context=parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        inner = self.inner
        if inner is not None:
            inner.on_end(span)

    def shutdown(self) -> None:
        inner, self.inner = self.inner, None
        if inner is not None:
            inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        inner = self.inner
        return True if inner is None else bool(inner.force_flush(timeout_millis))


_lock = threading.Lock()
_switch: _SwitchableProcessor | None = None


def _one_line(span: ReadableSpan) -> str:
    ctx = span.get_span_context()
    ids = f"trace_id={ctx.trace_id:032x} span_id={ctx.span_id:016x}" if ctx is not None else ""
    parent = f" parent_id={span.parent.span_id:016x}" if span.parent is not None else ""
    return f"[python] span {span.name!r} {ids}{parent}\n"


def _processor(settings: dict[str, Any]) -> SpanProcessor | None:
    """Batch OTLP/HTTP export, console lines, or ``None`` (nothing exported)."""
    if settings["backend"] == "console":
        return SimpleSpanProcessor(ConsoleSpanExporter(formatter=_one_line))
    endpoint = settings["traces_endpoint"]
    if endpoint is None:
        return None
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    exporter = OTLPSpanExporter(
        endpoint=endpoint,  # the full URL: the Python exporter appends nothing to it
        headers=dict(settings["headers"]),  # explicit headers win over OTEL_EXPORTER_OTLP_HEADERS here
        timeout=settings["timeout"],
        compression=Compression.Gzip if settings["gzip"] else Compression.NoCompression,
    )
    return BatchSpanProcessor(exporter)


def _sampler(settings: dict[str, Any]) -> Sampler:
    ratio = settings["sample_ratio"]
    root: Sampler = ALWAYS_ON if ratio >= 1.0 else ALWAYS_OFF if ratio <= 0.0 else TraceIdRatioBased(ratio)
    return ParentBased(root) if settings["parent_based"] else root


def install(settings: dict[str, Any]) -> str:
    """Configures the SDK. Returns ``"installed"`` (our provider is now the global one),
    ``"switched"`` (ours was installed before; its exporter now follows ``settings``) or
    ``"kept"`` (the app installed its own SDK provider: it is left alone)."""
    global _switch
    with _lock:
        processor = _processor(settings)
        if _switch is not None:
            old, _switch.inner = _switch.inner, processor
            if old is not None:
                old.shutdown()
            return "switched"
        if isinstance(trace.get_tracer_provider(), TracerProvider):
            if processor is not None:
                processor.shutdown()
            return "kept"
        provider = TracerProvider(resource=Resource.create(settings["resource"]), sampler=_sampler(settings))
        switch = _SwitchableProcessor()
        switch.inner = processor
        provider.add_span_processor(switch)
        trace.set_tracer_provider(provider)
        _switch = switch
        return "installed"


def stop() -> None:
    """Flushes nothing: stops the exporter we installed (spans ended later are dropped)."""
    with _lock:
        if _switch is not None:
            _switch.shutdown()
