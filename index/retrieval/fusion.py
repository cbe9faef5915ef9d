"""Stage 4, fusion: one score per candidate, and the candidates in order, best first."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..model import Hit, Passage
from .candidates import Candidates, Facets
from .question import Question
from .scores import Scores
from .tuning import Weights

MAX_HITS = 200  # hits kept per question: more than anyone pages through with "More results"


def fuse(question: Question, found: Candidates, scores: Scores, facets: Facets, passages: Sequence[Passage],
         weights: Weights) -> tuple[Hit, ...]:
    """Dense score + a bounded lexical bonus (relative to the best candidate's) + a bonus for the asked kind."""
    mask, lexical = found.mask, scores.lexical
    if not mask.any():
        return ()
    best_lexical = float(lexical[mask].max())
    lexical_norm = lexical / best_lexical if best_lexical > 0 else lexical
    total = scores.dense + weights.lexical * lexical_norm
    if question.analysis.kinds:
        total = total + weights.kind * np.isin(facets.kinds, question.analysis.kinds)
    rows = np.flatnonzero(mask)
    if len(rows) > MAX_HITS:  # a large corpus: sort only the best, not every passage
        rows = np.sort(rows[np.argpartition(-total[rows], MAX_HITS)[:MAX_HITS]])
    order = rows[np.argsort(-total[rows], kind="stable")]
    return tuple(
        Hit(passages[r], float(total[r]), float(scores.dense[r]), float(lexical[r]), rank=i + 1, row=int(r))
        for i, r in enumerate(order)
    )
