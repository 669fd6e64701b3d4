"""The openai SDK on the Vercel AI Gateway, sending through vercel-ai-gateway's Rust core.

``openai_client()`` returns a plain ``openai.OpenAI`` whose requests go through a
``vercel_ai_gateway.Client``: credentials resolved per request (OIDC first, then the API key),
retries, timeouts, routing and telemetry; the SDK parses the answers and raises its own errors.
Works with openai 2.x and 3.x.

With AI_GATEWAY_API_KEY (or a Vercel OIDC token) set, this talks to the real gateway. Without
credentials it starts LocalGateway, the package's in-process fake, so it runs offline.
"""

from __future__ import annotations

import asyncio
import os

import openai

import vercel_ai_gateway as vag
from vercel_ai_gateway.openai import async_openai_client, openai_client
from vercel_ai_gateway.testing import LocalGateway

MODEL = os.environ.get("OPENAI_SDK_EXAMPLE_MODEL", "openai/gpt-4.1-nano")
MESSAGES: list[openai.types.chat.ChatCompletionMessageParam] = [{"role": "user", "content": "Say hello in five words."}]


def sync_calls() -> None:
    client = openai_client()
    completion = client.chat.completions.create(model=MODEL, messages=MESSAGES)
    print(f"completion: {completion.choices[0].message.content}")

    print("streamed:   ", end="", flush=True)
    with client.chat.completions.create(
        model=MODEL, messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    ) as stream:
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                print(chunk.choices[0].delta.content, end="", flush=True)
            if chunk.usage:
                print(f"\n            tokens={chunk.usage.total_tokens}", end="")
    print()

    try:
        client.chat.completions.create(model="nobody/no-such-model", messages=MESSAGES)
    except openai.NotFoundError as e:
        print(f"error:      openai.{type(e).__name__} (HTTP {e.status_code})")


async def async_calls() -> None:
    client = async_openai_client()
    completion = await client.chat.completions.create(model=MODEL, messages=MESSAGES)
    print(f"async:      {completion.choices[0].message.content}")
    await client.close()


def main() -> None:
    local = None
    if vag.get_vercel_auth() is None:
        local = LocalGateway()
        os.environ.update(local.env())
        print(f"No credentials found: using LocalGateway at {local.url}")
    print(f"openai {openai.__version__}, gateway {vag.gateway_url()}")
    sync_calls()
    asyncio.run(async_calls())
    if local is not None:
        local.close()


if __name__ == "__main__":
    main()
