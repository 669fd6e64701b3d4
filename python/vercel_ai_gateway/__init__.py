"""vercel-ai-gateway: a fast, OIDC-first client for the Vercel AI Gateway, with a Rust core.

>>> import vercel_ai_gateway as vag
>>> client = vag.Client()                                   # doctest: +SKIP
>>> client.chat.completions.create(model="openai/gpt-5", messages=[...])  # doctest: +SKIP
"""

from __future__ import annotations

from ._context import reset_request_headers, set_request_headers, use_request_headers
from ._core import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_EXPIRY_SKEW,
    DEFAULT_GATEWAY_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MODELS_TTL,
    DEFAULT_TIMEOUT,
    AsyncClient,
    AsyncStream,
    Client,
    Credential,
    Decision,
    ResponseObject,
    Router,
    Stream,
    Timeout,
    VercelTelemetry,
    __version__,
    gateway_url,
    resolve_auth,
)
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigError,
    ConflictError,
    CredentialsError,
    FailedDependencyError,
    InternalServerError,
    NoCredentialsError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    UsageError,
    VercelAIGatewayError,
)

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_EXPIRY_SKEW",
    "DEFAULT_GATEWAY_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MODELS_TTL",
    "DEFAULT_TIMEOUT",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConfigError",
    "ConflictError",
    "Credential",
    "CredentialsError",
    "Decision",
    "FailedDependencyError",
    "InternalServerError",
    "NoCredentialsError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseObject",
    "Router",
    "Stream",
    "Timeout",
    "UnprocessableEntityError",
    "UsageError",
    "VercelAIGatewayError",
    "VercelTelemetry",
    "__version__",
    "gateway_url",
    "get_vercel_auth",
    "reset_request_headers",
    "resolve_auth",
    "set_request_headers",
    "use_request_headers",
    "vercel_gateway_url",
]

#: Alias of :func:`gateway_url`, the name used by existing Vercel examples.
vercel_gateway_url = gateway_url


def get_vercel_auth(api_key: str | None = None, *, prefer: str = "oidc", dev_refresh: bool | None = None) -> str | None:
    """The token the client would send now, or ``None`` when no source holds one.

    Same order and rules as :func:`resolve_auth`; a broken source (malformed token, unreadable
    token file, failed refresh) still raises :class:`CredentialsError`.
    """
    try:
        return resolve_auth(api_key, prefer=prefer, dev_refresh=dev_refresh).token
    except NoCredentialsError:
        return None


def _configure_logging() -> None:
    import os

    level = os.environ.get("VERCEL_AI_GATEWAY_LOG")
    if level:
        import logging

        logging.getLogger("vercel_ai_gateway").setLevel(level.upper())


_configure_logging()
