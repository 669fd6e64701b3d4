"""The exception tree, shaped like openai-python's so existing ``except`` clauses carry over.

Every exception is raised from one mapping in the Rust core (``src/python/errors.rs``); the
attributes below are filled from the gateway's error envelope and response headers, so callers
never parse messages. No message or attribute ever holds a credential.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigError",
    "ConflictError",
    "CredentialsError",
    "FailedDependencyError",
    "InternalServerError",
    "NoCredentialsError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
    "UsageError",
    "VercelAIGatewayError",
]


class VercelAIGatewayError(Exception):
    """Root of every error raised by vercel_ai_gateway."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(VercelAIGatewayError, ValueError):
    """An argument or environment variable is invalid; ``variable`` names it."""

    variable: str | None

    def __init__(self, message: str, *, variable: str | None = None) -> None:
        super().__init__(message)
        self.variable = variable


class CredentialsError(VercelAIGatewayError):
    """A credential source is broken (malformed token, unreadable file, failed refresh).

    ``sources_checked`` lists every source looked at, in order, with what was found there.
    """

    sources_checked: list[str]

    def __init__(self, message: str, *, sources_checked: list[str] | None = None) -> None:
        super().__init__(message)
        self.sources_checked = list(sources_checked or [])


class NoCredentialsError(CredentialsError):
    """No source held a credential at all."""


class UsageError(VercelAIGatewayError, RuntimeError):
    """The API was used in a way that cannot work (for example a stream iterated twice)."""


class APIError(VercelAIGatewayError):
    """Something went wrong talking to a gateway.

    ``url`` is the URL requested; ``retries_taken`` counts the retries made before this error
    was final (0 when the request was not retried).
    """

    url: str | None
    retries_taken: int

    def __init__(self, message: str, *, url: str | None = None, retries_taken: int = 0) -> None:
        super().__init__(message)
        self.url = url
        self.retries_taken = retries_taken


class APIConnectionError(APIError):
    """The connection failed or broke before a complete answer."""


class APITimeoutError(APIConnectionError):
    """A timeout elapsed."""


class APIResponseValidationError(APIError):
    """The gateway answered 2xx with a body that could not be understood."""

    status_code: int | None

    def __init__(self, message: str, *, url: str | None = None, status_code: int | None = None) -> None:
        super().__init__(message, url=url)
        self.status_code = status_code


class APIStatusError(APIError):
    """The gateway answered with an error status (or an error event inside a stream).

    ``type`` is the gateway's ``error.type`` (``rate_limit_exceeded``, ``model_not_found``, ...),
    ``code`` and ``param`` its ``error.code`` and ``error.param``; ``request_id`` comes from the
    response headers and ``generation_id`` from the body when the gateway assigned one.
    """

    status_code: int
    type: str | None
    code: str | None
    param: Any
    request_id: str | None
    generation_id: str | None
    retry_after: float | None
    body: Any

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        url: str | None = None,
        type: str | None = None,  # noqa: A002 - the gateway's field name, as in openai-python
        code: str | None = None,
        param: Any = None,
        request_id: str | None = None,
        generation_id: str | None = None,
        retry_after: float | None = None,
        retries_taken: int = 0,
        body: Any = None,
    ) -> None:
        super().__init__(message, url=url, retries_taken=retries_taken)
        self.status_code = status_code
        self.type = type
        self.code = code
        self.param = param
        self.request_id = request_id
        self.generation_id = generation_id
        self.retry_after = retry_after
        self.body = body


class BadRequestError(APIStatusError):
    """HTTP 400 (``invalid_request_error``)."""


class AuthenticationError(APIStatusError):
    """HTTP 401 (``authentication_error``): the key or OIDC token was rejected."""


class PaymentRequiredError(APIStatusError):
    """HTTP 402: a budget (``quota_for_entity_exceeded``) or the credit balance ran out."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403 (``forbidden``)."""


class NotFoundError(APIStatusError):
    """HTTP 404 (``model_not_found``, ``not_found``)."""


class ConflictError(APIStatusError):
    """HTTP 409."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422."""


class FailedDependencyError(APIStatusError):
    """HTTP 424 (``failed_dependency``): the provider behind the gateway is unavailable."""


class RateLimitError(APIStatusError):
    """HTTP 429 (``rate_limit_exceeded``)."""


class InternalServerError(APIStatusError):
    """HTTP 5xx."""
