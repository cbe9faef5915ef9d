"""The faiss index over passage vectors, chosen by corpus size.

Exact search (IndexFlatIP) reads every vector for every question, so its cost
grows with the corpus: on this machine (2 cores) a single question takes about
0.2–0.27 µs per passage, memory-bound: 1.5–2.7 ms at 10k passages, 19–22 ms at
100k, 215–270 ms at 1M (`make bench`, bench/results/scale.md). Up to
EXACT_LIMIT passages it stays near 10 ms and is exact, so it is used; beyond
that an inverted-file index (IndexIVFFlat) scans only the `nprobe` lists
nearest the question: at 1M, p50 ~5 ms with recall@10 0.976 against exact.
IVF rather than HNSW: on our vectors HNSW (M=32, efSearch 64) lost recall as
the corpus grew (0.94 at 10k, 0.77 at 100k, 0.40 at 1M), took twice as long to
build and needs graph memory; IVF's recall/latency trade-off is one number
(nprobe), stored inside the index file. docs/BENCHMARKS.md has the method.

The declarations corpus itself (70 passages for two summits, ~35 more per
summit) stays exact for centuries; the switch exists so that a larger body of
texts (minutes, reports) does not make the bot slow.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

EXACT_LIMIT = 50_000  # passages; above this the index is approximate (IVF)
TRAIN_PER_LIST = 64  # k-means training sample: vectors per list (faiss warns below 39)
NPROBE = 96  # lists scanned per question: recall@10 ≈ 0.97–0.98 against exact at 100k–1M (bench/scale.py)


@dataclass(frozen=True)
class DenseSpec:
    """Which faiss index a corpus of a given size gets, and its parameters."""

    kind: str  # "flat" (exact) or "ivf" (approximate)
    nlist: int = 0  # inverted lists (ivf)
    nprobe: int = 0  # lists scanned per question (ivf)

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        if self.kind == "flat":
            return "exact search"
        return f"approximate search (IVF, {self.nlist} lists, {self.nprobe} probed)"


def choose(count: int, exact_limit: int | None = None) -> DenseSpec:
    """Exact up to `exact_limit` (EXACT_LIMIT) passages, IVF with ~4·√n lists beyond (the usual faiss rule)."""
    if count <= (EXACT_LIMIT if exact_limit is None else exact_limit):
        return DenseSpec("flat")
    nlist = int(4 * math.sqrt(count))
    return DenseSpec("ivf", nlist=nlist, nprobe=min(NPROBE, nlist))


def build(vectors: np.ndarray, spec: DenseSpec | None = None, seed: int = 0):
    """A faiss inner-product index over L2-normalised `vectors` (cosine), of the chosen kind."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    spec = spec or choose(len(vectors))
    dim = vectors.shape[1]
    if spec.kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif spec.kind == "ivf":
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, spec.nlist, faiss.METRIC_INNER_PRODUCT)
        index.cp.niter = 10
        index.cp.seed = seed
        sample = min(len(vectors), TRAIN_PER_LIST * spec.nlist)
        rows = np.random.default_rng(seed).choice(len(vectors), sample, replace=False)
        index.train(vectors[np.sort(rows)])
        index.nprobe = spec.nprobe
    else:
        raise ValueError(f"unknown dense index kind {spec.kind!r}")
    index.add(vectors)
    return index
