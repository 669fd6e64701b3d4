"""The examples and the README's snippets run, offline, against LocalGateway."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CREDENTIAL_VARIABLES

ROOT = Path(__file__).resolve().parent.parent


def clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARIABLES}


def test_quickstart_runs_offline() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = result.stdout
    assert "using LocalGateway at http://127.0.0.1:" in out
    assert "credential: api_key from AI_GATEWAY_API_KEY" in out
    assert "completion: Hello from LocalGateway! You said: Say hello in five words." in out
    assert "streamed:   Hello from LocalGateway! You said: Say hello in five words." in out
    assert "cost=$0.0000" in out
    assert result.stderr == ""


def test_quickstart_uses_configured_credentials() -> None:
    """With a key in the environment the quickstart starts no LocalGateway and uses the URL given."""
    from vercel_ai_gateway.testing import LocalGateway

    with LocalGateway() as gw:
        env = {**clean_environment(), **gw.env()}
        result = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "quickstart.py")],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert "using LocalGateway" not in result.stdout
        assert f"gateway:    {gw.url}" in result.stdout
        assert len(gw.requests) == 2


def readme_snippets() -> list[str]:
    """Every ```python block of the README and of docs/*.md."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [block for page in pages for block in re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)]


def test_readme_has_snippets() -> None:
    assert len(readme_snippets()) >= 3


@pytest.mark.parametrize("index", range(len(readme_snippets())))
def test_readme_snippet_runs(index: int, tmp_path: Path) -> None:
    """Each ```python block of the README runs against a LocalGateway named by the environment."""
    snippet = readme_snippets()[index]
    harness = (
        "import os\n"
        "from vercel_ai_gateway.testing import LocalGateway\n"
        "_gw = LocalGateway()\n"
        "os.environ.update(_gw.env())\n"
    )
    script = tmp_path / "snippet.py"
    script.write_text(harness + snippet)
    result = subprocess.run(
        [sys.executable, str(script)], env=clean_environment(), cwd=tmp_path, timeout=60, capture_output=True, text=True
    )
    assert result.returncode == 0, f"snippet {index} failed:\n{snippet}\n{result.stderr}"
