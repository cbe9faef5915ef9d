"""What is new in a summit's declaration, and what the next one dropped: items without a counterpart.

    "What is new in the 9th?"          the 9th's items with no counterpart at the 8th, in document order
    "What's new in the 9th on exports?" the 9th's items on the topic with no counterpart among the 8th's on it
    "第8回と第9回の違いは？"             what the later one dropped, then what it added

Counterpart means above the similarity calibrated on labelled pairs (alignment.Counterparts). Kept apart from
comparison.py, which sets a topic's passages side by side and builds the answer from these columns.
"""
from __future__ import annotations

from ..model import Decision, Document, Hit, SummitColumn
from .alignment import CONTENT_KINDS
from .on_topic import HOLDS, TopicReader, items_of
from .question import Question
from .ranking import Link, Ranking
from .scope import Scope, Searcher, at

MAX_LISTED = 10  # items a what-is-new / what-was-dropped answer lists
MAX_CARRIED = 3  # a topic's passages shown as carried over when none is new


class Changes:
    """What is new and what was dropped, over one pipeline (one index version)."""

    def __init__(self, pipeline: Searcher, reader: TopicReader, documents: dict[int, Document]):
        self.pipeline = pipeline
        self.counterparts = pipeline.counterparts
        self.reader = reader
        self.documents = documents

    def between(self, question: Question, scope: Scope,
                link: Link) -> tuple[tuple[SummitColumn, SummitColumn], Decision]:
        """"第8回と第9回の違いは？" with no topic: what the later one dropped, and what it added."""
        early, late = scope.summits
        dropped, _ = self.listed(question, "dropped", early, late, link)
        added, _ = self.listed(question, "new", late, early, link, first=len(dropped.citations) + 1)
        counts = {"dropped": float(len(dropped.citations)), "new": float(len(added.citations))}
        decision = Decision("found", "compared", "" if dropped.citations or added.citations else "none-changes", counts)
        return (dropped, added), decision

    def listed(self, question: Question, kind: str, listed: int, against: int, link: Link,
               first: int = 1) -> tuple[SummitColumn, Decision]:
        """The listed summit's items without a counterpart at the other one, in document order."""
        rows = self._items(question, listed)
        lonely = self.counterparts.without_counterpart(rows, against)
        ranking = self.pipeline.rank(at(question, (listed,)))
        hits = {h.row: h for h in ranking.hits}
        passages = self.pipeline.data.passages
        lonely.sort(key=lambda r: (passages[r].document, passages[r].order))
        citations = tuple(self.pipeline.citation(hits.get(r) or _plain(self.pipeline, r), ranking, f"[{i}]", link)
                          for i, r in enumerate(lonely[:MAX_LISTED], first))
        column = SummitColumn(listed, self.documents.get(listed), citations, "" if citations else "none")
        decision = Decision("found", "compared", "" if citations else f"none-{kind}",
                            {"items": float(len(rows)), "without_counterpart": float(len(lonely))})
        return column, decision

    def on_topic(self, question: Question, scope: Scope, link: Link) -> tuple[SummitColumn, Decision] | None:
        """"What's new in the 9th on exports?", "did the 8th's BCP item disappear?": the listed summit's items on
        the topic with no counterpart among the other summit's passages on it (a 9th-summit subsidy for 住工共生 is
        new though the 8th has a subsidy item on another topic), the most relevant first.

        When every one has a counterpart: what is new says so and shows them ("carried"; their pages show the
        counterparts); what was dropped says so and lists nothing ("kept": a carried-over item is no answer to
        what was dropped). None when the listed summit says nothing on the topic.
        """
        ranking = self.pipeline.rank(at(question, (scope.listed,)))
        rows = set(self._items(question, scope.listed, ranking))
        on_topic = [h for h in ranking.hits if h.row in rows and self._holds_topic(question, h)]
        if not on_topic:
            return None
        others = [h.row for h in items_of(self.pipeline.rank(at(question, (scope.against,))).hits)
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
            ranking = ranking or self.pipeline.rank(at(question, (summit,)))
            on_topic = {h.row for h in ranking.hits if h.lexical > 0}
            rows = [r for r in rows if r in on_topic]
        return rows


def has_topic(question: Question) -> bool:
    """A word of a topic outside parentheses: 「（提言や各都市の取組みも含めて）」 says where to look, not what about."""
    analysis = question.analysis
    glossed = analysis.restating
    return bool(analysis.matched_terms or analysis.compounds  # 「大学との連携（産学官連携）」: the term in parentheses
                or set(analysis.content_terms) - glossed or set(analysis.unknown_nouns) - glossed)


def _plain(pipeline: Searcher, row: int) -> Hit:
    return Hit(pipeline.data.passages[row], 0.0, row=row)
