"""Retrieval quality on question sets with gold substrings: hit@1, hit@5 and MRR per language.

A question is answered at rank k when, for every gold group, one of its
alternatives occurs in the text of one of the first k citations (compared
after NFKC and removing whitespace). Unanswerable questions (`"answerable":
false`, empty gold) count as right when the system says it found nothing.

Three systems are compared on the same questions and index:
  bm25     BM25 over fugashi tokens of the passages (the usual Japanese baseline)
  dense    the same embedding model and faiss, nothing else (a naive RAG)
  rrf      reciprocal-rank fusion of the two (k=60), the textbook hybrid
  pipeline this project: entity filters, glossary, dense + lexical bonus, refusals
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import SummitError
from .lexical import tokenize
from .textnorm import compact

if TYPE_CHECKING:
    from .service import SummitIndex

DEPTH = 10  # ranks looked at for MRR
Ranker = Callable[[str], tuple[bool, list[str]]]  # question -> (answered?, passage texts best first)


class QuestionFileError(SummitError):
    """A line of a question file (eval/*.jsonl) is not a question: which file, which line, why."""

    code = "question-file-invalid"


def load_questions(path: Path) -> list[dict]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            item["q"], item["gold"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise QuestionFileError(f"{path}:{number}: not a question line ({exc})", "question-file-invalid",
                                    path=str(path), line=number, detail=str(exc)) from exc
        item.setdefault("lang", "en" if item["q"].isascii() else "ja")
        item.setdefault("answerable", bool(item["gold"]))
        questions.append(item)
    return questions


def gold_rank(texts: list[str], gold: list[list[str]]) -> int | None:
    """The smallest k such that the first k texts cover every gold group, or None."""
    covered = [False] * len(gold)
    compacted = [[compact(alt) for alt in group] for group in gold]
    for k, text in enumerate(texts, 1):
        body = compact(text)
        for g, group in enumerate(compacted):
            covered[g] = covered[g] or any(alt in body for alt in group)
        if all(covered):
            return k
    return None


@dataclass
class LangScore:
    questions: int = 0
    hit1: int = 0
    hit5: int = 0
    reciprocal: float = 0.0
    refused: int = 0  # answerable questions the system said it could not answer
    unanswerable: int = 0
    rightly_refused: int = 0
    misses: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        n = max(self.questions, 1)
        return {
            "questions": self.questions,
            "hit@1": round(self.hit1 / n, 3),
            "hit@5": round(self.hit5 / n, 3),
            "mrr": round(self.reciprocal / n, 3),
            "refused_answerable": self.refused,
            "unanswerable": self.unanswerable,
            "rightly_refused": self.rightly_refused,
            "misses": self.misses,
        }


def evaluate(rank: Ranker, questions: list[dict]) -> dict[str, dict]:
    """Scores per language (and "all") for one system over the questions."""
    scores: dict[str, LangScore] = {}
    for item in questions:
        answered, texts = rank(item["q"])
        for lang in (item["lang"], "all"):
            score = scores.setdefault(lang, LangScore())
            if not item["answerable"]:
                score.unanswerable += 1
                score.rightly_refused += int(not answered)
                continue
            score.questions += 1
            k = gold_rank(texts[:DEPTH], item["gold"]) if answered else None
            score.refused += int(not answered)
            score.hit1 += int(k == 1)
            score.hit5 += int(k is not None and k <= 5)
            score.reciprocal += 1 / k if k else 0.0
            if (k is None or k > 5) and lang != "all":
                score.misses.append(item.get("id", item["q"]))
    return {lang: s.as_dict() for lang, s in sorted(scores.items())}


# ---------------------------------------------------------------------- the systems


def pipeline_ranker(index: SummitIndex) -> Ranker:
    def rank(question: str) -> tuple[bool, list[str]]:
        answer = index.pipeline.answer(question, top_k=DEPTH)
        return answer.found, [c.passage.text for c in answer.citations]

    return rank


def bm25_ranker(index: SummitIndex) -> Ranker:
    data = index.data

    def rank(question: str) -> tuple[bool, list[str]]:
        scores = data.lexical.scores(tokenize(question))
        order = np.argsort(-scores, kind="stable")[:DEPTH]
        return True, [data.passages[i].text for i in order if scores[i] > 0]

    return rank


def dense_ranker(index: SummitIndex) -> Ranker:
    data, embedder = index.data, index.embedder

    def rank(question: str) -> tuple[bool, list[str]]:
        query = embedder.encode_queries([question])
        _, ids = data.dense.search(query, DEPTH)
        return True, [data.passages[i].text for i in ids[0] if i >= 0]

    return rank


def rrf_ranker(index: SummitIndex, k: int = 60) -> Ranker:
    data, embedder = index.data, index.embedder

    def rank(question: str) -> tuple[bool, list[str]]:
        lexical = data.lexical.scores(tokenize(question))
        dense = data.vectors @ embedder.encode_queries([question])[0]
        fused = np.zeros(len(data.passages))
        for scores in (lexical, dense):
            order = np.argsort(-scores, kind="stable")
            fused[order] += 1.0 / (k + np.arange(1, len(order) + 1))
        order = np.argsort(-fused, kind="stable")[:DEPTH]
        return True, [data.passages[i].text for i in order]

    return rank


SYSTEMS: dict[str, Callable[[SummitIndex], Ranker]] = {
    "bm25": bm25_ranker,
    "dense": dense_ranker,
    "rrf": rrf_ranker,
    "pipeline": pipeline_ranker,
}
