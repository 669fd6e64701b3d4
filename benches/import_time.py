"""Import cost of the package: median wall time of `python -c "import vercel_ai_gateway"`
against a bare interpreter, in the same run.

Run on a release build (`make build-prod`): `.venv/bin/python benches/import_time.py`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

ROUNDS = 25


def median_ms(code: str) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    # Interleave so drift in machine load hits both equally.
    package, bare = [], []
    for _ in range(3):
        package.append(median_ms("import vercel_ai_gateway"))
        bare.append(median_ms("pass"))
    p, b = statistics.median(package), statistics.median(bare)
    print(f"import vercel_ai_gateway: {p:.1f} ms wall (bare interpreter {b:.1f} ms, import itself {p - b:.1f} ms)")


if __name__ == "__main__":
    main()
