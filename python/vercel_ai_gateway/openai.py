"""The openai SDK on the Vercel AI Gateway, through this package's Rust core.

>>> from vercel_ai_gateway.openai import openai_client
>>> client = openai_client()                                   # doctest: +SKIP
>>> client.chat.completions.create(model="openai/gpt-5", messages=[...])  # doctest: +SKIP

:func:`openai_client` / :func:`async_openai_client` return an ``openai.OpenAI`` /
``openai.AsyncOpenAI`` whose HTTP goes through :class:`GatewayTransport` /
:class:`AsyncGatewayTransport`: each request the SDK builds is sent by a :class:`~vercel_ai_gateway.Client`
(``Client._send_raw``), so it gets that client's credentials (OIDC first, resolved per request; the
SDK's own ``Authorization`` is replaced), retries, timeouts, routing and telemetry, and the SDK
gets the gateway's answer as is (it parses it, streams it and raises its own exceptions).
``transport=False`` keeps the SDK's own HTTP stack and only supplies a per-request ``api_key``
callable.

Works with openai 2.x (on ``httpx``) and 3.x (on ``httpx2``): the transports implement both
libraries' transport interfaces (each that is installed) and answer in the library of the
request they are given. Importing this module imports neither ``openai`` nor any HTTP library
beyond what is installed for the transports' base classes; the factories import ``openai``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

from ._core import AsyncClient, AsyncRawResponse, Client, RawResponse, Timeout, gateway_url, resolve_auth
from ._exceptions import APIConnectionError, APITimeoutError, CredentialsError, NoCredentialsError

if TYPE_CHECKING:
    import openai

# The transports subclass the base classes of each HTTP library that is installed (openai 2.x
# brings httpx, 3.x brings httpx2); a missing library is replaced by an empty class.
try:
    from httpx import AsyncBaseTransport as _HttpxAsyncTransport
    from httpx import AsyncByteStream as _HttpxAsyncStream
    from httpx import BaseTransport as _HttpxTransport
    from httpx import SyncByteStream as _HttpxSyncStream
except ImportError:  # pragma: no cover - openai 3.x alone does not need httpx

    class _HttpxTransport:  # type: ignore[no-redef]
        """Stands in for ``httpx.BaseTransport`` when httpx is not installed."""

    class _HttpxAsyncTransport:  # type: ignore[no-redef]
        """Stands in for ``httpx.AsyncBaseTransport`` when httpx is not installed."""

    class _HttpxSyncStream:  # type: ignore[no-redef]
        """Stands in for ``httpx.SyncByteStream`` when httpx is not installed."""

    class _HttpxAsyncStream:  # type: ignore[no-redef]
        """Stands in for ``httpx.AsyncByteStream`` when httpx is not installed."""


try:
    from httpx2 import AsyncBaseTransport as _Httpx2AsyncTransport
    from httpx2 import AsyncByteStream as _Httpx2AsyncStream
    from httpx2 import BaseTransport as _Httpx2Transport
    from httpx2 import SyncByteStream as _Httpx2SyncStream
except ImportError:  # pragma: no cover - openai 2.x alone does not need httpx2

    class _Httpx2Transport:  # type: ignore[no-redef]
        """Stands in for ``httpx2.BaseTransport`` when httpx2 is not installed."""

    class _Httpx2AsyncTransport:  # type: ignore[no-redef]
        """Stands in for ``httpx2.AsyncBaseTransport`` when httpx2 is not installed."""

    class _Httpx2SyncStream:  # type: ignore[no-redef]
        """Stands in for ``httpx2.SyncByteStream`` when httpx2 is not installed."""

    class _Httpx2AsyncStream:  # type: ignore[no-redef]
        """Stands in for ``httpx2.AsyncByteStream`` when httpx2 is not installed."""


__all__ = ["AsyncGatewayTransport", "GatewayTransport", "async_openai_client", "openai_client"]

#: What the SDK is given as ``api_key`` when the transport supplies credentials: the SDK insists
#: on one, and the transport replaces the ``Authorization`` header it produces.
PLACEHOLDER_API_KEY = "vercel-ai-gateway-resolves-credentials-per-request"

_LIBRARIES: dict[type, Any] = {}


def _library(request: Any) -> Any:
    """The HTTP library (``httpx`` or ``httpx2`` module) a request belongs to."""
    kind = type(request)
    lib = _LIBRARIES.get(kind)
    if lib is None:
        import sys

        lib = sys.modules[kind.__module__.split(".", 1)[0]]
        _LIBRARIES[kind] = lib
    return lib


def _credentials_response(lib: Any, request: Any, error: CredentialsError) -> Any:
    """A 401 in the gateway's error shape, so the SDK raises its own ``AuthenticationError``."""
    body = {
        "error": {
            "message": str(error),
            "type": "authentication_error",
            "code": "missing_credentials" if isinstance(error, NoCredentialsError) else "invalid_credentials",
        }
    }
    return lib.Response(
        401,
        headers=[(b"content-type", b"application/json")],
        content=json.dumps(body).encode(),
        request=request,
    )


class _Transport:
    """What both transports share: the client, the URL mapping and the timeout mapping."""

    def __init__(self, client: Client | AsyncClient) -> None:
        self._client = client
        self._base = client.base_url.rstrip("/")
        self._prefixes: dict[type, str] = {}
        self._timeouts: dict[tuple[Any, Any], Timeout] = {}

    @property
    def client(self) -> Client | AsyncClient:
        """The client requests are sent through."""
        return self._client

    def _path(self, request: Any) -> str:
        """The request's path and query relative to the client's base URL."""
        url = str(request.url)
        kind = type(request.url)
        prefix = self._prefixes.get(kind)
        if prefix is None:
            # Normalised the way the library normalises request URLs (default ports, case).
            prefix = str(kind(self._base + "/"))
            self._prefixes[kind] = prefix
        if not url.startswith(prefix):
            raise ValueError(
                f"This transport sends to {self._base}; the request is for another URL. Give the SDK "
                f"base_url={self._base!r} (openai_client() does)."
            )
        return url[len(prefix) - 1 :]

    def _timeout(self, request: Any) -> Timeout | None:
        """The SDK's per-request timeout (httpx's ``connect``/``read``) as ours: ``read`` bounds the
        wait for the answer, each gap of a stream, and a whole non-streamed attempt."""
        given = request.extensions.get("timeout")
        if not given:
            return None
        key = (given.get("connect"), given.get("read"))
        cached = self._timeouts.get(key)
        if cached is None:
            base = self._client.timeout
            connect, read = (v if isinstance(v, (int, float)) and v > 0 else None for v in key)
            cached = Timeout(
                read if read is not None else base.total,
                connect=connect if connect is not None else base.connect,
                first_byte=read if read is not None else base.first_byte,
                idle=read if read is not None else base.idle,
            )
            self._timeouts[key] = cached
        return cached


class _SyncBody(_HttpxSyncStream, _Httpx2SyncStream):
    """A streamed answer as the library's sync byte stream; errors become the library's."""

    def __init__(self, raw: RawResponse, lib: Any, request: Any) -> None:
        self._raw = raw
        self._lib = lib
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._raw
        except APITimeoutError as e:
            raise self._lib.ReadTimeout(str(e), request=self._request) from e
        except APIConnectionError as e:
            raise self._lib.ReadError(str(e), request=self._request) from e

    def close(self) -> None:
        self._raw.close()


class _AsyncBody(_HttpxAsyncStream, _Httpx2AsyncStream):
    """A streamed answer as the library's async byte stream; errors become the library's."""

    def __init__(self, raw: AsyncRawResponse, lib: Any, request: Any) -> None:
        self._raw = raw
        self._lib = lib
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._raw:
                yield chunk
        except APITimeoutError as e:
            raise self._lib.ReadTimeout(str(e), request=self._request) from e
        except APIConnectionError as e:
            raise self._lib.ReadError(str(e), request=self._request) from e

    async def aclose(self) -> None:
        await self._raw.aclose()


class GatewayTransport(_Transport, _HttpxTransport, _Httpx2Transport):
    """An ``httpx`` / ``httpx2`` sync transport that sends every request through a :class:`Client`.

    ``httpx.Client(transport=GatewayTransport())`` (or ``httpx2.Client``; with openai,
    ``openai.DefaultHttpxClient(transport=...)``) sends each request to the client's gateway with
    the client's credentials (the request's own ``Authorization`` is replaced), retries,
    timeouts (the request's ``read``/``connect`` timeouts apply), routing and telemetry. The
    request URL must be under the client's ``base_url``. A gateway error comes back as a
    response; a transport failure raises the library's ``ConnectError`` / ``ReadTimeout``; no
    usable credential answers 401 with the reason. Set the SDK's ``max_retries=0``: the client
    retries.
    """

    def __init__(self, client: Client | None = None) -> None:
        super().__init__(client if client is not None else Client())
        self._sync: Client = self._client  # type: ignore[assignment]

    def handle_request(self, request: Any) -> Any:
        """Sends ``request`` and returns the response in the request's library."""
        lib = _library(request)
        body = request.read()
        try:
            raw = self._sync._send_raw(
                request.method, self._path(request), request.headers.raw, body or None, timeout=self._timeout(request)
            )
        except CredentialsError as e:
            return _credentials_response(lib, request, e)
        except APITimeoutError as e:
            raise lib.ReadTimeout(str(e), request=request) from e
        except APIConnectionError as e:
            raise lib.ConnectError(str(e), request=request) from e
        content = raw.content
        if content is not None:
            return lib.Response(raw.status, headers=raw.headers, content=content, request=request)
        return lib.Response(raw.status, headers=raw.headers, stream=_SyncBody(raw, lib, request), request=request)

    def close(self) -> None:
        """Nothing to release: connections belong to the client's shared pool."""


class AsyncGatewayTransport(_Transport, _HttpxAsyncTransport, _Httpx2AsyncTransport):
    """The asyncio twin of :class:`GatewayTransport`, sending through an :class:`AsyncClient`."""

    def __init__(self, client: AsyncClient | None = None) -> None:
        super().__init__(client if client is not None else AsyncClient())
        self._async: AsyncClient = self._client  # type: ignore[assignment]

    async def handle_async_request(self, request: Any) -> Any:
        """Sends ``request`` and returns the response in the request's library."""
        lib = _library(request)
        body = await request.aread()
        try:
            raw = await self._async._send_raw(
                request.method, self._path(request), request.headers.raw, body or None, timeout=self._timeout(request)
            )
        except CredentialsError as e:
            return _credentials_response(lib, request, e)
        except APITimeoutError as e:
            raise lib.ReadTimeout(str(e), request=request) from e
        except APIConnectionError as e:
            raise lib.ConnectError(str(e), request=request) from e
        content = raw.content
        if content is not None:
            return lib.Response(raw.status, headers=raw.headers, content=content, request=request)
        return lib.Response(raw.status, headers=raw.headers, stream=_AsyncBody(raw, lib, request), request=request)

    async def aclose(self) -> None:
        """Nothing to release: connections belong to the client's shared pool."""


def _token_provider(api_key: str | None, prefer: str) -> Callable[[], str]:
    def token() -> str:
        return resolve_auth(api_key, prefer=prefer).token

    return token


def _async_token_provider(api_key: str | None, prefer: str) -> Callable[[], Awaitable[str]]:
    async def token() -> str:
        return resolve_auth(api_key, prefer=prefer).token

    return token


def _check_kwargs(kwargs: dict[str, Any], transport: bool) -> None:
    if transport and "http_client" in kwargs:
        raise TypeError(
            "openai_client() builds its own http_client around the gateway transport; pass transport=False "
            "to use yours (it then gets a per-request api_key), or give your client a GatewayTransport."
        )


def openai_client(
    *,
    client: Client | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    prefer: str = "oidc",
    max_retries: int | None = None,
    transport: bool = True,
    **kwargs: Any,
) -> openai.OpenAI:
    """An ``openai.OpenAI`` for the gateway, with credentials resolved per request.

    With ``transport=True`` (the default) every request goes through ``client`` (default:
    ``Client(api_key=api_key, base_url=base_url, prefer=prefer)``) via :class:`GatewayTransport`:
    its credentials, retries (``max_retries`` overrides the client's; the SDK's own are off),
    timeouts, routing and telemetry. With ``transport=False`` the SDK keeps its own HTTP stack
    and retries, with ``base_url=gateway_url(base_url)`` and an ``api_key`` callable that
    resolves the credential (OIDC first) before every request. Other keywords go to
    ``openai.OpenAI`` (``default_headers``, ``timeout``, ``organization``, …).
    """
    import openai

    _check_kwargs(kwargs, transport)
    if not transport:
        if client is not None:
            raise TypeError("client= is used by the transport; with transport=False pass api_key/base_url instead")
        if max_retries is not None:
            kwargs["max_retries"] = max_retries
        return openai.OpenAI(api_key=_token_provider(api_key, prefer), base_url=gateway_url(base_url), **kwargs)
    core = client if client is not None else Client(api_key=api_key, base_url=base_url, prefer=prefer)
    if max_retries is not None:
        core = core.with_options(max_retries=max_retries)
    http_client = openai.DefaultHttpxClient(transport=GatewayTransport(core))
    return openai.OpenAI(
        api_key=PLACEHOLDER_API_KEY, base_url=core.base_url, http_client=http_client, max_retries=0, **kwargs
    )


def async_openai_client(
    *,
    client: AsyncClient | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    prefer: str = "oidc",
    max_retries: int | None = None,
    transport: bool = True,
    **kwargs: Any,
) -> openai.AsyncOpenAI:
    """The asyncio twin of :func:`openai_client`: an ``openai.AsyncOpenAI`` sending through
    ``client`` (an :class:`AsyncClient`) via :class:`AsyncGatewayTransport`, or with
    ``transport=False`` the SDK's own stack with an async per-request ``api_key`` callable."""
    import openai

    _check_kwargs(kwargs, transport)
    if not transport:
        if client is not None:
            raise TypeError("client= is used by the transport; with transport=False pass api_key/base_url instead")
        if max_retries is not None:
            kwargs["max_retries"] = max_retries
        return openai.AsyncOpenAI(
            api_key=_async_token_provider(api_key, prefer), base_url=gateway_url(base_url), **kwargs
        )
    core = client if client is not None else AsyncClient(api_key=api_key, base_url=base_url, prefer=prefer)
    if max_retries is not None:
        core = core.with_options(max_retries=max_retries)
    http_client = openai.DefaultAsyncHttpxClient(transport=AsyncGatewayTransport(core))
    return openai.AsyncOpenAI(
        api_key=PLACEHOLDER_API_KEY, base_url=core.base_url, http_client=http_client, max_retries=0, **kwargs
    )
