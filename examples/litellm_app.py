"""LiteLLM with the Vercel AI Gateway, three ways:

1. LiteLLM's built-in `vercel_ai_gateway/` provider with our credentials (OIDC first) per call;
2. the `vag/` custom provider, whose calls run on this package's Rust core;
3. a LiteLLM Router with Vercel primary and OpenRouter as the fallback, and the same as a proxy
   `config.yaml`.

    pip install 'vercel-ai-gateway[litellm]'
    python examples/litellm_app.py

With AI_GATEWAY_API_KEY (or a Vercel OIDC token) set, this talks to the real gateway. Without
credentials it starts LocalGateway, the package's in-process fake, so it runs offline.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

# Keep LiteLLM from downloading its model price list at import (a remote fetch, up to 5 s).
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm
from litellm.router import Router

import vercel_ai_gateway as vag
from vercel_ai_gateway.litellm import completion_kwargs, litellm_router_kwargs, proxy_config_yaml, register
from vercel_ai_gateway.testing import LocalGateway

MODEL = os.environ.get("LITELLM_MODEL", "openai/gpt-4o")
MESSAGES: list[Any] = [{"role": "user", "content": "Say hello in five words."}]


async def main() -> None:
    local = None
    if vag.get_vercel_auth() is None:
        local = LocalGateway()
        os.environ.update(local.env())
        print(f"No credentials found: using LocalGateway at {local.url}")

    # 1. The built-in provider; call completion_kwargs() per request for a fresh token.
    answer = litellm.completion(**completion_kwargs(MODEL), messages=MESSAGES)
    print(f"built-in: {answer.choices[0].message.content}")

    # 2. Our provider: routing, failover, retries and telemetry happen in the Rust core.
    register()
    answer = litellm.completion(model=f"vag/{MODEL}", messages=MESSAGES)
    print(f"vag: {answer.choices[0].message.content} (cost ${answer._hidden_params['response_cost']})")
    stream = await litellm.acompletion(model=f"vag/{MODEL}", messages=MESSAGES, stream=True)
    text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices])
    print(f"vag streamed: {text}")

    # 3. Vercel first, OpenRouter when Vercel fails (LiteLLM's own Router and fallbacks).
    router = Router(**litellm_router_kwargs([MODEL], "vercel"), num_retries=0)
    answer = await router.acompletion(model=MODEL, messages=MESSAGES)
    print(f"router: {answer.choices[0].message.content}")
    print(f"router fallbacks: {router.fallbacks}")
    print("proxy config.yaml:")
    print(proxy_config_yaml([MODEL, "anthropic/claude-sonnet-4"], {"anthropic/claude-sonnet-4": "openrouter"}))

    if local is not None:
        local.close()


if __name__ == "__main__":
    asyncio.run(main())
