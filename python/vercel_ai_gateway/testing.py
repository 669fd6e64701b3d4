"""Test helpers: :class:`LocalGateway`, an in-process fake of the Vercel AI Gateway.

>>> from vercel_ai_gateway.testing import LocalGateway
>>> with LocalGateway() as gw:                      # doctest: +SKIP
...     client = Client(base_url=gw.url, api_key=gw.api_key)
...     client.chat.completions.create(model="openai/gpt-5", messages=[...])
...     assert gw.last_request.json()["model"] == "openai/gpt-5"
"""

from __future__ import annotations

from ._core import LocalGateway, RecordedRequest

__all__ = ["LocalGateway", "RecordedRequest"]
