"""A short fault soak inside the test suite (the full one is `make soak`, see docs/reliability.md).

Runs benches/soak.py in a subprocess, so an abort or a hang of the process is a failure too:
500 routed calls (sync and async, plain and streamed) through a Vercel-flavour and an
OpenRouter-flavour LocalGateway with a fault injected before about a quarter of them, every
kind LocalGateway supports, and checks the invariants from its JSON report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SOAK = Path(__file__).resolve().parent.parent / "benches" / "soak.py"


@pytest.mark.timeout(120)
def test_short_soak_keeps_every_invariant() -> None:
    run = subprocess.run(
        [sys.executable, str(SOAK), "--requests", "500", "--deadline", "60", "--json", "-"],
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert run.returncode in (0, 1), f"the soak process died: {run.returncode}\n{run.stderr[-4000:]}"
    report = json.loads(run.stdout)
    totals = report["totals"]
    problems = {k: totals.get(k, 0) for k in ("lost", "duplicated_after_output", "panics", "hangs", "untyped_errors")}
    assert problems == dict.fromkeys(problems, 0), json.dumps(report["examples"], indent=1)
    assert (report["unfinished"], report["in_flight"]) == (0, 0)
    assert run.returncode == 0
    assert totals["requests"] == 500
    assert all(report["rows"][mode]["requests"] == 125 for mode in report["rows"])
    # The faults were real and varied: every kind reached a gateway, and the client had to work.
    assert report["kinds_not_exercised"] == []
    assert set(report["faults_received"]) == {
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
    }
    assert 0.15 < report["fault_rate_per_call"] < 0.35
    assert totals.get("retry", 0) > 0 and totals.get("error_after_output", 0) > 0
    assert report["second"] == "openrouter"
