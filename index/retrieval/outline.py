"""Structure questions ("what are the pillars of the 9th declaration?", "提言は全部で何項目？"), answered from headings.

A question about how a declaration is built is not answered by any one item,
so it skips similarity and the decision: the declaration's own headings are
the answer, cited in reading order, each with the number of items under it.
Which headings depends on what the question names:

* a heading by its words ("「取引拡大」の章") → that heading and the ones under it;
* proposals (提言, "proposals to the government") → the proposals' part and its headings;
* pillars or commitments (柱, 方向性, "pillars") → the headings of the declaration part;
* otherwise (構成, "sections", "parts") → the top level, descending while it is a single heading.

Parts without a heading of their own in the source (the cities' initiatives)
are stood in for by their first passage.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model import Decision, Hit, Passage
from ..textnorm import words_in
from .question import Question

_PILLARS = re.compile(r"柱|方向性|約束|\bpillars?\b|\bcommit|\bpledge|\bthemes?\b", re.IGNORECASE)
# The words that ask about structure say nothing about which heading is meant.
_COUNTING_WORDS = frozenset("柱 柱立て 章 章立て 項目 大項目 部分 全部 構成 見出し 目次 骨子 一番 数 いくつ".split())
_ITEM_KINDS = ("declaration", "proposal", "initiative")
_NAMED_SHARE = 0.5  # share of a heading's words the question must use to name that heading
# A structure question says what it is about: a declaration, a summit, the proposals ("how many sections does a
# pizza have" uses the same counting words).
_DECLARATION_WORDS = re.compile(r"宣言|提言|サミット|declar|\bdecl\b|summit|\bdoc|proposal|government|\bgovt?\b",
                                re.IGNORECASE)


def is_structure(question: Question) -> bool:
    """A question about how a declaration is built: structure words, and a declaration or summit named."""
    analysis = question.analysis
    about_declarations = bool(analysis.summits) or bool(_DECLARATION_WORDS.search(question.text))
    return "heading" in analysis.kinds and about_declarations and not analysis.unknown_places


@dataclass(frozen=True)
class Outline:
    """One document's headings as a tree, with the number of items under each."""

    passages: tuple[Passage, ...]  # the document's passages in reading order, headings included
    _items: dict[str, tuple[Passage, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # What is under each heading or part, once per index version: every structure question reads it.
        for part in self.passages:
            self._items[part.id] = self._under(part)

    def path(self, heading: Passage) -> tuple[str, ...]:
        return (*heading.section, heading.label)

    def children(self, path: tuple[str, ...]) -> list[Passage]:
        """The headings directly under `path` (the top level for ())."""
        return [p for p in self.passages if p.kind == "heading" and p.section == path]

    def items(self, part: Passage) -> tuple[Passage, ...]:
        return self._items[part.id]

    def _under(self, part: Passage) -> tuple[Passage, ...]:
        """The items anywhere under a heading, or in the part a first passage stands in for.

        Items are the numbered entries (commitments, proposals, initiatives) where
        the part has any, so "how many proposals" does not count the annex's
        introductory paragraphs; otherwise its paragraphs (a preamble's).
        """
        path = self.path(part) if part.kind == "heading" else part.section[:1]
        under = [p for p in self.passages if p.kind != "heading" and p.section[: len(path)] == path and p != part]
        return tuple(p for p in under if p.kind in _ITEM_KINDS) or tuple(under)

    def top(self) -> list[Passage]:
        """Each top-level part in reading order: its heading, or its first passage when the source has none."""
        parts: dict[str, Passage] = {}
        for p in self.passages:
            first = p.section[0] if p.section else p.label if p.kind == "heading" else ""
            if first and first not in parts:
                parts[first] = p
        return list(parts.values())

    def part_of_kind(self, kind: str) -> Passage | None:
        """The top-level heading whose items are mostly of `kind` (proposal, declaration)."""
        for part in self.top():
            if part.kind != "heading":
                continue
            kinds = [p.kind for p in self.items(part)]
            if kinds and kinds.count(kind) * 2 >= len(kinds):
                return part
        return None


def outlines(passages: Sequence[Passage]) -> dict[str, Outline]:
    """An Outline per document key, made once per index version."""
    by_doc: dict[str, list[Passage]] = {}
    for p in passages:
        by_doc.setdefault(p.document, []).append(p)
    return {key: Outline(tuple(sorted(ps, key=lambda p: p.order))) for key, ps in by_doc.items()}


def listing(question: Question, outline: Outline) -> list[Passage]:
    """The headings (or stand-ins) that answer a structure question about one document; a title with nothing under
    it (すみだ宣言 above the preamble) is no part of the structure."""
    return [p for p in _listed(question, outline) if p.kind != "heading" or outline.items(p)]


def _listed(question: Question, outline: Outline) -> list[Passage]:
    named = _named_heading(question, outline)
    if named is not None:
        return [named, *outline.children(outline.path(named))]
    kinds = question.analysis.kinds
    if "proposal" in kinds:
        part = outline.part_of_kind("proposal")
        return [part, *outline.children(outline.path(part))] if part else []
    if _PILLARS.search(question.text):
        part = outline.part_of_kind("declaration")
        if part is not None:
            return outline.children(outline.path(part)) or [part]
    level = outline.top()
    while len(level) == 1 and level[0].kind == "heading" and outline.children(outline.path(level[0])):
        level = outline.children(outline.path(level[0]))
    return level


def _named_heading(question: Question, outline: Outline) -> Passage | None:
    """The heading whose words the question uses most (at least half of them), if any."""
    terms = set(question.terms) - _COUNTING_WORDS
    best, best_share = None, 0.0
    for heading in (p for p in outline.passages if p.kind == "heading" and outline.items(p)):
        words = set(words_in(heading.text, terms)) if terms else set()
        share = len(words) / len(terms) if terms else 0.0
        if words and share >= _NAMED_SHARE and share > best_share:
            best, best_share = heading, share
    return best


def answer_structure(question: Question, outlines_by_doc: dict[str, Outline], documents: Sequence[tuple[str, int, str]],
                     rows: dict[str, int]) -> tuple[Decision, tuple[Hit, ...]] | None:
    """The decision and the hits for a structure question; None when no document in scope has headings (the
    question then goes the usual way).

    `documents` are (key, summit, host city), newest first: the scope is the
    named summits, else the declarations hosted by the named cities
    ("the Ota declaration"), else all of them.
    """
    analysis = question.analysis
    if analysis.summits:
        scope = [key for key, summit, _ in documents if summit in analysis.summits]
    else:
        scope = [key for key, _, host in documents if host and host in analysis.cities]
        scope = scope or [key for key, _, _ in documents]
    listed = [p for key in scope if key in outlines_by_doc for p in listing(question, outlines_by_doc[key])]
    if not listed:
        return None
    hits = tuple(Hit(p, 1.0, rank=i + 1, row=rows[p.id]) for i, p in enumerate(listed))
    under = {item.id for p in listed for item in outlines_by_doc[p.document].items(p)}
    return Decision("found", "structure", evidence={"headings": float(len(listed)), "items": float(len(under))}), hits
