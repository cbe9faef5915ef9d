"""A question across summits: one cited passage per summit per topic, or 記載なし; what is new; what was dropped.

    scope ─► topics ─► per topic: rank over the scope (anchor: the best passage anywhere, and whether the
    question is answered at all) ─► per summit: that summit's best passage, kept only when it is the anchor's
    counterpart or holds the question's words ─► columns, oldest first ─► Answer(comparison=…)

A summit whose best passage is neither is shown as saying nothing (記載なし):
a weak match would read as the summit's position. "What is new in the Nth"
lists the Nth's items with no counterpart at the summit before it
(alignment.Counterparts, threshold calibrated on labelled pairs); "dropped" the
reverse. Every cell is cited with the same verbatim excerpt rules as any answer.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from ..model import Answer, Citation, CitationGroup, Comparison, Decision, Hit, SummitColumn
from .alignment import CONTENT_KINDS
from .decision import decide, names_only
from .narrowing import OWN, Keep, asked_passages
from .on_topic import CLOSE_ITEMS, HOLDS, TopicReader, asks_for_action, items_of, named_first
from .on_topic import anchor as anchor_of
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

Cell = tuple[Hit, Ranking, str]  # a summit's passage on a topic, its ranking, and "joint" when the joint text stands in
MAX_COLUMNS = 5  # summits on one page (Slack's 50 blocks); "More" shows the older ones
MAX_TOPICS = 3
MAX_LISTED = 10  # items a what-is-new / what-was-dropped answer lists
MAX_CARRIED = 3  # a topic's passages shown as carried over when none is new
MAX_OWN = 3  # a named organisation's passages per summit when the question has no topic ("岡谷はこれまで…")
# Topics are joined by と/や/and, not by との, として, という (地域金融機関との連携 is one topic).
_SUMMIT_WORDS = re.compile(r"サミット|宣言|第?\d+回|\bsummits?\b|\bdeclarations?\b", re.IGNORECASE)
# The organisation's initiatives asked for (「東大阪市の取組みは？」, "what is Kawaguchi doing specifically?"): the joint
# text, which every city adopted, is not what that city does.
_ITS_INITIATIVES = re.compile(r"取組|取り組|具体的に|\binitiatives?\b|\bspecifically\b", re.IGNORECASE)
_TOPIC_SPLIT = re.compile(r"と(?![のしいもか])|や|及び|および|、|,|;|\band\b|&")


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


class Comparer:
    """Comparison answers over one pipeline (one index version)."""

    def __init__(self, pipeline: Searcher):
        self.pipeline = pipeline
        self.counterparts = pipeline.counterparts
        concepts = [terms for _, terms, meta in pipeline.analyzer.glossary if not meta]
        self.reader = TopicReader(pipeline.data, pipeline.counterparts, concepts)
        self.documents = {d.summit: d for d in sorted(pipeline.data.documents.values(), key=lambda d: d.key)}

    def answer(self, question: Question, scope: Scope, top_k: int, offset: int, link: Link) -> Answer:
        if scope.kind in ("new", "dropped") and _has_topic(question):
            listing = self._on_topic_listing(question, scope, link)
            if listing:
                column, decision = listing
                return self._answer(question, decision, Comparison(scope.kind, (column,), against=scope.against), 0)
            scope = Scope("compare", scope.summits)  # the listed summit says nothing on it: the topic side by side
        if scope.kind in ("new", "dropped"):
            column, decision = self._listed(question, scope.kind, scope.listed, scope.against, link)
            return self._answer(question, decision, Comparison(scope.kind, (column,), against=scope.against), 0)
        if _no_topic(question) and len(scope.summits) == 2:
            return self._changes(question, scope, link)
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
            hits = self.pipeline.rank(_at(topic, scope.summits)).hits
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
        overall = self.pipeline.rank(_at(topic, scope.summits))
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
            ranking = self.pipeline.rank(_at(topic, (summit,)))
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
            ranking = self.pipeline.rank(_at(topic, (summit,)))
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

    # ------------------------------------------------------------------ what is new, what was dropped

    def _changes(self, question: Question, scope: Scope, link: Link) -> Answer:
        """"第8回と第9回の違いは？" with no topic: what the later one dropped, and what it added."""
        early, late = scope.summits
        dropped, _ = self._listed(question, "dropped", early, late, link)
        added, _ = self._listed(question, "new", late, early, link, first=len(dropped.citations) + 1)
        counts = {"dropped": float(len(dropped.citations)), "new": float(len(added.citations))}
        decision = Decision("found", "compared", "" if dropped.citations or added.citations else "none-changes", counts)
        return self._answer(question, decision, Comparison("changes", (dropped, added)), 0)

    def _listed(self, question: Question, kind: str, listed: int, against: int, link: Link,
                first: int = 1) -> tuple[SummitColumn, Decision]:
        """The listed summit's items without a counterpart at the other one, in document order."""
        rows = self._items(question, listed)
        lonely = self.counterparts.without_counterpart(rows, against)
        ranking = self.pipeline.rank(_at(question, (listed,)))
        hits = {h.row: h for h in ranking.hits}
        passages = self.pipeline.data.passages
        lonely.sort(key=lambda r: (passages[r].document, passages[r].order))
        citations = tuple(self.pipeline.citation(hits.get(r) or _plain(self.pipeline, r), ranking, f"[{i}]", link)
                          for i, r in enumerate(lonely[:MAX_LISTED], first))
        column = SummitColumn(listed, self.documents.get(listed), citations, "" if citations else "none")
        decision = Decision("found", "compared", "" if citations else f"none-{kind}",
                            {"items": float(len(rows)), "without_counterpart": float(len(lonely))})
        return column, decision

    def _on_topic_listing(self, question: Question, scope: Scope,
                          link: Link) -> tuple[SummitColumn, Decision] | None:
        """"What's new in the 9th on exports?", "did the 8th's BCP item disappear?": the listed summit's items on
        the topic with no counterpart among the other summit's passages on it (a 9th-summit subsidy for 住工共生 is
        new though the 8th has a subsidy item on another topic), the most relevant first.

        When every one has a counterpart: what is new says so and shows them ("carried"; their pages show the
        counterparts); what was dropped says so and lists nothing ("kept": a carried-over item is no answer to
        what was dropped). None when the listed summit says nothing on the topic.
        """
        ranking = self.pipeline.rank(_at(question, (scope.listed,)))
        rows = set(self._items(question, scope.listed, ranking))
        on_topic = [h for h in ranking.hits if h.row in rows and self._holds_topic(question, h)]
        if not on_topic:
            return None
        others = [h.row for h in items_of(self.pipeline.rank(_at(question, (scope.against,))).hits)
                  if self._holds_topic(question, h)]
        lonely = set(self.counterparts.without_counterpart([h.row for h in on_topic], scope.against, others))
        shown, note, notice = [h for h in on_topic if h.row in lonely][:MAX_LISTED], "", ""
        if not shown and scope.kind == "new":
            first = self.reader.passage(question, on_topic, on_topic[0])
            if first:  # among close items, the one holding most of the topic, as in a comparison cell
                on_topic = [first, *(h for h in on_topic if h.row != first.row)]
            shown, note, notice = on_topic[:MAX_CARRIED], "carried", "carried-new"
        elif not shown:
            note, notice = "kept", "kept-dropped"
        citations = tuple(self.pipeline.citation(h, ranking, f"[{i}]", link) for i, h in enumerate(shown, 1))
        column = SummitColumn(scope.listed, self.documents.get(scope.listed), citations, note)
        evidence = {"on_topic": float(len(on_topic)), "without_counterpart": float(len(lonely))}
        return column, Decision("found", "compared", notice, evidence)

    def _holds_topic(self, question: Question, hit: Hit) -> bool:
        return (self.reader.share(question, hit) or 0.0) >= HOLDS

    def _items(self, question: Question, summit: int, ranking: Ranking | None = None) -> list[int]:
        """The summit's items a what-is-new question is about: its declaration items unless it asks for proposals
        or an organisation's initiatives, narrowed to the question's topic when it names one."""
        analysis = question.analysis
        passages = self.pipeline.data.passages
        if "proposal" in analysis.kinds:
            kinds: tuple[str, ...] = ("proposal",)
        elif analysis.cities or analysis.organizations:
            kinds = ("initiative",)
        else:
            kinds = ("declaration",) if self.counterparts.rows_of(summit, ("declaration",)) else CONTENT_KINDS
        # 「9回（提言や各都市の取組みも含めて）」 asks where to look at the other summit: the 8th, with no proposals,
        # is read for its declaration items
        rows = self.counterparts.rows_of(summit, kinds) or self.counterparts.rows_of(summit, ("declaration",))
        if analysis.cities or analysis.organizations:
            rows = [r for r in rows if passages[r].city in analysis.cities
                    or passages[r].organization in analysis.organizations]
        if analysis.content_terms or analysis.matched_terms:
            ranking = ranking or self.pipeline.rank(_at(question, (summit,)))
            on_topic = {h.row for h in ranking.hits if h.lexical > 0}
            rows = [r for r in rows if r in on_topic]
        return rows

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


def _has_topic(question: Question) -> bool:
    """A word of a topic outside parentheses: 「（提言や各都市の取組みも含めて）」 says where to look, not what about."""
    analysis = question.analysis
    glossed = analysis.restating
    return bool(analysis.matched_terms or analysis.compounds  # 「大学との連携（産学官連携）」: the term in parentheses
                or set(analysis.content_terms) - glossed or set(analysis.unknown_nouns) - glossed)


def _no_topic(question: Question) -> bool:
    """Nothing asked about but the summits themselves ("第8回と第9回の違いは？")."""
    analysis = question.analysis
    return not (analysis.content_terms or analysis.matched_terms or analysis.unknown_terms
                or analysis.cities or analysis.organizations or analysis.kinds)


def _unnamed(question: Question) -> Question:
    """The question without its cities and chambers: read against the joint text that stands in for them."""
    return replace(question, analysis=replace(question.analysis, cities=(), organizations=()))


def _at(question: Question, summits: Sequence[int]) -> Question:
    """The question asked of these summits only."""
    return replace(question, analysis=replace(question.analysis, summits=tuple(summits)))


def _plain(pipeline: Searcher, row: int) -> Hit:
    return Hit(pipeline.data.passages[row], 0.0, row=row)


def _page(columns: list[SummitColumn], top_k: int, offset: int) -> tuple[tuple[SummitColumn, ...], int]:
    """The newest MAX_COLUMNS summits (then `top_k` older ones per page after `offset`), and how many are older."""
    size = MAX_COLUMNS if not offset else max(1, top_k)
    end = len(columns) - offset
    start = max(0, end - size)
    return tuple(columns[start:end]), start
