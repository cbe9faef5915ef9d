"""A declaration's text as paragraphs ("blocks"): where one ends, and which item marker starts it.

The first stage of index/parse.py. It knows the layouts (a PDF's double-spaced
hard-wrapped lines, Markdown-ish or OCR'd text) and the numbering schemes
(（１）, ①, 1., 一、, ○) but nothing of sections, organisations or passages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


SENTENCE_END = tuple("。．.！!？?」』）)")

# Item markers, most specific first. The style names the numbering scheme, so
# (1) and （１） are one style and nest at one level.
MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("paren", re.compile(r"^[（(]\s*[0-9０-９]{1,2}\s*[）)]\s*")),
    ("circled", re.compile(r"^[①-⑳][.．、]?\s*")),
    ("arabic", re.compile(r"^[0-9０-９]{1,2}(?:[.．、]\s*|\s+)(?=[^\s0-9０-９])")),
    ("kanji", re.compile(r"^[一二三四五六七八九十]{1,3}[、.．]\s*")),
    ("bullet", re.compile(r"^[○◯●◆■□]\s*")),
]

# Markers that also occur at the start of a wrapped line mid-sentence ("6 都市は…"):
# they start a block only where the previous line ended one.
GUARDED = {"arabic"}

MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")

MD_LIST = re.compile(r"^\s*[-*+]\s+(?=\S)")

BRACKET_SECTION = re.compile(r"^[＜〈<【《]\s*(.{1,24}?)\s*[＞〉>】》]$")

ANNEX = re.compile(r"^別紙\s*[：:]?")

SECTION_WORDS = re.compile(r"前文|宣言|提言|決議|要望|要請")

ORG_ENTRY = re.compile(r"（([^（）]{2,40})）\s*$|\(([^()]{2,40})\)\s*$")


@dataclass
class Block:
    """A paragraph of the source: its joined text and its span."""

    text: str
    start: int
    end: int
    md_heading: bool = False


def join_lines(pieces: list[str]) -> str:
    """Join wrapped lines: no space in Japanese, one space between Latin words."""
    out = ""
    for piece in pieces:
        if out and out[-1].isascii() and out[-1].isalnum() and piece[0].isascii() and piece[0].isalnum():
            out += " "
        out += piece
    return out


def _is_double_spaced(lines: list[str]) -> bool:
    """PDF extractions wrap every ~40 characters and put an empty line after each line.

    Markdown also leaves an empty line after each paragraph, but its lines end
    sentences; wrapped lines mostly stop mid-sentence.
    """
    content = [i for i, line in enumerate(lines) if len(line.strip()) >= 20]
    if len(content) < 4:
        return False
    followed = sum(1 for i in content if i + 1 < len(lines) and lines[i + 1] == "")
    ended = sum(1 for i in content if lines[i].rstrip().endswith(SENTENCE_END))
    return followed / len(content) > 0.7 and ended / len(content) < 0.5


def marker_of(text: str) -> tuple[str, re.Match[str]] | None:
    for style, pattern in MARKERS:
        match = pattern.match(text)
        if match:
            return style, match
    return None


def _stands_alone(line: str) -> bool:
    """A heading on a line of its own, which the next line must not be joined to."""
    marker = marker_of(line)
    if marker and marker[0] == "bullet":
        return bool(ORG_ENTRY.search(line)) and "。" not in line
    if line.endswith(SENTENCE_END) or len(line) > 40:
        return False
    if marker:
        return len(line) <= 25 and "、" not in line
    return bool(BRACKET_SECTION.match(line) or ANNEX.match(line) or (len(line) <= 15 and SECTION_WORDS.search(line)))


def split_blocks(source: str) -> list[Block]:
    lines = source.split("\n")
    double = _is_double_spaced(lines)
    blocks: list[Block] = []
    pieces: list[tuple[str, int, int]] = []  # text, start, end

    def flush() -> None:
        if pieces:
            blocks.append(Block(join_lines([p[0] for p in pieces]), pieces[0][1], pieces[-1][2]))
            pieces.clear()

    offset = 0
    prev_ended = True
    for line in lines:
        line_start, offset = offset, offset + len(line) + 1
        if not line.strip():
            if line or not double:
                flush()
                prev_ended = True
            continue
        heading = MD_HEADING.match(line)
        body_at = heading.end() if heading else 0
        listed = MD_LIST.match(line, body_at)
        body_at = listed.end() if listed else body_at
        stripped = line[body_at:].strip()
        body_start = line_start + line.index(stripped, body_at)
        marker = marker_of(stripped)
        indented = line[:1].isspace() and not listed
        starts_block = (
            heading or listed or (double and indented)
            or (marker and (marker[0] not in GUARDED or prev_ended))
        )
        if starts_block:
            flush()
        pieces.append((stripped, body_start, body_start + len(stripped)))
        if heading:
            blocks.append(Block(stripped, body_start, body_start + len(stripped), md_heading=True))
            pieces.clear()
        elif (double and line != line.rstrip()) or (len(pieces) == 1 and _stands_alone(stripped)):
            flush()
        prev_ended = not pieces or stripped.endswith(SENTENCE_END)
    flush()
    return blocks
