"""The project's own packaging builds without a warning (issue 18): what `make install` would print of it.

`make install` builds the project with setuptools (pip's build backend call,
here without pip's isolation, with the installed setuptools, which satisfies
`build-system.requires`): any BuildBackendWarning or deprecation of the
project's metadata would show in that build's output, and fails here.
"""
from __future__ import annotations

import subprocess
import sys
import tomllib

from .conftest import ROOT


def test_the_metadata_builds_without_a_warning_and_names_its_license(tmp_path):
    result = subprocess.run(
        [sys.executable, "-W", "always", "-c",
         "import sys; from setuptools import build_meta; print(build_meta.prepare_metadata_for_build_wheel(sys.argv[1]))",
         str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=True)
    output = result.stdout + result.stderr
    assert "Warning" not in output and "deprecated" not in output.lower(), output
    metadata = next(tmp_path.glob("*.dist-info")) / "METADATA"
    text = metadata.read_text(encoding="utf-8")
    assert "License-Expression: MIT" in text and "License-File: LICENSE" in text


def test_the_image_installs_no_test_tools():
    """The Dockerfile installs the project without extras: pytest, playwright and hadolint stay out of production."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "pytest>=8" in project["optional-dependencies"]["test"]
    assert not any(d.startswith(("pytest", "playwright", "hadolint")) for d in project["dependencies"])
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "make install EXTRAS= " in dockerfile
