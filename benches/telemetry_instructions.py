"""Instructions per chat completion with telemetry off and on, counted by callgrind.

    python benches/telemetry_instructions.py            # needs valgrind; release build
    python benches/telemetry_instructions.py --calls 300 1300

Callgrind counts instructions, not seconds, so the figures repeat whatever else the machine
does (docs/benchmarks.md, "Telemetry: what it costs and why"). For each mode this runs the
client process twice under callgrind, with a small and a large number of calls to a
LocalGateway in a process of its own (not counted), flushing at the end; the difference divided
by the difference in calls is the cost of one call, start-up excluded. Kernel work (the
sockets) is not counted, so the ratio is a little above the CPU-time ratio of
`benches/telemetry_onoff.py`.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MESSAGES = [{"role": "user", "content": "hello"}]


def inner(mode: str, calls: int) -> None:
    import vercel_ai_gateway as vag

    with subprocess.Popen(
        [sys.executable, str(HERE / "server.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as server:
        assert server.stdin is not None and server.stdout is not None
        url, key = server.stdout.readline().split()
        client = vag.Client(base_url=url, api_key=key, max_retries=0)
        telemetry = None
        if mode == "on":
            origin = url.rsplit("/v1", 1)[0]
            telemetry = vag.VercelTelemetry(backend="otlp", endpoint=origin, service_name="bench", python_sdk=False)
            telemetry.install()
        for _ in range(20 + calls):
            client.chat.completions.create(model="openai/gpt-4.1-nano", messages=MESSAGES)
        if telemetry is not None:
            assert telemetry.flush(timeout=30), "the export failed"
            telemetry.shutdown(timeout=10)
        server.stdin.close()


def instructions(mode: str, calls: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={tmp}/out",
                sys.executable,
                __file__,
                "--inner",
                mode,
                str(calls),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    found = re.search(r"Collected\s*:\s*([\d,]+)", done.stderr)
    if found is None:
        sys.exit(f"callgrind printed no total:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, nargs=2, default=[300, 1300], metavar=("FEW", "MANY"))
    parser.add_argument("--inner", nargs=2, metavar=("MODE", "CALLS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.inner[0], int(args.inner[1]))
        return
    few, many = args.calls
    per_call = {}
    for mode in ("off", "on"):
        per_call[mode] = (instructions(mode, many) - instructions(mode, few)) / (many - few)
    extra = per_call["on"] - per_call["off"]
    print(
        f"instructions per call: off {per_call['off'] / 1000:.1f} k, on {per_call['on'] / 1000:.1f} k, "
        f"extra {extra / 1000:.1f} k (+{extra / per_call['off'] * 100:.0f} %)"
    )


if __name__ == "__main__":
    main()
