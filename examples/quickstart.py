"""Quickstart: which credential is used, one completion, one streamed completion.

With AI_GATEWAY_API_KEY (or a Vercel OIDC token) set, this talks to the real Vercel AI Gateway.
Without credentials it starts LocalGateway, the package's in-process fake, so it runs offline.
"""

from __future__ import annotations

import os

import vercel_ai_gateway as vag
from vercel_ai_gateway.testing import LocalGateway


def main() -> None:
    local = None
    if vag.get_vercel_auth() is None:
        local = LocalGateway()
        os.environ.update(local.env())
        print(f"No credentials found: using LocalGateway at {local.url}")

    credential = vag.resolve_auth()
    print(f"credential: {credential.method} from {credential.source}")
    print(f"gateway:    {vag.gateway_url()}")

    model = os.environ.get("QUICKSTART_MODEL", "openai/gpt-4.1-nano")
    client = vag.Client()
    messages = [{"role": "user", "content": "Say hello in five words."}]

    completion = client.chat.completions.create(model=model, messages=messages)
    print(f"completion: {completion.choices[0].message.content}")
    print(f"            id={completion.id} tokens={completion.usage.total_tokens} cost=${completion.usage.cost:.8f}")

    print("streamed:   ", end="", flush=True)
    with client.chat.completions.create(model=model, messages=messages, stream=True) as stream:
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                print(chunk.choices[0].delta.content, end="", flush=True)
            if chunk.usage:
                print(f"\n            tokens={chunk.usage.total_tokens} cost=${chunk.usage.cost:.8f}", end="")
    print()

    if local is not None:
        local.close()


if __name__ == "__main__":
    main()
