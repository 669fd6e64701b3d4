"""CPU cost of a chat completion, per request and per streamed chunk, against peers in one run.

    make bench                        # release build, bench extra, then this script
    .venv/bin/python benches/run.py [--quick] [--rounds N] [--cpus shared|split|free] [--json PATH]

Method (docs/benchmarks.md): a loopback `LocalGateway` runs in a process of its own
(`benches/server.py`); each measurement runs in a fresh client process (`benches/clients.py`,
or the plain-reqwest peer `benches/reqwest_peer.rs`), which warms up, then reads its own CPU
clock around the measured loop only. Rounds interleave every client and figure, rotating the
order; the table shows medians over rounds and the ratio to plain reqwest measured in the same
run. Figures: sequential requests, requests from 32 concurrent workers, and chunks of streamed
answers of about 500 chunks each. By default the server and every client share one CPU, which
makes the samples stable (see `placement`); `--cpus free` shows what cross-core wake-ups add.

Benchmarks are not tests (STYLE.md 12): this checks that every client did the work, not speed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = ROOT / "benches"
REFERENCE = "reqwest"
# Row order of the table; the reference first.
CLIENTS = [REFERENCE, "ours-sync", "ours-async", "openai-sync", "openai-async", "httpx-sync", "httpx-async"]
LABELS = {
    REFERENCE: "plain reqwest (Rust, current_thread)",
    "ours-sync": "vercel_ai_gateway Client",
    "ours-async": "vercel_ai_gateway AsyncClient",
    "openai-sync": "openai OpenAI",
    "openai-async": "openai AsyncOpenAI",
    "httpx-sync": "httpx Client + json",
    "httpx-async": "httpx AsyncClient + json",
}
MODES = ["seq", "conc", "stream"]
# (client, mode, exit status) -> stderr tails of processes that failed after reporting.
CRASHES: dict[tuple[str, str, int], list[str]] = {}
TIMES = "\N{MULTIPLICATION SIGN}"
HEADERS = {"seq": "seq µs/req", "conc": "32-conc µs/req", "stream": "µs/chunk"}


@dataclass(frozen=True)
class Plan:
    rounds: int
    counts: dict[str, int]  # requests for seq and conc, streams for stream
    words: int  # words per streamed answer, about one chunk each


FULL = Plan(rounds=7, counts={"seq": 1000, "conc": 1280, "stream": 10}, words=500)
QUICK = Plan(rounds=1, counts={"seq": 100, "conc": 128, "stream": 2}, words=500)


@dataclass
class Samples:
    """CPU µs per unit of every round, per client and mode."""

    values: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    units: dict[tuple[str, str], set[int]] = field(default_factory=dict)

    def add(self, client: str, mode: str, result: dict[str, float]) -> None:
        units = int(result["units"])
        self.values.setdefault((client, mode), []).append(result["cpu_s"] / units * 1e6)
        self.units.setdefault((client, mode), set()).add(units)

    def median(self, client: str, mode: str) -> float:
        return statistics.median(self.values[(client, mode)])

    def spread(self, client: str, mode: str) -> float:
        """(max - min) / median over rounds."""
        values = self.values[(client, mode)]
        return (max(values) - min(values)) / statistics.median(values)


def release_extension() -> Path:
    """The installed native module, refusing a debug build (its numbers would mean nothing)."""
    import vercel_ai_gateway._core as core

    path = Path(core.__file__ or "")
    # The release profile strips symbols; a debug build keeps `.symtab` and `.debug_*` sections.
    if any(name == ".symtab" or name.startswith(".debug") for name in elf_sections(path.read_bytes())):
        sys.exit(f"{path} is not a release build: run `make bench` (or `make build-prod`) first.")
    return path


def elf_sections(data: bytes) -> list[str]:
    """Section names of a little-endian ELF64 file (the only kind this benchmark runs on)."""
    if data[:6] != b"\x7fELF\x02\x01":
        return []
    (offset,) = struct.unpack_from("<Q", data, 0x28)
    entry_size, count, names_index = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQ", data, offset + i * entry_size) for i in range(count)]
    names = headers[names_index][4]
    return [data[names + h[0] : data.index(b"\0", names + h[0])].decode() for h in headers]


def reqwest_peer() -> str:
    """Builds the plain-reqwest peer (bench profile: release) and returns its executable."""
    command = [
        os.environ.get("CARGO", "cargo"),
        "bench",
        "--bench",
        "reqwest_peer",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]
    built = subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    for line in built.stdout.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message["target"]["name"] == "reqwest_peer":
            if message.get("executable"):
                return str(message["executable"])
    sys.exit("cargo built no reqwest_peer executable")


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    rustc = subprocess.run(["rustc", "--version"], check=False, capture_output=True, text=True).stdout.strip()
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} cores, {model}; {system}; Python {platform.python_version()}; {rustc}"


def versions() -> str:
    from importlib.metadata import version

    return ", ".join(f"{name} {version(name)}" for name in ("vercel-ai-gateway", "openai", "httpx"))


def placement(name: str) -> tuple[set[int] | None, set[int] | None]:
    """CPUs for (server, clients). Sequential ping-pong costs about twice the CPU when the two
    processes sit on different cores (wake-ups, cold caches) as when they share one, and a free
    scheduler picks either per process, so free placement gives bimodal samples."""
    cpus = sorted(os.sched_getaffinity(0))
    if name == "free" or len(cpus) < 2:
        return None, None
    if name == "shared":
        return {cpus[0]}, {cpus[0]}
    return {cpus[-1]}, set(cpus[:-1])  # split


def pinned(cpus: set[int] | None) -> Callable[[], None] | None:
    return None if cpus is None else lambda: os.sched_setaffinity(0, cpus)


class Server:
    """benches/server.py in its own process."""

    def __init__(self, cpus: set[int] | None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(BENCHES / "server.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=pinned(cpus),
        )
        assert self.process.stdout is not None
        self.url, self.key = self.process.stdout.readline().split()

    def clear(self) -> int:
        """Forgets the recorded requests; returns how many there were."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("clear\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().split()
        if len(answer) != 2 or answer[0] != "ok":
            sys.exit("the bench server stopped answering")
        return int(answer[1])

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def measure(peer: str, server: Server, client: str, mode: str, plan: Plan, cpus: set[int] | None) -> dict[str, float]:
    count = str(plan.counts[mode])
    args = [mode, server.url, server.key, count, str(plan.words)]
    if client == REFERENCE:
        command = [peer, *args]
    else:
        command = [sys.executable, str(BENCHES / "clients.py"), client, *args]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=300, preexec_fn=pinned(cpus))
    received = server.clear()
    try:
        result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        sys.exit(f"{client} {mode} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    if received < plan.counts[mode]:
        sys.exit(f"{client} {mode}: the server received {received} requests, fewer than {plan.counts[mode]}")
    if done.returncode != 0:
        # It measured and reported, then died (so far: an abort at interpreter exit). The figure
        # stands; the failure is counted and shown under the table.
        CRASHES.setdefault((client, mode, done.returncode), []).append(done.stderr.strip()[-300:])
    return result


def check(samples: Samples, plan: Plan) -> None:
    """Every client did the same work: all requests, and the same number of chunks per stream."""
    for client in CLIENTS:
        for mode in ("seq", "conc"):
            done = samples.units[(client, mode)]
            if min(done) < plan.counts[mode]:
                sys.exit(f"{client} {mode} did {sorted(done)} requests, fewer than {plan.counts[mode]}")
    per_stream = {client: samples.units[(client, "stream")] for client in CLIENTS}
    if len({n for units in per_stream.values() for n in units}) != 1:
        sys.exit(f"clients consumed different numbers of chunks: {per_stream}")


def cell(samples: Samples, client: str, mode: str) -> str:
    value, ratio = samples.median(client, mode), samples.median(client, mode) / samples.median(REFERENCE, mode)
    number = f"{value:,.0f}" if value >= 100 else f"{value:.1f}"
    return f"{number} ({ratio:.1f}{TIMES})"


def table(samples: Samples) -> str:
    rows = [["client", *(HEADERS[mode] for mode in MODES)]]
    rows += [[LABELS[client], *(cell(samples, client, mode) for mode in MODES)] for client in CLIENTS]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "| "
        + " | ".join(
            text.ljust(w) if i == 0 else text.rjust(w) for i, (text, w) in enumerate(zip(row, widths, strict=True))
        )
        + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 1) + (":" if i else "-") for i, w in enumerate(widths)) + "|")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one short round: a smoke run, not figures")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 7; 1 with --quick)")
    parser.add_argument(
        "--cpus",
        choices=["shared", "split", "free"],
        default="shared",
        help="shared: server and clients on one CPU (default); split: server on its own CPU; free: no pinning",
    )
    parser.add_argument("--json", type=Path, help="also write every sample to this file")
    options = parser.parse_args()
    plan = QUICK if options.quick else FULL
    if options.rounds:
        plan = Plan(rounds=options.rounds, counts=plan.counts, words=plan.words)

    extension = release_extension()
    built = extension.stat().st_mtime_ns
    peer = reqwest_peer()
    started = time.perf_counter()
    server_cpus, client_cpus = placement(options.cpus)
    server = Server(server_cpus)
    samples = Samples()
    try:
        for round_index in range(plan.rounds):
            for mode in MODES:
                # Rotate the order so no client always runs first (or right after the same peer).
                shift = round_index % len(CLIENTS)
                for client in CLIENTS[shift:] + CLIENTS[:shift]:
                    samples.add(client, mode, measure(peer, server, client, mode, plan, client_cpus))
            print(
                f"round {round_index + 1}/{plan.rounds} done ({time.perf_counter() - started:.0f} s)", file=sys.stderr
            )
    finally:
        server.close()
    if extension.stat().st_mtime_ns != built:
        sys.exit(f"{extension} was rebuilt during the run; the figures are void. Run again.")
    check(samples, plan)

    where = "CPUs unpinned"
    if server_cpus is not None:
        where = f"CPUs {options.cpus}: server on {sorted(server_cpus)}, clients on {sorted(client_cpus or [])}"
    chunks = next(iter(samples.units[(REFERENCE, "stream")])) // plan.counts["stream"]
    print(f"CPU of the client process, median of {plan.rounds} interleaved round(s); ratio to plain reqwest in ()")
    print(f"{machine()}; {versions()}")
    print(
        f"seq: {plan.counts['seq']} requests; 32-conc: {plan.counts['conc']} requests from 32 threads / tasks; "
        f"stream: {plan.counts['stream']} streams of {chunks} chunks; {where}; "
        f"{time.perf_counter() - started:.0f} s"
    )
    print()
    print(table(samples))
    if plan.rounds > 1:
        worst = max((samples.spread(c, m), c, m) for c in CLIENTS for m in MODES)
        print(f"\nlargest spread over rounds, (max-min)/median: {worst[0]:.0%} ({worst[1]} {worst[2]})")
    for (client, mode, status), errors in sorted(CRASHES.items()):
        detail = f": {errors[-1]}" if errors[-1] else ""
        failed = f"{len(errors)} of {plan.rounds} processes exited with {status} after reporting"
        print(f"warning: {client} {mode}: {failed}{detail}")
    if options.json:
        dump = {f"{client} {mode}": values for (client, mode), values in samples.values.items()}
        options.json.write_text(json.dumps({"plan": plan.__dict__, "samples_us": dump}, indent=1) + "\n")


if __name__ == "__main__":
    main()
