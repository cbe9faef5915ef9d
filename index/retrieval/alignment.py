"""Which passages of two summits are counterparts: the same topic, said again (or not) a year later.

The signal is lexical, measured on labelled pairs (eval/compare/counterpart_pairs.jsonl,
bench/counterparts.py, docs/ANSWERING.md "Counterparts across summits"): BM25 of
one passage's own words against the other, over its BM25 against itself, each
way, averaged. Every cosine of the embedding model lies between 0.81 and 0.98
for any two items of these declarations and hardly separates same-topic pairs
from others; shared rare words do. Heading paths are left out: 「経営強化」 in two
headings made unrelated items look alike. An initiative's name is part of its
words (「新規受注開拓支援事業」 is what it is about).

The scores of two summits' passages come from one sparse product, so "what is
new in the 9th" over all its items costs a few milliseconds. The words are
tokenised on first use, not at start-up: most questions never compare.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from ..lexical import LexicalIndex, tokenize
from ..model import Document, Passage
from ..textnorm import apply_fixes

CONTENT_KINDS = ("declaration", "proposal", "initiative")  # what a summit commits to or asks for: what can be new


def own_words(passage: Passage, document: Document) -> str:
    """The passage's text (an initiative with its name), with the document's OCR fixes: what counterparts share."""
    text = f"{passage.label} {passage.text}" if passage.kind == "initiative" else passage.text
    return apply_fixes(text, document.search_fixes)


class Counterparts:
    """Counterpart scores between the passages of one index version (rows are the version's passage rows)."""

    def __init__(self, passages: Sequence[Passage], documents: dict[str, Document], threshold: float):
        self.passages, self.documents, self.threshold = passages, documents, threshold
        self._lock = threading.Lock()
        self._built: tuple[sparse.csr_matrix, sparse.csc_matrix, np.ndarray] | None = None
        self._by_summit: dict[int, list[int]] = {}  # rows of each summit's content passages, in row order
        for row, passage in enumerate(passages):
            if passage.kind in CONTENT_KINDS:
                self._by_summit.setdefault(passage.summit, []).append(row)

    def _matrices(self) -> tuple[sparse.csr_matrix, sparse.csc_matrix, np.ndarray]:
        """Query counts (passages × terms), BM25 weights (terms × passages) and each passage's self-score."""
        with self._lock:
            if self._built is None:
                tokens = [tokenize(own_words(p, self.documents[p.document])) if p.kind != "heading" else []
                          for p in self.passages]
                lexicon = LexicalIndex.build(tokens)
                rows, cols = [], []
                for row, words in enumerate(tokens):
                    rows += [row] * len(words)
                    cols += [lexicon.vocab[w] for w in words]
                counts = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                                           shape=(len(tokens), len(lexicon.vocab)))
                weights = sparse.csc_matrix(lexicon.weights, dtype=np.float32)
                own = np.asarray(counts.multiply(weights.T).sum(axis=1)).ravel()
                self._built = (counts, weights, own)
            return self._built

    def scores(self, rows_a: Sequence[int], rows_b: Sequence[int]) -> np.ndarray:
        """(len(rows_a), len(rows_b)) symmetric counterpart scores, 0 where a passage has no words."""
        if not len(rows_a) or not len(rows_b):
            return np.zeros((len(rows_a), len(rows_b)), dtype=np.float32)
        counts, weights, own = self._matrices()
        a, b = np.asarray(rows_a), np.asarray(rows_b)
        a_to_b = (counts[a] @ weights[:, b]).toarray() / _safe(own[a])[:, None]
        b_to_a = (counts[b] @ weights[:, a]).toarray() / _safe(own[b])[:, None]
        return (a_to_b + b_to_a.T) / 2

    def score(self, row_a: int, row_b: int) -> float:
        return float(self.scores([row_a], [row_b])[0, 0])

    def are_counterparts(self, row_a: int, row_b: int) -> bool:
        return self.score(row_a, row_b) >= self.threshold

    def rows_of(self, summit: int, kinds: Sequence[str] = CONTENT_KINDS) -> list[int]:
        """The summit's items, proposals and initiatives (those of `kinds`), in row order."""
        return [r for r in self._by_summit.get(summit, ()) if self.passages[r].kind in kinds]

    def without_counterpart(self, rows: Sequence[int], other_summit: int,
                            others: Sequence[int] | None = None) -> list[int]:
        """Those of `rows` that no passage of `other_summit` (items, proposals, initiatives; or only `others`)
        matches."""
        others = self.rows_of(other_summit) if others is None else others
        if not others:
            return list(rows)
        best = self.scores(rows, others).max(axis=1)
        return [r for r, score in zip(rows, best) if score < self.threshold]

    def neighbours(self, row: int, summits: Sequence[int]) -> list[tuple[int, float]]:
        """The passage's counterpart at each of `summits` (best first within a summit), mutual-best only.

        A 9th-summit item whose words overlap one 8th-summit item a little (技術承継
        and 事業承継) is shown only when that item has no better counterpart at the
        9th: the pair must be each other's best, or within the best two.
        """
        own_summit = self.passages[row].summit
        mine = self.rows_of(own_summit)
        found = []
        for summit in summits:
            others = self.rows_of(summit)
            if not others:
                continue
            forward = self.scores([row], others)[0]
            best = int(np.argmax(forward))
            if forward[best] < self.threshold:
                continue
            back = self.scores([others[best]], mine)[0]
            rank_back = int((back > back[mine.index(row)]).sum()) if row in mine else 0
            if rank_back <= 1:
                found.append((others[best], float(forward[best])))
        return found


def _safe(values: np.ndarray) -> np.ndarray:
    return np.where(values > 0, values, 1.0)
