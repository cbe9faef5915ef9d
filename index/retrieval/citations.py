"""Stage 7, citations: which hits one page of the answer shows, their labels, and their groups.

An answer is read group by group ("岡谷市 … / 岡谷商工会議所 …"), so the first
page is ordered by group (groups in the order of their best hit) and labelled
[1], [2], … in that order; the first citation is still the best one. "More
results" pages continue after the first page in score order, whatever the
score, and are grouped and labelled the same way, so every front end shows
labels in reading order.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Hit


@dataclass(frozen=True)
class Cited:
    label: str  # [1], [2], … numbered across pages
    hit: Hit


def page(worth_citing: Sequence[Hit], ranked: Sequence[Hit], top_k: int, offset: int) -> list[Cited]:
    """The `top_k` citations from `offset`: first the hits worth citing (grouped), then the rest of the ranking."""
    first = grouped(worth_citing[:top_k])
    if offset:
        shown = {hit.row for hit in first}
        rest = [hit for hit in ranked if hit.row not in shown]
        hits = grouped((first + rest)[offset: offset + top_k])
    else:
        hits = first
    return [Cited(f"[{offset + i + 1}]", hit) for i, hit in enumerate(hits)]


def remaining(ranked: Sequence[Hit], offset: int, shown: int) -> int:
    """How many ranked passages a further page could still show (the cited ones are among the ranked)."""
    return max(0, len(ranked) - offset - shown)


def groups(cited: Sequence[Cited]) -> list[list[Cited]]:
    """Citations of one summit and organisation together, in the order the first of each appears."""
    by_key: dict[tuple[int, str], list[Cited]] = {}
    for item in cited:
        by_key.setdefault(_key(item.hit), []).append(item)
    return list(by_key.values())


def grouped(hits: Sequence[Hit]) -> list[Hit]:
    """Hits reordered group by group, groups in the order of their best hit."""
    by_key: dict[tuple[int, str], list[Hit]] = {}
    for hit in hits:
        by_key.setdefault(_key(hit), []).append(hit)
    return [hit for group in by_key.values() for hit in group]


def _key(hit: Hit) -> tuple[int, str]:
    return hit.passage.summit, hit.passage.organization
