"""ASGI middleware for FastAPI, Starlette and any ASGI app calling the gateway.

>>> from fastapi import FastAPI                               # doctest: +SKIP
>>> from vercel_ai_gateway.fastapi import GatewayMiddleware
>>> app = FastAPI()                                           # doctest: +SKIP
>>> app.add_middleware(GatewayMiddleware)                     # doctest: +SKIP

:class:`GatewayMiddleware` does two things per request:

1. It makes the request's headers the current request headers
   (:func:`~vercel_ai_gateway.set_request_headers`) while the app handles it, streamed response
   bodies included, so the credential chain finds the per-request ``x-vercel-oidc-token`` of a
   Vercel Function, also where the Vercel runtime's own ``vercel.headers`` context is absent
   (local development under uvicorn, apps without the ``vercel`` SDK).
2. After the response (the app returned, so the last body chunk was sent) it flushes telemetry
   (the Rust core's installed ``VercelTelemetry`` and the OpenTelemetry Python SDK's provider),
   so spans survive the freeze of a serverless instance. On Vercel the flush is handed to the
   runtime's ``wait_until`` (the response is not delayed; the invocation stays alive until the
   export finishes); elsewhere it runs in a worker thread before the ASGI call returns, bounded by
   ``flush_timeout``. With nothing installed there is nothing to flush and it costs nothing.
   Export errors never reach the request.

It is pure ASGI (not ``BaseHTTPMiddleware``), so context variables set here are seen by the
endpoint, its dependencies, background tasks and streaming generators, and streaming responses
pass through untouched. Importing this module imports neither FastAPI nor Starlette.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from . import _core
from ._context import reset_request_headers, set_request_headers

__all__ = ["DEFAULT_FLUSH_TIMEOUT", "GatewayMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
WaitUntil = Callable[[Awaitable[Any]], None]

#: Seconds a flush may take (each of the Rust and Python providers).
DEFAULT_FLUSH_TIMEOUT = 2.0

_logger = logging.getLogger("vercel_ai_gateway")


def vercel_wait_until() -> WaitUntil | None:
    """The Vercel runtime's ``wait_until`` for the current invocation, or ``None`` outside one.

    The runtime (``vercel-runtime``) stores it per request with ``vercel.cache.context.set_context``
    when the ``vercel`` SDK is installed, so the module is already imported whenever a context
    can exist; nothing is imported here. ``vercel.functions.wait_until`` itself is not used: it
    silently drops the work when there is no context.
    """
    module = sys.modules.get("vercel.cache.context")
    if module is None:
        return None
    try:
        callback = module.get_context().wait_until
    except Exception:  # noqa: BLE001 - a broken optional integration must not break requests
        return None
    if callback is None or getattr(callback, "__name__", "") == "_discard_wait_until":
        return None
    return callback  # type: ignore[no-any-return]


def _python_sdk_active() -> bool:
    """Whether the app uses an OpenTelemetry SDK tracer provider (imports nothing)."""
    if "opentelemetry.trace" not in sys.modules:
        return False
    from . import _otel

    return _otel._sdk_provider() is not None


def flush_telemetry(timeout: float = DEFAULT_FLUSH_TIMEOUT) -> bool:
    """Flushes the installed telemetry (Rust core and Python SDK), each within ``timeout`` seconds.

    Blocking; ``True`` when everything was exported or nothing is installed.
    """
    ok = True
    if _python_sdk_active():
        from . import _otel

        ok = _otel.flush_python_sdk(timeout)
    return _core._flush_telemetry(timeout) and ok


class GatewayMiddleware:
    """Per-request credentials context and telemetry flushing for an ASGI app (see the module docs).

    ``flush=False`` turns flushing off (for apps that flush themselves). ``wait_until`` replaces
    the detection of Vercel's (any callable taking an awaitable). ``flush_timeout`` bounds each
    provider's flush, in seconds.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        flush: bool = True,
        flush_timeout: float = DEFAULT_FLUSH_TIMEOUT,
        wait_until: WaitUntil | None = None,
    ) -> None:
        if not flush_timeout > 0:
            raise ValueError("flush_timeout must be a positive number of seconds")
        self.app = app
        self.flush = flush
        self.flush_timeout = flush_timeout
        self.wait_until = wait_until

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        token = set_request_headers(scope.get("headers") or ())
        try:
            await self.app(scope, receive, send)
        finally:
            reset_request_headers(token)
            if self.flush:
                await self._flush_after_response()

    async def _flush_after_response(self) -> None:
        if not (_core._telemetry_installed() or _python_sdk_active()):
            return
        wait_until = self.wait_until or vercel_wait_until()
        work = self._flush_in_thread()
        if wait_until is not None:
            try:
                wait_until(work)
                return
            except Exception:
                _logger.debug("wait_until refused the telemetry flush; flushing before returning", exc_info=True)
                work.close()
                work = self._flush_in_thread()
        await work

    async def _flush_in_thread(self) -> None:
        try:
            exported = await asyncio.to_thread(flush_telemetry, self.flush_timeout)
        except Exception:
            _logger.debug("telemetry flush failed", exc_info=True)
            return
        if not exported:
            _logger.debug("telemetry flush did not export everything within %s s", self.flush_timeout)
