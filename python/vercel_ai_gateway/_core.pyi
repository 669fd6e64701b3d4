"""Stubs for the native module ``vercel_ai_gateway._core`` (hand-written; checked by stubtest)."""

import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal, final

from typing_extensions import Self

__version__: str
DEFAULT_GATEWAY_URL: str
DEFAULT_TIMEOUT: float
DEFAULT_CONNECT_TIMEOUT: float
DEFAULT_MAX_RETRIES: int
DEFAULT_MODELS_TTL: float
DEFAULT_EXPIRY_SKEW: int

def gateway_url(base_url: str | None = None) -> str:
    """The gateway base URL.

    The argument, else ``AI_GATEWAY_BASE_URL``, else ``VERCEL_AI_GATEWAY_API_BASE``, else
    ``https://ai-gateway.vercel.sh/v1``. Raises ``ConfigError`` naming the variable when the value
    is not an absolute http(s) URL.
    """

def resolve_auth(
    api_key: str | None = None,
    *,
    prefer: str = "oidc",
    expiry_skew: float | None = None,
    dev_refresh: bool | None = None,
) -> Credential:
    """Resolves the credential the client would send now.

    Order with ``prefer="oidc"`` (the default): ``api_key`` argument → the current request's
    ``x-vercel-oidc-token`` header (see ``use_request_headers``) → ``VERCEL_OIDC_TOKEN`` →
    ``VERCEL_OIDC_TOKEN_FILE`` → local-development refresh through the Vercel CLI login (when
    ``dev_refresh=True`` or ``VERCEL_AI_GATEWAY_DEV_REFRESH=1``) → ``AI_GATEWAY_API_KEY`` →
    ``VERCEL_AI_GATEWAY_API_KEY``. ``prefer="api_key"`` checks the API keys before OIDC, as
    Vercel's own SDKs do. OIDC tokens expiring within ``expiry_skew`` seconds (default 60) are
    skipped with a warning on the ``vercel_ai_gateway`` logger.

    Raises ``NoCredentialsError`` when no source holds a credential and ``CredentialsError`` when
    one is broken (malformed token, unreadable file, failed refresh).
    """

@final
class Credential:
    """A resolved credential; ``repr()`` and ``str()`` never show the token."""

    @property
    def token(self) -> str:
        """The bearer token to send. Treat it as a secret."""
    @property
    def method(self) -> str:
        """``"oidc"`` or ``"api_key"``."""
    @property
    def source(self) -> str:
        """Where the token came from (``"argument"``, ``"header"``, ``"VERCEL_OIDC_TOKEN"``, ...)."""
    @property
    def expires_at(self) -> datetime | None:
        """When an OIDC token expires, as an aware UTC datetime."""
    @property
    def claims(self) -> dict[str, Any] | None:
        """The decoded claims of an OIDC token (not verified)."""

@final
class ResponseObject:
    """A read-only JSON object from a gateway answer, with attribute and key access.

    A field the gateway left out reads as ``None`` through attribute access and raises
    ``KeyError`` through ``obj["field"]``. Iterating yields the field names, except for list
    objects (``{"object": "list", "data": [...]}``, e.g. ``models.list()``), which iterate over
    and count their items like openai-python's pages.
    """

    def __getattr__(self, name: str, /) -> Any: ...
    def __getitem__(self, key: str | int, /) -> Any: ...
    def __contains__(self, key: str, /) -> bool: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Any]: ...
    def keys(self) -> list[str]:
        """The field names, in the order the gateway sent them."""
    def get(self, key: str, default: Any = None) -> Any:
        """``obj[key]`` when present, else ``default``."""
    def to_dict(self) -> Any:
        """The whole value as plain dicts and lists."""
    def model_dump(self) -> Any:
        """Same as ``to_dict()``."""
    def to_json(self) -> str:
        """The value as compact JSON text."""
    def model_dump_json(self) -> str:
        """Same as ``to_json()``."""
    @property
    def gateway(self) -> str | None:
        """The gateway that answered; ``None`` on nested objects."""
    @property
    def attempts(self) -> list[dict[str, Any]]:
        """Every attempt (``gateway``, ``model``, ``retries``, ``error``, ``status``), the successful one last."""
    @property
    def cost_usd(self) -> float | None:
        """``usage.cost``, else list price times tokens (then ``cost_estimated``); ``None`` when unknown."""
    @property
    def cost_estimated(self) -> bool | None:
        """Whether ``cost_usd`` is an estimate from the catalog's list prices."""
    @property
    def routing(self) -> str | None:
        """The routing decision, explained, when a ``Router`` decided."""

@final
class Stream:
    """A single-use iterator of chat completion chunks; closing it closes the connection."""

    def __iter__(self) -> Self: ...
    def __next__(self) -> ResponseObject: ...
    def close(self) -> None:
        """Stops reading and closes the connection. Safe to call more than once."""
    @property
    def chunks_received(self) -> int:
        """Chunks handed out so far."""
    @property
    def gateway(self) -> str:
        """The gateway that answered."""
    @property
    def attempts(self) -> list[dict[str, Any]]:
        """Every attempt (``gateway``, ``model``, ``retries``, ``error``, ``status``), the successful one last."""
    @property
    def cost_usd(self) -> float | None:
        """``usage.cost``, else list price times tokens (then ``cost_estimated``); ``None`` when unknown."""
    @property
    def cost_estimated(self) -> bool | None:
        """Whether ``cost_usd`` is an estimate from the catalog's list prices."""
    @property
    def routing(self) -> str | None:
        """The routing decision, explained, when a ``Router`` decided."""
    def __enter__(self) -> Self: ...
    def __exit__(self, *args: object) -> bool: ...

@final
class AsyncStream:
    """A single-use async iterator of chat completion chunks."""

    def __aiter__(self) -> Self: ...
    async def __anext__(self) -> ResponseObject: ...
    async def aclose(self) -> None:
        """Stops reading and closes the connection. Safe to call more than once."""
    @property
    def chunks_received(self) -> int:
        """Chunks handed out so far."""
    @property
    def gateway(self) -> str:
        """The gateway that answered."""
    @property
    def attempts(self) -> list[dict[str, Any]]:
        """Every attempt (``gateway``, ``model``, ``retries``, ``error``, ``status``), the successful one last."""
    @property
    def cost_usd(self) -> float | None:
        """``usage.cost``, else list price times tokens (then ``cost_estimated``); ``None`` when unknown."""
    @property
    def cost_estimated(self) -> bool | None:
        """Whether ``cost_usd`` is an estimate from the catalog's list prices."""
    @property
    def routing(self) -> str | None:
        """The routing decision, explained, when a ``Router`` decided."""
    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *args: object) -> bool: ...

@final
class ChatCompletions:
    def create(
        self,
        *,
        model: str,
        messages: list[dict[str, Any]],
        stream: bool = False,
        timeout: float | Timeout | None = None,
        extra_headers: dict[str, str] | None = None,
        extra_body: dict[str, Any] | None = None,
        **params: Any,
    ) -> Any:
        """Creates a chat completion (a ``ResponseObject``), or a ``Stream`` with ``stream=True``.

        Every OpenAI parameter and gateway extension (``providerOptions``, ``models``,
        ``reasoning``, ``user``, ``tools``, ...) is passed through as a keyword; ``None`` values are
        left out and ``extra_body`` wins over both. Streams ask for usage on the final chunk unless
        ``stream_options`` is given, and are returned once their first chunk arrived, so failures
        before any output are retried.
        """

@final
class Chat:
    @property
    def completions(self) -> ChatCompletions: ...

@final
class Embeddings:
    def create(
        self,
        *,
        model: str,
        input: str | list[str] | list[int] | list[list[int]],
        timeout: float | Timeout | None = None,
        extra_headers: dict[str, str] | None = None,
        extra_body: dict[str, Any] | None = None,
        **params: Any,
    ) -> ResponseObject:
        """Creates embeddings (``dimensions``, ``encoding_format``, ``providerOptions`` pass through)."""

@final
class Models:
    def list(
        self,
        *,
        refresh: bool = False,
        timeout: float | Timeout | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> ResponseObject:
        """The catalog (``{"object": "list", "data": [...]}``; iterating it yields the models).

        Cached by the client for ``models_ttl`` seconds; ``refresh=True`` fetches it again.
        """
    def retrieve(
        self, model: str, *, timeout: float | Timeout | None = None, extra_headers: dict[str, str] | None = None
    ) -> ResponseObject:
        """One model, e.g. ``"anthropic/claude-sonnet-4.5"``."""
    def endpoints(
        self, model: str, *, timeout: float | Timeout | None = None, extra_headers: dict[str, str] | None = None
    ) -> ResponseObject:
        """The providers serving ``model``, with prices, context length, uptime and latency."""

@final
class Generations:
    def retrieve(
        self, id: str, *, timeout: float | Timeout | None = None, extra_headers: dict[str, str] | None = None
    ) -> ResponseObject:
        """Cost and usage of generation ``id`` (``gen_...``), from ``GET /v1/generation``."""

@final
class Client:
    """The synchronous client. HTTP runs in Rust with the interpreter released.

    Credentials are resolved per request (see ``resolve_auth``). Retries follow openai-python:
    ``max_retries`` (default 2) on connection errors, timeouts, 408, 409, 429 and 5xx, with
    backoff from ``retry_backoff[0]`` doubling to ``retry_backoff[1]`` seconds (default ``(0.5, 8.0)``) and
    ``Retry-After`` honoured up to 60 s; never once output reached the caller. ``site_url`` and
    ``app_name`` set the ``http-referer`` and ``x-title`` attribution headers (default
    ``VERCEL_SITE_URL`` and ``VERCEL_APP_NAME``).

    ``gateway="openrouter"`` sends to OpenRouter instead (``openrouter_base_url`` or
    ``OPENROUTER_BASE_URL``, default ``https://openrouter.ai/api/v1``; key
    ``openrouter_api_key`` or ``OPENROUTER_API_KEY``). With ``router=``, chat and embeddings
    calls are routed between both gateways, failing over before any output. ``cost_lookup``
    asks ``/generation`` for the cost when an answer carries no ``usage.cost``.
    """

    def __new__(
        cls,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        prefer: str = "oidc",
        timeout: float | Timeout | None = None,
        max_retries: int = 2,
        retry_backoff: tuple[float, float] | None = None,
        default_headers: dict[str, str] | None = None,
        site_url: str | None = None,
        app_name: str | None = None,
        models_ttl: float = 300.0,
        dev_refresh: bool | None = None,
        expiry_skew: float | None = None,
        gateway: str = "vercel",
        router: Router | None = None,
        openrouter_api_key: str | None = None,
        openrouter_base_url: str | None = None,
        cost_lookup: bool = False,
    ) -> Self: ...
    def with_options(
        self,
        *,
        timeout: float | Timeout | None = None,
        max_retries: int | None = None,
        default_headers: dict[str, str] | None = None,
    ) -> Self:
        """A client with the same settings except those given (extra default headers are added)."""
    def credits(
        self, *, timeout: float | Timeout | None = None, extra_headers: dict[str, str] | None = None
    ) -> ResponseObject:
        """The team's credit balance: ``balance`` and ``total_used`` (USD decimal strings)."""
    @property
    def chat(self) -> Chat: ...
    @property
    def embeddings(self) -> Embeddings: ...
    @property
    def models(self) -> Models: ...
    @property
    def generations(self) -> Generations: ...
    def _send_raw(
        self,
        method: str,
        path: str,
        headers: list[tuple[bytes, bytes]] | list[tuple[str, str]],
        body: bytes | None = None,
        *,
        stream: bool = False,
        timeout: float | Timeout | None = None,
    ) -> RawResponse:
        """Sends a request built by another HTTP client through this client (the openai transports').

        ``path`` (with its query) is relative to ``base_url``. The client's credential replaces
        any ``authorization`` header; its retries, timeouts, routing and telemetry apply. Any
        status is an answer; transport failures raise ``APIConnectionError`` / ``APITimeoutError``.
        """
    @property
    def base_url(self) -> str:
        """The base URL of the gateway unrouted calls go to."""
    @property
    def gateway(self) -> str:
        """The gateway unrouted calls go to: ``"vercel"`` or ``"openrouter"``."""
    @property
    def timeout(self) -> Timeout: ...
    @property
    def max_retries(self) -> int: ...

@final
class AsyncChatCompletions:
    async def create(
        self,
        *,
        model: str,
        messages: list[dict[str, Any]],
        stream: bool = False,
        timeout: float | Timeout | None = None,
        extra_headers: dict[str, str] | None = None,
        extra_body: dict[str, Any] | None = None,
        **params: Any,
    ) -> Any:
        """Creates a chat completion (a ``ResponseObject``), or a ``AsyncStream`` with ``stream=True``.

        Every OpenAI parameter and gateway extension (``providerOptions``, ``models``,
        ``reasoning``, ``user``, ``tools``, ...) is passed through as a keyword; ``None`` values are
        left out and ``extra_body`` wins over both. Streams ask for usage on the final chunk unless
        ``stream_options`` is given, and are returned once their first chunk arrived, so failures
        before any output are retried.
        """

@final
class AsyncChat:
    @property
    def completions(self) -> AsyncChatCompletions: ...

@final
class AsyncEmbeddings:
    async def create(
        self,
        *,
        model: str,
        input: str | list[str] | list[int] | list[list[int]],
        timeout: float | Timeout | None = None,
        extra_headers: dict[str, str] | None = None,
        extra_body: dict[str, Any] | None = None,
        **params: Any,
    ) -> ResponseObject:
        """Creates embeddings (``dimensions``, ``encoding_format``, ``providerOptions`` pass through)."""

@final
class AsyncModels:
    async def list(
        self,
        *,
        refresh: bool = False,
        timeout: float | Timeout | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> ResponseObject:
        """The catalog (``{"object": "list", "data": [...]}``; iterating it yields the models).

        Cached by the client for ``models_ttl`` seconds; ``refresh=True`` fetches it again.
        """
    async def retrieve(
        self, model: str, *, timeout: float | Timeout | None = None, extra_headers: dict[str, str] | None = None
    ) -> ResponseObject:
        """One model, e.g. ``"anthropic/claude-sonnet-4.5"``."""
    async def endpoints(
        self, model: str, *, timeout: float | Timeout | None = None, extra_headers: dict[str, str] | None = None
    ) -> ResponseObject:
        """The providers serving ``model``, with prices, context length, uptime and latency."""

@final
class AsyncGenerations:
    async def retrieve(
        self, id: str, *, timeout: float | Timeout | None = None, extra_headers: dict[str, str] | None = None
    ) -> ResponseObject:
        """Cost and usage of generation ``id`` (``gen_...``), from ``GET /v1/generation``."""

@final
class AsyncClient:
    """The asyncio client: the same methods as ``Client``, returning awaitables.

    Credentials are resolved per request (see ``resolve_auth``). Retries follow openai-python:
    ``max_retries`` (default 2) on connection errors, timeouts, 408, 409, 429 and 5xx, with
    backoff from ``retry_backoff[0]`` doubling to ``retry_backoff[1]`` seconds (default ``(0.5, 8.0)``) and
    ``Retry-After`` honoured up to 60 s; never once output reached the caller. ``site_url`` and
    ``app_name`` set the ``http-referer`` and ``x-title`` attribution headers (default
    ``VERCEL_SITE_URL`` and ``VERCEL_APP_NAME``).

    ``gateway="openrouter"`` sends to OpenRouter instead (``openrouter_base_url`` or
    ``OPENROUTER_BASE_URL``, default ``https://openrouter.ai/api/v1``; key
    ``openrouter_api_key`` or ``OPENROUTER_API_KEY``). With ``router=``, chat and embeddings
    calls are routed between both gateways, failing over before any output. ``cost_lookup``
    asks ``/generation`` for the cost when an answer carries no ``usage.cost``.
    """

    def __new__(
        cls,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        prefer: str = "oidc",
        timeout: float | Timeout | None = None,
        max_retries: int = 2,
        retry_backoff: tuple[float, float] | None = None,
        default_headers: dict[str, str] | None = None,
        site_url: str | None = None,
        app_name: str | None = None,
        models_ttl: float = 300.0,
        dev_refresh: bool | None = None,
        expiry_skew: float | None = None,
        gateway: str = "vercel",
        router: Router | None = None,
        openrouter_api_key: str | None = None,
        openrouter_base_url: str | None = None,
        cost_lookup: bool = False,
    ) -> Self: ...
    def with_options(
        self,
        *,
        timeout: float | Timeout | None = None,
        max_retries: int | None = None,
        default_headers: dict[str, str] | None = None,
    ) -> Self:
        """A client with the same settings except those given (extra default headers are added)."""
    async def credits(
        self, *, timeout: float | Timeout | None = None, extra_headers: dict[str, str] | None = None
    ) -> ResponseObject:
        """The team's credit balance: ``balance`` and ``total_used`` (USD decimal strings)."""
    @property
    def chat(self) -> AsyncChat: ...
    @property
    def embeddings(self) -> AsyncEmbeddings: ...
    @property
    def models(self) -> AsyncModels: ...
    @property
    def generations(self) -> AsyncGenerations: ...
    async def _send_raw(
        self,
        method: str,
        path: str,
        headers: list[tuple[bytes, bytes]] | list[tuple[str, str]],
        body: bytes | None = None,
        *,
        stream: bool = False,
        timeout: float | Timeout | None = None,
    ) -> AsyncRawResponse:
        """The asyncio twin of ``Client._send_raw``."""
    @property
    def base_url(self) -> str:
        """The base URL of the gateway unrouted calls go to."""
    @property
    def gateway(self) -> str:
        """The gateway unrouted calls go to: ``"vercel"`` or ``"openrouter"``."""
    @property
    def timeout(self) -> Timeout: ...
    @property
    def max_retries(self) -> int: ...

@final
class Timeout:
    """Timeouts in seconds.

    ``connect``: opening the connection. ``first_byte``: until the response headers and, for a
    stream, its first chunk (``None``: ``total``). ``idle``: the longest silence between two
    chunks of a stream (``None``: ``total``). ``total``: a whole non-streamed attempt; for a
    stream it bounds the first chunk and each gap, not the whole stream, so long generations are
    not cut off. A plain number passed as ``timeout=`` replaces ``total`` only.
    """

    def __new__(
        cls, total: float = 600.0, *, connect: float = 10.0, first_byte: float | None = None, idle: float | None = None
    ) -> Self: ...
    @property
    def total(self) -> float: ...
    @property
    def connect(self) -> float: ...
    @property
    def first_byte(self) -> float | None: ...
    @property
    def idle(self) -> float | None: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class RecordedRequest:
    """One request LocalGateway received; ``repr()`` hides the authorization header."""

    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def query(self) -> str | None: ...
    @property
    def headers(self) -> dict[str, str]: ...
    @property
    def body(self) -> bytes: ...
    @property
    def fault(self) -> str | None:
        """The kind of fault injected into this request (``"status"``, ``"hang"``, …), or ``None``."""
    @property
    def flavor(self) -> Literal["vercel", "openrouter"]:
        """The flavour of the gateway that received it."""
    def header(self, name: str) -> str | None:
        """One header, case-insensitively."""
    def json(self) -> Any:
        """The body parsed as JSON, or ``None``."""

@final
class LocalGateway:
    """An in-process fake of the Vercel AI Gateway (or of OpenRouter) on 127.0.0.1 with an
    ephemeral port.

    ``flavor="vercel"`` (the default) serves ``/v1/chat/completions`` (plain and streamed; also at
    the OpenRouter-style ``/api/v1/chat/completions``), ``/v1/embeddings``, ``/v1/models`` and
    ``/v1/models/{creator}/{model}[/endpoints]`` from an embedded catalog (or ``catalog``, a JSON
    file), ``/v1/generation?id=`` for every generation it served, and ``/v1/credits`` (``balance``,
    default ``"100.00"``, minus what was served). It checks bearer tokens (``api_key``, generated
    when not given; OIDC JWTs that have not expired when ``accept_oidc``), records every request,
    replays recorded cassettes (:meth:`load_cassette`) and injects faults (:meth:`inject`).
    ``cli_token`` enables the fake Vercel project-token endpoint used by the dev refresh.

    ``flavor="openrouter"`` imitates OpenRouter under ``/api/v1``: ``chat/completions``,
    ``embeddings``, ``embeddings/models``, ``models`` (its embedded catalog, 364 models),
    ``models/{author}/{slug}/endpoints``, ``generation?id=`` and ``credits``, with OpenRouter's
    ``gen-<seconds>-<random>`` ids (also in ``X-Generation-Id``), top-level ``provider``,
    ``usage.cost``/``is_byok``/``cost_details``, keep-alive whitespace before JSON bodies and
    ``: OPENROUTER PROCESSING`` comments in streams, a usage chunk after the finish chunk, the
    ``{"error": {"message", "code", "metadata"}}`` envelope, and ``provider`` routing preferences.
    It takes API keys only (``accept_oidc`` is ignored; ``cli_token`` is refused).

    Either flavour also receives OTLP/HTTP telemetry (protobuf, gzip optional) on
    ``/v1/traces`` and ``/v1/metrics`` under :attr:`origin`: see :attr:`spans` and :attr:`metrics`.
    """

    def __new__(
        cls,
        *,
        flavor: Literal["vercel", "openrouter"] = "vercel",
        api_key: str | None = None,
        extra_api_keys: list[str] | None = None,
        accept_oidc: bool = True,
        catalog: str | os.PathLike[str] | None = None,
        cli_token: str | None = None,
        balance: str | float | None = None,
    ) -> Self: ...
    @property
    def url(self) -> str:
        """The OpenAI-compatible base URL: ``http://127.0.0.1:PORT/v1``, or ``…/api/v1`` for OpenRouter."""
    @property
    def flavor(self) -> Literal["vercel", "openrouter"]:
        """Which gateway it imitates."""
    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT`` (the OTLP receiver's endpoint: exporters append ``/v1/traces``)."""
    @property
    def port(self) -> int: ...
    @property
    def api_key(self) -> str:
        """The API key it accepts (generated: ``vck_local_…``, or ``sk-or-v1-…`` for OpenRouter)."""
    def env(self) -> dict[str, str]:
        """``AI_GATEWAY_BASE_URL`` and ``AI_GATEWAY_API_KEY`` pointing at this gateway, or
        ``OPENROUTER_BASE_URL`` and ``OPENROUTER_API_KEY`` for the OpenRouter flavour."""
    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (OTLP exports are not among them)."""
    @property
    def last_request(self) -> RecordedRequest | None: ...
    def clear_requests(self) -> None: ...
    def fail_next(
        self,
        status: int,
        *,
        error_type: str | None = None,
        message: str | None = None,
        retry_after: str | None = None,
        count: int = 1,
    ) -> None:
        """Makes the next ``count`` chat requests fail with ``status`` and the gateway's error envelope.

        Short for ``inject("status", status=..., headers={"retry-after": retry_after}, count=...,
        route="/v1/chat/completions")``. The OpenRouter flavour leaves ``error_type`` out of its
        envelope.
        """
    def inject(
        self,
        kind: Literal[
            "status",
            "delay",
            "hang",
            "reset_before_headers",
            "reset_after_chunks",
            "malformed_json",
            "truncated_sse",
            "error_event",
            "slow_drip",
            "in_band_error",
        ],
        *,
        count: int = 1,
        sticky: bool = False,
        model: str | None = None,
        route: str | None = None,
        status: int | None = None,
        error_type: str | None = None,
        message: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        after: int | None = None,
        delay: float | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        """Injects a fault into chat completions and embeddings (the ``/api/v1`` paths included).

        Scheduling: by default the fault answers the next ``count`` matching requests, queued
        behind faults injected earlier; with ``sticky=True`` it answers every matching request
        until :meth:`clear_faults` (queued faults are used first). ``model`` (the body's
        ``model``) and ``route`` (``"/v1/chat/completions"``, which covers its alias,
        ``"/api/v1/chat/completions"``, ``"/v1/embeddings"`` or ``"/api/v1/embeddings"``) narrow
        what matches. A fault applies after authentication, validation and model lookup;
        ``RecordedRequest.fault`` names the one a request got.

        Faults are rendered in the gateway's own envelope. Vercel: ``error_type``, ``message``
        and ``code``. OpenRouter: ``status`` (its ``error.code``), ``message`` and ``metadata``.
        A parameter the flavour's envelope has no place for raises ``ConfigError`` (``metadata``
        on Vercel; ``error_type`` and ``code`` on OpenRouter).

        Kinds, and the parameters each takes (any other raises ``ConfigError``):

        - ``"status"``: the error envelope with HTTP ``status`` (400 to 599, required); the
          other fields default from the status (OpenRouter's 502 names the provider in
          ``metadata``); ``headers`` adds response headers such as ``{"retry-after": "2"}`` or
          ``{"retry-after-ms": "150"}``.
        - ``"in_band_error"``: a failure after the gateway accepted the request, as OpenRouter
          reports it: HTTP 200 with the envelope (``status`` as its code, default 502) as the
          body, or for a stream the keep-alive and the envelope as a ``data:`` event, with no
          model output. Nothing is billed.
        - ``"delay"``: wait ``delay`` seconds (required), then answer normally.
        - ``"hang"``: never answer; the connection closes when the gateway closes.
        - ``"reset_before_headers"``: close the connection without any response.
        - ``"malformed_json"``: a 200 whose body is invalid JSON; for a stream, the data event at
          index ``after`` (default 1) is, and the others are intact.

        Stream-only kinds (they match only ``stream: true`` requests; ``after`` counts the
        ``data:`` events sent intact first, default 1: Vercel's role chunk, OpenRouter's first
        content chunk; keep-alive comments go along with the event after them):

        - ``"reset_after_chunks"``: send ``after`` events, then break the connection, so the
          client sees a transport error rather than a clean end.
        - ``"truncated_sse"``: end the body cleanly after ``after`` events, with no
          ``data: [DONE]`` and never the event carrying a ``finish_reason``.
        - ``"error_event"``: after ``after`` events, send an error event and end. Vercel:
          ``data: {"error": {"message", "type", "code"}}`` (defaults ``"internal_server_error"``,
          ``"upstream_error"``). OpenRouter: ``{"error": {"message", "code", "metadata"}}`` with
          ``status`` as the code (default 502); once output was sent it is a chunk repeating the
          stream's ``id``/``model``/``provider`` with ``finish_reason: "error"``.
        - ``"slow_drip"``: send every event, ``delay`` seconds (required) apart.
        """
    def clear_faults(self) -> None:
        """Removes every queued and sticky fault."""
    def load_cassette(self, path: str | os.PathLike[str]) -> int:
        """Loads a go-vcr (version 2) YAML cassette and returns how many interactions it holds.

        A chat request whose method, path (``/api`` prefix ignored) and JSON body match a
        recorded interaction is answered with the recording, byte for byte (status, content type,
        body). Bodies match when equal after dropping top-level ``null`` values and
        ``"stream": false``, and the request's ``stream_options`` when the recording has none and
        it is exactly ``{"include_usage": true}`` (this client's default); key order does not
        matter, any other difference does. Unmatched requests are answered as usual. Bearer
        authentication still applies; replayed generations can be looked up and are billed.
        A file that is not a version-2 cassette raises ``ConfigError`` and loads nothing.
        """
    def clear_cassettes(self) -> None:
        """Forgets every loaded interaction."""
    def reply(self, content: str, *, reasoning: str | None = None, finish_reason: str | None = None) -> None:
        """Queues the content of the next chat answer instead of the default echo."""
    @property
    def spans(self) -> list[dict[str, Any]]:
        """Spans received on ``/v1/traces``, oldest first: ``name``, ``trace_id`` (32 hex digits),
        ``span_id`` and ``parent_span_id`` (16, ``""`` for a root), ``kind`` (OTLP's number:
        1 internal, 2 server, 3 client), ``status`` (0 unset, 1 ok, 2 error), ``attributes``,
        ``resource`` (its attributes) and ``scope`` (the instrumentation scope's name).

        Empty when the package was built without its ``otel`` feature (the receiver then
        answers 404)."""
    @property
    def metrics(self) -> list[dict[str, Any]]:
        """Metrics received on ``/v1/metrics``, oldest first, one entry per metric per export:
        ``name``, ``unit`` and ``points`` (each histogram point's attributes plus its ``count``
        and ``sum``; other kinds list no points)."""
    @property
    def otlp_exports(self) -> list[dict[str, Any]]:
        """Every OTLP export received, oldest first: ``path``, ``headers`` (lower-case names),
        and its decoded ``spans`` and ``metrics``."""
    def clear_telemetry(self) -> None:
        """Forgets the received OTLP exports."""
    def close(self) -> None:
        """Stops the server. Safe to call more than once."""
    def __enter__(self) -> Self: ...
    def __exit__(self, *args: object) -> bool: ...

@final
class VercelTelemetry:
    """OpenTelemetry for gateway calls: a backend preset, GenAI spans and metrics from the Rust
    core that join the caller's Python trace, and flushing for serverless functions.

    Settings are resolved once, at construction, from the arguments and the environment (an
    argument beats ``OTEL_EXPORTER_OTLP_TRACES_*``, which beats ``OTEL_EXPORTER_OTLP_*``, which
    beats the backend's own variables such as ``HONEYCOMB_API_KEY``); a missing or contradictory
    setting raises ``ConfigError`` naming the argument or variable. ``backend=None`` reads
    ``VERCEL_AI_GATEWAY_TELEMETRY``, then detects the backend from its key variable, then from
    ``OTEL_EXPORTER_OTLP_ENDPOINT``, then ``VERCEL_OTEL_ENDPOINTS``; with none of them, nothing is
    exported. ``repr()`` never shows a key.

    Backends: ``honeycomb``, ``datadog``, ``grafana``, ``axiom``, ``newrelic``, ``langfuse``,
    ``dash0``, ``signoz``, ``otlp``, ``vercel``, ``console``, ``off``. See docs/telemetry.md.
    """

    def __new__(
        cls,
        *,
        backend: str | None = None,
        service_name: str | None = None,
        api_key: str | None = None,
        region: str | None = None,
        dataset: str | None = None,
        metrics_dataset: str | None = None,
        endpoint: str | None = None,
        traces_endpoint: str | None = None,
        metrics_endpoint: str | None = None,
        headers: dict[str, str] | None = None,
        sample_ratio: float | None = None,
        capture_content: bool = False,
        resource_attributes: dict[str, Any] | None = None,
        instance_id: str | None = None,
        public_key: str | None = None,
        llm_observability: bool | None = None,
        datadog_intake: str | None = None,
        metrics: bool | None = None,
        timeout: float | None = None,
        compression: str | None = None,
        python_sdk: bool | None = None,
    ) -> Self:
        """Resolves the settings.

        ``api_key`` is the backend's key (Honeycomb ingest key, Datadog API key, Grafana Cloud
        access-policy token, Axiom token, New Relic license key, Langfuse secret key, Dash0 auth
        token, SigNoz ingestion key). ``region`` is the region, site or zone (``"eu"``, a Datadog
        site such as ``"datadoghq.eu"`` or ``"us5"``, a Grafana zone such as
        ``"prod-eu-west-2"``, a Dash0 region such as ``"eu-west-1"``). ``endpoint`` replaces the
        preset's base URL (``/v1/traces`` and ``/v1/metrics`` are appended);
        ``traces_endpoint``/``metrics_endpoint`` are used as is. ``headers`` win over the
        preset's and the environment's. ``sample_ratio`` keeps that fraction of root traces and
        follows the parent's decision otherwise. ``capture_content=True`` records prompts and
        completions on spans (off by default). ``metrics=None`` exports metrics when the backend
        takes them. ``timeout`` bounds one export, in seconds. ``compression`` is ``"gzip"`` or
        ``"none"``. ``python_sdk``: ``None`` configures the OpenTelemetry Python SDK on
        ``install()`` when it is installed, ``True`` requires it, ``False`` leaves it alone.
        """
    @classmethod
    def from_env(
        cls, *, service_name: str | None = None, capture_content: bool = False, python_sdk: bool | None = None
    ) -> VercelTelemetry:
        """Every setting from the environment (``VERCEL_AI_GATEWAY_TELEMETRY`` or detection)."""
    def install(self) -> bool:
        """Starts exporting.

        The Rust providers become the process-wide instance every client call reports to (a
        previously installed one is shut down), and the OpenTelemetry Python SDK is configured
        with the same settings when it is installed and the app has not configured its own.
        Returns whether anything is exported.
        """
    def flush(self, timeout: float = 5.0) -> bool:
        """Exports everything buffered by both providers, waiting at most ``timeout`` seconds.

        Returns ``True`` when every export succeeded. Call it when a request ends (from
        ``vercel.functions.wait_until`` on Vercel); export errors are never raised.
        """
    def shutdown(self, timeout: float = 5.0) -> bool:
        """Flushes and stops both providers (at process exit, not per request)."""
    @property
    def backend(self) -> str:
        """The backend in use, e.g. ``"honeycomb"``, ``"console"`` or ``"off"``."""
    @property
    def endpoint(self) -> str | None:
        """The URL spans are sent to."""
    @property
    def metrics_endpoint(self) -> str | None:
        """The URL metrics are sent to, or ``None`` when metrics are not exported."""
    @property
    def header_names(self) -> list[str]:
        """Names of the headers sent with spans (values are never shown)."""
    @property
    def service_name(self) -> str:
        """``service.name``."""
    @property
    def resource_attributes(self) -> list[tuple[str, str]]:
        """Resource attributes of both providers (Vercel's environment, ``OTEL_RESOURCE_ATTRIBUTES``, overrides)."""
    @property
    def sample_ratio(self) -> float:
        """Fraction of root traces kept."""
    @property
    def capture_content(self) -> bool:
        """Whether prompts and completions are recorded."""
    @property
    def enabled(self) -> bool:
        """Whether anything is exported or printed."""
    @property
    def installed(self) -> bool:
        """Whether this object's providers are the installed ones."""
    @property
    def notes(self) -> list[str]:
        """Why something is off (no Vercel collector here, metrics not taken by the backend, …)."""

def _record_call(
    operation: str,
    model: str,
    *,
    response: Any = None,
    error_status: int | None = None,
    chunks: Any = None,
    url: str = "https://ai-gateway.vercel.sh/v1",
    gateway: str = "vercel",
    request: Any = None,
) -> str | None:
    """Records one gateway call through the client's telemetry hook (tests and demos)."""

@final
class CompletionQueue:
    """Internal: finished async calls of one event loop (see ``vercel_ai_gateway._aio``)."""

    def __new__(cls) -> Self: ...
    def fileno(self) -> int: ...
    def drain(self) -> None: ...
    def __len__(self) -> int: ...

@final
class Decision:
    """A routing decision (``Router.route``)."""

    @property
    def gateway(self) -> str:
        """Where the call goes first: ``"vercel"`` or ``"openrouter"``."""
    @property
    def model(self) -> str:
        """The model id sent to that gateway."""
    @property
    def requested(self) -> str:
        """The model id asked for."""
    @property
    def body(self) -> dict[str, Any] | None:
        """The body translated for that gateway."""
    @property
    def fallback(self) -> dict[str, Any] | None:
        """Where it fails over to before any output: ``{"gateway", "model", "body"}``."""
    @property
    def bucket(self) -> int | None:
        """The sticky bucket (0-99,999) when the share decided."""
    @property
    def pinned(self) -> bool: ...
    @property
    def reasons(self) -> list[str]:
        """Why, one sentence per step."""
    def explain(self) -> str:
        """A human-readable account of the decision."""

@final
class Router:
    """Routes calls between Vercel AI Gateway and OpenRouter.

    ``vercel_share`` (0-1, 0.001 % resolution) of eligible traffic goes to Vercel, sticky per
    (user, model): the user key is ``user=`` or the body's ``user``. ``pins`` map a model glob
    or a creator (``{"xai/*": "vercel", "anthropic": "openrouter"}``) to a gateway, outside the
    share and without failover. A model is eligible on a gateway when it has an id there
    (catalog mapping, ``overrides`` {openrouter_id: vercel_id} first) and the request's options
    can be expressed there. Breakers per gateway and per (gateway, model) move traffic away
    from a failing gateway; failover happens only before any output reached the caller.
    """

    def __new__(
        cls,
        *,
        vercel_share: float = 0.0,
        pins: dict[str, str] | None = None,
        failover: bool = True,
        salt: str = "v1",
        overrides: dict[str, str] | None = None,
        unknown_models: str = "openrouter",
        vercel_catalog: str | os.PathLike[str] | None = None,
        openrouter_catalog: str | os.PathLike[str] | None = None,
        breaker_window: float = 60.0,
        breaker_min_requests: int = 10,
        breaker_failure_rate: float = 0.5,
        breaker_consecutive_failures: int = 5,
        breaker_cooldown: float = 30.0,
    ) -> Self: ...
    def route(self, model: str, *, user: str | None = None, body: dict[str, Any] | None = None) -> Decision:
        """Decides where a call goes."""
    def configure(
        self,
        *,
        vercel_share: float | None = None,
        pins: dict[str, str] | None = None,
        failover: bool | None = None,
        salt: str | None = None,
        unknown_models: str | None = None,
    ) -> None:
        """Changes settings at run time; arguments left out keep their value."""
    @property
    def vercel_share(self) -> float: ...
    @property
    def pins(self) -> list[tuple[str, str]]: ...
    @property
    def failover(self) -> bool: ...
    def map_model(self, model: str, *, to: str = "vercel") -> dict[str, Any]:
        """The other gateway's id for ``model``, with how it was matched and why."""
    def mapping_stats(self) -> dict[str, int]:
        """Counts of the OpenRouter catalog's ids by how they map to Vercel."""
    def breakers(self) -> list[tuple[str, str]]:
        """Breakers that are not closed, with their state."""
    def reset_breakers(self) -> None: ...

@final
class RawResponse:
    """The answer to ``Client._send_raw``: status, headers and body as the gateway sent them.

    A body read whole is ``content``; an event stream (or any body when ``stream=True`` was
    asked) is streamed: iterate for its chunks of ``bytes`` or ``read()`` the rest.
    """

    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        """``(name, value)`` pairs in the order received."""
    @property
    def content(self) -> bytes | None:
        """The whole body when it was read whole; ``None`` when it is streamed."""
    @property
    def is_stream(self) -> bool: ...
    @property
    def url(self) -> str: ...
    @property
    def gateway(self) -> str:
        """The gateway that answered (``"vercel"`` or ``"openrouter"``)."""
    @property
    def attempts(self) -> list[dict[str, Any]]:
        """Every attempt of the call, the one that answered last."""
    @property
    def routing(self) -> str | None:
        """The routing decision, explained, when a ``Router`` decided."""
    def read(self) -> bytes:
        """The rest of the body."""
    def __iter__(self) -> Iterator[bytes]: ...
    def __next__(self) -> bytes: ...
    def close(self) -> None:
        """Stops reading and closes the connection."""
    def __enter__(self) -> Self: ...
    def __exit__(self, *args: object) -> bool: ...

@final
class AsyncRawResponse:
    """The answer to ``AsyncClient._send_raw``; the asyncio twin of ``RawResponse``."""

    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        """``(name, value)`` pairs in the order received."""
    @property
    def content(self) -> bytes | None:
        """The whole body when it was read whole; ``None`` when it is streamed."""
    @property
    def is_stream(self) -> bool: ...
    @property
    def url(self) -> str: ...
    @property
    def gateway(self) -> str:
        """The gateway that answered (``"vercel"`` or ``"openrouter"``)."""
    @property
    def attempts(self) -> list[dict[str, Any]]:
        """Every attempt of the call, the one that answered last."""
    @property
    def routing(self) -> str | None:
        """The routing decision, explained, when a ``Router`` decided."""
    async def aread(self) -> bytes:
        """The rest of the body."""
    def __aiter__(self) -> Self: ...
    async def __anext__(self) -> bytes: ...
    async def aclose(self) -> None:
        """Stops reading and closes the connection."""
    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *args: object) -> bool: ...

def _telemetry_installed() -> bool:
    """Whether a ``VercelTelemetry`` is installed in the Rust core."""

def _flush_telemetry(timeout: float = 2.0) -> bool:
    """Flushes the installed Rust telemetry, waiting at most ``timeout`` seconds (``True`` when none)."""
