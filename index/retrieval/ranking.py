"""What the stages hand on: a question's ranking, and how a front end links a citation (a callable it passes in).

Its own module so that the pipeline and the comparison answers, which both
build on a ranking, need not import each other.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..model import Document, Hit, Passage
from .candidates import Candidates
from .question import Question

Link = Callable[[Passage, Document, str], str]  # (passage, document, excerpt) → the citation's URL; front ends pass it


def no_link(passage: Passage, document: Document, excerpt: str) -> str:
    return ""


@dataclass(frozen=True)
class Ranking:
    """The question's candidates in order, and the question's vector (for excerpts)."""

    question: Question
    found: Candidates
    hits: tuple[Hit, ...]
    query_vector: np.ndarray | None = None
    structure: bool = False  # the hits are headings answering a structure question: each cited with its item count
