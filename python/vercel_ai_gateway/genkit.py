"""Genkit plugin for the Vercel AI Gateway: ``VercelAIGateway``, namespace ``vercel``.

    from genkit import Genkit
    from vercel_ai_gateway.genkit import VercelAIGateway

    ai = Genkit(plugins=[VercelAIGateway()])
    reply = await ai.generate(model="vercel/openai/gpt-4o", prompt="Hi")  # sent as "openai/gpt-4o"

Design choices:

- **One data path.** Every model and embedder call goes through our ``AsyncClient``: credentials
  are resolved per request (OIDC first), retries, timeouts, routing (``router=``) and failover
  happen in the Rust core, and each call is a span that joins Genkit's trace (the client reads
  the current OpenTelemetry span, which is Genkit's model action while the model runs).
- **Full gateway ids.** ``vercel/<creator>/<model>`` is sent as ``<creator>/<model>``: only the
  plugin's own ``vercel/`` namespace is removed, never an ``openai/`` creator prefix (the
  ``genkit_openai`` plugin strips every ``openai/``; see :func:`token_provider` for that path).
- **Genkit <-> OpenAI mapping is ours**, small and explicit (messages, media, tools, tool
  results, structured output, reasoning, usage, finish reasons), so the plugin depends on
  ``genkit`` only, not on ``genkit-openai`` or the openai SDK.

Importing this module imports ``genkit``; importing ``vercel_ai_gateway`` does not.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

from genkit import (
    Embedding,
    EmbedRequest,
    EmbedResponse,
    FinishReason,
    GenkitError,
    Message,
    ModelRequest,
    ModelResponse,
    ModelResponseChunk,
    ModelUsage,
    Part,
    Role,
)
from genkit.embedder import EmbedderInfo, EmbedderSupports, embedder, embedder_action_metadata
from genkit.model import model, model_action_metadata
from genkit.plugin_api import Action, ActionKind, ActionMetadata, ActionRunContext, ModelConfig, Plugin, wrap_http_error
from pydantic import ConfigDict

from . import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncClient,
    ConfigError,
    CredentialsError,
    Router,
    VercelAIGatewayError,
    resolve_auth,
)

__all__ = ["NAMESPACE", "VercelAIGateway", "VercelConfig", "token_provider", "vercel_embedder", "vercel_model"]

#: The plugin's namespace: models and embedders are named ``vercel/<creator>/<model>``.
NAMESPACE = "vercel"
_PREFIX = NAMESPACE + "/"


def vercel_model(model_id: str) -> str:
    """The Genkit name of a gateway model: ``vercel_model("openai/gpt-4o") == "vercel/openai/gpt-4o"``."""
    return model_id if model_id.startswith(_PREFIX) else _PREFIX + model_id


#: Embedders are named the same way.
vercel_embedder = vercel_model


async def token_provider() -> str:
    """The credential the gateway should get now, as an async ``api_key`` callable for openai's SDK.

    For Genkit's own OpenAI-compatible plugin (``genkit_openai.OpenAI(base_url=vercel_gateway_url(),
    api_key=token_provider)``): the SDK awaits it before every request, so each request carries a
    fresh token (OIDC first, then an API key; see ``resolve_auth``). Raises
    ``NoCredentialsError`` when no source holds one.
    """
    return resolve_auth().token


class VercelConfig(ModelConfig):
    """Options for ``vercel/...`` models, on top of Genkit's common ones.

    ``version`` replaces the model id sent, ``max_output_tokens`` is sent as ``max_tokens``,
    ``stop_sequences`` as ``stop`` and ``api_key`` authenticates this request only; ``top_k`` is
    not an OpenAI parameter and is not sent. Any other key (``providerOptions``, ``reasoning``,
    ``models``, ``response_format``, ``seed``, ...) is passed to the gateway as is, like
    ``extra_body``'s entries.
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow", populate_by_name=True)

    max_tokens: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    seed: int | None = None
    user: str | None = None
    reasoning: dict[str, Any] | None = None
    providerOptions: dict[str, Any] | None = None  # the gateway's field name
    models: list[str] | None = None
    extra_body: dict[str, Any] | None = None
    extra_headers: dict[str, str] | None = None
    timeout: float | None = None


# Config keys that are not request parameters (or are renamed below).
_NOT_SENT = frozenset(
    {"version", "api_key", "top_k", "max_output_tokens", "stop_sequences", "extra_headers", "timeout"}
)
_SUPPORTS = {
    "multiturn": True,
    "systemRole": True,
    "tools": True,
    "toolChoice": True,
    "media": True,
    "output": ["text", "json"],
    "constrained": "all",
}
_FINISH_REASONS = {
    "stop": FinishReason.STOP,
    "tool_calls": FinishReason.STOP,
    "function_call": FinishReason.STOP,
    "length": FinishReason.LENGTH,
    "content_filter": FinishReason.BLOCKED,
    "error": FinishReason.OTHER,
}


class VercelAIGateway(Plugin):
    """Genkit plugin serving every gateway model as ``vercel/<creator>/<model>``.

    ``client`` is the ``AsyncClient`` to use; without one, an ``AsyncClient`` is built from
    ``router`` and ``client_options`` (``api_key``, ``base_url``, ``timeout``, ``max_retries``,
    ``openrouter_api_key``, ...; credentials and URL default to the environment, resolved per
    request). With a ``Router``, each call is routed between the Vercel AI Gateway and
    OpenRouter, failing over before any output. ``models`` and ``embedders`` (gateway ids) are
    registered eagerly; any other ``vercel/...`` name resolves on first use, and
    ``list_actions`` advertises the gateway's catalog (``client.models.list()``).
    """

    name = NAMESPACE

    def __init__(
        self,
        *,
        client: AsyncClient | None = None,
        router: Router | None = None,
        models: Sequence[str] = (),
        embedders: Sequence[str] = (),
        **client_options: Any,
    ) -> None:
        if client is not None and (router is not None or client_options):
            raise TypeError("VercelAIGateway: pass either client= or the options to build one, not both")
        self._options = dict(client_options, router=router) if router is not None else client_options
        self._client = client if client is not None else AsyncClient(**self._options)
        self._models = list(models)
        self._embedders = list(embedders)

    @property
    def client(self) -> AsyncClient:
        """The client every call goes through."""
        return self._client

    async def init(self) -> list[Action]:
        return [self._model_action(vercel_model(m)) for m in self._models] + [
            self._embedder_action(vercel_embedder(e)) for e in self._embedders
        ]

    async def resolve(self, action_type: ActionKind, name: str) -> Action | None:
        if not name.startswith(_PREFIX) or len(name) == len(_PREFIX):
            return None
        if action_type == ActionKind.MODEL:
            return self._model_action(name)
        if action_type == ActionKind.EMBEDDER:
            return self._embedder_action(name)
        return None

    async def list_actions(self) -> list[ActionMetadata]:
        """Language models and embedders of the gateway's catalog (cached by the client)."""
        try:
            catalog = await self._client.models.list()
        except VercelAIGatewayError as error:
            raise _genkit_error(error) from error
        actions: list[ActionMetadata] = []
        for entry in catalog:
            name = _PREFIX + entry.id
            label = f"Vercel AI Gateway - {entry.name or entry.id}"
            if entry.type == "language":
                tags = set(entry.tags or ())
                supports = dict(_SUPPORTS, tools="tool-use" in tags, media="vision" in tags)
                actions.append(
                    model_action_metadata(
                        name=name, info={"label": label, "supports": supports}, config_schema=VercelConfig
                    )
                )
            elif entry.type == "embedding":
                info = EmbedderInfo(label=label, supports=EmbedderSupports(input=["text"]))
                actions.append(embedder_action_metadata(name=name, info=info))
        return actions

    # ---- actions ----

    def _model_action(self, name: str) -> Action:
        wire_id = name[len(_PREFIX) :]

        async def generate(request: ModelRequest[Any], ctx: ActionRunContext) -> ModelResponse:
            return await self._generate(wire_id, request, ctx)

        return model(
            name,
            generate,
            config_schema=VercelConfig,
            metadata={"model": {"label": f"Vercel AI Gateway - {wire_id}", "supports": _SUPPORTS}},
        )

    def _embedder_action(self, name: str) -> Action:
        wire_id = name[len(_PREFIX) :]

        async def embed(request: EmbedRequest) -> EmbedResponse:
            return await self._embed(wire_id, request)

        info = EmbedderInfo(label=f"Vercel AI Gateway - {wire_id}", supports=EmbedderSupports(input=["text"]))
        return embedder(name, embed, metadata=embedder_action_metadata(name=name, info=info).metadata)

    def _client_for(self, api_key: str | None) -> AsyncClient:
        """The plugin's client, or one authenticating with a per-request ``api_key`` (config)."""
        if not api_key:
            return self._client
        base = self._options or {
            "base_url": self._client.base_url,
            "timeout": self._client.timeout,
            "max_retries": self._client.max_retries,
        }
        return AsyncClient(**dict(base, api_key=api_key))

    async def _generate(self, wire_id: str, request: ModelRequest[Any], ctx: ActionRunContext) -> ModelResponse:
        config = _config_dict(request.config)
        params, options = _request_params(wire_id, request, config)
        client = self._client_for(config.get("api_key"))
        try:
            if ctx.is_streaming:
                return await _generate_stream(client, request, params, options, ctx)
            answer = await client.chat.completions.create(**params, **options)
        except VercelAIGatewayError as error:
            raise _genkit_error(error) from error
        choices = answer.choices or []
        if not choices:
            raise GenkitError(status="INTERNAL", message=f"The gateway answered {wire_id} with no choices.")
        choice = choices[0]
        message = choice.message
        content = _response_parts(
            reasoning=message.reasoning or message.reasoning_content,
            text=message.content,
            tool_calls=[call.to_dict() for call in message.tool_calls or ()],
            wrapped=_wrapped_tools(request),
        )
        finish_reason = _FINISH_REASONS.get(choice.finish_reason or "", FinishReason.UNKNOWN)
        return ModelResponse(
            request=request,
            message=Message(role=Role.MODEL, content=content),
            finish_reason=finish_reason,
            finish_message=message.refusal or None,
            usage=_usage(answer.usage, answer.cost_usd),
            custom=_custom(answer.id, answer.model, answer.gateway, answer.cost_usd, answer.routing),
        )

    async def _embed(self, wire_id: str, request: EmbedRequest) -> EmbedResponse:
        texts = ["".join(part.text or "" for part in doc.content) for doc in request.input]
        options = dict(request.options or {})
        params: dict[str, Any] = {}
        if options.get("dimensions") is not None:
            params["dimensions"] = options.pop("dimensions")
        for key in ("encoding_format", "encodingFormat"):
            if options.get(key) is not None:
                params["encoding_format"] = options.pop(key)
        client = self._client_for(options.pop("api_key", None))
        params.update((key, value) for key, value in options.items() if value is not None)
        try:
            answer = await client.embeddings.create(model=wire_id, input=texts, **params)
        except VercelAIGatewayError as error:
            raise _genkit_error(error) from error
        return EmbedResponse(embeddings=[Embedding(embedding=list(item.embedding)) for item in answer.data])


async def _generate_stream(
    client: AsyncClient,
    request: ModelRequest[Any],
    params: dict[str, Any],
    options: dict[str, Any],
    ctx: ActionRunContext,
) -> ModelResponse:
    text: list[str] = []
    reasoning: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    finish: str | None = None
    usage: Any = None
    generation: Any = None
    response_model: Any = None
    stream = await client.chat.completions.create(**params, **options, stream=True)
    async with stream:
        async for chunk in stream:
            generation = generation or chunk.id
            response_model = response_model or chunk.model
            if chunk.usage:
                usage = chunk.usage
            for choice in chunk.choices or ():
                delta = choice.delta
                parts: list[Part] = []
                thought = (delta.reasoning or delta.reasoning_content) if delta else None
                if thought:
                    reasoning.append(thought)
                    parts.append(Part.from_reasoning(thought))
                if delta and delta.content:
                    text.append(delta.content)
                    parts.append(Part.from_text(delta.content))
                for fragment in (delta.tool_calls if delta else None) or ():
                    call = calls.setdefault(int(fragment.index or 0), {"id": None, "name": "", "arguments": ""})
                    call["id"] = call["id"] or fragment.id
                    function = fragment.function
                    if function is not None:
                        call["name"] += function.name or ""
                        call["arguments"] += function.arguments or ""
                if parts:
                    ctx.send_chunk(ModelResponseChunk(role=Role.MODEL, content=parts))
                if choice.finish_reason:
                    finish = choice.finish_reason
    tool_calls = [
        {"id": call["id"], "function": {"name": call["name"], "arguments": call["arguments"]}}
        for _, call in sorted(calls.items())
    ]
    content = _response_parts(
        reasoning="".join(reasoning), text="".join(text), tool_calls=tool_calls, wrapped=_wrapped_tools(request)
    )
    return ModelResponse(
        request=request,
        message=Message(role=Role.MODEL, content=content),
        finish_reason=_FINISH_REASONS.get(finish or "", FinishReason.UNKNOWN),
        usage=_usage(usage, stream.cost_usd),
        custom=_custom(generation, response_model, stream.gateway, stream.cost_usd, stream.routing),
    )


# ---- Genkit -> gateway ----


def _config_dict(config: object) -> dict[str, Any]:
    if config is None:
        return {}
    if isinstance(config, ModelConfig):
        dumped = config.model_dump(exclude_none=True, by_alias=False)
        dumped.update((k, v) for k, v in (config.model_extra or {}).items() if v is not None)
        return dumped
    if isinstance(config, dict):
        return {key: value for key, value in config.items() if value is not None}
    raise GenkitError(status="INVALID_ARGUMENT", message=f"config must be a mapping, got {type(config).__name__}")


_CAMEL_KEYS = {
    "maxOutputTokens": "max_output_tokens",
    "stopSequences": "stop_sequences",
    "topK": "top_k",
    "apiKey": "api_key",
}


def _request_params(
    wire_id: str, request: ModelRequest[Any], config: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The chat request (``model``, ``messages`` and parameters) and the call options."""
    config = {_CAMEL_KEYS.get(key, key): value for key, value in config.items()}
    wrapped = _wrapped_tools(request)
    params: dict[str, Any] = {
        "model": config.get("version") or wire_id,
        "messages": _messages(request.messages, wrapped),
    }
    if config.get("max_output_tokens") is not None and config.get("max_tokens") is None:
        params["max_tokens"] = int(config["max_output_tokens"])
    if config.get("stop_sequences") and config.get("stop") is None:
        params["stop"] = list(config["stop_sequences"])
    if request.tools:
        params["tools"] = [
            {
                "type": "function",
                "function": {"name": tool.name, "description": tool.description or "", "parameters": _parameters(tool)},
            }
            for tool in request.tools
        ]
    if request.tool_choice is not None and request.tools:
        params["tool_choice"] = getattr(request.tool_choice, "value", request.tool_choice)
    if request.output_format == "json" and request.output_constrained is not False:
        schema = request.output_schema
        if schema:
            name = str(schema.get("title") or "output")
            params["response_format"] = {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}
        else:
            params["response_format"] = {"type": "json_object"}
    for key, value in config.items():
        if key not in _NOT_SENT and key not in params:
            params[key] = value
    options: dict[str, Any] = {}
    if config.get("extra_headers"):
        options["extra_headers"] = dict(config["extra_headers"])
    if config.get("timeout") is not None:
        options["timeout"] = float(config["timeout"])
    return params, options


def _wrapped_tools(request: ModelRequest[Any]) -> frozenset[str]:
    """Tools whose input is not a JSON object (``async def tool(city: str)``): function
    parameters must be one, so their input travels as ``{"input": ...}``."""
    return frozenset(tool.name for tool in request.tools or () if not _is_object_schema(tool.input_schema))


def _is_object_schema(schema: object) -> bool:
    return not schema or (isinstance(schema, dict) and schema.get("type", "object") == "object")


def _parameters(tool: Any) -> dict[str, Any]:
    schema = tool.input_schema
    if not schema:
        return {"type": "object", "properties": {}}
    if _is_object_schema(schema):
        return dict(schema)
    return {"type": "object", "properties": {"input": schema}, "required": ["input"]}


def _messages(messages: Sequence[Message], wrapped: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for message in messages:
        role = _role(message.role)
        texts: list[str] = []
        blocks: list[dict[str, Any]] = []
        media = False
        tool_calls: list[dict[str, Any]] = []
        for part in message.content:
            if part.text is not None:
                texts.append(part.text)
                blocks.append({"type": "text", "text": part.text})
            elif part.media is not None:
                media = True
                blocks.append(_media_block(part.media.url, part.media.content_type))
            elif part.tool_request is not None:
                call = part.tool_request
                arguments = {"input": call.input} if call.name in wrapped else call.input
                tool_calls.append(
                    {
                        "id": call.ref or call.name,
                        "type": "function",
                        "function": {
                            "name": call.name,
                            "arguments": _json_text(arguments if arguments is not None else {}),
                        },
                    }
                )
            elif part.tool_response is not None:
                result = part.tool_response
                out.append(
                    {"role": "tool", "tool_call_id": result.ref or result.name, "content": _json_text(result.output)}
                )
            elif part.data is not None:
                texts.append(_json_text(part.data))
                blocks.append({"type": "text", "text": texts[-1]})
            # Reasoning parts are not sent back: providers reject or ignore replayed thoughts.
        if not blocks and not tool_calls:
            continue
        entry: dict[str, Any] = {"role": role}
        if media:
            entry["content"] = blocks
        elif texts or not tool_calls:
            entry["content"] = "".join(texts)
        if tool_calls:
            entry["tool_calls"] = tool_calls
            entry.setdefault("content", None)
        out.append(entry)
    return out


def _role(role: object) -> str:
    value = getattr(role, "value", role)
    return "assistant" if value == "model" else str(value)


def _media_block(url: str, content_type: str | None) -> dict[str, Any]:
    kind = content_type or (url[5:].split(";", 1)[0].split(",", 1)[0] if url.startswith("data:") else "")
    if kind and not kind.startswith("image/"):
        return {"type": "file", "file": {"file_data": url}}
    return {"type": "image_url", "image_url": {"url": url}}


def _json_text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


# ---- gateway -> Genkit ----


def _response_parts(
    *,
    reasoning: str | None,
    text: str | None,
    tool_calls: Sequence[dict[str, Any]],
    wrapped: frozenset[str] = frozenset(),
) -> list[Part]:
    parts: list[Part] = []
    if reasoning:
        parts.append(Part.from_reasoning(reasoning))
    if text:
        parts.append(Part.from_text(text))
    for call in tool_calls:
        function = call.get("function") or {}
        arguments = function.get("arguments") or ""
        try:
            tool_input: Any = json.loads(arguments) if arguments else {}
        except ValueError:
            tool_input = arguments
        name = function.get("name") or ""
        if name in wrapped and isinstance(tool_input, dict) and set(tool_input) == {"input"}:
            tool_input = tool_input["input"]
        parts.append(Part.from_tool_request(name, input=tool_input, ref=call.get("id")))
    return parts


def _usage(usage: Any, cost_usd: float | None) -> ModelUsage:
    if not usage:
        return ModelUsage(custom={"cost": cost_usd} if cost_usd is not None else None)
    details = usage.completion_tokens_details
    cached = usage.prompt_tokens_details
    return ModelUsage(
        input_tokens=usage.prompt_tokens,
        output_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens,
        thoughts_tokens=(details.reasoning_tokens or None) if details else None,
        cached_content_tokens=(cached.cached_tokens or None) if cached else None,
        custom={"cost": cost_usd} if cost_usd is not None else None,
    )


def _custom(generation: Any, model_id: Any, gateway: Any, cost_usd: float | None, routing: Any) -> dict[str, Any]:
    custom = {
        "generationId": generation,
        "model": model_id,
        "gateway": gateway,
        "costUsd": cost_usd,
        "routing": routing,
    }
    return {key: value for key, value in custom.items() if value is not None}


def _genkit_error(error: VercelAIGatewayError) -> GenkitError:
    """Our typed errors as Genkit's, classified by HTTP status so Genkit's retry skips a 400."""
    if isinstance(error, APIStatusError) and error.status_code >= 400:
        return wrap_http_error(error, status_code=error.status_code, message=str(error))
    if isinstance(error, APITimeoutError):
        return GenkitError(status="DEADLINE_EXCEEDED", message=str(error), cause=error)
    if isinstance(error, APIConnectionError):
        return GenkitError(status="UNAVAILABLE", message=str(error), cause=error)
    if isinstance(error, ConfigError):
        return GenkitError(status="INVALID_ARGUMENT", message=str(error), cause=error)
    if isinstance(error, CredentialsError):
        return GenkitError(status="UNAUTHENTICATED", message=str(error), cause=error)
    return GenkitError(status="INTERNAL", message=str(error), cause=error)
