"""The evidence the found/not-found decision weighs, as numbers: one `Evidence` per question.

Each feature is something a reader would check: how similar the best passage
is, how far ahead of the next it is, how much of the question the corpus knows
at all, and how much of it the best passage itself contains. The calibrated
model in decision.py weighs them; `ask --json` shows them, so a person can see
why a question was answered or declined.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from ..model import Hit
from ..textnorm import words_in
from .candidates import Candidates
from .question import Question

AGREEMENT_DEPTH = 10  # hits looked at to see whether dense and lexical agree on the best


@dataclass(frozen=True)
class Evidence:
    dense: float  # the best hit's dense score (passage and best sentence)
    margin: float  # its fused score's lead over the second hit
    lexical: float  # log(1 + the best hit's BM25)
    coverage: float  # idf-weighted share of the question's topic words the corpus knows
    contained: float  # share of the question's known topic words (and glossary terms) the best passage holds
    unknown: float  # topic words the corpus never uses (capped at 4, over 4)
    glossary: float  # 1 when a glossary concept matched
    named: float  # 1 when a city or chamber restricted the candidates
    english: float  # 1 for an English question
    agree: float  # 1 when the best hit also has the best BM25 among the first AGREEMENT_DEPTH

    def vector(self) -> list[float]:
        return list(asdict(self).values())

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


FEATURES = tuple(Evidence.__dataclass_fields__)


def evidence(question: Question, hits: Sequence[Hit], found: Candidates) -> Evidence:
    """The features of the best hit for this question (hits non-empty, best first)."""
    best = hits[0]
    analysis = question.analysis
    margin = best.score - hits[1].score if len(hits) > 1 else 0.1
    words = set(analysis.content_terms) | set(question.expansion_terms)
    contained = len(words_in(best.passage.text, words)) / len(words) if words else 1.0
    top_lexical = max(h.lexical for h in hits[:AGREEMENT_DEPTH])
    return Evidence(
        dense=best.dense,
        margin=margin,
        lexical=math.log1p(max(best.lexical, 0.0)),
        coverage=analysis.coverage,
        contained=contained,
        unknown=min(len(analysis.unknown_terms), 4) / 4,
        glossary=float(bool(analysis.matched_terms)),
        named=float(found.filtered),
        english=float(analysis.lang != "ja"),
        agree=float(top_lexical > 0 and best.lexical >= top_lexical),
    )
