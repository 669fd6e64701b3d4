"""Genkit with the Vercel AI Gateway: a flow, a tool, streaming and an embedder, through the
`VercelAIGateway` plugin (models `vercel/<creator>/<model>`).

    pip install 'vercel-ai-gateway[genkit]'
    python examples/genkit_app.py

With AI_GATEWAY_API_KEY (or a Vercel OIDC token) set, this talks to the real gateway. Without
credentials it starts LocalGateway, the package's in-process fake, so it runs offline.
"""

from __future__ import annotations

import asyncio
import os

from genkit import Genkit

import vercel_ai_gateway as vag
from vercel_ai_gateway.genkit import VercelAIGateway
from vercel_ai_gateway.testing import LocalGateway

MODEL = os.environ.get("GENKIT_MODEL", "vercel/openai/gpt-4o")
EMBEDDER = "vercel/openai/text-embedding-3-small"


async def main() -> None:
    local = None
    if vag.get_vercel_auth() is None:
        local = LocalGateway()
        os.environ.update(local.env())
        print(f"No credentials found: using LocalGateway at {local.url}")

    # Credentials and URL come from the environment and are resolved on every request, so on
    # Vercel each request's OIDC token is used (see vercel_ai_gateway.fastapi / use_request_headers).
    ai = Genkit(plugins=[VercelAIGateway()], model=MODEL)

    @ai.tool()
    async def shipping_days(country: str) -> int:
        """Days to ship an order to a country."""
        return 2 if country.lower() in {"france", "germany"} else 5

    @ai.flow()
    async def support_answer(question: str) -> str:
        reply = await ai.generate(prompt=question, tools=["shipping_days"], config={"temperature": 0.2})
        return reply.text

    print(f"reply: {await support_answer('How long does shipping to France take?')}")
    if local is not None:
        request = local.last_request
        print(f"model sent: {request.json()['model'] if request else None}")  # "openai/gpt-4o", whole

    result = ai.generate_stream(prompt="Say hello in five words.")
    print("streamed: ", end="", flush=True)
    async for chunk in result.stream:
        print(chunk.text, end="", flush=True)
    final = await result.response
    usage = final.usage
    cost = usage.custom.get("cost") if usage and usage.custom else None
    print(f"\ntokens: {usage.total_tokens if usage else None}, cost: {cost}")

    embeddings = await ai.embed(embedder=EMBEDDER, content="vercel ai gateway", options={"dimensions": 8})
    print(f"embedding: {len(embeddings[0].embedding)} floats")

    if local is not None:
        local.close()


if __name__ == "__main__":
    asyncio.run(main())
