"""Cost of a routing decision from Python, in µs per call (median of rounds).

Run on a release build: `python benches/routing.py` (after `make build-prod`). Measures
`Router.route(model, user=...)` without a body, with a small chat body (translated for the
target), and `map_model`, each timed with `time.perf_counter_ns` over many calls.
"""

from __future__ import annotations

import statistics
import time

import vercel_ai_gateway as vag

CALLS = 20_000
ROUNDS = 7


def per_call_us(fn: object, calls: int = CALLS) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter_ns()
        for i in range(calls):
            fn(i)  # type: ignore[operator]
        samples.append((time.perf_counter_ns() - start) / calls / 1000)
    return statistics.median(samples)


def main() -> None:
    router = vag.Router(vercel_share=0.5, pins={"xai/*": "vercel"})
    users = [f"user-{i}" for i in range(CALLS)]
    body = {"model": "anthropic/claude-opus-4.7", "messages": [{"role": "user", "content": "hi"}], "temperature": 0.2}
    both, mapped, pinned = "anthropic/claude-opus-4.7", "qwen/qwen3-14b", "x-ai/grok-4.3"
    rows = [
        ("route(model, user) — share decides", per_call_us(lambda i: router.route(both, user=users[i]))),
        ("route(model, user) — OpenRouter id, mapped", per_call_us(lambda i: router.route(mapped, user=users[i]))),
        ("route(model, user) — pinned", per_call_us(lambda i: router.route(pinned, user=users[i]))),
        ("route(model, user, body) — translated", per_call_us(lambda i: router.route(both, user=users[i], body=body))),
        ("map_model(id)", per_call_us(lambda i: router.map_model(mapped))),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'call'.ljust(width)}  µs/call")
    for name, us in rows:
        print(f"{name.ljust(width)}  {us:7.2f}")


if __name__ == "__main__":
    main()
