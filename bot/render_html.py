"""Answers, passages and documents as HTML pages (Jinja2 with autoescaping: corpus text can never inject markup)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from index.model import Answer, Document, Passage

from .phrases import headline

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
                 share_url: str, source_url: str) -> str:
    position = next(i for i, p in enumerate(passages) if p.id == passage.id)
    return _render(
        "passage.html", documents, passage=passage, doc=doc, body=document_body(passages), share_url=share_url,
        source_url=source_url, previous=passages[position - 1] if position > 0 else None,
        next=passages[position + 1] if position + 1 < len(passages) else None,
    )


def document_page(doc: Document, passages: list[Passage], documents: list[Document], source_url: str) -> str:
    return _render("document.html", documents, doc=doc, body=document_body(passages), source_url=source_url)


def ask_page(documents: list[Document], question: str = "", answer: Answer | None = None, error: str = "") -> str:
    return _render(
        "ask.html", documents, question=question, answer=answer, error=error,
        headline=headline(answer) if answer else "", groups=answer.groups if answer else (),
    )


def not_found_page(documents: list[Document], hint: str = "") -> str:
    return _render("not_found.html", documents, hint=hint)
