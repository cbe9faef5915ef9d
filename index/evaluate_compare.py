"""Comparison quality on question sets with gold per summit: per-summit hit@1 and the share of 記載なし cells right.

A comparison question's gold is `{"8": [snippets], "9": []}`: for each summit,
verbatim snippets of the passages that address the topic, or nothing where
that summit says nothing. Each (question, summit) is a cell:

  answerable cell  right at 1 when the first citation of that summit's column holds a gold snippet
  empty cell       right when the answer shows nothing for that summit (記載なし, or no answer at all)

For "what is new / dropped" questions the listed column is also scored as a
list: precision (listed items holding a gold snippet) and recall (gold snippets
listed). A line with `"previous"` is a follow-up in a thread: it is asked as
the bot asks it, merged with the earlier question.

Two systems on the same questions and index:
  list      the answer as it was before comparisons: one mixed list, each summit's first citation in it
  pipeline  this project's comparison answer
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from .retrieval.decision import decide
from .textnorm import compact

if TYPE_CHECKING:
    from .model import Answer, Passage
    from .service import SummitIndex

Columns = dict[int, list[str]]  # summit → texts of its cited passages, in order
ComparisonRanker = Callable[[dict], Columns]


def is_comparison_set(questions: list[dict]) -> bool:
    """A set whose gold is given per summit (a JSON object) rather than as groups of snippets."""
    return bool(questions) and all(isinstance(q.get("gold"), dict) for q in questions)


def as_written(passage: Passage) -> str:
    """The passage as the declaration prints it, to match gold copied from the text: its marker or heading with
    the text ("②成長する…", "○事業名（岡谷市）…"), and the text alone."""
    if passage.kind == "initiative":
        head = f"○{passage.label}（{passage.organization}）"
    else:
        head = passage.label
    return f"{head}{passage.text}\n{passage.text}"


def columns_of(answer: Answer) -> Columns:
    """What the answer shows for each summit: its comparison columns, or its citations grouped by summit."""
    if answer.comparison:
        return {c.summit: [as_written(x.passage) for x in c.citations] for c in answer.comparison.columns}
    columns: Columns = {}
    for citation in answer.citations if answer.found else ():
        columns.setdefault(citation.passage.summit, []).append(as_written(citation.passage))
    return columns


_MARKUP = re.compile(r"^[#\-\s]+")  # a snippet copied with its Markdown heading or list marker


def _holds(text: str, snippets: list[str]) -> bool:
    body = compact(text)
    return any(compact(_MARKUP.sub("", s)) in body for s in snippets)


@dataclass
class CompareScore:
    questions: int = 0
    cells: int = 0  # answerable cells
    cell_hit1: int = 0
    empty_cells: int = 0
    empty_right: int = 0
    all_right: int = 0  # questions whose every cell is right at 1
    listed: int = 0  # new/dropped: items listed in the scored column
    listed_relevant: int = 0
    gold_listed: int = 0  # new/dropped: gold snippets, and how many of them were listed
    gold_found: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, item: dict, columns: Columns) -> bool:
        """Count one question; True when one of its cells is wrong."""
        self.questions += 1
        wrong = False
        for summit_key, snippets in item["gold"].items():
            shown = columns.get(int(summit_key), [])
            if snippets:
                self.cells += 1
                right = bool(shown) and _holds(shown[0], snippets)
                self.cell_hit1 += int(right)
            else:
                self.empty_cells += 1
                right = not shown
                self.empty_right += int(right)
            wrong = wrong or not right
            if item.get("kind") in ("new", "dropped") and snippets:
                self.listed += len(shown)
                self.listed_relevant += sum(_holds(text, snippets) for text in shown)
                self.gold_listed += len(snippets)
                self.gold_found += sum(any(_holds(t, [s]) for t in shown) for s in snippets)
        self.all_right += int(not wrong)
        return wrong

    def as_dict(self) -> dict:
        return {
            "questions": self.questions,
            "cells": self.cells,
            "summit_hit@1": round(self.cell_hit1 / self.cells, 3) if self.cells else None,
            "empty_cells": self.empty_cells,
            "empty_right": round(self.empty_right / self.empty_cells, 3) if self.empty_cells else None,
            "filled_empty": self.empty_cells - self.empty_right,
            "questions_all_right": round(self.all_right / self.questions, 3) if self.questions else None,
            "listed_precision": round(self.listed_relevant / self.listed, 3) if self.listed else None,
            "listed_recall": round(self.gold_found / self.gold_listed, 3) if self.gold_listed else None,
            "misses": self.misses,
        }


def evaluate_comparisons(rank: ComparisonRanker, questions: list[dict]) -> dict[str, dict]:
    """Scores per language (and "all") for one system over the comparison questions."""
    scores: dict[str, CompareScore] = {}
    for item in questions:
        columns = rank(item)
        for lang in (item.get("lang", "ja"), "all"):
            score = scores.setdefault(lang, CompareScore())
            if score.add(item, columns) and lang != "all":
                score.misses.append(item.get("id", item["q"]))
    return {lang: s.as_dict() for lang, s in sorted(scores.items())}


def asked(index: SummitIndex, item: dict) -> str:
    """The question as the bot searches it: merged with the earlier one when asked in a thread."""
    return index.follow_up(item["previous"], item["q"]) if item.get("previous") else item["q"]


def pipeline_comparer(index: SummitIndex) -> ComparisonRanker:
    return lambda item: columns_of(index.pipeline.answer(asked(index, item)))


def list_comparer(index: SummitIndex) -> ComparisonRanker:
    """The one mixed list of an ordinary answer: the same question with its comparison words not read as such."""
    def rank(item: dict) -> Columns:
        question = index.pipeline.analyse(asked(index, item))
        plain = replace(question, analysis=replace(question.analysis, comparison=""))
        ranking = index.pipeline.rank(plain)
        decision, worth = decide(plain, ranking.hits, ranking.found, index.pipeline.thresholds)
        columns: Columns = {}
        for hit in worth[:5] if decision.found else ():
            columns.setdefault(hit.passage.summit, []).append(as_written(hit.passage))
        return columns

    return rank


COMPARERS: dict[str, Callable[[SummitIndex], ComparisonRanker]] = {"list": list_comparer, "pipeline": pipeline_comparer}


def comparison_table(file: str, systems: dict[str, dict]) -> str:
    """A Markdown table of one comparison set: one row per system and language."""
    lines = [f"\n{file} (comparisons: gold per summit)", "",
             "| system | lang | questions | summit cells | per-summit hit@1 | 記載なし cells | 記載なし right "
             "| filled where nothing is said | questions all right | new/dropped precision | new/dropped recall |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for system, langs in systems.items():
        for lang in ("ja", "en", "all"):
            if lang in langs:
                s = langs[lang]
                lines.append(f"| {system} | {lang} | {s['questions']} | {s['cells']} | {_f(s['summit_hit@1'])} "
                             f"| {s['empty_cells']} | {_f(s['empty_right'])} | {s['filled_empty']} "
                             f"| {_f(s['questions_all_right'])} | {_f(s['listed_precision'])} | {_f(s['listed_recall'])} |")
    return "\n".join(lines)


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
