"""The stages in order, for one index version: question → … → Answer.

    analyse ─► candidates ─► scores ─► fuse ─► rerank ─► decide ─► cite ─► excerpt ─► Answer
       ├─► a structure question: outline (the headings, no model) ──────────┘
       └─► a question across summits: comparison (the same stages per summit, aligned) ─► Answer.comparison

Each stage is a function of plain data (index/retrieval/*.py); this module only
wires them and is the one place that touches the loaded arrays (sentence
vectors for the excerpts). It keeps nothing between questions.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ..embed import Embedder
from ..model import Answer, Citation, CitationGroup, Decision, Hit
from ..query import QueryAnalyzer
from ..store import IndexData
from . import citations as cite
from .alignment import Counterparts
from .candidates import Candidates, Facets, candidates
from .comparison import Comparer
from .scope import scope_of
from .decision import decide, names_only
from .excerpts import excerpt_span, lead_span
from .fusion import fuse
from .outline import answer_structure, is_structure, outlines
from .question import Question, analyse
from .ranking import Link, Ranking, no_link
from .rerank import Reranker, TermCoverage
from .scores import score
from .tuning import Thresholds, Weights

QUERY_CACHE = 512  # question vectors kept (2 KB each)


class Pipeline:
    """Retrieval over one loaded index version with one model; safe to share between threads."""

    def __init__(self, data: IndexData, embedder: Embedder, analyzer: QueryAnalyzer, reranker: Reranker | None = None,
                 weights: Weights = Weights(), thresholds: Thresholds = Thresholds()):
        self.data = data
        self.embedder = embedder
        self.analyzer = analyzer
        self.reranker = reranker or TermCoverage(data.lexical, weights.coverage)
        self.weights = weights
        self.thresholds = thresholds
        self.facets = Facets.of(data.passages)
        self.summits = tuple(sorted({d.summit for d in data.documents.values()}))
        self.outlines = outlines(data.passages)
        self.rows = {p.id: row for row, p in enumerate(data.passages)}
        newest_first = sorted(data.documents.values(), key=lambda d: -d.summit)
        self.scopes = tuple((d.key, d.summit, d.host_city) for d in newest_first)
        # "More results" asks the same question again: embed it once (the model is most of a question's cost).
        self.query_vector = lru_cache(maxsize=QUERY_CACHE)(self._embed)
        self.counterparts = Counterparts(data.passages, data.documents, thresholds.counterpart)
        self.comparer = Comparer(self)

    def analyse(self, text: str) -> Question:
        return analyse(text, self.analyzer, self.data.lexical)

    def rank(self, question: Question) -> Ranking:
        """Candidates, scores, fusion and rerank; the model embeds the question only when a candidate is left."""
        found = candidates(question.analysis, self.facets)
        if not found.mask.any():
            return Ranking(question, found, ())
        query = self.query_vector(question.text)
        scores = score(question, query, self.data, self.weights)
        hits = fuse(question, found, scores, self.facets, self.data.passages, self.weights)
        return Ranking(question, found, self.reranker.rank(question, hits), query)

    def answer(self, text: str, top_k: int = 5, offset: int = 0, link: Link = no_link) -> Answer:
        """The cited answer; with `offset`, the next `top_k` passages after those already shown."""
        question = self.analyse(text)
        if question.analysis.comparison and not is_structure(question):  # "how did the pillars change": headings
            analysis = question.analysis
            scope = scope_of(analysis.comparison, analysis.summits, analysis.previous, self.summits)
            if scope and not any(s not in self.summits for s in analysis.summits):
                return self.comparer.answer(question, scope, top_k, offset, link)
        if is_structure(question):
            structure = answer_structure(question, self.outlines, self.scopes, self.rows)
            if structure:
                decision, headings = structure
                ranking = Ranking(question, Candidates(self.facets.kinds == "heading"), headings, structure=True)
                return self._answer(question, decision, headings, ranking, top_k, offset, link)
        ranking = self.rank(question)
        decision, worth_citing = decide(question, ranking.hits, ranking.found, self.thresholds)
        return self._answer(question, decision, worth_citing, ranking, top_k, offset, link)

    def _answer(self, question: Question, decision: Decision, worth_citing: Sequence[Hit], ranking: Ranking,
                top_k: int, offset: int, link: Link) -> Answer:
        groups: tuple[CitationGroup, ...] = ()
        remaining = 0
        if decision.found:
            cited = cite.page(worth_citing, ranking.hits, top_k, offset)
            groups = tuple(self._group([self._citation(c, ranking, link) for c in group])
                           for group in cite.groups(cited))
            remaining = cite.remaining(ranking.hits, offset, len(cited))
        return Answer(question.text, question.lang, decision, groups, question.analysis, self.summits, remaining)

    def _citation(self, cited: cite.Cited, ranking: Ranking, link: Link) -> Citation:
        return self.citation(cited.hit, ranking, cited.label, link)

    def citation(self, hit: Hit, ranking: Ranking, label: str, link: Link) -> Citation:
        """A hit cited under `label`: its excerpt chosen for the ranking's question, its URL from the front end."""
        passage = hit.passage
        doc = self.data.documents[passage.document]
        start, end = self._excerpt(hit, ranking)
        excerpt = passage.text[start:end]
        items = len(self.outlines[passage.document].items(passage)) if ranking.structure else 0
        return Citation(label, passage, doc, excerpt, start, round(hit.score, 4), link(passage, doc, excerpt), items)

    def _excerpt(self, hit: Hit, ranking: Ranking) -> tuple[int, int]:
        if ranking.query_vector is None:
            return 0, len(hit.passage.text)
        rows = self.data.sentence_rows(hit.row)
        spans = [tuple(self.data.sentence_spans[r]) for r in rows]
        if names_only(ranking.question.analysis):
            return lead_span(hit.passage.text, spans)
        similarities = self.data.sentence_vectors[rows] @ ranking.query_vector
        return excerpt_span(hit.passage.text, spans, similarities, ranking.question.excerpt_words)

    def _embed(self, text: str) -> np.ndarray:
        vector = self.embedder.encode_queries([text])[0]
        vector.setflags(write=False)  # shared by every answer to this question
        return vector

    @staticmethod
    def _group(citations: list[Citation]) -> CitationGroup:
        first = citations[0]
        return CitationGroup(first.passage.summit, first.passage.organization, first.document, tuple(citations))
