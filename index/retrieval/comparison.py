"""A question across summits: one cited passage per summit per topic, or 記載なし; then the answer.

    scope ─► topics ─► per topic: rank over the scope (anchor: the best passage anywhere, and whether the
    question is answered at all) ─► per summit: that summit's best passage, kept only when it is the anchor's
    counterpart or holds the question's words ─► columns, oldest first ─► Answer(comparison=…)

A summit whose best passage is neither is shown as saying nothing (記載なし):
a weak match would read as the summit's position. What is new and what was
dropped are listed by changes.py; which summits are covered, scope.py. Every
cell is cited with the same verbatim excerpt rules as any answer.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ..model import Answer, Citation, CitationGroup, Comparison, Decision, Hit, SummitColumn
from .changes import Changes, has_topic
from .decision import decide, names_only
from .narrowing import OWN, Keep, asked_passages
from .on_topic import CLOSE_ITEMS, HOLDS, TopicReader, asks_for_action, items_of, named_first
from .on_topic import anchor as anchor_of
from .question import Question
from .ranking import Link, Ranking
from .scope import Scope, Searcher, at

Cell = tuple[Hit, Ranking, str]  # a summit's passage on a topic, its ranking, and "joint" when the joint text stands in
MAX_COLUMNS = 5  # summits on one page (Slack's 50 blocks); "More" shows the older ones
MAX_TOPICS = 3
MAX_OWN = 3  # a named organisation's passages per summit when the question has no topic ("岡谷はこれまで…")
_SUMMIT_WORDS = re.compile(r"サミット|宣言|第?\d+回|\bsummits?\b|\bdeclarations?\b", re.IGNORECASE)
# The organisation's initiatives asked for (「東大阪市の取組みは？」, "what is Kawaguchi doing specifically?"): the joint
# text, which every city adopted, is not what that city does.
_ITS_INITIATIVES = re.compile(r"取組|取り組|具体的に|\binitiatives?\b|\bspecifically\b", re.IGNORECASE)
# Topics are joined by と/や/and, not by との, として, という (地域金融機関との連携 is one topic).
_TOPIC_SPLIT = re.compile(r"と(?![のしいもか])|や|及び|および|、|,|;|\band\b|&")


class Comparer:
    """Comparison answers over one pipeline (one index version)."""

    def __init__(self, pipeline: Searcher):
        self.pipeline = pipeline
        concepts = [terms for _, terms, meta in pipeline.analyzer.glossary if not meta]
        self.reader = TopicReader(pipeline.data, pipeline.counterparts, concepts)
        self.documents = {d.summit: d for d in sorted(pipeline.data.documents.values(), key=lambda d: d.key)}
        self.changes = Changes(pipeline, self.reader, self.documents)

    def answer(self, question: Question, scope: Scope, top_k: int, offset: int, link: Link) -> Answer:
        if scope.kind in ("new", "dropped") and has_topic(question):
            listing = self.changes.on_topic(question, scope, link)
            if listing:
                column, decision = listing
                return self._answer(question, decision, Comparison(scope.kind, (column,), against=scope.against), 0)
            scope = Scope("compare", scope.summits)  # the listed summit says nothing on it: the topic side by side
        if scope.kind in ("new", "dropped"):
            column, decision = self.changes.listed(question, scope.kind, scope.listed, scope.against, link)
            return self._answer(question, decision, Comparison(scope.kind, (column,), against=scope.against), 0)
        if _no_topic(question) and len(scope.summits) == 2:
            columns, decision = self.changes.between(question, scope, link)
            return self._answer(question, decision, Comparison("changes", columns), 0)
        topics = self._topics(question, scope)
        cells: dict[int, list[Cell | str]] = {s: [] for s in scope.summits}
        decision = None
        # The joint text stands in for an organisation only when the asker speaks of summits ("尼崎 at the 8th and
        # the 9th", "between the two summits"); "岡谷市と東大阪商議所、どう違う？" compares the two organisations' own words.
        stand_in = bool(question.analysis.summits or _SUMMIT_WORDS.search(question.text))
        only = asked_passages(question.text, bool(question.analysis.cities or question.analysis.organizations),
                              self.pipeline.analyzer.chamber_words)
        for topic in topics:
            found, topic_decision = self._topic_cells(topic, scope, stand_in, only)
            decision = decision if decision and decision.found else topic_decision
            for summit, cell in found.items():
                cells[summit].append(cell)
        if decision is None or not decision.found:
            return self._answer(question, decision or Decision("declined", "no-candidates", "no-match"), None, 0)
        columns = self._columns(cells, link)
        if not any(c.citations for c in columns):  # every summit silent (インボイス制度): the usual "not found"
            return self._answer(question, replace(decision, outcome="declined", reason="not-relevant",
                                                  notice="no-match"), None, 0)
        page, older = _page(columns, top_k, offset)
        comparison = Comparison(scope.kind, page, tuple(t.text for t in topics) if len(topics) > 1 else (), 0, older)
        return self._answer(question, decision, comparison, older)

    # ------------------------------------------------------------------ compare and history

    def _topics(self, question: Question, scope: Scope) -> list[Question]:
        """The question's topics: "事業承継と海外展開" is two, each answered on its own; most questions are one.

        Parts that lead to the same passage are one topic said twice ("展示会や見本市", "起業したい人や創業者"):
        answering them apart would cite that passage once and fill the other column with a weaker one.
        """
        parts = [p.strip() for p in _TOPIC_SPLIT.split(question.analysis.residual) if p.strip()]
        if len(parts) < 2:
            return [question]
        topics: list[Question] = []
        kept: list[tuple[str, Question, int]] = []  # every part read so far: its text, analysis and anchor
        for part in parts:
            topic = self.pipeline.analyse(part)
            # a part with a word of its own: not "したい人" (起業 was read as a glossary word and taken out)
            if not (topic.analysis.matched_terms or any(len(w) > 1 for w in topic.analysis.content_terms)):
                continue
            names = " ".join([*question.analysis.cities, *question.analysis.organizations])
            topic = self.pipeline.analyse(f"{names} {part}".strip()) if names else topic
            hits = self.pipeline.rank(at(topic, scope.summits)).hits
            anchor = anchor_of(hits).row if hits else -1
            if not any(anchor == a or _one_concept(part, topic, p, t) for p, t, a in kept):
                topics.append(topic)
            kept.append((part, topic, anchor))
        return topics[:MAX_TOPICS] if len(topics) >= 2 else [question]

    def _topic_cells(self, topic: Question, scope: Scope, stand_in: bool,
                     only: Keep | None = None) -> tuple[dict[int, Cell | str], Decision]:
        """Per summit: (best hit, its ranking, "joint" when the joint text stands in) when the summit speaks to
        the topic, else why not; and the decision."""
        if _proposals_only(topic):
            return self._proposal_cells(topic, scope)
        overall = self.pipeline.rank(at(topic, scope.summits))
        decision, _ = decide(overall.question, overall.hits, overall.found, self.pipeline.thresholds)
        if not decision.found and decision.reason == "not-relevant" and overall.hits and _all_known(topic):
            # every word of the topic is one the declarations use: the cells below hold each summit to those words,
            # a close call between two passages (the ordinary answer's doubt) is no reason to say nothing
            decision = Decision("found", "covered", "", decision.evidence)
        if not decision.found:
            return {}, decision
        anchor = anchor_of((asks_for_action(topic) and items_of(overall.hits)) or overall.hits)
        cells: dict[int, Cell | str] = {}
        for summit in scope.summits:
            ranking = self.pipeline.rank(at(topic, (summit,)))
            if ranking.found.notice == "joint-only" and not overall.found.notice:
                # The organisation has passages of its own, but not at this summit: on a topic, the joint text
                # it adopted with the other cities stands in (as in an ordinary answer), marked as such.
                best = self._stand_in(topic, ranking.hits, anchor) if stand_in else None
                cells[summit] = (best, ranking, "joint") if best else "joint-only"
                continue
            hits = ranking.hits
            if only:  # only proposals, or initiatives, asked for: a summit that has none says nothing
                hits = [h for h in hits if only(h)]
            best = self.reader.passage(topic, hits, anchor) if hits else None
            cells[summit] = (best, ranking, "") if best else "not-mentioned"
        return cells, decision

    def _proposal_cells(self, topic: Question, scope: Scope) -> tuple[dict[int, Cell | str], Decision]:
        """"What does each declaration ask the national government?": each summit's first proposal, or 記載なし
        where a declaration makes none (the 8th has no 国への提言)."""
        cells: dict[int, Cell | str] = {}
        for summit in scope.summits:
            ranking = self.pipeline.rank(at(topic, (summit,)))
            proposals = [h for h in ranking.hits if h.passage.kind == "proposal"]
            cells[summit] = (proposals[0], ranking, "") if proposals else "not-mentioned"
        found = any(not isinstance(cell, str) for cell in cells.values())
        decision = Decision("found", "covered", "") if found else Decision("declined", "no-candidates", "no-match")
        return cells, decision

    def _stand_in(self, topic: Question, hits: Sequence[Hit], anchor: Hit) -> Hit | None:
        """The joint text standing in for an organisation with no passage of its own at a summit: only on a
        topic, only when its own work is not what is asked (独自, own), and only when it holds the topic's words
        (a counterpart on meaning alone would put words in the organisation's mouth)."""
        analysis = topic.analysis
        if (names_only(analysis) or OWN.search(topic.text) or _ITS_INITIATIVES.search(topic.text)
                or set(analysis.unknown_nouns) - analysis.restating):
            return None  # nor with a word no declaration uses: 地域貢献事業者 is not any 地域 item
        unnamed = _unnamed(topic)
        first = self.reader.passage(unnamed, hits, anchor)
        for hit in [first, *hits[:CLOSE_ITEMS]] if first else hits[:CLOSE_ITEMS]:
            share = self.reader.share(unnamed, hit)
            if share is not None and share >= HOLDS:
                return hit
        return None

    def _columns(self, cells: dict[int, list], link: Link) -> list[SummitColumn]:
        """Columns oldest first; citations labelled across them in that order, one per topic, no repeats."""
        columns, number = [], 0
        for summit in sorted(cells):
            citations: list[Citation] = []
            seen: set[int] = set()
            notes = []
            for cell in cells[summit]:
                if isinstance(cell, str):
                    notes.append(cell)
                    continue
                hit, ranking, note = cell
                notes.append(note)
                named = names_only(ranking.question.analysis) and ranking.found.filtered
                extra = named_first(ranking.question, ranking.hits)[:MAX_OWN] if named else [hit]
                for one in extra:
                    if one.row in seen:
                        continue
                    seen.add(one.row)
                    number += 1
                    citations.append(self.pipeline.citation(one, ranking, f"[{number}]", link))
            if citations:
                note = "joint" if "joint" in notes else ""
            else:
                note = "joint-only" if "joint-only" in notes else "not-mentioned"
            columns.append(SummitColumn(summit, self.documents.get(summit), tuple(citations), note))
        return columns

    # ------------------------------------------------------------------ the answer

    def _answer(self, question: Question, decision: Decision, comparison: Comparison | None, older: int) -> Answer:
        groups: list[CitationGroup] = []
        if comparison:
            for column in comparison.columns:
                for citation in column.citations:
                    key = (citation.passage.summit, citation.passage.organization)
                    if groups and (groups[-1].summit, groups[-1].organization) == key:
                        groups[-1] = replace(groups[-1], citations=groups[-1].citations + (citation,))
                    else:
                        groups.append(CitationGroup(key[0], key[1], citation.document, (citation,)))
        return Answer(question.text, question.lang, decision, tuple(groups), question.analysis,
                      self.pipeline.summits, older, comparison)


def _one_concept(text: str, topic: Question, other_text: str, other: Question) -> bool:
    """Two parts naming one glossary concept, each in its own words (起業したい人 / 創業者への支援)."""
    def named(question: Question) -> tuple[tuple[str, ...], ...]:  # its concepts, and those written out (海外展開)
        return (*question.analysis.concepts, *question.analysis.compounds)

    return (any(term in other_text for terms in named(topic) for term in terms)
            or any(term in text for terms in named(other) for term in terms))


def _proposals_only(question: Question) -> bool:
    """Nothing asked but the proposals to the government, of no organisation in particular."""
    analysis = question.analysis
    return (names_only(analysis) and "proposal" in analysis.kinds
            and not (analysis.cities or analysis.organizations or analysis.unknown_terms))


def _all_known(question: Question) -> bool:
    return question.analysis.coverage >= 0.99 and not question.analysis.unknown_terms


def _no_topic(question: Question) -> bool:
    """Nothing asked about but the summits themselves ("第8回と第9回の違いは？")."""
    analysis = question.analysis
    return not (analysis.content_terms or analysis.matched_terms or analysis.unknown_terms
                or analysis.cities or analysis.organizations or analysis.kinds)


def _unnamed(question: Question) -> Question:
    """The question without its cities and chambers: read against the joint text that stands in for them."""
    return replace(question, analysis=replace(question.analysis, cities=(), organizations=()))


def _page(columns: list[SummitColumn], top_k: int, offset: int) -> tuple[tuple[SummitColumn, ...], int]:
    """The newest MAX_COLUMNS summits (then `top_k` older ones per page after `offset`), and how many are older."""
    size = MAX_COLUMNS if not offset else max(1, top_k)
    end = len(columns) - offset
    start = max(0, end - size)
    return tuple(columns[start:end]), start
