"""Loading the current index version into memory (`IndexData`), verified against its manifest.

Building a version is index/builder.py, the versions folder index/versions.py;
their public names are re-exported here, where callers have always found them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .builder import BuildReport, EmbeddingCache, build_index, passage_context
from .lexical import LexicalIndex
from .model import Document, Passage
from .versions import (IndexCorruptError, IndexMissingError, IndexProblem, current_version, prune_versions,
                       read_manifest, restore_current, rollback, verify, versions)

__all__ = ["BuildReport", "EmbeddingCache", "IndexCorruptError", "IndexData", "IndexMissingError", "IndexProblem",
           "build_index", "current_version", "load_index", "passage_context", "prune_versions", "restore_current",
           "rollback", "versions"]


@dataclass
class IndexData:
    """Everything a searcher needs, in memory: passages, vectors and the lexical matrix."""

    version: str
    manifest: dict
    documents: dict[str, Document]
    passages: list[Passage]
    vectors: np.ndarray  # (passages, dim), L2-normalised
    dense: object  # faiss.Index over `vectors`
    sentence_owner: np.ndarray  # (sentences,) row of the passage each sentence belongs to, ascending
    sentence_spans: np.ndarray  # (sentences, 2) offsets in the passage's text
    sentence_vectors: np.ndarray  # (sentences, dim)
    lexical: LexicalIndex
    folder: Path | None = None  # the version's folder: its query resources (QUERY_RESOURCES) live there

    def query_resource(self, name: str) -> Path | None:
        """The version's own copy of a query resource; None for a version built before they were kept."""
        path = self.folder / name if self.folder else None
        return path if path and name in self.manifest.get("files", {}) and path.is_file() else None

    def __post_init__(self) -> None:
        # Sentences are stored passage by passage: passage r owns rows start[r]:start[r+1].
        self.sentence_start = np.searchsorted(self.sentence_owner, np.arange(len(self.passages) + 1))

    def sentence_rows(self, row: int) -> np.ndarray:
        return np.arange(self.sentence_start[row], self.sentence_start[row + 1])

    def best_sentence_scores(self, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
        """For each passage in `rows`, the best cosine of one of its sentences with `query` (-1: none).

        Only the candidates' sentences are scored, so the cost does not grow with the corpus.
        """
        starts = self.sentence_start[rows]
        lengths = self.sentence_start[rows + 1] - starts
        best = np.full(len(rows), -1.0, dtype=np.float32)
        present = lengths > 0
        if not present.any():
            return best
        starts, lengths = starts[present], lengths[present]
        # The candidates' sentences, gathered candidate by candidate, then a max per candidate's run.
        firsts = np.cumsum(lengths) - lengths
        sentences = np.repeat(starts - firsts, lengths) + np.arange(lengths.sum())
        best[present] = np.maximum.reduceat(self.sentence_vectors[sentences] @ query, firsts)
        return best


def load_index(index_dir: Path) -> IndexData:
    """Load and verify the current version; a damaged file is named in the error."""
    import faiss

    version = current_version(index_dir)
    folder = index_dir / "versions" / version
    manifest = read_manifest(folder)
    verify(folder, manifest)
    try:
        passages = [Passage.from_dict(json.loads(line)) for line in (folder / "passages.jsonl").open(encoding="utf-8")]
        sentences = np.load(folder / "sentences.npz")
        data = IndexData(
            version=version,
            manifest=manifest,
            documents={d["key"]: Document.from_dict(d) for d in manifest["documents"]},
            passages=passages,
            vectors=np.load(folder / "vectors.npy", mmap_mode="r"),  # faiss holds its own copy
            dense=faiss.read_index(str(folder / "dense.faiss")),
            sentence_owner=sentences["owner"],
            sentence_spans=sentences["spans"],
            sentence_vectors=sentences["vectors"],
            lexical=LexicalIndex.load(folder),
            folder=folder,
        )
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(f"index version {version} cannot be read ({exc})", "index-unreadable",
                                version=version, detail=str(exc)[:300]) from exc
    if len(data.passages) != len(data.vectors) or np.any(np.diff(data.sentence_owner) < 0):
        raise IndexCorruptError(f"index version {version} is inconsistent", "index-inconsistent", version=version)
    return data
