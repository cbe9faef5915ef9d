"""One loaded index version (`SummitIndex`, a snapshot) and the serving index that follows CURRENT (`LiveIndex`).

A snapshot never changes: its passages, vectors, lexical index and the query
resources it was built with (gazetteer, glossary) are read once. A question is
answered on one snapshot, start to finish. Loading checks that the index was
built with the configured model, so vectors of two models are never compared.
"""
from __future__ import annotations

import json
import logging
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import GAZETTEER, GLOSSARY, Corpus, CorpusError, Gazetteer, load_glossary
from .embed import Embedder, build_embedder, query_embedder, serves
from .errors import SummitError
from .model import Answer, Document, Passage
from .query import QueryAnalyzer
from .retrieval import Link, Pipeline, no_link
from .settings import Settings
from .store import BuildReport, IndexData, IndexProblem, build_index, current_version, load_index

log = logging.getLogger(__name__)

MAX_QUESTION = 2000  # characters; a longer text is not a question but a paste
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


class QuestionError(SummitError, ValueError):
    """The question cannot be asked as it is: empty, too long, or without a word to search for."""

    code = "question-unusable"


def clean_question(text: str) -> str:
    """The question without control characters and surrounding space, or a QuestionError."""
    cleaned = " ".join(_CONTROL.sub(" ", text or "").split())
    if not cleaned:
        raise QuestionError("the question is empty", "question-empty")
    if len(cleaned) > MAX_QUESTION:
        raise QuestionError(f"the question has {len(cleaned)} characters, more than {MAX_QUESTION}",
                            "question-too-long", length=len(cleaned), limit=MAX_QUESTION)
    if not any(unicodedata.category(ch)[0] in "LN" for ch in cleaned):
        raise QuestionError("the question has no letters or digits to search for", "question-no-words")
    return cleaned


class ModelMismatchError(IndexProblem):
    """The index was built with another embedding model than the one configured: its vectors do not compare."""

    code = "model-mismatch"


@dataclass(frozen=True)
class SummitIndex:
    """A snapshot: one immutable loaded index version, the corpus it was built from, and its pipeline."""

    corpus: Corpus  # the version's documents, gazetteer and glossary (see _serving_corpus)
    pipeline: Pipeline
    by_id: dict[str, Passage] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> SummitIndex:
        """Load the current index version and the model it was built with.

        The documents are those the version was built from (its manifest records
        them), not the corpus manifest's: a manifest being edited, or broken, never
        stops a server from starting on the last good version.
        """
        data = load_index(settings.index_dir)
        corpus = _serving_corpus(settings.corpus_dir, data)
        embedder = embedder or query_embedder(data.manifest, settings.embed_model, settings.cache_dir,
                                              settings.query_engine)
        if not serves(data.manifest, embedder):
            built_from = data.manifest.get("model_source") or "unrecorded"
            configured_from = getattr(embedder, "source", "") or "unknown"
            raise ModelMismatchError(
                f"the index was built with model {data.manifest.get('model')!r} (loaded from {built_from}), the"
                f" configured one is {embedder.name!r} (loaded from {configured_from}), with other weights",
                built_with=data.manifest.get("model"), configured=embedder.name, built_from=built_from,
                configured_from=configured_from)
        analyzer = QueryAnalyzer.build(corpus.gazetteer, corpus.glossary, corpus.documents)
        log.info("index %s loaded: %d passages, model %s", data.version, len(data.passages), embedder.name)
        return cls(corpus, Pipeline(data, embedder, analyzer), {p.id: p for p in data.passages})

    @property
    def data(self) -> IndexData:
        return self.pipeline.data

    @property
    def embedder(self) -> Embedder:
        return self.pipeline.embedder

    @property
    def version(self) -> str:
        return self.data.version

    def snapshot(self) -> SummitIndex:
        """This loaded version itself: it never changes (see LiveIndex.snapshot)."""
        return self

    def ask(self, question: str, top_k: int = 5, offset: int = 0, link: Link = no_link) -> Answer:
        """A cited answer, or a not-found Answer; raises QuestionError for unusable input.

        With `offset`, the next `top_k` passages after the first `offset` ("more results").
        `link` makes each citation's URL: only the front end knows its routes.
        """
        return self.pipeline.answer(clean_question(question), top_k=max(1, top_k), offset=max(0, offset), link=link)

    def follow_up(self, previous: str, current: str) -> str:
        """The question to search for `current`, asked in a thread after `previous`."""
        return self.pipeline.analyzer.follow_up(previous, current)

    # ------------------------------------------------------------------ what the version holds

    def summits(self) -> tuple[int, ...]:
        return self.pipeline.summits

    def passage(self, passage_id: str) -> Passage | None:
        """A passage of this version, or None (e.g. an id from before a rebuild)."""
        return self.by_id.get(passage_id)

    def counterparts(self, passage_id: str) -> tuple[Passage, ...]:
        """The same topic at the other summits: each summit's counterpart of the passage, oldest first."""
        row = self.pipeline.rows.get(passage_id)
        if row is None or self.data.passages[row].kind == "heading":
            return ()
        own = self.data.passages[row].summit
        found = self.pipeline.counterparts.neighbours(row, [s for s in self.summits() if s != own])
        return tuple(sorted((self.data.passages[r] for r, _ in found), key=lambda p: p.summit))

    def document(self, key: str) -> Document | None:
        return self.data.documents.get(key)

    def documents(self) -> list[Document]:
        """The version's documents, newest summit first."""
        return sorted(self.data.documents.values(), key=lambda d: -d.summit)

    def document_passages(self, key: str) -> list[Passage]:
        """A document's passages in reading order."""
        return [p for p in self.data.passages if p.document == key]

    def source_text(self, key: str) -> str | None:
        """The document's source file as the corpus holds it (for "view the source")."""
        doc = self.document(key)
        try:
            return self.corpus.source(doc) if doc else None
        except CorpusError:
            return None

    def original_path(self, key: str) -> Path | None:
        """The published file a document was extracted from (a PDF), if the corpus keeps it."""
        doc = self.document(key)
        if doc is None or not doc.original:
            return None
        path = (self.corpus.root / doc.original).resolve()
        return path if path.is_file() and path.is_relative_to(self.corpus.root.resolve()) else None


def _serving_corpus(root: Path, data) -> Corpus:
    """The documents of index version `data` with the gazetteer and glossary it was built with.

    Both come from the version folder, so a rollback restores them with the
    passages; a version built before they were kept falls back to the corpus
    folder's.
    """
    try:
        Corpus.load(root)
    except CorpusError as error:
        log.error("the corpus manifest cannot be read (%s); serving index version %s with the %d documents it was "
                  "built from. Fix the manifest before the next build.", error, data.version, len(data.documents))
    gazetteer = data.query_resource(GAZETTEER) or root / GAZETTEER
    glossary = data.query_resource(GLOSSARY) or root / GLOSSARY
    return Corpus(root, tuple(data.documents.values()), Gazetteer.load(gazetteer), tuple(load_glossary(glossary)))


def build(settings: Settings, progress: bool = True, embedder: Embedder | None = None,
          prune: bool = True) -> BuildReport:
    """Build a new index version from the corpus folder, embedding only what is new."""
    corpus = Corpus.load(settings.corpus_dir)
    embedder = embedder or build_embedder(settings.embed_model, settings.cache_dir)
    return build_index(corpus, embedder, settings.index_dir, progress=progress, prune=prune,
                       probes=probe_questions(settings.probe_dir))


def probe_questions(folder: Path) -> list[str]:
    """The questions of the JSONL files in `folder` (the eval sets): what the fast engine is checked on."""
    questions: list[str] = []
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else ():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                text = json.loads(line).get("q", "") if line.strip() else ""
            except (ValueError, AttributeError):
                continue
            if isinstance(text, str) and text.strip():
                questions.append(text)
    return list(dict.fromkeys(questions))


class LiveIndex:
    """The serving index: follows the index folder's CURRENT version without a restart.

    A build (or a rollback) replaces CURRENT; within `check_every` seconds the
    next question notices, the new version is loaded in a background thread
    with the same model, and then swapped in by one reference assignment.
    Questions already being answered finish on the version they started with,
    so none is dropped. A version that fails to load is logged and ignored:
    the last good one keeps serving. Callers take a `snapshot()` and use it
    for everything one request does; nothing is forwarded.
    """

    def __init__(self, settings: Settings, index: SummitIndex | None = None, check_every: float = 2.0):
        self.settings = settings
        self.current = index or SummitIndex.open(settings)
        self.check_every = check_every
        self._checked = time.monotonic()
        self._loading = threading.Lock()
        self.load_error = ""  # why the last load failed ("" when it did not)

    @property
    def version(self) -> str:
        """The version serving now (the health check shows it)."""
        return self.current.version

    def snapshot(self) -> SummitIndex:
        """The version serving now, to answer one question (and its citations' version) on, whatever switches after."""
        self.refresh()
        return self.current

    def refresh(self) -> None:
        """Start loading a new version when CURRENT names one; never blocks the caller."""
        now = time.monotonic()
        if now - self._checked < self.check_every:
            return
        self._checked = now
        try:
            wanted = current_version(self.settings.index_dir)
        except IndexProblem:
            return
        if wanted != self.current.version and self._loading.acquire(blocking=False):
            threading.Thread(target=self._load, args=(wanted,), daemon=True, name="index-reload").start()

    def reload(self) -> str:
        """Load the CURRENT version now (after this process built or rolled back the index).

        Returns the version serving afterwards: the new one, or — when it could not
        be loaded — the last good one, with the reason in `load_error`. Callers that
        promise something is live compare it with the version they built.
        """
        with self._loading:
            try:
                wanted = current_version(self.settings.index_dir)
            except IndexProblem as error:
                self.load_error = str(error)
                return self.current.version
            self._load(wanted, locked=True)
        return self.current.version

    def _load(self, wanted: str, locked: bool = False) -> None:
        try:
            try:
                fresh = SummitIndex.open(self.settings, embedder=self.current.embedder)  # keep the loaded engine
            except ModelMismatchError:  # the new version was checked against another engine: choose again
                fresh = SummitIndex.open(self.settings)
            self.current = fresh
            self.load_error = ""
            log.info("switched to index version %s", fresh.version)
        except (IndexProblem, CorpusError) as error:
            self.load_error = str(error)
            log.error("index version %s could not be loaded, still serving %s: %s", wanted, self.current.version, error)
        finally:
            if not locked:
                self._loading.release()
