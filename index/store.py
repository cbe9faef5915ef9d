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

from .corpus import Corpus
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
    sentence_owner: np.ndarray  # (sentences,) row of the passage each sentence belongs to
    sentence_spans: np.ndarray  # (sentences, 2) offsets in the passage's text
    sentence_vectors: np.ndarray  # (sentences, dim)
    lexical: LexicalIndex


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


def build_index(corpus: Corpus, embedder: Embedder, index_dir: Path, progress: bool = True) -> str:
    """Parse, embed and index the corpus into a new version; returns its name once current."""
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
    log.info("embedding %d passages and %d sentences with %s", len(passages), len(sentences), embedder.name)
    vectors = embedder.encode_passages(contexts, progress=progress)
    sentence_vectors = embedder.encode_passages(sentences, progress=progress)
    lexical = LexicalIndex.build([tokenize(text) for text in contexts])

    versions = index_dir / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    version = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:6]
    staging = versions / f".{version}.partial"
    staging.mkdir()
    files = [_write_passages(staging, passages)]
    np.save(staging / "vectors.npy", vectors)
    np.savez(staging / "sentences.npz", owner=owner, spans=spans, vectors=sentence_vectors)
    faiss.write_index(_flat_index(vectors), str(staging / "dense.faiss"))
    files += ["vectors.npy", "sentences.npz", "dense.faiss", *lexical.save(staging)]
    manifest = {
        "format": FORMAT,
        "version": version,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "model": embedder.name,
        "model_fingerprint": embedder.fingerprint,
        "dim": embedder.dim,
        "passages": len(passages),
        "sentences": int(len(owner)),
        "documents": [
            {**_doc_record(doc), "sha256": _sha256(corpus.root / doc.file)} for doc in corpus.documents
        ],
        "files": {name: _sha256(staging / name) for name in files},
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    _fsync_tree(staging)
    os.rename(staging, versions / version)
    _switch_current(index_dir, version)
    _prune(versions, keep=KEEP_VERSIONS)
    return version


def _doc_record(doc: Document) -> dict:
    record = {name: getattr(doc, name) for name in Document.__dataclass_fields__}
    record["member_cities"] = list(doc.member_cities)
    record["search_fixes"] = [list(pair) for pair in doc.search_fixes]
    return record


def _flat_index(vectors: np.ndarray):
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return index


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
            vectors=np.load(folder / "vectors.npy"),
            dense=faiss.read_index(str(folder / "dense.faiss")),
            sentence_owner=sentences["owner"],
            sentence_spans=sentences["spans"],
            sentence_vectors=sentences["vectors"],
            lexical=LexicalIndex.load(folder),
        )
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(f"index version {version} cannot be read ({exc}): run `summitbot index build`") from exc
    if len(data.passages) != len(data.vectors):
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
    return Document(**fields)
