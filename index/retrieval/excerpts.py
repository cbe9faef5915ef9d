"""Stage 8, excerpts: which adjacent sentences of a cited passage to show.

Every excerpt is a verbatim span of its passage's text: one to three adjacent
sentences chosen by their similarity to the question, nudged towards sentences
containing the question's words. Nothing is generated.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..textnorm import words_in

SHORT_PASSAGE = 90  # characters: shown whole
MAX_EXCERPT = 220  # characters an excerpt may grow to with neighbouring sentences
MAX_SENTENCES = 3
WORD_BONUS = 0.02  # per question word a sentence contains
NEIGHBOUR_SLACK = 0.03  # a neighbour joins while its similarity is this close to the best sentence's


def excerpt_span(text: str, spans: Sequence[tuple[int, int]], similarities: np.ndarray,
                 words: set[str]) -> tuple[int, int]:
    """The best window of adjacent sentences, or the whole passage when it is short or has no sentences.

    `spans` are the passage's sentences (offsets in `text`), `similarities`
    their cosines with the question.
    """
    if len(text) <= SHORT_PASSAGE or len(spans) == 0:
        return 0, len(text)
    bonus = np.array([len(words_in(text[s:e], words)) for s, e in spans])
    return best_window(list(spans), similarities + WORD_BONUS * bonus)


def lead_span(text: str, spans: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """The passage's opening sentences (as many as fit the excerpt's length), or all of a short passage.

    For a question about an organisation as a whole ("尼崎の商工会議所は？") the
    opening says what the initiative is; the sentence most like the question
    would be whichever one repeats the organisation's name.
    """
    if len(text) <= SHORT_PASSAGE or len(spans) == 0:
        return 0, len(text)
    return best_window(list(spans), -NEIGHBOUR_SLACK / MAX_SENTENCES * np.arange(len(spans)))


def best_window(spans: list[tuple[int, int]], scores: np.ndarray) -> tuple[int, int]:
    """Grow from the best sentence towards the better neighbour while it stays close and short."""
    lo = hi = int(np.argmax(scores))
    top = float(scores[lo])
    while hi - lo + 1 < MAX_SENTENCES:
        options = [i for i in (lo - 1, hi + 1) if 0 <= i < len(spans) and scores[i] >= top - NEIGHBOUR_SLACK]
        if not options:
            break
        nxt = max(options, key=lambda i: scores[i])
        new_lo, new_hi = min(lo, nxt), max(hi, nxt)
        if spans[new_hi][1] - spans[new_lo][0] > MAX_EXCERPT:
            break
        lo, hi = new_lo, new_hi
    return int(spans[lo][0]), int(spans[hi][1])
