"""The tuned constants of retrieval, in one place: how signals combine and when an answer counts.

Both were chosen on the team's question sets with a coarse grid (docs/ANSWERING.md);
the held-out sets were never used for it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Weights:
    """How the signals combine.

    Measured on the question sets (docs/QUALITY.md): dense retrieval with a
    lexical bonus beats both BM25 alone and dense alone in each language, while
    plain reciprocal-rank fusion does worse than dense alone on English
    questions. So the lexical score is added as a bounded bonus on top of the
    dense cosine, not fused by rank.
    """

    lexical: float = 0.04  # bonus for the best BM25 score, relative to the candidates' best
    sentence: float = 1.0  # share of the best sentence's cosine in the dense score
    expansion: float = 0.6  # weight of glossary terms relative to the question's own words
    kind: float = 0.02  # bonus for the kind of passage the question asks for (proposals …)
    coverage: float = 0.02  # rerank: bonus for holding all of the question's words (rerank.TermCoverage)


@dataclass(frozen=True)
class Thresholds:
    """When the best hit counts as an answer.

    Cosine similarity alone does not separate answerable from unanswerable
    questions with this model, so the main test is coverage: the idf-weighted
    share of the question's topic words that the corpus knows (glossary concepts
    count as known). English questions carry many words the Japanese corpus
    never uses, so their coverage bar is lower.
    """

    coverage_ja: float = 0.30
    coverage_en: float = 0.10
    dense_alone_ja: float = 0.87  # answered on similarity alone above this
    dense_alone_en: float = 0.83
    entity_ja: float = 0.85  # a named organisation plus unknown topic words needs this
    entity_en: float = 0.77
    keep_gap: float = 0.01  # later citations score at most this much below the best (fused score)
    keep_floor_dense: float = 0.80  # and have at least this dense similarity themselves
    # Two passages of different summits are counterparts (the same topic) at this score or above
    # (retrieval/alignment.py; calibrated on eval/compare/counterpart_pairs.jsonl by bench/counterparts.py).
    counterpart: float = 0.184

    def for_lang(self, name: str, lang: str) -> float:
        return getattr(self, f"{name}_{'ja' if lang == 'ja' else 'en'}")

