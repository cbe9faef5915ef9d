"""Stage 2, candidates: which passages may answer, given the summits and organisations the question names."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..model import Passage, QueryAnalysis


@dataclass(frozen=True)
class Facets:
    """The passages' metadata as arrays, made once per index version, for filtering by mask."""

    summits: np.ndarray
    cities: np.ndarray
    organizations: np.ndarray
    kinds: np.ndarray

    @classmethod
    def of(cls, passages: Sequence[Passage]) -> Facets:
        return cls(np.array([p.summit for p in passages]), np.array([p.city for p in passages]),
                   np.array([p.organization for p in passages]), np.array([p.kind for p in passages]))


@dataclass(frozen=True)
class Candidates:
    mask: np.ndarray  # bool per passage
    notice: str = ""  # no-summit: the named summit is not indexed; joint-only: the joint text stands in
    filtered: bool = False  # a named city or chamber restricted the candidates


def candidates(analysis: QueryAnalysis, facets: Facets) -> Candidates:
    """The named summits' passages, narrowed to the named cities' and chambers' own.

    When an organisation has no initiative of its own at that summit, the joint
    text all member cities adopted is what it committed to, so that stands in.
    Headings are candidates only for a question about structure: elsewhere a
    heading would outrank the items under it while saying less.
    """
    mask = np.ones(len(facets.summits), dtype=bool)
    if "heading" not in analysis.kinds:
        mask &= facets.kinds != "heading"
    if analysis.summits:
        mask &= np.isin(facets.summits, analysis.summits)
        if not mask.any():
            return Candidates(mask, "no-summit")
    if not (analysis.cities or analysis.organizations):
        return Candidates(mask)
    entity = np.isin(facets.cities, analysis.cities) | np.isin(facets.organizations, analysis.organizations)
    if (mask & entity).any():
        return Candidates(mask & entity, filtered=True)
    return Candidates(mask & (facets.cities == ""), "joint-only", filtered=True)
