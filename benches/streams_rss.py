"""1,000 concurrent streams from one process: do all complete, and what is the peak RSS?

Run on a release build: `python benches/streams_rss.py [--streams 1000] [--words 50]`. The
LocalGateway runs in its own process (`benches/server.py`) so only the client's memory counts;
peak RSS is the process's `ru_maxrss`. Target (issue 8): all complete, peak RSS ≤ 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import time
from pathlib import Path

import vercel_ai_gateway as vag

HERE = Path(__file__).resolve().parent


async def one(client: vag.AsyncClient, words: int) -> int:
    prompt = " ".join(["word"] * words)
    stream = await client.chat.completions.create(
        model="openai/gpt-4.1-nano", messages=[{"role": "user", "content": prompt}], stream=True
    )
    chunks = 0
    async for _ in stream:
        chunks += 1
    return chunks


async def run(url: str, key: str, streams: int, words: int) -> list[int | BaseException]:
    client = vag.AsyncClient(base_url=url, api_key=key, timeout=120)
    return await asyncio.gather(*(one(client, words) for _ in range(streams)), return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--words", type=int, default=50)
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, str(HERE / "server.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url, key = server.stdout.readline().split()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        results = asyncio.run(run(url, key, args.streams, args.words))
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)
    failed = [r for r in results if isinstance(r, BaseException)]
    complete = [r for r in results if isinstance(r, int)]
    print(f"streams: {args.streams}, completed: {len(complete)}, failed: {len(failed)}")
    if failed:
        print(f"first failure: {failed[0]!r}")
    print(f"chunks per stream: min {min(complete, default=0)}, max {max(complete, default=0)}")
    print(f"wall: {elapsed:.1f} s; peak RSS: {peak:.0f} MB (before the streams: {before:.0f} MB)")


if __name__ == "__main__":
    main()
