"""Which summits a comparison covers, and what comparisons need of the pipeline.

"第8回と第9回" names two; "前回と比べて" one and the one before it; none, every
indexed summit. What is new is the later summit listed against the earlier one,
what was dropped the reverse. Kept apart from comparison.py (side by side) and
changes.py (what is new, what was dropped), which both read a `Scope`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from ..model import Citation, Hit
from .question import Question
from .ranking import Link, Ranking

if TYPE_CHECKING:
    from ..query import QueryAnalyzer
    from ..store import IndexData
    from .alignment import Counterparts
    from .tuning import Thresholds


class Searcher(Protocol):
    """What comparisons need of the pipeline (retrieval/pipeline.py): its stages for one index version."""

    data: IndexData
    analyzer: QueryAnalyzer
    counterparts: Counterparts
    thresholds: Thresholds
    summits: tuple[int, ...]

    def analyse(self, text: str) -> Question: ...

    def rank(self, question: Question) -> Ranking: ...

    def citation(self, hit: Hit, ranking: Ranking, label: str, link: Link) -> Citation: ...


@dataclass(frozen=True)
class Scope:
    """Which summits a comparison covers, oldest first; for new/dropped, which one is listed and against which."""

    kind: str
    summits: tuple[int, ...]
    listed: int = 0  # new: the later summit; dropped: the earlier one
    against: int = 0


def scope_of(kind: str, named: Sequence[int], previous: bool, indexed: Sequence[int]) -> Scope | None:
    """The summits to compare; None when there is nothing to compare with (one summit indexed, or the first)."""
    indexed = sorted(indexed)
    named = sorted(n for n in named if n in indexed)

    def before(n: int) -> int | None:
        earlier = [s for s in indexed if s < n]
        return earlier[-1] if earlier else None

    def after(n: int) -> int | None:
        later = [s for s in indexed if s > n]
        return later[0] if later else None

    if kind in ("new", "dropped"):
        if len(named) >= 2:
            early, late = named[0], named[-1]
        else:
            late = named[0] if named else indexed[-1]
            early = before(late)
            if kind == "new" and named and early is None and after(late) is not None:
                early, late = late, after(late)  # 「8回にはなかった…」: new since the 8th, the first indexed
            if kind == "dropped" and named and (early is None or (not previous and after(late) is not None)):
                early, late = late, after(late)  # "what did the 8th have that was dropped": the 8th, then the next
        if early is None or late is None:
            return None
        listed, against = (late, early) if kind == "new" else (early, late)
        return Scope(kind, (early, late), listed, against)
    if len(named) >= 2:
        return Scope(kind, tuple(named))
    if previous:
        late = named[0] if named else indexed[-1]
        early = before(late)
        return Scope(kind, (early, late)) if early is not None else None
    return Scope(kind, tuple(indexed)) if len(indexed) >= 2 else None


def at(question: Question, summits: Sequence[int]) -> Question:
    """The question asked of these summits only."""
    return replace(question, analysis=replace(question.analysis, summits=tuple(summits)))
