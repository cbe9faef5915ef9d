"""Stage 3, scores: each passage's dense (passage and best sentence) and lexical (BM25) evidence."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..store import IndexData
from .question import Question
from .tuning import Weights

DENSE_DEPTH = 1000  # passages scored by faiss per question; beyond the corpus size, all are


@dataclass(frozen=True)
class Scores:
    """One float per passage of the index, by row."""

    dense: np.ndarray  # cosine blended with the best sentence's; -1 for passages faiss did not return
    lexical: np.ndarray  # BM25 of the question's terms and its glossary expansions


def score(question: Question, query_vector: np.ndarray, data: IndexData, weights: Weights) -> Scores:
    return Scores(dense_scores(query_vector, data, weights.sentence), lexical_scores(question, data, weights.expansion))


def dense_scores(query: np.ndarray, data: IndexData, sentence_share: float) -> np.ndarray:
    """Cosine of the question with each passage faiss finds, blended with its best sentence.

    Passages beyond the first DENSE_DEPTH faiss returns score -1 (all are
    returned while the corpus is smaller than that).
    """
    count = len(data.passages)
    dense = np.full(count, -1.0, dtype=np.float32)
    scores, rows = data.dense.search(query[None, :], min(count, DENSE_DEPTH))
    found = rows[0] >= 0
    rows, passage = rows[0][found], scores[0][found]
    sentence = data.best_sentence_scores(rows, query)
    dense[rows] = (1 - sentence_share) * passage + sentence_share * np.maximum(sentence, passage)
    return dense


def lexical_scores(question: Question, data: IndexData, expansion_weight: float) -> np.ndarray:
    terms, term_weights = question.lexical_query(expansion_weight)
    return data.lexical.scores(terms, term_weights)
