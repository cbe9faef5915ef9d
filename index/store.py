"""The index on disk: a folder of versions, one of them current.

    .index/
      CURRENT                 name of the serving version (replaced atomically)
      versions/<version>/     manifest.json, passages.jsonl, vectors.npy, dense.faiss,
                              sentences.npz, lexical.npz, idf.npy, vocab.json

A build writes a new version beside the current one and switches CURRENT only
when every file is written and checksummed, so an interrupted build leaves the
serving version untouched. Loading verifies the checksums in the manifest.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import vectors as dense_index
from .corpus import GAZETTEER, GLOSSARY, Corpus
from .embed import Embedder
from .lexical import LexicalIndex, tokenize
from .model import Document, Passage
from .sentences import sentence_spans
from .textnorm import search_form

log = logging.getLogger(__name__)

FORMAT = 1
KEEP_VERSIONS = 3


class IndexProblem(Exception):
    """Base of index problems; the message tells the user what to run."""


class IndexMissingError(IndexProblem):
    pass


class IndexCorruptError(IndexProblem):
    pass


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


def passage_context(passage: Passage, doc: Document) -> str:
    """What is embedded and tokenised for a passage: who says it, where, and the text.

    The organisation and heading path are part of what a passage is about
    ("岡谷商工会議所 … 地域活性化を目指す振興事業"), so they are searched with it.
    """
    who = passage.organization if passage.city else ""
    head = " ".join(part for part in (*passage.section, passage.label) if len(part) > 2)
    return search_form(f"{who} {head} {passage.text}", doc.search_fixes)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_passages(folder: Path, passages: list[Passage]) -> str:
    with (folder / "passages.jsonl").open("w", encoding="utf-8") as out:
        for passage in passages:
            out.write(json.dumps(passage.to_dict(), ensure_ascii=False) + "\n")
    return "passages.jsonl"


def _sentence_table(passages: list[Passage]) -> tuple[np.ndarray, np.ndarray]:
    owner, spans = [], []
    for row, passage in enumerate(passages):
        for span in sentence_spans(passage.text):
            owner.append(row)
            spans.append(span)
    return np.array(owner, dtype=np.int32), np.array(spans, dtype=np.int32).reshape(-1, 2)


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the person who ran it."""

    version: str
    passages: int
    embedded: int  # texts embedded now
    reused: int  # texts whose vectors came from the cache
    added: tuple[str, ...] = ()  # documents new since the previous version
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    dense_index: str = ""  # "exact search" or the approximate index's description


class EmbeddingCache:
    """Vectors by (model, text), so a rebuild embeds only what it has not embedded before.

    One file per model fingerprint: another model never reuses these vectors.
    Written atomically; holds exactly the texts of the latest build.
    """

    def __init__(self, index_dir: Path, fingerprint: str):
        self.path = index_dir / "embedding-cache" / f"{fingerprint}.npz"
        self.vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            try:
                with np.load(self.path) as stored:
                    self.vectors = dict(zip(stored["keys"].tolist(), stored["vectors"]))
            except (OSError, ValueError, KeyError):
                log.warning("embedding cache %s is unreadable; embedding everything again", self.path)

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def embed(self, texts: list[str], embedder: Embedder, progress: bool) -> tuple[np.ndarray, int]:
        """Vectors for `texts` (cached ones reused); returns them and how many were embedded now."""
        keys = [self.key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.vectors))
        if missing:
            by_key = {k: t for k, t in zip(keys, texts)}
            fresh = embedder.encode_passages([by_key[k] for k in missing], progress=progress)
            self.vectors.update(zip(missing, fresh))
        rows = [self.vectors[k] for k in keys]
        matrix = np.vstack(rows).astype(np.float32) if rows else np.zeros((0, embedder.dim), np.float32)
        return matrix, len(missing)

    def save(self, keep: list[str]) -> None:
        keys = [k for k in dict.fromkeys(self.key(t) for t in keep) if k in self.vectors]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".{uuid.uuid4().hex[:6]}.tmp.npz")
        vectors = np.vstack([self.vectors[k] for k in keys]) if keys else np.zeros((0, 1), np.float32)
        np.savez(tmp, keys=np.array(keys), vectors=vectors)
        os.replace(tmp, self.path)


def build_index(corpus: Corpus, embedder: Embedder, index_dir: Path, progress: bool = True,
                prune: bool = True) -> BuildReport:
    """Parse, embed (what is new) and index the corpus into a new version, then make it current.

    `prune=False` keeps every older version: a change that may still be undone
    (index/changes.py) prunes only once the new version is serving.
    """
    import faiss

    docs = {doc.key: doc for doc in corpus.documents}
    passages = corpus.passages()
    if not passages:
        raise IndexProblem(f"the corpus in {corpus.root} has no passages to index")
    contexts = [passage_context(p, docs[p.document]) for p in passages]
    owner, spans = _sentence_table(passages)
    sentences = [
        search_form(passages[o].text[s:e], docs[passages[o].document].search_fixes) for o, (s, e) in zip(owner, spans)
    ]
    cache = EmbeddingCache(index_dir, embedder.fingerprint)
    log.info("embedding %d passages and %d sentences with %s", len(passages), len(sentences), embedder.name)
    vectors, new_passages = cache.embed(contexts, embedder, progress)
    sentence_vectors, new_sentences = cache.embed(sentences, embedder, progress)
    lexical = LexicalIndex.build([tokenize(text) for text in contexts])

    versions = index_dir / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    version = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:6]
    staging = versions / f".{version}.partial"
    staging.mkdir()
    files = [_write_passages(staging, passages), *_copy_query_resources(corpus.root, staging)]
    np.save(staging / "vectors.npy", vectors)
    np.savez(staging / "sentences.npz", owner=owner, spans=spans, vectors=sentence_vectors)
    spec = dense_index.choose(len(vectors))
    log.info("dense index: %s for %d passages", spec, len(vectors))
    faiss.write_index(dense_index.build(vectors, spec), str(staging / "dense.faiss"))
    files += ["vectors.npy", "sentences.npz", "dense.faiss", *lexical.save(staging)]
    documents = [{**_doc_record(doc), "sha256": _sha256(corpus.root / doc.file)} for doc in corpus.documents]
    manifest = {
        "format": FORMAT,
        "version": version,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "model": embedder.name,
        "model_fingerprint": embedder.fingerprint,
        "dim": embedder.dim,
        "passages": len(passages),
        "sentences": len(owner),
        "dense_index": spec.as_dict(),
        "documents": documents,
        "files": {name: _sha256(staging / name) for name in files},
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    _fsync_tree(staging)
    cache.save(contexts + sentences)
    previous = _previous_documents(index_dir)
    os.rename(staging, versions / version)
    _switch_current(index_dir, version)
    if prune:
        _prune(versions, keep=KEEP_VERSIONS)
    embedded = new_passages + new_sentences
    return BuildReport(version, len(passages), embedded, len(contexts) + len(sentences) - embedded,
                       *_document_changes(previous, documents), dense_index=str(spec))


QUERY_RESOURCES = (GAZETTEER, GLOSSARY)  # what questions are analysed with: kept with the passages they fit


def _copy_query_resources(corpus_root: Path, staging: Path) -> list[str]:
    """The gazetteer and glossary the version is built with, copied into it, so that a rollback brings back the
    names and terms its passages were indexed with, not today's."""
    copied = []
    for name in QUERY_RESOURCES:
        if (corpus_root / name).is_file():
            shutil.copyfile(corpus_root / name, staging / name)
            copied.append(name)
    return copied


def _previous_documents(index_dir: Path) -> dict[str, str] | None:
    """sha256 of each document in the current version, before it is replaced (None: no index yet)."""
    try:
        folder = index_dir / "versions" / current_version(index_dir)
        return {d["key"]: d.get("sha256", "") for d in _read_manifest(folder)["documents"]}
    except IndexProblem:
        return None


def _document_changes(previous: dict[str, str] | None, documents: list[dict]) -> tuple[tuple[str, ...], ...]:
    if previous is None:
        return tuple(d["key"] for d in documents), (), ()
    now = {d["key"]: d["sha256"] for d in documents}
    added = tuple(k for k in now if k not in previous)
    changed = tuple(k for k in now if k in previous and previous[k] != now[k])
    removed = tuple(k for k in previous if k not in now)
    return added, changed, removed


def _doc_record(doc: Document) -> dict:
    record = {name: getattr(doc, name) for name in Document.__dataclass_fields__}
    record["member_cities"] = list(doc.member_cities)
    record["search_fixes"] = [list(pair) for pair in doc.search_fixes]
    record["pages"] = list(doc.pages)
    return record


def _fsync_tree(folder: Path) -> None:
    for file in folder.iterdir():
        with file.open("rb") as handle:
            os.fsync(handle.fileno())


def _switch_current(index_dir: Path, version: str) -> None:
    tmp = index_dir / f".CURRENT.{uuid.uuid4().hex[:6]}"
    tmp.write_text(version + "\n", encoding="utf-8")
    with tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, index_dir / "CURRENT")


def _prune(versions: Path, keep: int) -> None:
    """Keep the newest versions (for rollback) and drop leftovers of killed builds."""
    done = sorted(p for p in versions.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in done[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    for partial in versions.glob(".*.partial"):
        if time.time() - partial.stat().st_mtime > 3600:
            shutil.rmtree(partial, ignore_errors=True)


def prune_versions(index_dir: Path) -> None:
    """Keep the newest KEEP_VERSIONS versions (what a build does when it prunes)."""
    if (index_dir / "versions").is_dir():
        _prune(index_dir / "versions", keep=KEEP_VERSIONS)


def versions(index_dir: Path) -> list[str]:
    """Complete versions, oldest first."""
    folder = index_dir / "versions"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def rollback(index_dir: Path) -> tuple[str, str]:
    """Make the version before the current one current again; returns (from, to)."""
    current = current_version(index_dir)
    older = [v for v in versions(index_dir) if v < current]
    if not older:
        raise IndexProblem(f"there is no version older than {current} to roll back to")
    target = older[-1]
    _read_manifest(index_dir / "versions" / target)
    _verify(index_dir / "versions" / target, _read_manifest(index_dir / "versions" / target))
    _switch_current(index_dir, target)
    return current, target


def restore_current(index_dir: Path, version: str | None, failed: str = "") -> None:
    """Undo a change: make `version` current again (None: there was no index) and delete version `failed`.

    Used when a new version was built but must not stay (it could not be
    loaded, or the change it belongs to failed): the index is then exactly as
    it was, and the failed version cannot take a rollback slot.
    """
    if version is None:
        (index_dir / "CURRENT").unlink(missing_ok=True)
    else:
        _switch_current(index_dir, version)
    if failed and failed != version and "/" not in failed and not failed.startswith("."):
        shutil.rmtree(index_dir / "versions" / failed, ignore_errors=True)


def current_version(index_dir: Path) -> str:
    pointer = index_dir / "CURRENT"
    if not pointer.exists():
        raise IndexMissingError(f"there is no index in {index_dir} yet: run `summitbot index build`")
    return pointer.read_text(encoding="utf-8").strip()


def load_index(index_dir: Path) -> IndexData:
    """Load and verify the current version; a damaged file is named in the error."""
    import faiss

    version = current_version(index_dir)
    folder = index_dir / "versions" / version
    manifest = _read_manifest(folder)
    _verify(folder, manifest)
    try:
        passages = [Passage.from_dict(json.loads(line)) for line in (folder / "passages.jsonl").open(encoding="utf-8")]
        sentences = np.load(folder / "sentences.npz")
        data = IndexData(
            version=version,
            manifest=manifest,
            documents={d["key"]: _document_from_record(d) for d in manifest["documents"]},
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
        raise IndexCorruptError(f"index version {version} cannot be read ({exc}): run `summitbot index build`") from exc
    if len(data.passages) != len(data.vectors) or np.any(np.diff(data.sentence_owner) < 0):
        raise IndexCorruptError(f"index version {version} is inconsistent: run `summitbot index build`")
    return data


def _read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexCorruptError(f"index version {folder.name} has no manifest: run `summitbot index build`") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"index manifest {folder / 'manifest.json'} is damaged: run `summitbot index build`") from exc
    if manifest.get("format") != FORMAT:
        raise IndexCorruptError(f"index version {folder.name} has an old format: run `summitbot index build`")
    return manifest


def _verify(folder: Path, manifest: dict) -> None:
    for name, expected in manifest.get("files", {}).items():
        path = folder / name
        if not path.exists() or _sha256(path) != expected:
            raise IndexCorruptError(
                f"index file {path} is missing or damaged (checksum mismatch): run `summitbot index build`"
            )


def _document_from_record(record: dict) -> Document:
    fields = {k: v for k, v in record.items() if k in Document.__dataclass_fields__}
    fields["member_cities"] = tuple(fields.get("member_cities", ()))
    fields["search_fixes"] = tuple(tuple(pair) for pair in fields.get("search_fixes", ()))
    fields["pages"] = tuple(fields.get("pages", ()))
    return Document(**fields)
