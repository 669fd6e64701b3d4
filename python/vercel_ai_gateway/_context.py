"""The current request's headers, for the per-request OIDC token.

On Vercel each request brings its own ``x-vercel-oidc-token`` header. Apps hand the request's
headers to :func:`use_request_headers` (our FastAPI middleware does it for them); when the
``vercel`` SDK is installed, the Vercel Python runtime's own ``vercel.headers`` context is read
too, so nothing needs setting there. The store is a :class:`contextvars.ContextVar`, so each
thread and each asyncio task sees only its own request.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

__all__ = ["current_oidc_header", "reset_request_headers", "set_request_headers", "use_request_headers"]

HeadersLike = Mapping[str, Any] | Iterable[tuple[Any, Any]]

_HEADER = "x-vercel-oidc-token"
_HEADER_BYTES = b"x-vercel-oidc-token"

_request_headers: contextvars.ContextVar[HeadersLike | None] = contextvars.ContextVar(
    "vercel_ai_gateway_request_headers", default=None
)

# None: not looked up yet; False: the vercel SDK is not installed.
_vercel_get_headers: Callable[[], Any] | bool | None = None


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def _lookup(headers: Any) -> str | None:
    """Finds the OIDC header in a mapping (any case) or in ASGI-style ``(name, value)`` pairs."""
    if isinstance(headers, Mapping):
        value = headers.get(_HEADER)
        if value is not None:
            return _text(value)
        for name, value in headers.items():
            if isinstance(name, (str, bytes)) and (_text(name) or "").lower() == _HEADER:
                return _text(value)
        return None
    try:
        for name, value in headers:
            if isinstance(name, bytes) and name.lower() == _HEADER_BYTES:
                return _text(value)
            if isinstance(name, str) and name.lower() == _HEADER:
                return _text(value)
    except (TypeError, ValueError):
        return None
    return None


def _vercel_headers() -> Any:
    global _vercel_get_headers
    if _vercel_get_headers is None:
        try:
            from vercel.headers import get_headers  # type: ignore[import-not-found, import-untyped, unused-ignore]
        except ImportError:
            _vercel_get_headers = False
        else:
            _vercel_get_headers = get_headers
    if not callable(_vercel_get_headers):
        return None
    try:
        return _vercel_get_headers()
    except Exception:  # noqa: BLE001 - a broken optional integration must not break requests
        return None


def current_oidc_header() -> str | None:
    """The ``x-vercel-oidc-token`` header of the current request, or ``None``.

    Our own context (:func:`use_request_headers`) wins; then the ``vercel.headers`` context the
    Vercel Python runtime sets when the ``vercel`` SDK is installed.
    """
    headers = _request_headers.get()
    if headers is not None:
        token = _lookup(headers)
        if token is not None:
            return token
    ambient = _vercel_headers()
    if ambient is not None:
        return _lookup(ambient)
    return None


def set_request_headers(headers: HeadersLike | None) -> contextvars.Token[HeadersLike | None]:
    """Makes ``headers`` the current request's headers until :func:`reset_request_headers`."""
    return _request_headers.set(headers)


def reset_request_headers(token: contextvars.Token[HeadersLike | None]) -> None:
    """Restores what :func:`set_request_headers` replaced."""
    _request_headers.reset(token)


@contextmanager
def use_request_headers(headers: HeadersLike | None) -> Iterator[None]:
    """Within this block, credentials come from these request headers first.

    ``headers`` may be any mapping (``dict``, Starlette ``Headers``) or ASGI-style ``(name,
    value)`` pairs of ``str`` or ``bytes``. Only ``x-vercel-oidc-token`` is read.

    >>> with use_request_headers(request.headers):  # doctest: +SKIP
    ...     client.chat.completions.create(...)
    """
    token = _request_headers.set(headers)
    try:
        yield
    finally:
        _request_headers.reset(token)
