"""Plain data passed between the stages: Document → Passage → Hit → Answer.

These are the only types that cross module boundaries, so that parsing,
searching, answering and rendering can change independently.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Document:
    """One declaration as recorded in the corpus manifest."""

    key: str
    summit: int
    title: str
    host_city: str
    file: str
    member_cities: tuple[str, ...] = ()
    issuer: str = "中小企業都市連絡協議会"
    date: str = ""
    source_url: str = ""
    notes: str = ""
    search_fixes: tuple[tuple[str, str], ...] = ()
    original: str = ""  # the file as published (a PDF), when the text was extracted from it
    pages: tuple[int, ...] = ()  # character offset where each page of the original starts

    def to_dict(self) -> dict:
        """Plain data for JSON and TOML alike: lists for tuples, `search_fixes` as a {wrong: right} table.

        The one serialisation of a document: corpus manifest entries, index
        version manifests and the reading child's drafts all use it.
        """
        data = asdict(self)
        data["member_cities"] = list(self.member_cities)
        data["search_fixes"] = dict(self.search_fixes)
        data["pages"] = list(self.pages)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Document:
        """A document from `to_dict`'s data or a manifest entry; unknown keys (sha256) are ignored.

        Accepts `search_fixes` as a table or as [wrong, right] pairs (index
        versions written before `to_dict` existed). KeyError, TypeError or
        ValueError when a required field is missing or mistyped.
        """
        fixes = data.get("search_fixes") or {}
        return cls(
            key=str(data["key"]), summit=int(data["summit"]), title=str(data["title"]),
            host_city=str(data.get("host_city", "")), file=str(data["file"]),
            member_cities=tuple(str(city) for city in data.get("member_cities", ())),
            issuer=str(data.get("issuer", cls.issuer)), date=str(data.get("date", "")),
            source_url=str(data.get("source_url", "")), notes=str(data.get("notes", "")),
            search_fixes=tuple((str(k), str(v)) for k, v in (fixes.items() if isinstance(fixes, dict) else fixes)),
            original=str(data.get("original", "")), pages=tuple(int(n) for n in data.get("pages", ())),
        )

    def page_of(self, offset: int) -> int:
        """1-based page of the original that holds character `offset`; 0 when unknown."""
        return sum(1 for start in self.pages if start <= offset)

    @property
    def display_title(self) -> str:
        """第9回中小企業都市サミット すみだ宣言 — how a person names it."""
        return f"第{self.summit}回中小企業都市サミット {self.title}"


@dataclass(frozen=True)
class Passage:
    """The unit of citation: a declaration item, a proposal, an initiative, a paragraph.

    `text` is the source's own characters with the layout's hard line breaks
    removed (paragraph breaks inside an initiative are kept as "\\n");
    `start`/`end` is the passage's span in the source file, so a citation can
    point back into the document.
    """

    id: str
    document: str
    summit: int
    kind: str  # preamble | declaration | proposal | initiative | paragraph
    section: tuple[str, ...]
    label: str  # the item's marker ("①", "(3)") or the initiative's name
    organization: str
    city: str  # "" for the joint text of all member cities
    text: str
    start: int
    end: int
    order: int

    def to_dict(self) -> dict:
        data = asdict(self)
        data["section"] = list(self.section)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Passage:
        return cls(**{**data, "section": tuple(data["section"])})

    @property
    def section_path(self) -> str:
        """The heading path as one line, ending with the item's own label."""
        parts = [*self.section, self.label] if self.label else list(self.section)
        return " › ".join(parts)


@dataclass(frozen=True)
class Excluded:
    """A block of a source that is not declaration content, and why it was left out."""

    reason: str  # front-matter | caption | advertisement | contact | back-matter
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class QueryAnalysis:
    """What a question asks about, beyond its words."""

    text: str
    lang: str  # "ja" | "en"
    cities: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    summits: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()
    expansions: tuple[str, ...] = ()  # Japanese terms the glossary added
    concepts: tuple[tuple[str, ...], ...] = ()  # the same, one tuple per glossary concept the question matched
    matched_terms: tuple[str, ...] = ()  # the question's words that brought them
    compounds: tuple[tuple[str, ...], ...] = ()  # glossary concepts the question writes as one of their compounds (事業承継)
    glosses: tuple[str, ...] = ()  # words written only inside parentheses: 海外展開（kaigai tenkai）
    paraphrased: tuple[str, ...] = ()  # the asker's own words for a topic named in parentheses: 育てる話（人材育成）
    residual: str = ""  # the question with names and glossary words blanked: its other topics
    proper_nouns: tuple[str, ...] = ()  # capitalised Latin words of the residual (unknown names)
    content_terms: tuple[str, ...] = ()  # residual words the index knows
    coverage: float = 1.0  # idf-weighted share of the question's topics the corpus knows
    unknown_places: tuple[str, ...] = ()  # places the question names that no declaration mentions
    unknown_terms: tuple[str, ...] = ()  # topic words of the question the declarations never use
    unknown_nouns: tuple[str, ...] = ()  # those that are Japanese nouns: what to say is not mentioned
    comparison: str = ""  # compare | history | new | dropped (index/comparison_words.py); "" for one list
    previous: bool = False  # compares with "last time" (前回): the summit before the one named, or the newest

    @property
    def restating(self) -> set[str]:
        """Words that restate a topic rather than add one: glosses and the asker's own words for a named term."""
        return set(self.glosses) | set(self.paraphrased)


@dataclass(frozen=True)
class Hit:
    """A passage found for a question, with the evidence for it."""

    passage: Passage
    score: float
    dense: float = 0.0
    lexical: float = 0.0
    rank: int = 0
    row: int = -1  # the passage's row in the loaded index (for its sentence vectors)


@dataclass(frozen=True)
class Citation:
    """One cited passage of an answer; `excerpt` is a verbatim span of `passage.text`."""

    label: str  # [1], [2], …
    passage: Passage
    document: Document
    excerpt: str
    excerpt_start: int  # offset of the excerpt in passage.text
    score: float
    url: str
    items: int = 0  # for a cited heading (a structure question): how many items are under it


@dataclass(frozen=True)
class Decision:
    """Whether the question is answered, and why, as data (index/retrieval/decision.py decides)."""

    outcome: str  # found | partly (the joint text stands in for a named organisation, or a word asked about is
    #               nowhere in the declarations) | declined
    reason: str  # the test that decided: names-organisation | covered | similar | no-summit | no-candidates
    #              | unknown-place | not-relevant
    notice: str = ""  # what a front end says besides or instead of citations: no-match | no-summit
    #                   | unknown-place | joint-only | not-mentioned
    evidence: dict[str, float] = field(default_factory=dict)  # the features weighed (retrieval/features.py)

    @property
    def found(self) -> bool:
        return self.outcome != "declined"


@dataclass(frozen=True)
class CitationGroup:
    """Citations of one organisation at one summit, shown under one heading."""

    summit: int
    organization: str
    document: Document
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class SummitColumn:
    """One summit's side of a comparison: its cited passages on the topic, or none (記載なし)."""

    summit: int
    document: Document | None  # the summit's declaration (the newest, when it has several)
    citations: tuple[Citation, ...] = ()  # one per topic, in the topics' order; () when the summit says nothing
    # why it is empty: not-mentioned | joint-only (the named organisation has no passage of its own here);
    # with citations, "joint": the joint declaration stands in for the organisation's own words; "carried": in a
    # what-is-new answer on a topic, the summit's passages on it, none new (each has a counterpart); "kept", empty:
    # in a what-was-dropped answer on a topic, nothing on it was dropped
    note: str = ""

    @property
    def empty(self) -> bool:
        return not self.citations


@dataclass(frozen=True)
class Comparison:
    """An answer across summits: columns oldest first, the same labelling and verbatim rules as any answer.

    compare/history: one column per summit in scope, each with the best passage
    per topic or nothing. new: the target summit's items without a counterpart at
    `against`; dropped: `against`'s items without a counterpart at the target.
    """

    kind: str  # compare | history | new | dropped
    columns: tuple[SummitColumn, ...]
    topics: tuple[str, ...] = ()  # the topics as asked (more than one: "事業承継と海外展開")
    against: int = 0  # new / dropped: the summit compared with
    older: int = 0  # summits in scope older than the columns shown: "More" shows them


@dataclass(frozen=True)
class Answer:
    """What to tell the asker: decided in index/, only rendered by the front ends."""

    question: str
    lang: str
    decision: Decision
    groups: tuple[CitationGroup, ...] = ()  # in reading order; labels run [1], [2], … across them
    analysis: QueryAnalysis | None = None
    indexed_summits: tuple[int, ...] = ()  # what the index holds, to say so when nothing is found
    remaining: int = 0  # ranked passages after this page: "More results" is offered only when there are some
    comparison: Comparison | None = None  # a question across summits; `groups` then hold the same citations

    @property
    def shown(self) -> int:
        """What a page counts: citations, or for a comparison its summits (More shows older summits)."""
        return len(self.comparison.columns) if self.comparison else len(self.citations)

    @property
    def found(self) -> bool:
        return self.decision.found

    @property
    def notice(self) -> str:
        return self.decision.notice

    @property
    def citations(self) -> tuple[Citation, ...]:
        """All citations in label order."""
        return tuple(c for group in self.groups for c in group.citations)
