"""Fault soak: routed calls through two LocalGateways with injected faults, checking invariants.

`make soak` runs 10,000 routed chat calls (a quarter each: sync plain, sync streamed, async
plain, async streamed; sync calls from a thread pool on one `Client`, async calls as concurrent
tasks on one `AsyncClient`, both at the same time) against a Vercel-flavour and an
OpenRouter-flavour LocalGateway, with a fault injected before about 25 % of the calls, every
kind LocalGateway supports. `tests/test_soak.py` runs a short version of the same script.

A fault is queued on the gateway the router picks first; it answers whichever matching request
reaches that gateway next (stream-only kinds wait for a streamed one), so what each HTTP request
got is read back from the gateways' recorded requests (`RecordedRequest.fault`), matched to its
call by an `x-soak-id` header. Chunk-counting kinds use a fixed `after` per gateway, one gateway
failing before any output (`after=0`) and the other after output (`after=2`), so every recorded
request tells whether output was sent.

Invariants (the exit status is 1 when one fails):

- lost = 0: every call ends with a result or a typed error (a `VercelAIGatewayError`), within
  the global deadline; a successful call is backed by a recorded answer, and a successful
  stream ends with a finish reason.
- duplicated after output = 0: once output reached the caller (create returned an answer, or a
  stream holding its first chunk), no further request is made for that call on either gateway:
  the gateways recorded exactly the requests its `attempts` account for, and the last of them
  on the answering gateway is the one that sent output.
- panics = 0: no `PanicException` (and no other untyped exception) reaches Python.
- hangs past timeout + 1 s = 0: each create call finishes within its worst case (every attempt
  on both gateways timing out, plus the backoffs) + 1 s; each stream step within the idle
  timeout + 1 s.

Usage: `python benches/soak.py [--requests N] [--json PATH] [--seed S]`; `--json -` prints the
report as JSON instead of tables.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import asdict, dataclass, field
from typing import Any

import vercel_ai_gateway as vag
from vercel_ai_gateway.testing import LocalGateway

MODEL = "anthropic/claude-opus-4.7"
MESSAGES = [{"role": "user", "content": "ping"}]
TIMEOUT = vag.Timeout(1.0, connect=1.0, first_byte=0.4, idle=0.4)
BACKOFF = (0.01, 0.05)
MAX_RETRIES = 2
RETRY_AFTER_MS = 20
GATEWAYS = ("vercel", "openrouter")
MODES = ("sync plain", "sync stream", "async plain", "async stream")

#: Kinds that act on SSE events, and the `after` each gateway uses for the kinds that count
#: events: one gateway fails before any output, the other after output.
STREAM_ONLY = ("reset_after_chunks", "truncated_sse", "error_event", "slow_drip")
AFTER = {
    "vercel": {"reset_after_chunks": 2, "truncated_sse": 0, "error_event": 0, "malformed_json": 2},
    "openrouter": {"reset_after_chunks": 0, "truncated_sse": 2, "error_event": 2, "malformed_json": 0},
}
STATUS_FAULTS: list[dict[str, Any]] = [
    {"status": 500},
    {"status": 502},
    {"status": 503},
    {"status": 504},
    {"status": 408},
    {"status": 429, "headers": {"retry-after-ms": str(RETRY_AFTER_MS)}},
    {"status": 429, "headers": {"retry-after": "0"}},
    {"status": 400},
    {"status": 401},
    {"status": 503, "count": 3},  # an outage outlasting the retries: fails over
]
KNOWN_KINDS = (
    "status",
    "delay",
    "hang",
    "reset_before_headers",
    "reset_after_chunks",
    "malformed_json",
    "truncated_sse",
    "error_event",
    "slow_drip",
    "in_band_error",
)


def worst_case_create(stream: bool) -> float:
    """The longest a create call may take: every attempt on both gateways times out, plus backoffs."""
    per_attempt = (TIMEOUT.first_byte or TIMEOUT.total) if stream else TIMEOUT.total
    attempts = len(GATEWAYS) * (1 + MAX_RETRIES)
    backoffs = len(GATEWAYS) * MAX_RETRIES * max(BACKOFF[1], RETRY_AFTER_MS / 1000)
    return attempts * per_attempt + backoffs


STEP_BOUND = (TIMEOUT.idle or TIMEOUT.total) + 1.0


@dataclass
class Call:
    """What one call did, as seen by the caller."""

    index: int
    mode: str
    stream: bool
    outcome: str = "lost"  # first_try | retry | failover | error_before_output | error_after_output | lost | panic
    error: str | None = None
    gateway: str | None = None
    attempts: list[dict[str, Any]] = field(default_factory=list)
    chunks: int = 0
    finished: bool = False
    create_s: float = 0.0
    max_step_s: float = 0.0
    total_s: float = 0.0


def supported_kinds(gateway: LocalGateway) -> list[str]:
    """The fault kinds this LocalGateway accepts, read from its error for an unknown kind."""
    try:
        gateway.inject("no-such-kind")  # type: ignore[arg-type]
    except vag.ConfigError as e:
        found = re.search(r"use one of (.*)\.", str(e))
        if found:
            return [k.strip() for k in found.group(1).split(",")]
    return list(KNOWN_KINDS)


class Faults:
    """Chooses and queues faults; thread-safe (sync workers and the event loop both call it)."""

    def __init__(self, gateways: dict[str, LocalGateway], router: vag.Router, rate: float, seed: int) -> None:
        self.gateways = gateways
        self.router = router
        self.rate = rate
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.injected: Counter[tuple[str, str]] = Counter()
        self.turn = {False: 0, True: self.random.randrange(100)}
        kinds = supported_kinds(next(iter(gateways.values())))
        self.unexercised = sorted(set(kinds) - set(KNOWN_KINDS))
        self.plain_kinds = [k for k in KNOWN_KINDS if k in kinds and k not in STREAM_ONLY]
        self.stream_kinds = [k for k in KNOWN_KINDS if k in kinds]

    def maybe_inject(self, user: str, stream: bool) -> None:
        with self.lock:
            if self.random.random() >= self.rate:
                return
            # Kinds in turn (per call type), so even a short soak sees every kind; the status
            # variant is drawn at random.
            kinds = self.stream_kinds if stream else self.plain_kinds
            kind = kinds[self.turn[stream] % len(kinds)]
            self.turn[stream] += 1
            status = self.random.choice(STATUS_FAULTS)
        target = self.router.route(MODEL, user=user).gateway
        flavor = target if target in AFTER else "vercel"
        params: dict[str, Any] = {}
        if kind == "status":
            params = dict(status)
        elif kind == "delay":
            params = {"delay": 0.05}
        elif kind == "slow_drip":
            params = {"delay": 0.01}
        elif kind in AFTER[flavor]:
            params = {"after": AFTER[flavor][kind]}
        self.gateways[target].inject(kind, **params)  # type: ignore[arg-type]
        with self.lock:
            self.injected[(target, kind)] += 1


def classify_success(call: Call, attempts: list[dict[str, Any]]) -> str:
    gateways = [a["gateway"] for a in attempts]
    if len(set(gateways)) > 1:
        return "failover"
    return "retry" if attempts and attempts[-1]["retries"] else "first_try"


def describe_untyped(error: BaseException) -> str:
    return f"{type(error).__module__}.{type(error).__name__}: {error}"


def is_panic(error: BaseException) -> bool:
    return type(error).__name__ == "PanicException"


def sync_call(client: vag.Client, faults: Faults, index: int, stream: bool) -> Call:
    call = Call(index, "sync stream" if stream else "sync plain", stream)
    user = f"u{index % 997}"
    faults.maybe_inject(user, stream)
    headers = {"x-soak-id": str(index)}
    started = time.perf_counter()
    try:
        try:
            result = client.chat.completions.create(
                model=MODEL, messages=MESSAGES, user=user, stream=stream, extra_headers=headers
            )
        finally:
            call.create_s = time.perf_counter() - started
        call.gateway, call.attempts = result.gateway, list(result.attempts)
        if not stream:
            call.finished = bool(result.choices and result.choices[0].finish_reason)
            call.outcome = classify_success(call, call.attempts)
            return call
        with result as chunks:
            while True:
                step = time.perf_counter()
                try:
                    chunk = next(chunks)
                except StopIteration:
                    break
                finally:
                    call.max_step_s = max(call.max_step_s, time.perf_counter() - step)
                call.chunks += 1
                if chunk.choices and chunk.choices[0].finish_reason:
                    call.finished = True
        call.outcome = classify_success(call, call.attempts)
    except vag.VercelAIGatewayError as e:
        call.outcome = "error_after_output" if call.chunks else "error_before_output"
        call.error = type(e).__name__
    except BaseException as e:  # noqa: BLE001 - the soak counts what must never happen
        call.outcome = "panic" if is_panic(e) else "lost"
        call.error = describe_untyped(e)
    finally:
        call.total_s = time.perf_counter() - started
    return call


async def async_call(client: vag.AsyncClient, faults: Faults, index: int, stream: bool) -> Call:
    call = Call(index, "async stream" if stream else "async plain", stream)
    user = f"u{index % 997}"
    faults.maybe_inject(user, stream)
    headers = {"x-soak-id": str(index)}
    started = time.perf_counter()
    try:
        try:
            result = await client.chat.completions.create(
                model=MODEL, messages=MESSAGES, user=user, stream=stream, extra_headers=headers
            )
        finally:
            call.create_s = time.perf_counter() - started
        call.gateway, call.attempts = result.gateway, list(result.attempts)
        if not stream:
            call.finished = bool(result.choices and result.choices[0].finish_reason)
            call.outcome = classify_success(call, call.attempts)
            return call
        async with result as chunks:
            while True:
                step = time.perf_counter()
                try:
                    chunk = await chunks.__anext__()
                except StopAsyncIteration:
                    break
                finally:
                    call.max_step_s = max(call.max_step_s, time.perf_counter() - step)
                call.chunks += 1
                if chunk.choices and chunk.choices[0].finish_reason:
                    call.finished = True
        call.outcome = classify_success(call, call.attempts)
    except vag.VercelAIGatewayError as e:
        call.outcome = "error_after_output" if call.chunks else "error_before_output"
        call.error = type(e).__name__
    except asyncio.CancelledError:
        raise
    except BaseException as e:  # noqa: BLE001 - the soak counts what must never happen
        call.outcome = "panic" if is_panic(e) else "lost"
        call.error = describe_untyped(e)
    finally:
        call.total_s = time.perf_counter() - started
    return call


def sent_output(flavor: str, fault: str | None, stream: bool) -> bool:
    """Whether a recorded request was answered with output the client may not replay."""
    if fault in (None, "delay", "slow_drip"):
        return True
    if not stream:
        return fault == "malformed_json"  # a 200 body: answered, even if unreadable
    return fault in AFTER.get(flavor, {}) and AFTER[flavor][fault] > 0


@dataclass
class Recorded:
    gateway: str
    fault: str | None
    output: bool


def read_back(gateways: dict[str, LocalGateway]) -> tuple[dict[int, list[Recorded]], Counter[tuple[str, str]]]:
    by_call: dict[int, list[Recorded]] = {}
    faults: Counter[tuple[str, str]] = Counter()
    for name, gateway in gateways.items():
        flavor = getattr(gateway, "flavor", "vercel")
        for request in gateway.requests:
            soak_id = request.header("x-soak-id")
            if soak_id is None:
                continue
            body = request.json() or {}
            stream = bool(body.get("stream"))
            record = Recorded(name, request.fault, sent_output(flavor, request.fault, stream))
            by_call.setdefault(int(soak_id), []).append(record)
            if request.fault:
                faults[(name, request.fault)] += 1
    return by_call, faults


def check_call(call: Call, records: list[Recorded]) -> tuple[bool, bool, bool]:
    """(lost, duplicated, resent) for one call against what the gateways recorded for it.

    Output reached the caller once create returned (a JSON answer, or a stream holding its
    first chunk); the attempts it reports then account for every request of the call, so any
    request beyond them was made after output: a duplicate. `resent` is the gateway-side view:
    a request answered with output, followed by another one for the same call on that gateway
    (legitimate only when the client timed out before reading the answer).
    """
    lost = call.outcome in ("lost", "panic")
    duplicated = False
    if call.gateway is not None:
        sent = [a for a in call.attempts if not str(a.get("error") or "").startswith("skipped")]
        for gateway in GATEWAYS:
            expected = sum(a["retries"] + 1 for a in sent if a["gateway"] == gateway)
            if len([r for r in records if r.gateway == gateway]) > expected:
                duplicated = True
        on_answering = [r for r in records if r.gateway == call.gateway]
        if not on_answering or not on_answering[-1].output:
            lost = True  # a result no gateway sent
        if call.outcome in ("first_try", "retry", "failover") and not call.finished:
            lost = True  # a "successful" answer without a finish reason
    resent = False
    for gateway in GATEWAYS:
        mine = [r for r in records if r.gateway == gateway]
        resent = resent or any(r.output for r in mine[:-1])
    return lost, duplicated, resent


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def run(requests: int, rate: float, seed: int, sync_workers: int, async_tasks: int, deadline: float) -> dict[str, Any]:
    started = time.perf_counter()
    rss_start = rss_kib()
    with LocalGateway() as vercel:
        try:
            openrouter = LocalGateway(flavor="openrouter")  # type: ignore[call-arg]
            second = "openrouter"
        except TypeError:  # a LocalGateway without the OpenRouter flavour: a second Vercel one
            openrouter = LocalGateway()
            second = "vercel (standing in for openrouter)"
        with openrouter:
            gateways = {"vercel": vercel, "openrouter": openrouter}
            router = vag.Router(vercel_share=0.5)
            settings: dict[str, Any] = {
                "base_url": vercel.url,
                "api_key": vercel.api_key,
                "openrouter_base_url": openrouter.url,
                "openrouter_api_key": openrouter.api_key,
                "router": router,
                "timeout": TIMEOUT,
                "max_retries": MAX_RETRIES,
                "retry_backoff": BACKOFF,
            }
            faults = Faults(gateways, router, rate, seed)
            sync_client = vag.Client(**settings)
            async_client = vag.AsyncClient(**settings)
            plan = [(i, MODES[i % 4]) for i in range(requests)]
            calls: dict[int, Call] = {}

            pool = ThreadPoolExecutor(max_workers=sync_workers, thread_name_prefix="soak")
            sync_futures = [
                pool.submit(sync_call, sync_client, faults, i, mode == "sync stream")
                for i, mode in plan
                if mode.startswith("sync")
            ]

            async def run_async() -> tuple[list[Call], int]:
                gate = asyncio.Semaphore(async_tasks)

                async def bounded(i: int, stream: bool) -> Call:
                    async with gate:
                        return await async_call(async_client, faults, i, stream)

                tasks = [
                    asyncio.create_task(bounded(i, mode == "async stream"))
                    for i, mode in plan
                    if mode.startswith("async")
                ]
                done, pending = await asyncio.wait(tasks, timeout=deadline) if tasks else (set(), set())
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                await asyncio.sleep(0.05)  # let aborted calls leave the completion queue
                from vercel_ai_gateway import _aio

                in_flight = sum(len(q) for q in list(_aio._queues.values()))
                return [t.result() for t in done], in_flight

            async_results, in_flight = asyncio.run(run_async())
            remaining = max(0.0, deadline - (time.perf_counter() - started))
            sync_done, sync_pending = wait_futures(sync_futures, timeout=remaining)
            for call in async_results + [f.result() for f in sync_done]:
                calls[call.index] = call
            unfinished = len(plan) - len(calls)
            for i, mode in plan:
                calls.setdefault(i, Call(i, mode, mode.endswith("stream")))
            records, faults_seen = read_back(gateways)
            for gateway in gateways.values():
                gateway.clear_faults()
            http_requests = {name: len(g.requests) for name, g in gateways.items()}
    # The gateways are closed: every hung connection was cut.
    report = summarize(
        calls,
        records,
        faults,
        faults_seen,
        http_requests=http_requests,
        second=second,
        unfinished=unfinished,
        in_flight=in_flight,
        rss_start=rss_start,
        wall=time.perf_counter() - started,
        rate=rate,
    )
    if sync_pending:
        # A sync call is stuck past the deadline: report, and do not wait for its thread.
        print_report(report, sys.stdout)
        os._exit(1)
    pool.shutdown(wait=True)
    return report


def summarize(
    calls: dict[int, Call],
    records: dict[int, list[Recorded]],
    faults: Faults,
    faults_seen: Counter[tuple[str, str]],
    **extra: Any,
) -> dict[str, Any]:
    rows: dict[str, Counter[str]] = {mode: Counter() for mode in MODES}
    latencies: dict[str, list[float]] = {mode: [] for mode in MODES}
    examples: list[dict[str, Any]] = []
    for call in calls.values():
        row = rows[call.mode]
        row["requests"] += 1
        lost, duplicated, resent = check_call(call, records.get(call.index, []))
        row[call.outcome] += 1
        row["lost"] += int(lost and call.outcome != "lost")  # "lost" outcomes are already counted
        row["duplicated_after_output"] += int(duplicated)
        row["resent_after_answer"] += int(resent)
        row["panics"] += int(call.outcome == "panic")
        hung = call.create_s > worst_case_create(call.stream) + 1.0 or call.max_step_s > STEP_BOUND
        row["hangs"] += int(hung)
        if call.error and call.outcome in ("lost", "panic"):
            row["untyped_errors"] += 1
        if (lost or duplicated or hung or call.outcome in ("lost", "panic")) and len(examples) < 10:
            examples.append(
                {
                    **asdict(call),
                    "recorded": [asdict(r) for r in records.get(call.index, [])],
                    "flags": {"lost": lost, "duplicated": duplicated, "hung": hung},
                }
            )
        latencies[call.mode].append(call.total_s)
    lat = {
        mode: {
            "p50": statistics.median(v) if v else 0.0,
            "p99": sorted(v)[int(len(v) * 0.99)] if v else 0.0,
            "max": max(v) if v else 0.0,
        }
        for mode, v in latencies.items()
    }
    by_kind: dict[str, dict[str, int]] = {}
    for (gateway, kind), n in faults_seen.items():
        by_kind.setdefault(kind, {g: 0 for g in GATEWAYS})[gateway] += n
    injected = sum(faults.injected.values())
    totals: Counter[str] = Counter()
    for row in rows.values():
        totals.update(row)
    return {
        "rows": {mode: dict(row) for mode, row in rows.items()},
        "totals": dict(totals),
        "latency_s": lat,
        "faults_received": by_kind,
        "faults_injected": injected,
        "fault_rate_per_call": injected / max(1, len(calls)),
        "faulted_http_requests": sum(faults_seen.values()),
        "kinds_not_exercised": faults.unexercised,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_start_mib": extra.pop("rss_start") / 1024,
        "bounds_s": {
            "create_plain": worst_case_create(False) + 1.0,
            "create_stream": worst_case_create(True) + 1.0,
            "stream_step": STEP_BOUND,
        },
        "examples": examples,
        **extra,
    }


OUTCOME_ROWS = [
    ("requests", "requests"),
    ("first_try", "success, first try"),
    ("retry", "success after retry"),
    ("failover", "success after failover"),
    ("error_before_output", "typed error before output"),
    ("error_after_output", "typed error after output"),
    ("lost", "lost"),
    ("duplicated_after_output", "duplicated after output"),
    ("panics", "panics"),
    ("hangs", "hangs past timeout + 1 s"),
    ("resent_after_answer", "resent after a gateway answered (info)"),
]


def invariants_hold(report: dict[str, Any]) -> bool:
    t = report["totals"]
    return (
        all(t.get(k, 0) == 0 for k in ("lost", "duplicated_after_output", "panics", "hangs", "untyped_errors"))
        and report["unfinished"] == 0
        and report["in_flight"] == 0
    )


def print_report(report: dict[str, Any], out: Any) -> None:
    def table(header: list[str], rows: list[list[str]]) -> None:
        out.write("| " + " | ".join(header) + " |\n")
        out.write("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|\n")
        for row in rows:
            out.write("| " + " | ".join(row) + " |\n")
        out.write("\n")

    rows = report["rows"]
    body = []
    for key, label in OUTCOME_ROWS:
        body.append([label] + [str(rows[m].get(key, 0)) for m in MODES] + [str(report["totals"].get(key, 0))])
    body.append(
        ["latency p50 / p99 / max (s)"]
        + ["{p50:.3f} / {p99:.3f} / {max:.2f}".format(**report["latency_s"][m]) for m in MODES]
        + [""]
    )
    table(["outcome", *MODES, "total"], body)
    kinds = sorted(report["faults_received"])
    table(
        ["fault kind (HTTP requests that got it)", *GATEWAYS, "total"],
        [
            [
                k,
                *(str(report["faults_received"][k][g]) for g in GATEWAYS),
                str(sum(report["faults_received"][k].values())),
            ]
            for k in kinds
        ]
        + [["all kinds", "", "", str(report["faulted_http_requests"])]],
    )
    out.write(
        f"faults injected: {report['faults_injected']} ({report['fault_rate_per_call']:.1%} of calls); "
        f"HTTP requests: {report['http_requests']}; second gateway: {report['second']}\n"
        f"bounds: create {report['bounds_s']['create_plain']:.1f} s plain / "
        f"{report['bounds_s']['create_stream']:.1f} s streamed, stream step {report['bounds_s']['stream_step']:.1f} s; "
        f"unfinished at deadline: {report['unfinished']}; async calls left in flight: {report['in_flight']}\n"
        f"peak RSS: {report['peak_rss_mib']:.0f} MiB (at start {report['rss_start_mib']:.0f} MiB); "
        f"wall time: {report['wall']:.1f} s\n"
    )
    if report["kinds_not_exercised"]:
        out.write(f"fault kinds LocalGateway supports that the soak does not use: {report['kinds_not_exercised']}\n")
    out.write(f"invariants: {'hold' if invariants_hold(report) else 'VIOLATED'}\n")
    for example in report["examples"]:
        out.write(json.dumps(example) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--fault-rate", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--sync-workers", type=int, default=8)
    parser.add_argument("--async-tasks", type=int, default=32)
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds before unfinished calls count as lost")
    parser.add_argument("--json", help="write the report as JSON to this file ('-': stdout, instead of tables)")
    args = parser.parse_args(argv)
    report = run(args.requests, args.fault_rate, args.seed, args.sync_workers, args.async_tasks, args.deadline)
    if args.json == "-":
        json.dump(report, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print_report(report, sys.stdout)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(report, f, indent=1)
    return 0 if invariants_hold(report) else 1


if __name__ == "__main__":
    sys.exit(main())
