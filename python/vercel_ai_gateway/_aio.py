"""Per-event-loop completion queues for the async client (see ``src/python/asyncio.rs``).

Each running loop gets one queue whose descriptor is watched with ``loop.add_reader``; the Rust
engine pushes finished calls onto it and the loop thread resolves their futures. The queue lives
as long as its loop (a weak mapping), and its descriptor closes with it.
"""

from __future__ import annotations

import asyncio
import weakref

from ._core import CompletionQueue

_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CompletionQueue] = weakref.WeakKeyDictionary()


def queue_for_running_loop() -> tuple[asyncio.AbstractEventLoop, CompletionQueue]:
    """The running loop and its completion queue, created and registered on first use."""
    loop = asyncio.get_running_loop()
    queue = _queues.get(loop)
    if queue is None:
        queue = CompletionQueue()
        loop.add_reader(queue.fileno(), queue.drain)
        _queues[loop] = queue
    return loop, queue
