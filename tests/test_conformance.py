"""Conformance: the client parses real Vercel AI Gateway answers exactly as they were recorded.

Every cassette in ``tests/fixtures/recorded/vercel`` (go-vcr YAML recorded against the real
gateway; see the README there) is loaded into a LocalGateway; each recorded request is rebuilt
into a ``chat.completions.create(...)`` call with the sync and the async client, and what the
client returns is compared with the recorded answer. The expectations come from reading the
cassette here, with a small reader of its own (single-quoted one-line scalars and ``|+`` block
scalars, the two forms these files use), never from the code under test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import vercel_ai_gateway as vag
from vercel_ai_gateway.testing import LocalGateway

CASSETTES = sorted((Path(__file__).parent / "fixtures" / "recorded" / "vercel").glob("*.yaml"))


@dataclass
class Interaction:
    request: dict[str, Any]
    response_body: str
    status: int
    content_type: str


def read_cassette(path: Path) -> list[Interaction]:
    """The interactions of a go-vcr cassette, read line by line."""
    interactions: list[Interaction] = []
    section = ""
    bodies: dict[str, str] = {}
    status = 0
    content_type = ""
    lines = path.read_text(encoding="utf-8").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.startswith("- id: "):
            bodies, status, content_type = {}, 0, ""
        elif line in ("  request:", "  response:"):
            section = line.strip().rstrip(":")
        elif line.startswith("    body: '") and line.endswith("'"):
            bodies[section] = line[len("    body: '") : -1].replace("''", "'")
        elif line == "    body: |+":
            block: list[str] = []
            while index < len(lines) and (lines[index] == "" or lines[index].startswith("      ")):
                block.append(lines[index][6:])
                index += 1
            bodies[section] = "".join(piece + "\n" for piece in block)
        elif section == "response" and line.startswith("      - ") and lines[index - 2] == "      Content-Type:":
            content_type = line[len("      - ") :]
        elif section == "response" and line.startswith("    code: "):
            status = int(line[len("    code: ") :])
            interactions.append(Interaction(json.loads(bodies["request"]), bodies["response"], status, content_type))
    return interactions


def sse_chunks(body: str) -> list[dict[str, Any]]:
    """The JSON chunks of a recorded SSE body, up to ``[DONE]``."""
    chunks = []
    for event in body.split("\n\n"):
        data = [line[len("data:") :].strip() for line in event.split("\n") if line.startswith("data:")]
        if not data:
            continue
        payload = "\n".join(data)
        if payload == "[DONE]":
            break
        chunks.append(json.loads(payload))
    return chunks


@dataclass
class Summary:
    """What a completion says, gathered the same way from a recording and from the client."""

    generation_id: str | None = None
    content: str = ""
    reasoning: str = ""
    reasoning_details: list[Any] = field(default_factory=list)
    tool_calls: dict[int, dict[str, str]] = field(default_factory=dict)
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None


def summarise_message(body: dict[str, Any]) -> Summary:
    choice = body["choices"][0]
    message = choice["message"]
    return Summary(
        generation_id=body.get("generationId", body["id"]),
        content=message.get("content") or "",
        reasoning=message.get("reasoning") or "",
        reasoning_details=message.get("reasoning_details") or [],
        tool_calls={
            index: {"id": call["id"], "name": call["function"]["name"], "arguments": call["function"]["arguments"]}
            for index, call in enumerate(message.get("tool_calls") or [])
        },
        finish_reason=choice["finish_reason"],
        usage=body.get("usage"),
    )


def summarise_chunks(chunks: list[dict[str, Any]]) -> Summary:
    summary = Summary(generation_id=chunks[0]["id"])
    for chunk in chunks:
        if chunk.get("usage"):
            summary.usage = chunk["usage"]
        if "generationId" in chunk:
            assert chunk["generationId"] == summary.generation_id
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            summary.content += delta.get("content") or ""
            summary.reasoning += delta.get("reasoning") or ""
            summary.reasoning_details += delta.get("reasoning_details") or []
            for call in delta.get("tool_calls") or []:
                entry = summary.tool_calls.setdefault(call["index"], {"id": "", "name": "", "arguments": ""})
                entry["id"] += call.get("id") or ""
                function = call.get("function") or {}
                entry["name"] += function.get("name") or ""
                entry["arguments"] += function.get("arguments") or ""
            if choice.get("finish_reason"):
                summary.finish_reason = choice["finish_reason"]
    return summary


def call_arguments(request: dict[str, Any]) -> dict[str, Any]:
    """The recorded body as ``create()`` keywords: model, messages, stream, and every other field
    (tools, tool_choice, max_tokens, stream_options, reasoning, ...) passed through as is."""
    arguments: dict[str, Any] = {"model": request["model"], "messages": request["messages"]}
    if request.get("stream"):
        arguments["stream"] = True
    arguments.update({key: value for key, value in request.items() if key not in ("model", "messages", "stream")})
    return arguments


def check(summary: Summary, expected: Summary) -> None:
    assert summary.generation_id == expected.generation_id
    assert summary.generation_id is not None and summary.generation_id.startswith("gen_")
    assert summary.content == expected.content
    assert summary.reasoning == expected.reasoning
    assert summary.reasoning_details == expected.reasoning_details
    assert summary.tool_calls == expected.tool_calls
    assert summary.finish_reason == expected.finish_reason
    assert summary.usage is not None and expected.usage is not None
    for key in ("prompt_tokens", "completion_tokens", "total_tokens", "cost"):
        assert summary.usage[key] == expected.usage[key], key
    assert summary.usage["completion_tokens_details"] == expected.usage.get("completion_tokens_details")


def expectations(interaction: Interaction) -> tuple[Summary, list[dict[str, Any]]]:
    """The summary of a recorded answer, and its raw JSON chunks (one body for a plain answer)."""
    assert interaction.status == 200
    if interaction.content_type == "text/event-stream":
        chunks = sse_chunks(interaction.response_body)
        return summarise_chunks(chunks), chunks
    body = json.loads(interaction.response_body)
    return summarise_message(body), [body]


def test_the_reader_finds_every_interaction() -> None:
    assert len(CASSETTES) == 14
    counts = {path.name: len(read_cassette(path)) for path in CASSETTES}
    assert all(count == (1 if "simple" in name else 2) for name, count in counts.items()), counts
    streamed = [i for path in CASSETTES for i in read_cassette(path) if i.request.get("stream")]
    assert streamed and all(i.content_type == "text/event-stream" for i in streamed)
    assert all(i.response_body.endswith("data: [DONE]\n\n") for i in streamed)


def test_the_recordings_cover_tools_reasoning_and_cost() -> None:
    summaries = [expectations(i)[0] for path in CASSETTES for i in read_cassette(path)]
    assert len(summaries) == 24
    assert all(s.usage is not None and s.usage["cost"] > 0 for s in summaries)
    with_tools = [s for s in summaries if s.tool_calls]
    assert len(with_tools) >= 8 and all(call["arguments"] for s in with_tools for call in s.tool_calls.values())
    assert any(len(s.tool_calls) == 2 for s in with_tools)
    assert any(s.reasoning for s in summaries), "the thinking cassettes carry reasoning text"
    assert any(s.reasoning_details for s in summaries)


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda path: path.stem)
def test_sync_client_reads_the_recording(cassette: Path) -> None:
    interactions = read_cassette(cassette)
    with LocalGateway() as gw:
        assert gw.load_cassette(cassette) == len(interactions)
        client = vag.Client(base_url=gw.url, api_key=gw.api_key)
        for interaction in interactions:
            expected, raw = expectations(interaction)
            if interaction.request.get("stream"):
                with client.chat.completions.create(**call_arguments(interaction.request)) as stream:
                    chunks = [chunk.to_dict() for chunk in stream]
                assert chunks == raw
                check(summarise_chunks(chunks), expected)
            else:
                completion = client.chat.completions.create(**call_arguments(interaction.request))
                assert completion.to_dict() == raw[0]
                check(summarise_message(completion.to_dict()), expected)
                assert completion.id == expected.generation_id
                assert expected.usage is not None and completion.usage.cost == expected.usage["cost"]
            assert gw.last_request is not None and gw.last_request.fault is None
        assert len(gw.requests) == len(interactions)


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda path: path.stem)
async def test_async_client_reads_the_recording(cassette: Path) -> None:
    interactions = read_cassette(cassette)
    with LocalGateway() as gw:
        assert gw.load_cassette(cassette) == len(interactions)
        client = vag.AsyncClient(base_url=gw.url, api_key=gw.api_key)
        for interaction in interactions:
            expected, raw = expectations(interaction)
            if interaction.request.get("stream"):
                stream = await client.chat.completions.create(**call_arguments(interaction.request))
                chunks = [chunk.to_dict() async for chunk in stream]
                assert chunks == raw
                check(summarise_chunks(chunks), expected)
            else:
                completion = await client.chat.completions.create(**call_arguments(interaction.request))
                assert completion.to_dict() == raw[0]
                check(summarise_message(completion.to_dict()), expected)
                assert completion.id == expected.generation_id
        assert len(gw.requests) == len(interactions)
