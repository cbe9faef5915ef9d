"""Stage 5, rerank: the seam for a cross-encoder or any other reorderer; the identity by default.

A reranker sees the question and the fused hits and returns them in its order
(it may drop some, never add). The decision stage reads the hits' `score`, so a
reranker that changes the order should set scores that agree with it.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..model import Hit
from .question import Question


class Reranker(Protocol):
    def rank(self, question: Question, hits: Sequence[Hit]) -> tuple[Hit, ...]: ...


class Identity:
    """Keeps the fused order: measured best until a reranker beats it on the question sets."""

    def rank(self, question: Question, hits: Sequence[Hit]) -> tuple[Hit, ...]:
        return tuple(hits)
