"""A FastAPI app for Vercel Functions that streams chat completions from the Vercel AI Gateway.

On Vercel every request carries its own ``x-vercel-oidc-token``; ``GatewayMiddleware`` makes it
the current request's token, so the client sends it (OIDC first, then ``AI_GATEWAY_API_KEY``),
and flushes telemetry after each response. Locally it runs under uvicorn:

    cd examples/fastapi_vercel
    AI_GATEWAY_API_KEY=... uvicorn api.index:app --reload

(``AI_GATEWAY_BASE_URL`` points it at another gateway, e.g. a ``LocalGateway``.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel

import vercel_ai_gateway as vag
from vercel_ai_gateway.fastapi import GatewayMiddleware

app = FastAPI(title="vercel-ai-gateway on Vercel")
app.add_middleware(GatewayMiddleware)

# One client per process: connections are pooled, credentials are resolved per request.
client = vag.AsyncClient()


class ChatRequest(BaseModel):
    message: str
    model: str = "openai/gpt-4.1-nano"


@app.exception_handler(vag.CredentialsError)
async def no_credentials(request: Request, exc: vag.CredentialsError) -> JSONResponse:
    return JSONResponse({"error": "The server has no credential for the AI Gateway."}, status_code=401)


@app.exception_handler(vag.APIError)
async def gateway_error(request: Request, exc: vag.APIError) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=502)


@app.get("/api/health")
async def health() -> dict[str, str]:
    return {"status": "ok", "gateway": client.base_url}


@app.get("/api/credential")
async def credential() -> dict[str, str]:
    """Which credential a gateway call made now would use (never the token itself)."""
    found = vag.resolve_auth()
    return {"method": found.method, "source": found.source}


@app.post("/api/chat")
async def chat(body: ChatRequest) -> StreamingResponse:
    """Streams the answer as plain text, token by token."""
    messages = [{"role": "user", "content": body.message}]
    # Awaited here, in the request: a missing credential or a gateway error becomes a JSON error
    # response (handlers above) rather than a broken stream.
    stream = await client.chat.completions.create(model=body.model, messages=messages, stream=True)

    async def tokens() -> AsyncIterator[str]:
        async with stream:
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content

    return StreamingResponse(tokens(), media_type="text/plain; charset=utf-8")
