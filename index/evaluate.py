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

DEPTH = 10  # ranks looked at for MRR: the answer and its first "More results" page
SHOWN = 5  # citations an answer shows before "More results"


@dataclass(frozen=True)
class Ranked:
    """What a system gives for one question: whether it answers, passages best first, what the answer shows."""

    answered: bool
    texts: list[str]  # passage texts, best first, up to DEPTH
    excerpts: list[str]  # what the answer shows of each citation it shows (≤ SHOWN; whole texts for baselines)


Ranker = Callable[[str], Ranked]


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


def relevant_texts(item: dict) -> list[str]:
    """Substrings that mark a passage as relevant: the graded `relevant` list where a set has one, else the gold."""
    graded = [r["text"] for r in item.get("relevant", ()) if r.get("grade", 1) >= 1]
    return [compact(t) for t in (graded or [alt for group in item["gold"] for alt in group])]


@dataclass
class LangScore:
    questions: int = 0
    hit1: int = 0
    hit5: int = 0
    reciprocal: float = 0.0
    refused: int = 0  # answerable questions the system said it could not answer
    unanswerable: int = 0
    rightly_refused: int = 0
    cited: int = 0  # citations shown on answerable questions
    cited_relevant: int = 0
    excerpt_hit1: int = 0  # the first excerpt holds gold text
    misses: list[str] = field(default_factory=list)

    def add_answerable(self, item: dict, ranked: Ranked) -> bool:
        """Count one answerable question; True when it missed hit@5."""
        self.questions += 1
        groups = len(item["gold"])
        k = gold_rank(ranked.texts[:DEPTH], item["gold"]) if ranked.answered else None
        self.refused += int(not ranked.answered)
        self.hit1 += int(k is not None and k <= groups)  # a question with g parts may use g citations
        self.hit5 += int(k is not None and k <= max(SHOWN, groups))
        self.reciprocal += 1 / max(1, k - groups + 1) if k else 0.0
        if ranked.answered:
            marks = relevant_texts(item)
            shown = [compact(t) for t in ranked.texts[:len(ranked.excerpts)]]
            self.cited += len(shown)
            self.cited_relevant += sum(any(m in text for m in marks) for text in shown)
            first = compact(ranked.excerpts[0]) if ranked.excerpts else ""
            self.excerpt_hit1 += int(any(compact(alt) in first for group in item["gold"] for alt in group))
        return k is None or k > max(SHOWN, groups)

    def as_dict(self) -> dict:
        n = max(self.questions, 1)
        return {
            "questions": self.questions,
            "hit@1": round(self.hit1 / n, 3),
            "hit@5": round(self.hit5 / n, 3),
            "mrr": round(self.reciprocal / n, 3),
            "precision": round(self.cited_relevant / self.cited, 3) if self.cited else 0.0,
            "excerpt@1": round(self.excerpt_hit1 / n, 3),
            "refused_answerable": self.refused,
            "wrongly_declined": round(self.refused / n, 3),
            "unanswerable": self.unanswerable,
            "rightly_refused": self.rightly_refused,
            "declined": round(self.rightly_refused / self.unanswerable, 3) if self.unanswerable else None,
            "citations_per_answer": round(self.cited / max(self.questions - self.refused, 1), 2),
            "misses": self.misses,
        }


def evaluate(rank: Ranker, questions: list[dict]) -> dict[str, dict]:
    """Scores per language (and "all") for one system over the questions.

    hit@k: the first k passages of the ranking staff can page through (the
    answer, then "More results") cover every gold group; a question whose
    answer has g parts may use g passages (hit@1 means within the first g).
    Precision: the share of the citations the answer itself shows that are
    relevant, over the answerable questions answered: padding lowers it. excerpt@1: the first
    citation's excerpt holds gold text. Declined: unanswerable questions
    refused; wrongly declined: answerable questions refused.
    """
    scores: dict[str, LangScore] = {}
    for item in questions:
        ranked = rank(item["q"])
        for lang in (item["lang"], "all"):
            score = scores.setdefault(lang, LangScore())
            if not item["answerable"]:
                score.unanswerable += 1
                score.rightly_refused += int(not ranked.answered)
            elif score.add_answerable(item, ranked) and lang != "all":
                score.misses.append(item.get("id", item["q"]))
    return {lang: s.as_dict() for lang, s in sorted(scores.items())}


# ---------------------------------------------------------------------- the systems


def pipeline_ranker(index: SummitIndex) -> Ranker:
    """As staff see it: the answer (at most SHOWN citations), then its first "More results" page."""
    def rank(question: str) -> Ranked:
        answer = index.pipeline.answer(question, top_k=SHOWN)
        shown = list(answer.citations)
        texts = [c.passage.text for c in shown]
        while shown and len(texts) < DEPTH:  # "More results", page by page as the bot asks for them
            page = index.pipeline.answer(question, top_k=SHOWN, offset=len(texts)).citations
            if not page:
                break
            texts += [c.passage.text for c in page]
        return Ranked(answer.found, texts[:DEPTH], [c.excerpt for c in shown])

    return rank


# The baselines rank the declarations' content passages: the heading passages that serve this project's structure
# questions are left out, so a baseline is the plain retriever it always was.


def bm25_ranker(index: SummitIndex) -> Ranker:
    data, content = index.data, _content(index)

    def rank(question: str) -> Ranked:
        scores = data.lexical.scores(tokenize(question))
        return _whole([data.passages[i].text for i in _best(scores, content) if scores[i] > 0])

    return rank


def dense_ranker(index: SummitIndex) -> Ranker:
    data, embedder, content = index.data, index.embedder, _content(index)

    def rank(question: str) -> Ranked:
        query = embedder.encode_queries([question])
        _, ids = data.dense.search(query, DEPTH + int((~content).sum()))
        return _whole([data.passages[i].text for i in ids[0] if i >= 0 and content[i]][:DEPTH])

    return rank


def rrf_ranker(index: SummitIndex, k: int = 60) -> Ranker:
    data, embedder, content = index.data, index.embedder, _content(index)

    def rank(question: str) -> Ranked:
        rows = np.flatnonzero(content)
        lexical = data.lexical.scores(tokenize(question))[rows]
        dense = (data.vectors @ embedder.encode_queries([question])[0])[rows]
        fused = np.zeros(len(rows))
        for scores in (lexical, dense):
            order = np.argsort(-scores, kind="stable")
            fused[order] += 1.0 / (k + np.arange(1, len(order) + 1))
        order = np.argsort(-fused, kind="stable")[:DEPTH]
        return _whole([data.passages[rows[i]].text for i in order])

    return rank


def _content(index: SummitIndex) -> np.ndarray:
    return np.array([p.kind != "heading" for p in index.data.passages], dtype=bool)


def _best(scores: np.ndarray, content: np.ndarray) -> list[int]:
    order = np.argsort(-scores, kind="stable")
    return [int(i) for i in order if content[i]][:DEPTH]


def _whole(texts: list[str]) -> Ranked:
    """A baseline always answers and shows its first SHOWN passages whole."""
    return Ranked(True, texts, texts[:SHOWN])


SYSTEMS: dict[str, Callable[[SummitIndex], Ranker]] = {
    "bm25": bm25_ranker,
    "dense": dense_ranker,
    "rrf": rrf_ranker,
    "pipeline": pipeline_ranker,
}
