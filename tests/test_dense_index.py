"""The dense index by corpus size: exact for small corpora, IVF beyond; search cost bounded by candidates."""
from __future__ import annotations

import json
import math
import shutil
from dataclasses import replace

import faiss
import numpy as np
import pytest

from index import vectors as dense_index
from index.retrieval import Pipeline, fusion
from index.retrieval.rerank import Identity
from index.service import SummitIndex, build
from index.store import load_index

from .conftest import EVAL

DEV = [json.loads(line)["q"] for line in (EVAL / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines() if line]


def described(index) -> dense_index.DenseSpec:
    """The spec of a loaded faiss index, read back from it (faiss stores nprobe in the file)."""
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is None:
        return dense_index.DenseSpec("flat")
    return dense_index.DenseSpec("ivf", nlist=int(ivf.nlist), nprobe=int(ivf.nprobe))

def test_small_corpora_are_searched_exactly_and_large_ones_approximately():
    assert dense_index.choose(70).kind == "flat"
    assert dense_index.choose(dense_index.EXACT_LIMIT).kind == "flat"
    large = dense_index.choose(1_000_000)
    assert large.kind == "ivf"
    assert large.nlist == int(4 * math.sqrt(1_000_000))
    assert 0 < large.nprobe <= large.nlist
    tiny_ivf = dense_index.choose(70, exact_limit=10)
    assert tiny_ivf.kind == "ivf" and tiny_ivf.nprobe == tiny_ivf.nlist == 33  # all lists: exhaustive


def clustered(count: int, dim: int, rng: np.random.Generator, centres: int = 300) -> np.ndarray:
    """Vectors around topic centres, like embeddings of texts on a few hundred subjects."""
    middle = rng.standard_normal((centres, dim)).astype(np.float32)
    points = middle[rng.integers(0, centres, count)] + 0.6 * rng.standard_normal((count, dim)).astype(np.float32)
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def test_ivf_finds_what_exact_search_finds_and_keeps_its_settings_on_disk(tmp_path):
    rng = np.random.default_rng(7)
    vectors = clustered(30_000, 64, rng)
    queries = clustered(200, 64, rng)
    spec = dense_index.choose(len(vectors), exact_limit=1000)
    approximate = dense_index.build(vectors, spec)
    _, truth = dense_index.build(vectors, dense_index.DenseSpec("flat")).search(queries, 10)
    _, found = approximate.search(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, found)])
    assert recall >= 0.95
    faiss.write_index(approximate, str(tmp_path / "dense.faiss"))
    assert described(faiss.read_index(str(tmp_path / "dense.faiss"))) == spec


def test_an_approximate_index_answers_as_the_exact_one_does(built, embedder, service, tmp_path, monkeypatch):
    """Above the limit the build writes IVF; with every list probed it must rank exactly as flat does."""
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    shutil.copytree(built.index_dir / "embedding-cache", index_dir / "embedding-cache")  # no re-embedding
    monkeypatch.setattr(dense_index, "EXACT_LIMIT", 10)
    settings = replace(built, index_dir=index_dir)
    report = build(settings, progress=False, embedder=embedder)
    assert report.embedded == 0
    spec = dense_index.choose(report.passages, 10)
    assert spec.kind == "ivf" and spec.nprobe == spec.nlist  # a corpus this small: every list is probed
    assert report.dense_index == str(spec)
    data = load_index(index_dir)
    assert data.manifest["dense_index"]["kind"] == "ivf"
    assert described(data.dense).kind == "ivf"
    assert service.data.manifest["dense_index"] == {"kind": "flat", "nlist": 0, "nprobe": 0}
    approximate = SummitIndex.open(settings)
    for question in DEV:
        exact, approx = service.ask(question), approximate.ask(question)
        assert [c.passage.id for c in approx.citations] == [c.passage.id for c in exact.citations], question


def test_sentence_scores_are_computed_for_candidates_only_and_match_a_full_scan(service):
    data = service.data
    query = service.embedder.encode_queries(["事業承継の支援"])[0]
    rows = np.array([5, 0, 17, 3, len(data.passages) - 1])
    full = data.sentence_vectors @ query
    expected = [max((full[i] for i in np.flatnonzero(data.sentence_owner == r)), default=-1.0) for r in rows]
    assert np.allclose(data.best_sentence_scores(rows, query), expected, atol=1e-6)
    assert data.best_sentence_scores(np.array([], dtype=int), query).shape == (0,)


def test_hits_are_capped_to_the_best_and_keep_their_order(service, monkeypatch):
    """The cap is fusion's: compared without a reranker, which may reorder within what it is given."""
    pipeline = Pipeline(service.data, service.embedder, service.pipeline.analyzer, reranker=Identity())
    question = pipeline.analyse("中小企業の人材確保について")
    everything = pipeline.rank(question).hits
    assert len(everything) > 5
    monkeypatch.setattr(fusion, "MAX_HITS", 5)
    capped = pipeline.rank(question).hits
    assert [h.passage.id for h in capped] == [h.passage.id for h in everything[:5]]


def test_a_passage_without_sentences_keeps_its_own_score(service):
    data = service.data
    keep = data.sentence_owner != 0
    without_first = replace(data, sentence_owner=data.sentence_owner[keep], sentence_spans=data.sentence_spans[keep],
                            sentence_vectors=data.sentence_vectors[keep])
    query = service.embedder.encode_queries(["テスト"])[0]
    scores = without_first.best_sentence_scores(np.array([0, 1]), query)
    assert scores[0] == -1.0
    assert scores[1] == pytest.approx(data.best_sentence_scores(np.array([1]), query)[0])
