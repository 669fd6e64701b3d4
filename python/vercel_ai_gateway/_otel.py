"""The Python side of ``VercelTelemetry``: the current span's ``traceparent``, and the
OpenTelemetry Python SDK configured with the same settings as the Rust exporter.

Importing this module imports nothing from ``opentelemetry``; :func:`current_traceparent` only
looks at ``sys.modules``, so it costs a dictionary lookup while the app does not use
OpenTelemetry. The SDK is imported by :func:`install_python_sdk`, i.e. by
``VercelTelemetry.install()``.

The SDK itself is configured by ``_otel_sdk`` (which imports it at the top, so it is imported
only from :func:`install_python_sdk`).
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["current_traceparent", "flush_python_sdk", "install_python_sdk", "shutdown_python_sdk"]


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the current OpenTelemetry span, or ``None``.

    ``None`` when ``opentelemetry`` has not been imported (nothing is imported here), when no
    span is current, or when its context is invalid.
    """
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return None
    try:
        ctx = trace.get_current_span().get_span_context()
        if not ctx.is_valid:
            return None
        return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags) & 0xFF:02x}"
    except Exception:  # noqa: BLE001 - a broken optional integration must not break requests
        return None


def install_python_sdk(settings: dict[str, Any], required: bool | None) -> str:
    """Configures the OpenTelemetry Python SDK like the Rust exporter (see ``_otel_sdk.install``).

    Returns ``"unavailable"`` when the SDK is not installed; ``required=True`` raises
    ``ConfigError`` then.
    """
    try:
        from . import _otel_sdk
    except ImportError:
        if required:
            from ._exceptions import ConfigError

            raise ConfigError(
                "python_sdk=True needs the OpenTelemetry Python SDK: pip install 'vercel-ai-gateway[otel]'.",
                variable="python_sdk",
            ) from None
        return "unavailable"
    return _otel_sdk.install(settings)


def _sdk_provider() -> Any:
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return None
    provider = trace.get_tracer_provider()
    return provider if hasattr(provider, "force_flush") else None


def flush_python_sdk(timeout: float) -> bool:
    """Flushes the global SDK tracer provider (ours or the app's); ``True`` when there is none."""
    provider = _sdk_provider()
    if provider is None:
        return True
    try:
        return bool(provider.force_flush(int(timeout * 1000)))
    except Exception:  # noqa: BLE001 - export failures are reported as False, never raised
        return False


def shutdown_python_sdk(timeout: float) -> bool:
    """Flushes, then stops the exporter we installed (the app's own provider is only flushed)."""
    ok = flush_python_sdk(timeout)
    sdk = sys.modules.get("vercel_ai_gateway._otel_sdk")
    if sdk is not None:
        sdk.stop()
    return ok
