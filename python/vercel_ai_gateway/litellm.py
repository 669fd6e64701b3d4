"""LiteLLM support: fresh credentials for the built-in provider, a custom provider on our Rust
core, and Router / proxy configurations with Vercel and OpenRouter as each other's fallback.

    import litellm
    from vercel_ai_gateway.litellm import completion_kwargs, register

    # (a) LiteLLM's own `vercel_ai_gateway/` provider, with our credential (OIDC first) per call
    litellm.completion(**completion_kwargs("openai/gpt-4o"), messages=[...])

    # (b) the `vag/` provider: every call runs on our Client/AsyncClient (routing, failover,
    #     retries, telemetry), answers converted to LiteLLM's types
    register()
    litellm.completion(model="vag/openai/gpt-4o", messages=[...])

Design choices:

- **Why `vag`**: LiteLLM dispatches its built-in OpenAI-compatible providers before custom
  ones, so a custom provider named ``vercel_ai_gateway`` is silently never called. ``vag`` is
  our package's usual alias, is not a LiteLLM provider, and :func:`register` refuses any name
  that is one, so the collision cannot happen silently.
- **No second HTTP path.** The custom provider is a thin converter: requests go to our client
  unchanged (LiteLLM's ``optional_params`` are OpenAI parameters already), answers come back as
  ``ModelResponse`` / ``GenericStreamingChunk`` / ``EmbeddingResponse``, errors as LiteLLM's
  exception types chosen by HTTP status, so LiteLLM's Router retries and falls back as usual.
  The gateway's cost (``usage.cost``) becomes LiteLLM's ``response_cost``.
- **Cheap import.** Only :func:`register` (and the handler class) import ``litellm``; the
  credential and configuration helpers do not, so a CLI can generate a proxy config without
  paying LiteLLM's multi-second import.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from . import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncClient,
    Client,
    ConfigError,
    CredentialsError,
    Router,
    VercelAIGatewayError,
    gateway_url,
    resolve_auth,
)

if TYPE_CHECKING:
    from litellm.llms.custom_llm import CustomLLM

__all__ = [
    "BUILTIN_PREFIX",
    "PROVIDER",
    "completion_kwargs",
    "litellm_model_list",
    "litellm_router_kwargs",
    "proxy_config",
    "proxy_config_yaml",
    "register",
    "unregister",
]

#: The custom provider's default name: models are ``vag/<creator>/<model>``.
PROVIDER = "vag"
#: LiteLLM's built-in provider prefix for the Vercel AI Gateway.
BUILTIN_PREFIX = "vercel_ai_gateway/"
#: LiteLLM's built-in provider prefix for OpenRouter.
OPENROUTER_PREFIX = "openrouter/"


# ---- (a) the built-in `vercel_ai_gateway/` provider with fresh credentials ----


def completion_kwargs(
    model: str | None = None,
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    prefer: str = "oidc",
    site_url: str | None = None,
    app_name: str | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Keyword arguments that make LiteLLM's built-in ``vercel_ai_gateway/`` provider use our credentials.

    Call it for every request: ``api_key`` is the credential ``resolve_auth`` gives *now* (the
    request's ``x-vercel-oidc-token`` header, ``VERCEL_OIDC_TOKEN``, the token file or the CLI
    refresh, then ``AI_GATEWAY_API_KEY`` / ``VERCEL_AI_GATEWAY_API_KEY``), which LiteLLM on its
    own never reads per request. ``api_base`` is :func:`gateway_url` (``AI_GATEWAY_BASE_URL``
    too). ``extra_headers`` carries the ``http-referer`` / ``x-title`` attribution headers
    (``site_url`` / ``app_name``, default ``VERCEL_SITE_URL`` / ``VERCEL_APP_NAME``) that
    LiteLLM documents but does not send. ``model`` (``"openai/gpt-4o"`` or
    ``"vercel_ai_gateway/openai/gpt-4o"``) is added with the built-in prefix.

    Works for ``completion``, ``acompletion`` (plain and streamed), ``embedding`` and
    ``aembedding``. Raises ``NoCredentialsError`` when no source holds a credential.
    """
    import os

    kwargs: dict[str, Any] = {
        "api_key": resolve_auth(api_key, prefer=prefer).token,
        "api_base": gateway_url(base_url),
    }
    headers: dict[str, str] = {}
    site = site_url if site_url is not None else os.environ.get("VERCEL_SITE_URL")
    app = app_name if app_name is not None else os.environ.get("VERCEL_APP_NAME")
    if site:
        headers["http-referer"] = site
    if app:
        headers["x-title"] = app
    headers.update(extra_headers or {})
    if headers:
        kwargs["extra_headers"] = headers
    if model is not None:
        kwargs["model"] = model if model.startswith(BUILTIN_PREFIX) else BUILTIN_PREFIX + model
    return kwargs


# ---- (b) the custom provider on our core ----


# LiteLLM's built-in names that a custom provider must not take (checked in `register`).
def _builtin_providers() -> set[str]:
    from litellm.constants import openai_compatible_providers
    from litellm.types.utils import LlmProviders

    return {str(provider.value) for provider in LlmProviders} | set(openai_compatible_providers)


def register(
    *,
    provider: str = PROVIDER,
    client: Client | None = None,
    async_client: AsyncClient | None = None,
    **client_options: Any,
) -> CustomLLM:
    """Registers the custom LiteLLM provider ``provider`` (default ``"vag"``) and returns its handler.

    Models are then ``vag/<creator>/<model>`` in ``litellm.completion``/``acompletion`` (plain
    and ``stream=True``), ``embedding``/``aembedding``, a LiteLLM ``Router``'s ``model_list`` and
    the proxy. Calls run on ``client`` / ``async_client``; those not given are built from
    ``client_options`` (``router=``, ``api_key=``, ``base_url=``, ``max_retries=``,
    ``timeout=``, ``openrouter_api_key=``, ...: the ``Client`` constructor's keywords), with
    credentials resolved per request. An ``api_key`` / ``api_base`` passed to a LiteLLM call
    is used for that call only.

    Registering again under the same name replaces the handler. A name LiteLLM already uses
    for a built-in provider (``vercel_ai_gateway``, ``openai``, ...) raises ``ConfigError``:
    LiteLLM would silently never call it.
    """
    import litellm
    from litellm.utils import custom_llm_setup

    if provider in _builtin_providers():
        raise ConfigError(
            f"{provider!r} is a built-in LiteLLM provider, which LiteLLM dispatches before custom ones, so a "
            f"custom provider with that name would never be called; use another name such as {PROVIDER!r}.",
            variable="provider",
        )
    handler: CustomLLM = _handler_class()(client=client, async_client=async_client, provider=provider, **client_options)
    unregister(provider)
    litellm.custom_provider_map = [*litellm.custom_provider_map, {"provider": provider, "custom_handler": handler}]
    custom_llm_setup()  # type: ignore[no-untyped-call, unused-ignore]
    return handler


def unregister(provider: str = PROVIDER) -> None:
    """Removes a provider registered by :func:`register` (nothing happens when there is none)."""
    import litellm

    litellm.custom_provider_map = [item for item in litellm.custom_provider_map if item["provider"] != provider]
    for names in (litellm._custom_providers, litellm.provider_list):
        if provider in names:
            names.remove(provider)


_HANDLER_CLASS: Any = None
_PROXY_HANDLER: CustomLLM | None = None


def __getattr__(name: str) -> Any:
    """Built on first access, as they import ``litellm``: ``VercelAIGatewayLLM``, the handler class,
    and ``proxy_handler``, the instance a proxy ``config.yaml`` names in ``custom_provider_map``
    (configured from the environment)."""
    global _PROXY_HANDLER
    if name == "VercelAIGatewayLLM":
        return _handler_class()
    if name == "proxy_handler":
        if _PROXY_HANDLER is None:
            _PROXY_HANDLER = _handler_class()()
        return _PROXY_HANDLER
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _handler_class() -> Any:
    """``VercelAIGatewayLLM``, a ``litellm.CustomLLM`` subclass, built once (it imports ``litellm``)."""
    global _HANDLER_CLASS
    if _HANDLER_CLASS is None:
        _HANDLER_CLASS = _build_handler_class()
    return _HANDLER_CLASS


# Keyword arguments LiteLLM passes in `optional_params` that are not request parameters.
_NOT_PARAMS = frozenset({"stream", "extra_headers"})


def _build_handler_class() -> Any:
    from litellm.llms.custom_llm import CustomLLM

    namespace = {"__module__": __name__, "__doc__": _VercelAIGatewayHandler.__doc__}
    return type("VercelAIGatewayLLM", (_VercelAIGatewayHandler, CustomLLM), namespace)


class _VercelAIGatewayHandler:
    """LiteLLM custom provider whose calls run on ``vercel_ai_gateway``'s Rust core.

    The methods of ``VercelAIGatewayLLM``, which adds ``litellm.CustomLLM`` as its base when
    first needed (so that this module does not import LiteLLM).
    """

    def __init__(
        self,
        *,
        client: Client | None = None,
        async_client: AsyncClient | None = None,
        provider: str = PROVIDER,
        **client_options: Any,
    ) -> None:
        super().__init__()
        self.provider = provider
        self._options = client_options
        self._client = client if client is not None else Client(**client_options)
        self._async_client = async_client if async_client is not None else AsyncClient(**client_options)

    def __repr__(self) -> str:
        return f"VercelAIGatewayLLM(provider={self.provider!r}, base_url={self._client.base_url!r})"

    # -- clients --

    def _override(self, cls: type[Any], default: Any, kwargs: Mapping[str, Any]) -> Any:
        """The default client, or one built for a call that passed ``api_key`` / ``api_base``."""
        api_key, api_base = kwargs.get("api_key"), kwargs.get("api_base")
        if not api_key and not api_base:
            return default
        options = dict(self._options) or {"timeout": default.timeout, "max_retries": default.max_retries}
        options.setdefault("base_url", default.base_url)
        if api_key:
            options["api_key"] = api_key
        if api_base:
            options["base_url"] = api_base
        return cls(**options)

    # -- chat --

    def completion(self, *args: Any, **kwargs: Any) -> Any:
        client = self._override(Client, self._client, kwargs)
        model, call = _chat_call(kwargs)
        try:
            answer = client.chat.completions.create(model=model, **call)
        except VercelAIGatewayError as error:
            raise _litellm_error(error, model, self.provider) from error
        return _model_response(answer, self.provider)

    def streaming(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        client = self._override(Client, self._client, kwargs)
        model, call = _chat_call(kwargs)
        try:
            stream = client.chat.completions.create(model=model, stream=True, **call)
        except VercelAIGatewayError as error:
            raise _litellm_error(error, model, self.provider) from error
        return _generic_chunks(stream, model, self.provider)

    async def acompletion(self, *args: Any, **kwargs: Any) -> Any:
        client = self._override(AsyncClient, self._async_client, kwargs)
        model, call = _chat_call(kwargs)
        try:
            answer = await client.chat.completions.create(model=model, **call)
        except VercelAIGatewayError as error:
            raise _litellm_error(error, model, self.provider) from error
        return _model_response(answer, self.provider)

    async def astreaming(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        # LiteLLM iterates what this returns without awaiting it first, so the request starts
        # on the first iteration; failures before output are still retried and failed over
        # by our client.
        client = self._override(AsyncClient, self._async_client, kwargs)
        model, call = _chat_call(kwargs)
        try:
            stream = await client.chat.completions.create(model=model, stream=True, **call)
        except VercelAIGatewayError as error:
            raise _litellm_error(error, model, self.provider) from error
        async with stream:
            pending = _StreamState()
            try:
                async for chunk in stream:
                    for out in pending.convert(chunk):
                        yield out
            except VercelAIGatewayError as error:
                raise _litellm_error(error, model, self.provider) from error
            yield pending.final(stream.cost_usd)

    # -- embeddings --

    def embedding(self, *args: Any, **kwargs: Any) -> Any:
        client = self._override(Client, self._client, kwargs)
        model, call = _embedding_call(kwargs)
        try:
            answer = client.embeddings.create(model=model, **call)
        except VercelAIGatewayError as error:
            raise _litellm_error(error, model, self.provider) from error
        return _embedding_response(answer, kwargs.get("model_response"), self.provider)

    async def aembedding(self, *args: Any, **kwargs: Any) -> Any:
        client = self._override(AsyncClient, self._async_client, kwargs)
        model, call = _embedding_call(kwargs)
        try:
            answer = await client.embeddings.create(model=model, **call)
        except VercelAIGatewayError as error:
            raise _litellm_error(error, model, self.provider) from error
        return _embedding_response(answer, kwargs.get("model_response"), self.provider)


def _timeout(value: Any) -> float | None:
    """LiteLLM's timeout (seconds, or an ``httpx.Timeout``) as our per-call total, in seconds.

    LiteLLM passes 600 s when the caller gave no timeout (and ``litellm.request_timeout`` when
    that is set); those are dropped so the client's own ``timeout`` (default 600 s too) applies.
    """
    import litellm

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds: float | None = float(value)
    else:
        read = getattr(value, "read", None)
        seconds = float(read) if isinstance(read, (int, float)) else None
    configured = getattr(litellm, "request_timeout", None)
    return None if seconds is None or seconds in (_LITELLM_DEFAULT_TIMEOUT, configured) else seconds


_LITELLM_DEFAULT_TIMEOUT = 600.0


def _chat_call(kwargs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    params = dict(kwargs.get("optional_params") or {})
    extra_body = params.pop("extra_body", None)
    headers = dict(kwargs.get("headers") or {})
    headers.update(params.pop("extra_headers", None) or {})
    call: dict[str, Any] = {key: value for key, value in params.items() if key not in _NOT_PARAMS}
    call["messages"] = list(kwargs.get("messages") or [])
    if "user" not in call:
        # LiteLLM keeps `user` out of a custom provider's optional_params; it is our routing key.
        details = getattr(kwargs.get("logging_obj"), "model_call_details", None)
        user = details.get("user") if isinstance(details, dict) else None
        if isinstance(user, str) and user:
            call["user"] = user
    if extra_body:
        call["extra_body"] = dict(extra_body)
    if headers:
        call["extra_headers"] = {str(k): str(v) for k, v in headers.items()}
    timeout = _timeout(kwargs.get("timeout"))
    if timeout is not None:
        call["timeout"] = timeout
    return str(kwargs["model"]), call


def _embedding_call(kwargs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    params = dict(kwargs.get("optional_params") or {})
    extra_body = params.pop("extra_body", None)
    headers = params.pop("extra_headers", None)
    call: dict[str, Any] = {key: value for key, value in params.items() if key not in _NOT_PARAMS}
    call["input"] = kwargs.get("input")
    if extra_body:
        call["extra_body"] = dict(extra_body)
    if headers:
        call["extra_headers"] = {str(k): str(v) for k, v in headers.items()}
    timeout = _timeout(kwargs.get("timeout"))
    if timeout is not None:
        call["timeout"] = timeout
    return str(kwargs["model"]), call


def _hidden(answer: Any, provider: str) -> dict[str, Any]:
    hidden: dict[str, Any] = {"response_cost": answer.cost_usd}
    hidden["vercel_ai_gateway"] = {
        "gateway": answer.gateway,
        "attempts": answer.attempts,
        "routing": answer.routing,
        "cost_estimated": answer.cost_estimated,
    }
    return hidden


def _model_response(answer: Any, provider: str) -> Any:
    import litellm

    response = litellm.ModelResponse(**answer.to_dict())
    response._hidden_params.update(_hidden(answer, provider))
    return response


def _embedding_response(answer: Any, model_response: Any, provider: str) -> Any:
    import litellm

    data = answer.to_dict()
    response = model_response if model_response is not None else litellm.EmbeddingResponse()
    response.model = data.get("model")
    response.object = data.get("object", "list")
    response.data = data.get("data") or []
    usage = data.get("usage") or {}
    response.usage = litellm.Usage(
        prompt_tokens=usage.get("prompt_tokens", 0),
        completion_tokens=0,
        total_tokens=usage.get("total_tokens", usage.get("prompt_tokens", 0)),
    )
    response._hidden_params.update(_hidden(answer, provider))
    return response


class _StreamState:
    """Turns our chat chunks into LiteLLM ``GenericStreamingChunk`` dicts.

    The finish reason and the usage (which arrives on a chunk of its own, after it) are held
    back and sent together on one last chunk: LiteLLM stops reading at the first finished chunk.
    """

    def __init__(self) -> None:
        self.finish_reason: str | None = None
        self.usage: dict[str, Any] | None = None

    def convert(self, chunk: Any) -> Iterable[dict[str, Any]]:
        if chunk.usage:
            self.usage = chunk.usage.to_dict()
        for choice in chunk.choices or ():
            if choice.finish_reason:
                self.finish_reason = choice.finish_reason
            delta = choice.delta
            if delta is None:
                continue
            text = delta.content or ""
            calls = delta.tool_calls or ()
            for position, call in enumerate(calls):
                function = call.function
                yield {
                    "text": text if position == 0 else "",
                    "tool_use": {
                        "id": call.id,
                        "type": "function",
                        "function": {
                            "name": function.name if function is not None else None,
                            "arguments": (function.arguments if function is not None else None) or "",
                        },
                        "index": call.index or 0,
                    },
                    "is_finished": False,
                    "finish_reason": "",
                    "usage": None,
                    "index": choice.index or 0,
                }
            if text and not calls:
                yield {
                    "text": text,
                    "tool_use": None,
                    "is_finished": False,
                    "finish_reason": "",
                    "usage": None,
                    "index": choice.index or 0,
                }

    def final(self, cost_usd: float | None) -> dict[str, Any]:
        usage = self.usage
        if usage is not None and cost_usd is not None:
            usage = dict(usage, cost=cost_usd)
        return {
            "text": "",
            "tool_use": None,
            "is_finished": True,
            "finish_reason": self.finish_reason or "stop",
            "usage": usage,
            "index": 0,
        }


def _generic_chunks(stream: Any, model: str, provider: str) -> Iterator[dict[str, Any]]:
    with stream:
        state = _StreamState()
        try:
            for chunk in stream:
                yield from state.convert(chunk)
        except VercelAIGatewayError as error:
            raise _litellm_error(error, model, provider) from error
        yield state.final(stream.cost_usd)


def _litellm_error(error: VercelAIGatewayError, model: str, provider: str) -> Exception:
    """Our error as LiteLLM's exception type for its HTTP status (what its Router acts on)."""
    from litellm import exceptions as errors

    message = str(error)
    if isinstance(error, APITimeoutError):
        return errors.Timeout(message=message, model=model, llm_provider=provider)
    if isinstance(error, APIConnectionError):
        return errors.APIConnectionError(message=message, llm_provider=provider, model=model)
    if isinstance(error, CredentialsError):
        return errors.AuthenticationError(message=message, llm_provider=provider, model=model)
    if isinstance(error, ConfigError):
        return errors.BadRequestError(message=message, llm_provider=provider, model=model)
    status = error.status_code if isinstance(error, APIStatusError) else 500
    by_status: dict[int, Any] = {
        400: errors.BadRequestError,
        401: errors.AuthenticationError,
        403: errors.PermissionDeniedError,
        404: errors.NotFoundError,
        422: errors.UnprocessableEntityError,
        429: errors.RateLimitError,
        500: errors.InternalServerError,
        503: errors.ServiceUnavailableError,
    }
    if status == 408:
        return errors.Timeout(message=message, model=model, llm_provider=provider)
    if status in by_status:
        return by_status[status](message=message, llm_provider=provider, model=model)  # type: ignore[no-any-return]
    if status > 500:
        return errors.InternalServerError(message=message, llm_provider=provider, model=model)
    return errors.APIError(status_code=status, message=message, llm_provider=provider, model=model)


# ---- (c) Router model lists and proxy configurations ----


def _deployments(
    models: Iterable[str],
    primary: Literal["vercel", "openrouter"],
    *,
    vercel_provider: str,
    router: Router | None,
    env_keys: bool,
    vercel_params: Mapping[str, Any] | None = None,
    openrouter_params: Mapping[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, list[str]]]]:
    if primary not in ("vercel", "openrouter"):
        raise ConfigError(f"primary must be 'vercel' or 'openrouter', not {primary!r}", variable="primary")
    mapper = router if router is not None else Router()
    model_list: list[dict[str, Any]] = []
    fallbacks: list[dict[str, list[str]]] = []
    for name in models:
        vercel_id = mapper.map_model(name, to="vercel")["to"]
        openrouter_id = mapper.map_model(name, to="openrouter")["to"]
        if vercel_id is None and openrouter_id is None:
            raise ConfigError(
                f"{name!r} is in neither gateway's catalog, so no deployment can serve it", variable="models"
            )
        vercel = (
            {**_vercel_params(vercel_id, vercel_provider, env_keys), **(vercel_params or {})} if vercel_id else None
        )
        openrouter = (
            {**_openrouter_params(openrouter_id, env_keys), **(openrouter_params or {})} if openrouter_id else None
        )
        first, second = (vercel, openrouter) if primary == "vercel" else (openrouter, vercel)
        other = "openrouter" if primary == "vercel" else "vercel"
        if first is None:
            first, second, other = second, None, primary
        model_list.append({"model_name": name, "litellm_params": first})
        if second is not None:
            backup = f"{name}@{other}"
            model_list.append({"model_name": backup, "litellm_params": second})
            fallbacks.append({name: [backup]})
    return model_list, fallbacks


def _vercel_params(model_id: str, provider: str, env_keys: bool) -> dict[str, Any]:
    if provider == BUILTIN_PREFIX.rstrip("/"):
        params: dict[str, Any] = {"model": BUILTIN_PREFIX + model_id}
        if env_keys:
            params["api_key"] = "os.environ/VERCEL_AI_GATEWAY_API_KEY"
        return params
    # Our provider resolves credentials (OIDC first) and the URL itself, per request.
    return {"model": f"{provider}/{model_id}"}


def _openrouter_params(model_id: str, env_keys: bool) -> dict[str, Any]:
    params: dict[str, Any] = {"model": OPENROUTER_PREFIX + model_id}
    if env_keys:
        params["api_key"] = "os.environ/OPENROUTER_API_KEY"
    return params


def litellm_model_list(
    models: Iterable[str],
    primary: Literal["vercel", "openrouter"] = "vercel",
    *,
    vercel_provider: str = PROVIDER,
    router: Router | None = None,
    vercel_params: Mapping[str, Any] | None = None,
    openrouter_params: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """A LiteLLM ``Router`` ``model_list`` serving each model from ``primary``, with the other
    gateway as a fallback group (see :func:`litellm_router_kwargs` for the ``fallbacks``).

    Each of ``models`` (a Vercel or an OpenRouter id) is mapped to both gateways with
    ``Router().map_model`` (or ``router``'s overrides and catalogs). The group named after the
    model is served by ``primary``; ``"<model>@<other gateway>"`` by the other one. A model only
    one gateway has gets that gateway only, with no fallback. Vercel deployments use
    ``vercel_provider``: our custom provider (default ``"vag"``, :func:`register` it first;
    fresh OIDC credentials per request) or ``"vercel_ai_gateway"`` (LiteLLM's built-in one,
    static key). OpenRouter deployments use LiteLLM's ``openrouter/`` provider (key from
    ``OPENROUTER_API_KEY``). ``vercel_params`` / ``openrouter_params`` are added to every
    deployment's ``litellm_params`` of that gateway (``api_base``, ``api_key``, ``timeout``, ...).
    """
    model_list, _ = _deployments(
        models,
        primary,
        vercel_provider=vercel_provider,
        router=router,
        env_keys=False,
        vercel_params=vercel_params,
        openrouter_params=openrouter_params,
    )
    return model_list


def litellm_router_kwargs(
    models: Iterable[str],
    primary: Literal["vercel", "openrouter"] = "vercel",
    *,
    vercel_provider: str = PROVIDER,
    router: Router | None = None,
    vercel_params: Mapping[str, Any] | None = None,
    openrouter_params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``model_list`` and ``fallbacks`` for ``litellm.Router(**litellm_router_kwargs([...]))``.

    Arguments as for :func:`litellm_model_list`.
    """
    model_list, fallbacks = _deployments(
        models,
        primary,
        vercel_provider=vercel_provider,
        router=router,
        env_keys=False,
        vercel_params=vercel_params,
        openrouter_params=openrouter_params,
    )
    return {"model_list": model_list, "fallbacks": fallbacks}


def proxy_config(
    models: Iterable[str],
    primary: Literal["vercel", "openrouter"] | Mapping[str, Literal["vercel", "openrouter"]] = "vercel",
    *,
    vercel_provider: str = BUILTIN_PREFIX.rstrip("/"),
    router: Router | None = None,
    vercel_params: Mapping[str, Any] | None = None,
    openrouter_params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A LiteLLM proxy ``config.yaml`` as a dict: ``model_list``, ``router_settings.fallbacks``.

    ``primary`` is one gateway for every model, or a mapping ``{model: gateway}`` (models not
    in it default to Vercel), so Vercel-primary and OpenRouter-primary models can share one
    proxy. Keys are read by the proxy from the environment (``os.environ/...``):
    ``VERCEL_AI_GATEWAY_API_KEY`` for the built-in ``vercel_ai_gateway`` provider (the default
    here) and ``OPENROUTER_API_KEY``. With ``vercel_provider="vag"`` the config also registers
    our custom provider (``litellm_settings.custom_provider_map``), which resolves credentials
    per request, OIDC first.
    """
    models = list(models)
    per_model = dict(primary) if isinstance(primary, Mapping) else dict.fromkeys(models, primary)
    model_list: list[dict[str, Any]] = []
    fallbacks: list[dict[str, list[str]]] = []
    for name in models:
        deployments, backups = _deployments(
            [name],
            per_model.get(name, "vercel"),
            vercel_provider=vercel_provider,
            router=router,
            env_keys=True,
            vercel_params=vercel_params,
            openrouter_params=openrouter_params,
        )
        model_list.extend(deployments)
        fallbacks.extend(backups)
    config: dict[str, Any] = {"model_list": model_list, "router_settings": {"fallbacks": fallbacks}}
    if vercel_provider != BUILTIN_PREFIX.rstrip("/"):
        config["litellm_settings"] = {
            "custom_provider_map": [{"provider": vercel_provider, "custom_handler": f"{__name__}.proxy_handler"}]
        }
    return config


def proxy_config_yaml(
    models: Iterable[str],
    primary: Literal["vercel", "openrouter"] | Mapping[str, Literal["vercel", "openrouter"]] = "vercel",
    *,
    vercel_provider: str = BUILTIN_PREFIX.rstrip("/"),
    router: Router | None = None,
    vercel_params: Mapping[str, Any] | None = None,
    openrouter_params: Mapping[str, Any] | None = None,
) -> str:
    """:func:`proxy_config` as the text of a ``config.yaml`` for ``litellm --config``.

    Written without a YAML library: every scalar is a JSON string, which YAML reads as is.
    """
    config = proxy_config(
        models,
        primary,
        vercel_provider=vercel_provider,
        router=router,
        vercel_params=vercel_params,
        openrouter_params=openrouter_params,
    )
    lines = ["# LiteLLM proxy configuration generated by vercel_ai_gateway.litellm.proxy_config_yaml"]
    lines.extend(_yaml(config, 0))
    return "\n".join(lines) + "\n"


def _yaml(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(item, (Mapping, list)) and item:
                lines.append(f"{pad}{json.dumps(str(key))}:")
                lines.extend(_yaml(item, indent + 2))
            else:
                lines.append(f"{pad}{json.dumps(str(key))}: {json.dumps(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (Mapping, list)) and item:
                nested = _yaml(item, indent + 2)
                lines.append(f"{pad}- {nested[0].lstrip()}")
                lines.extend(nested[1:])
            else:
                lines.append(f"{pad}- {json.dumps(item)}")
    return lines


def __dir__() -> Sequence[str]:
    return sorted([*globals(), "VercelAIGatewayLLM", "proxy_handler"])
