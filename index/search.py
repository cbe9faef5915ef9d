"""Hybrid search: dense (faiss) and BM25 scores fused, with entity filters from the question.

Measured on the question sets (see README, "Quality"): dense retrieval with a
lexical bonus beats both BM25 alone and dense alone in each language, while
plain reciprocal-rank fusion does worse than dense alone on English questions.
So the lexical score is added as a bounded bonus on top of the dense cosine,
not fused by rank.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from .embed import Embedder
from .lexical import QUESTION_WORDS, tagged_tokens, tokenize
from .model import Hit, QueryAnalysis
from .query import QueryAnalyzer
from .store import IndexData

DENSE_DEPTH = 1000  # passages scored by faiss per question; beyond the corpus size, all are
MAX_HITS = 200  # hits kept per question: more than anyone pages through with "More results"


@dataclass(frozen=True)
class Weights:
    """How the signals combine; chosen on the question sets with a coarse grid (docs/ANSWERING.md)."""

    lexical: float = 0.04  # bonus for the best BM25 score, relative to the candidates' best
    sentence: float = 1.0  # share of the best sentence's cosine in the dense score
    expansion: float = 0.6  # weight of glossary terms relative to the question's own words
    kind: float = 0.02  # bonus for the kind of passage the question asks for (proposals …)


@dataclass(frozen=True)
class SearchResult:
    analysis: QueryAnalysis
    hits: tuple[Hit, ...]  # best first: candidates that passed the filters, at most MAX_HITS
    notice: str = ""  # why the filters were relaxed or matched nothing
    filtered: bool = False  # an entity (city, chamber) restricted the candidates
    query_vector: np.ndarray | None = None  # for choosing excerpt sentences


def _with_suffix(place: str, text: str) -> str:
    """燕 → 燕市 when the question says 燕市: the name as the asker wrote it."""
    match = re.search(re.escape(place) + "[市区町村県府都]?", text, re.IGNORECASE)
    return match.group() if match else place


class Searcher:
    """Holds the loaded index and the model; answers `search` calls in a few milliseconds."""

    def __init__(self, data: IndexData, embedder: Embedder, analyzer: QueryAnalyzer, weights: Weights = Weights()):
        self.data = data
        self.embedder = embedder
        self.analyzer = analyzer
        self.weights = weights
        self._summits = np.array([p.summit for p in data.passages])
        self._cities = np.array([p.city for p in data.passages])
        self._orgs = np.array([p.organization for p in data.passages])
        self._kinds = np.array([p.kind for p in data.passages])

    # ------------------------------------------------------------------ signals

    def dense_scores(self, query: np.ndarray) -> np.ndarray:
        """Cosine of the question with each passage faiss finds, blended with its best sentence.

        Passages beyond the first DENSE_DEPTH faiss returns score -1 (all are
        returned while the corpus is smaller than that).
        """
        count = len(self.data.passages)
        dense = np.full(count, -1.0, dtype=np.float32)
        scores, rows = self.data.dense.search(query[None, :], min(count, DENSE_DEPTH))
        found = rows[0] >= 0
        rows, passage = rows[0][found], scores[0][found]
        sentence = self.data.best_sentence_scores(rows, query)
        share = self.weights.sentence
        dense[rows] = (1 - share) * passage + share * np.maximum(sentence, passage)
        return dense

    def lexical_scores(self, analysis: QueryAnalysis) -> np.ndarray:
        own = tokenize(analysis.residual)
        extra = [t for term in analysis.expansions for t in tokenize(term) if t not in own]
        terms = own + extra
        weights = [1.0] * len(own) + [self.weights.expansion] * len(extra)
        return self.data.lexical.scores(terms, weights)

    def topics(self, analysis: QueryAnalysis) -> QueryAnalysis:
        """The question's topic words the index knows, and how much of the question they cover.

        Words are weighted by their idf; a word the corpus never uses weighs as much
        as the rarest word it does (twice that for an unknown name: 横浜, Hanshin),
        and a glossary concept counts as known. A question about 半導体の輸出規制
        covers little, one about 電気代の値上がり covers all.
        """
        lexicon = self.data.lexical
        rarest = float(lexicon.idf.max()) if len(lexicon.idf) else 1.0
        covered = total = rarest * len(analysis.matched_terms)
        known: list[str] = []
        places: list[str] = []
        for word, name_kind in tagged_tokens(analysis.residual):
            if word in QUESTION_WORDS or word.isdigit():
                continue
            if lexicon.known(word):
                known.append(word)
                weight = float(lexicon.idf[lexicon.vocab[word]])
                covered += weight
            else:
                if name_kind == "place":
                    places.append(_with_suffix(word, analysis.residual))
                weight = rarest * (2 if name_kind or word in analysis.proper_nouns else 1)
            total += weight
        return replace(
            analysis, content_terms=tuple(known), coverage=covered / total if total else 1.0, unknown_places=tuple(places)
        )

    # ------------------------------------------------------------------ filters

    def candidates(self, analysis: QueryAnalysis) -> tuple[np.ndarray, str, bool]:
        """Which passages may answer, given the summits and organisations the question names."""
        mask = np.ones(len(self.data.passages), dtype=bool)
        notice = ""
        if analysis.summits:
            mask &= np.isin(self._summits, analysis.summits)
            if not mask.any():
                return mask, "no-summit", False
        if not (analysis.cities or analysis.organizations):
            return mask, notice, False
        entity = np.isin(self._cities, analysis.cities) | np.isin(self._orgs, analysis.organizations)
        if (mask & entity).any():
            return mask & entity, notice, True
        # The organisation has no initiative of its own there: the joint text is what it adopted.
        return mask & (self._cities == ""), "joint-only", True

    # ------------------------------------------------------------------ search

    def search(self, question: str) -> SearchResult:
        analysis = self.topics(self.analyzer.analyze(question))
        mask, notice, filtered = self.candidates(analysis)
        if not mask.any():
            return SearchResult(analysis, (), notice, filtered)
        query = self.embedder.encode_queries([question])[0]
        dense = self.dense_scores(query)
        lexical = self.lexical_scores(analysis)
        best_lexical = float(lexical[mask].max()) if mask.any() else 0.0
        lexical_norm = lexical / best_lexical if best_lexical > 0 else lexical
        score = dense + self.weights.lexical * lexical_norm
        if analysis.kinds:
            score = score + self.weights.kind * np.isin(self._kinds, analysis.kinds)
        rows = np.flatnonzero(mask)
        if len(rows) > MAX_HITS:  # a large corpus: sort only the best, not every passage
            rows = np.sort(rows[np.argpartition(-score[rows], MAX_HITS)[:MAX_HITS]])
        order = rows[np.argsort(-score[rows], kind="stable")]
        hits = tuple(
            Hit(self.data.passages[r], float(score[r]), float(dense[r]), float(lexical[r]), rank=i + 1, row=int(r))
            for i, r in enumerate(order)
        )
        return SearchResult(analysis, hits, notice, filtered, query)
