"""Split a declaration's text into passages that follow its structure.

Works on the two layouts we have met and falls back gracefully on others:

* text extracted from a PDF with a hard line break every ~40 characters and an
  empty line after every line ("double-spaced"): a line with trailing
  whitespace, a whitespace-only line or an indented line ends a paragraph;
* Markdown-ish or plain text (OCR output): empty lines end paragraphs, `#`
  headings and `- ` list items are layout, not content.

In both, numbered items (（１）, (1), ①, 1., 一、) and bulleted entries (○)
start blocks. A numbered line is a heading when it has no sentence end and is
followed by text of another kind; marker styles nest in the order they first
appear, as reStructuredText does with its underline styles. "○名前（組織）"
opens one organisation's initiative. Titles before the first section,
captions, phone numbers and advertisements after the declaration are set
aside as `Excluded` so they are never cited.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .model import Document, Excluded, Passage
from .paragraphs import ANNEX, BRACKET_SECTION, Block, ORG_ENTRY, SECTION_WORDS, SENTENCE_END, marker_of, split_blocks

INITIATIVES_SECTION = "加盟都市・商工会議所の取組み"
_HEADING_MAX = 60

_END_MARK = re.compile(r"^以\s*上$")
_PHONE = re.compile(r"(TEL|ＴＥＬ|FAX|ＦＡＸ|電話)\s*[:：]?\s*[0-9０-９]|[0-9０-９]{2,4}[-‐－][0-9０-９]{2,4}[-‐－][0-9０-９]{3,4}")
_CAPTION = re.compile(r"[（(](左|右|中央|中|前列[^）)]*|後列[^）)]*|写真[^）)]*)[)）]$")
_AD_WORDS = re.compile(r"お問い合わせ|お問合せ|アクセス[!！]?$|^検索$|ご予約|ご利用ください")


@dataclass
class _Unit:
    """A block with its role decided."""

    role: str  # section | entry | heading | item | paragraph | end | excluded
    block: Block
    style: str = ""
    marker: str = ""
    rest: str = ""  # text after the marker
    rest_start: int = 0
    org: str = ""
    reason: str = ""


@dataclass
class ParseResult:
    """Passages of one document and what was set aside, for review before indexing."""

    passages: list[Passage]
    excluded: list[Excluded] = field(default_factory=list)


# --------------------------------------------------------------------------- roles


def _noise_reason(text: str) -> str:
    if _PHONE.search(text):
        return "contact"
    if _CAPTION.search(text) and not text.endswith("。"):
        return "caption"
    if _AD_WORDS.search(text):
        return "advertisement"
    return ""


def _is_section(block: Block) -> str:
    """The section title if this block opens a top-level section, else ""."""
    text = block.text
    bracket = BRACKET_SECTION.match(text)
    if bracket:
        return bracket.group(1)
    if ANNEX.match(text) and len(text) <= 30:
        return text
    short = len(text) <= 15 and not text.endswith(SENTENCE_END) and not marker_of(text)
    if short and SECTION_WORDS.search(text):
        return text
    return ""


def _first_role(block: Block) -> _Unit:
    text = block.text
    if _END_MARK.match(text):
        return _Unit("end", block)
    reason = _noise_reason(text)
    if reason:
        return _Unit("excluded", block, reason=reason)
    title = _is_section(block)
    if title:
        return _Unit("section", block, rest=title)
    marker = marker_of(text)
    if marker:
        style, match = marker
        rest = text[match.end():]
        unit = _Unit("item", block, style=style, marker=match.group().strip(" .．、"),
                     rest=rest, rest_start=block.start + match.end())
        org = ORG_ENTRY.search(rest) if style == "bullet" else None
        if org and not rest.endswith("。"):
            unit.role, unit.org = "entry", org.group(1) or org.group(2)
            unit.rest = rest[: org.start()].strip()
        return unit
    if block.md_heading:
        return _Unit("title", block, rest=text)
    return _Unit("paragraph", block, rest=text, rest_start=block.start)


def _decide_headings(units: list[_Unit]) -> None:
    """A short numbered line with no sentence end, followed by other text, is a heading."""
    for i, unit in enumerate(units):
        if unit.role != "item" or unit.rest.endswith(SENTENCE_END) or len(unit.rest) > _HEADING_MAX:
            continue
        nxt = units[i + 1] if i + 1 < len(units) else None
        if nxt is None:
            continue
        if (nxt.role == "item" and nxt.style != unit.style) or nxt.role in ("paragraph", "entry"):
            unit.role = "heading"


def _mark_front_and_back_matter(units: list[_Unit]) -> None:
    """Titles before the first section, and everything after the declaration ends."""
    first_section = next((i for i, u in enumerate(units) if u.role == "section"), None)
    if first_section is not None and all(
        len(u.block.text) <= _HEADING_MAX and not u.block.text.endswith("。") for u in units[:first_section]
    ):
        for unit in units[:first_section]:
            unit.role, unit.reason = "excluded", unit.reason or "front-matter"
    seen_content = False
    back_matter = False
    for unit in units:
        if unit.role == "end":
            back_matter = True
            continue
        if unit.role in ("item", "entry", "heading", "paragraph"):
            seen_content = seen_content or unit.role != "heading"
        if unit.role == "section" and unit.rest and not back_matter:
            continue
        if unit.role == "excluded" and seen_content:
            back_matter = True
        elif back_matter:
            unit.role, unit.reason = "excluded", unit.reason or "back-matter"
        elif unit.role == "title" and not seen_content:
            unit.role = "section"


# --------------------------------------------------------------------------- assembly


def _section_kind(title: str) -> str:
    if "前文" in title:
        return "preamble"
    if re.search(r"提言|要望|要請", title):
        return "proposal"
    if re.search(r"宣言|決議", title):
        return "declaration"
    return "paragraph"


@dataclass
class _Draft:
    kind: str
    section: tuple[str, ...]
    label: str
    organization: str
    city: str
    parts: list[str]
    start: int
    end: int
    after_item: bool = False


class _Assembler:
    """Walks the units once, keeping the current section and heading stack."""

    def __init__(self, doc: Document, city_of: Callable[[str], str]):
        self.doc = doc
        self.city_of = city_of
        self.top = ("", "paragraph")
        self.headings: list[tuple[str, str]] = []
        self.drafts: list[_Draft] = []
        self.entry: _Draft | None = None
        self.items_in_section = 0

    def section_path(self) -> tuple[str, ...]:
        path = [self.top[0]] if self.top[0] else []
        return tuple(path + [title for _, title in self.headings])

    def section_block(self, unit: _Unit) -> None:
        """A section title in the source: it opens the section and is itself a passage (structure questions cite it)."""
        self.open_section(unit.rest)
        self._heading_passage(unit, (), unit.rest)

    def open_section(self, title: str) -> None:
        self.entry = None
        self._close_item()
        self.top = (title, _section_kind(title))
        self.headings = []
        self.items_in_section = 0

    def heading(self, unit: _Unit) -> None:
        self.entry = None
        self._close_item()
        if self.top[1] == "preamble":
            # Numbered headings end a preamble: what follows is the declaration itself.
            self.top = ("", "declaration")
        styles = [style for style, _ in self.headings]
        if unit.style in styles:
            del self.headings[styles.index(unit.style):]
        self._heading_passage(unit, self.section_path(), unit.block.text)
        self.headings.append((unit.style, unit.block.text))

    def _heading_passage(self, unit: _Unit, parent: tuple[str, ...], title: str) -> None:
        """A heading is a passage of kind "heading": `section` is its parent's path, `label` the title it opens.

        So structure questions can find and cite headings, and count what is
        under them (the passages whose path is `section + (label,)`).
        """
        self.drafts.append(_Draft("heading", parent, title, self.doc.issuer, "", [unit.block.text],
                                  unit.block.start, unit.block.end))

    def _close_item(self) -> None:
        """A heading or section ends the last item: a paragraph after it does not continue the item's sentence."""
        if self.drafts:
            self.drafts[-1].after_item = False

    def item(self, unit: _Unit) -> None:
        if self.entry is not None:
            self._extend(self.entry, unit.block.text, unit.block.end)
            return
        kind = "proposal" if self.top[1] == "proposal" else "declaration"
        self.items_in_section += 1
        self.drafts.append(_Draft(kind, self.section_path(), unit.marker, self.doc.issuer, "",
                                  [unit.rest], unit.rest_start, unit.block.end, after_item=True))

    def entry_start(self, unit: _Unit) -> None:
        if self.top[1] != "initiative":
            self._open_initiatives()
        org = unit.org
        self.entry = _Draft("initiative", (INITIATIVES_SECTION,), unit.rest or unit.block.text, org,
                            self.city_of(org), [], unit.block.end, unit.block.end)
        self.drafts.append(self.entry)

    def _open_initiatives(self) -> None:
        """The paragraph that introduces the entries belongs to them, not to the proposals."""
        last = self.drafts[-1] if self.drafts else None
        intro = last if last and last.kind == "paragraph" and self.items_in_section and not last.after_item else None
        self.open_section(INITIATIVES_SECTION)
        self.top = (INITIATIVES_SECTION, "initiative")
        if intro:
            intro.section = (INITIATIVES_SECTION,)

    def paragraph(self, unit: _Unit) -> None:
        if self.entry is not None:
            if not self.entry.parts:
                self.entry.start = unit.block.start
            self._extend(self.entry, unit.block.text, unit.block.end)
            return
        last = self.drafts[-1] if self.drafts else None
        if last and last.after_item and not last.parts[-1].endswith(SENTENCE_END):
            self._extend(last, unit.block.text, unit.block.end, joined=True)
            return
        opening = self.top[1] in ("preamble", "declaration") and not self.items_in_section
        kind = "preamble" if self.top[1] == "preamble" or opening else "paragraph"
        self.drafts.append(_Draft(kind, self.section_path(), "", self.doc.issuer, "",
                                  [unit.block.text], unit.block.start, unit.block.end))

    @staticmethod
    def _extend(draft: _Draft, text: str, end: int, joined: bool = False) -> None:
        """Add a paragraph to a passage, or continue its last sentence when `joined`."""
        if joined and draft.parts:
            draft.parts[-1] += text
        else:
            draft.parts.append(text)
        draft.end = end


def _passage_id(doc: Document, draft: _Draft, text: str) -> str:
    """Stable across rebuilds of the same text; changes when the text changes."""
    key = "\x1f".join([doc.key, *draft.section, draft.label, text])
    return f"s{doc.summit}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:10]}"


def _finish(doc: Document, drafts: list[_Draft]) -> list[Passage]:
    passages: list[Passage] = []
    seen: dict[str, int] = {}
    for draft in drafts:
        text = "\n".join(draft.parts).strip()
        if not text:
            continue
        pid = _passage_id(doc, draft, text)
        seen[pid] = seen.get(pid, 0) + 1
        if seen[pid] > 1:
            pid = f"{pid}-{seen[pid]}"
        passages.append(Passage(
            id=pid, document=doc.key, summit=doc.summit, kind=draft.kind, section=draft.section,
            label=draft.label, organization=draft.organization, city=draft.city, text=text,
            start=draft.start, end=draft.end, order=len(passages),
        ))
    return passages


def parse_text(source: str, doc: Document, city_of: Callable[[str], str] = lambda org: "") -> ParseResult:
    """Passages of one declaration, in document order, plus what was set aside."""
    units = [_first_role(block) for block in split_blocks(source)]
    _decide_headings(units)
    _mark_front_and_back_matter(units)
    assembler = _Assembler(doc, city_of)
    excluded: list[Excluded] = []
    handlers = {
        "section": assembler.section_block,
        "title": assembler.section_block,
        "heading": assembler.heading,
        "item": assembler.item,
        "entry": assembler.entry_start,
        "paragraph": assembler.paragraph,
    }
    for unit in units:
        if unit.role in ("excluded", "end"):
            if unit.role == "excluded":
                excluded.append(Excluded(unit.reason, unit.block.text, unit.block.start, unit.block.end))
            continue
        handlers[unit.role](unit)
    return ParseResult(_finish(doc, assembler.drafts), excluded)


def read_source(raw: bytes) -> str:
    """Decode a corpus text file; offsets of passages refer to this string."""
    return raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")

