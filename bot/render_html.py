"""Answers, passages and documents as HTML pages (Jinja2 with autoescaping: corpus text can never inject markup)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from index.model import Answer, Citation, Document, Passage

from .phrases import headline
from .phrases_compare import column_note, column_title, empty_cell, say

SITE = "中小企業都市サミット 宣言検索"
_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class BodyItem:
    """A passage with the section headings that open before it."""

    headings: tuple[Heading, ...]
    passage: Passage
    level: int = 0  # for a heading passage: the level it is shown at


def document_body(passages: list[Passage]) -> list[BodyItem]:
    """Headings wherever a passage's section path differs from the one before.

    A heading of the source is a passage of its own (it can be cited), shown as
    the heading it is; only parts the source gives no heading (the cities'
    initiatives) get one made from the section path.
    """
    items, previous = [], ()
    for passage in passages:
        section = passage.section
        common = 0
        while common < min(len(section), len(previous)) and section[common] == previous[common]:
            common += 1
        headings = tuple(Heading(_level(depth), section[depth]) for depth in range(common, len(section)))
        if passage.kind == "heading":
            items.append(BodyItem(headings, passage, _level(len(section))))
            previous = (*section, passage.label)
        else:
            items.append(BodyItem(headings, passage))
            previous = section
    return items


def _level(depth: int) -> int:
    return min(2 + depth, 5)


def _render(template: str, documents: list[Document], **values) -> str:
    return _ENV.get_template(template).render(site=SITE, documents=documents, **values)


def passage_page(passage: Passage, doc: Document, passages: list[Passage], documents: list[Document],
                 share_url: str, source_url: str, counterparts: tuple[Passage, ...] = (), quoted: str = "") -> str:
    """The passage in its document; `counterparts`: the same topic at other summits (同じテーマの他回の記載);
    `quoted`: the start of the cited excerpt (the link's ?q=), whose sentence is marked within the passage."""
    position = next(i for i, p in enumerate(passages) if p.id == passage.id)
    titles = {d.key: d for d in documents}
    return _render(
        "passage.html", documents, passage=passage, doc=doc, body=document_body(passages), share_url=share_url,
        source_url=source_url, previous=passages[position - 1] if position > 0 else None,
        next=passages[position + 1] if position + 1 < len(passages) else None,
        counterparts=[(p, titles.get(p.document)) for p in counterparts],
        cited_paragraphs=marked_paragraphs(passage.text, quoted),
    )


def marked_paragraphs(text: str, quoted: str) -> list[list[tuple[str, bool]]]:
    """The passage's paragraphs as (text, marked) pieces: the sentences the excerpt starting with `quoted` covers
    are marked, so the quoted words stand out in the lightly marked passage; nothing is marked when the excerpt
    is not found (the passage changed since the link was made)."""
    start = text.find(quoted.strip()) if quoted.strip() else -1
    span = _sentence_span(text, start) if start >= 0 else (0, 0)
    paragraphs, offset = [], 0
    for paragraph in text.split("\n"):
        begin, end = offset, offset + len(paragraph)
        a, b = max(span[0], begin), min(span[1], end)
        if a < b:
            pieces = [(paragraph[:a - begin], False), (paragraph[a - begin:b - begin], True), (paragraph[b - begin:], False)]
            paragraphs.append([(t, m) for t, m in pieces if t])
        else:
            paragraphs.append([(paragraph, False)])
        offset = end + 1
    return paragraphs


def _sentence_span(text: str, start: int) -> tuple[int, int]:
    """The sentence holding `start`: from after the previous 。 or line break to its 。 (or the line's end)."""
    begin = max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1
    stop, newline = text.find("。", start), text.find("\n", start)
    if stop >= 0 and (newline < 0 or stop < newline):
        return begin, stop + 1
    return begin, newline if newline >= 0 else len(text)


def document_page(doc: Document, passages: list[Passage], documents: list[Document], source_url: str) -> str:
    return _render("document.html", documents, doc=doc, body=document_body(passages), source_url=source_url)


@dataclass(frozen=True)
class Cell:
    """One cell of the comparison table: a citation, or the words for an empty summit (記載なし)."""

    citation: Citation | None = None
    empty: str = ""
    note: str = ""  # above the column's first citation: the joint declaration stands in


@dataclass(frozen=True)
class Table:
    """A comparison as a table: one column per summit (oldest first), one row per topic or listed item."""

    titles: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    topics: str = ""


def comparison_table(answer: Answer) -> Table | None:
    comparison, lang = answer.comparison, answer.lang
    if comparison is None:
        return None
    columns = comparison.columns
    depth = max([len(c.citations) for c in columns] + [1])
    rows = tuple(tuple(Cell(c.citations[i], note=column_note(c, lang) if i == 0 else "") if i < len(c.citations) else
                       Cell(empty=empty_cell(c, lang) if i == 0 else "") for c in columns) for i in range(depth))
    topics = say("topics", lang, topics="・".join(comparison.topics)) if comparison.topics else ""
    return Table(tuple(column_title(c, comparison, lang) for c in columns), rows, topics)


EXAMPLES = ("岡谷市の取組みは？", "第9回で事業承継について何と言っている？", "第8回と第9回で海外展開についてどう変わった？",
            "What is new in the 9th declaration?", "What did the summits ask the national government for?")


def ask_page(documents: list[Document], question: str = "", answer: Answer | None = None, error: str = "") -> str:
    table = comparison_table(answer) if answer and answer.found else None
    return _render(
        "ask.html", documents, question=question, answer=answer, error=error,
        headline=headline(answer) if answer else "", groups=answer.groups if answer and not table else (),
        table=table, examples=EXAMPLES,
    )


def help_page(documents: list[Document]) -> str:
    """The staff guide (docs/STAFF_GUIDE.md), linked from the ask page and the App Home."""
    from .guide import guide_html

    return _render("help.html", documents, guide=guide_html())


def not_found_page(documents: list[Document], hint: str = "") -> str:
    return _render("not_found.html", documents, hint=hint)
