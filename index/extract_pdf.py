"""A PDF's text layer as declaration text, with pdfminer.

Lines are laid out by pdfminer and joined into paragraphs by their geometry
(`Frame`), pages are joined so that a sentence running over a page break stays
one, and glyphs without a Unicode map (`(cid:N)`) and radical code points are
cleaned up. A PDF without a usable text layer (a scan, a font without a map),
one that is encrypted, damaged, truncated or far too long is refused.

Part of `index.extract`, which reads the file and calls `extract_pdf`.
"""
from __future__ import annotations

import io
import itertools
import re
import statistics
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .extract_layout import Layout, column_layout, is_vertical, vertical_layout
from .extract_result import Extracted, ExtractionError
from .extract_text import _is_cjk
from .model import Excluded
from .paragraphs import join_lines
from .textnorm import _RADICAL_SUPPLEMENT

if TYPE_CHECKING:
    from pdfminer.layout import LTComponent, LTContainer, LTPage, LTTextLine

MAX_PAGES = 200  # a declaration has a few pages; time and memory are bounded by the reading child (index/worker.py)


# --------------------------------------------------------------------------- PDF: text-level cleaning

_CID = re.compile(r"\(cid:\d+\)")
# Kangxi Radicals are all mapped by NFKC; of the supplement NFKC maps only two,
# so textnorm's explicit table comes first.
_RADICALS = {
    **{chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0x2E80, 0x2EF4)
       if unicodedata.normalize("NFKC", chr(c)) != chr(c)},
    **_RADICAL_SUPPLEMENT,
    **{chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0x2F00, 0x2FD6)},
}
_RADICAL_TABLE = str.maketrans(_RADICALS)
_MIN_CHARS_PER_PAGE = 20
_MAX_CID_SHARE = 0.25


def clean_pdf_text(pages: Sequence[str]) -> tuple[list[str], tuple[str, ...]]:
    """Each page's text with unmapped glyphs removed and radicals mapped, or a refusal.

    `(cid:N)` is pdfminer's stand-in for a glyph whose font has no Unicode map:
    a few (a symbol font) are dropped with a warning; when they make up more
    than a quarter of the glyphs the text cannot be read or cited, so the file
    is refused, as is a page set with almost no text at all (a scan).
    """
    cleaned: list[str] = []
    cids = radicals = 0
    for page in pages:
        text, removed = _drop_cids(page)
        radicals += sum(1 for char in text if char in _RADICALS)
        cleaned.append(text.translate(_RADICAL_TABLE))
        cids += removed
    _check_text_layer(cleaned, cids)
    warnings = []
    if cids:
        warnings.append(f"(cid:…) glyphs without Unicode mapping were removed: {cids}")
    if radicals:
        warnings.append(f"radical code points mapped to ordinary kanji: {radicals}")
    return cleaned, tuple(warnings)


def _drop_cids(text: str) -> tuple[str, int]:
    """Text without `(cid:N)`; a line that held nothing else goes too, so no empty line splits a paragraph."""
    count = 0
    lines = []
    for line in text.split("\n"):
        kept, removed = _CID.subn("", line)
        count += removed
        if not (removed and not kept.strip()):
            lines.append(kept)
    return "\n".join(lines), count


def _check_text_layer(pages: Sequence[str], cids: int) -> None:
    meaningful = sum(1 for page in pages for char in page if not char.isspace())
    if cids and cids > _MAX_CID_SHARE * (cids + meaningful):
        raise ExtractionError(f"too many of this PDF's characters ({cids} of {cids + meaningful}) use a font without"
                              " a Unicode map, so its text cannot be extracted", "pdf-no-unicode-map", unmapped=cids,
                              total=cids + meaningful)
    per_page = meaningful / max(1, len(pages))
    if per_page < _MIN_CHARS_PER_PAGE:
        raise ExtractionError(f"this PDF has no usable text layer (about {per_page:.0f} characters per page): it looks"
                              " like a scan", "pdf-scanned", per_page=round(per_page))


# --------------------------------------------------------------------------- PDF: layout


@dataclass
class Line:
    """One text line of a page, with the geometry that tells paragraph ends from wrapping."""

    text: str
    x0: float
    x1: float
    y0: float
    y1: float

    @property
    def em(self) -> float:
        return max(1.0, self.y1 - self.y0)


@dataclass
class Page:
    """One page's paragraphs, whether its last line runs on onto the next page, and what was set aside."""

    text: str
    runs_on: bool
    aside: tuple[tuple[str, str], ...] = ()  # (reason, text): a newsletter's masthead, captions, … (extract_layout)


_SENTENCE_END = tuple("。．.！!？?」』）)")
# Openings of items and sections: a line starting with one begins a new block.
BLOCK_START = re.compile(r"^[（(]\s*[0-9０-９]{1,2}\s*[）)]|^[①-⑳○◯●◆■□＜〈<【《]|^[一二三四五六七八九十]{1,3}[、.．]")
PAGE_NUMBER = re.compile(r"^[-－―‐—–ー(（\s]*(?:[0-9０-９]{1,3}|[ivxIVX]{1,4})[-－―‐—–ー)）\s]*$"
                          r"|^[0-9０-９]{1,3}\s*/\s*[0-9０-９]{1,3}$")


def extract_pdf(raw: bytes) -> Extracted:
    """The text layer of a PDF's bytes, page by page, or an ExtractionError saying why there is none.

    A PDF without a usable text layer is refused with code "pdf-scanned"; `index.extract.extract` then reads
    it by OCR (index/extract_ocr.py), which builds on this module's line and page layout, not the reverse.
    """
    _check_envelope(raw)
    pages = list(_layout_pages(raw))
    texts, warnings = clean_pdf_text([page.text for page in pages])  # "pdf-scanned": index/extract.py OCRs it
    text, starts = join_pages(pages, texts)
    aside = tuple(Excluded(reason, part, start, start) for page, start in zip(pages, starts)
                  for reason, part in page.aside)
    return Extracted(text, "pdf", starts, warnings, set_aside=aside)


def _check_envelope(raw: bytes) -> None:
    """A PDF starts with %PDF- and ends with %%EOF; pdfminer recovers text from a truncated one silently."""
    if b"%PDF-" not in raw[:1024]:
        raise ExtractionError("this file is not a PDF (it has no PDF header), though its name ends in .pdf",
                              "pdf-not-pdf")
    if b"%%EOF" not in raw[-2048:]:
        raise ExtractionError("this PDF is incomplete (truncated, e.g. an interrupted download)", "pdf-truncated")


def _layout_pages(raw: bytes) -> Iterator[Page]:
    """Pages as pdfminer lays them out, with pdfminer's many failure modes turned into refusals."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFEncryptionError

    try:
        _check_page_count(raw)
        # boxes_flow=None: boxes top to bottom. pdfminer's default clustering puts
        # a centred or indented heading (＜宣言＞) after the text below it.
        # all_texts: some producers put the whole page into a form XObject, which
        # pdfminer otherwise leaves as an unanalysed figure.
        params = LAParams(boxes_flow=None, all_texts=True)
        for number, page in enumerate(extract_pages(io.BytesIO(raw), laparams=params)):
            if is_vertical(page):  # 縦書き: laid out again, this page only, with pdfminer's vertical lines
                vertical = LAParams(boxes_flow=None, all_texts=True, detect_vertical=True)
                page = next(extract_pages(io.BytesIO(raw), page_numbers=[number], laparams=vertical))
                yield _layout_text(vertical_layout(page, _line_text, _margin_noise(page)))
                continue
            columns = column_layout(page, _line_text, _margin_noise(page))
            yield _page_text(page) if columns is None else _layout_text(columns)
    except PDFEncryptionError as exc:
        raise ExtractionError("this PDF is protected by a password", "pdf-encrypted") from exc
    except (ExtractionError, MemoryError):  # a refusal of ours, or the reading child's memory limit
        raise
    except Exception as exc:  # pdfminer raises PSEOF, PDFSyntaxError, KeyError, struct/zlib errors …
        raise ExtractionError(f"this PDF is damaged and cannot be read ({type(exc).__name__}: {exc})", "pdf-damaged",
                              detail=f"{type(exc).__name__}: {str(exc)[:200]}") from exc


def _check_page_count(raw: bytes) -> None:
    """Refuse before any layout work a PDF with more pages than a declaration has (the page tree is cheap)."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    pages = sum(1 for _ in itertools.islice(PDFPage.create_pages(PDFDocument(PDFParser(io.BytesIO(raw)))),
                                            MAX_PAGES + 1))
    if pages > MAX_PAGES:
        raise ExtractionError(f"this PDF has more than {MAX_PAGES} pages: a declaration is much shorter",
                              "pdf-too-many-pages", limit=MAX_PAGES)


def _page_text(page: LTPage) -> Page:
    lines = [line for line in _lines(page) if not _is_page_number(line, page)]
    if not lines:
        return Page("", False)
    frame = Frame.of(lines)
    out = lines[0].text
    for prev, line in itertools.pairwise(lines):
        out += ("\n\n" if frame.breaks(prev, line) else "\n") + line.text
    return Page(out, frame.runs_on(lines[-1]))


def _layout_text(layout: Layout) -> Page:
    """A page of runs laid out on their own (columns, vertical text): each its own frame, one line a paragraph.

    A column is narrow, and the parser takes a short numbered first line for a
    heading, so a paragraph's wrapped lines are joined here; a sentence running
    from the foot of one column to the head of the next stays one paragraph.
    """
    paragraphs: list[list[str]] = []
    runs_on = False
    for segment in layout.segments:
        lines = [Line(*placed) for placed in segment]
        frame = Frame.of(lines)
        if not (runs_on and paragraphs and not BLOCK_START.match(lines[0].text.lstrip())):
            paragraphs.append([])
        paragraphs[-1].append(lines[0].text)
        for prev, line in itertools.pairwise(lines):
            if frame.breaks(prev, line):
                paragraphs.append([])
            paragraphs[-1].append(line.text)
        runs_on = frame.runs_on(lines[-1])
    return Page("\n\n".join(join_lines(lines) for lines in paragraphs), runs_on, tuple(layout.aside))


def _margin_noise(page: LTPage) -> Callable[[str, float, float], bool]:
    """A page number in the margin, as `_is_page_number` tells it, for extract_layout's lines."""
    return lambda text, y0, y1: _is_page_number(Line(text, 0, 0, y0, y1), page)


def _lines(container: LTContainer) -> Iterator[Line]:
    """Text lines in pdfminer's reading order, those of figures (form XObjects) after the page's own."""
    from pdfminer.layout import LTFigure, LTTextBox, LTTextLine

    for element in container:
        if isinstance(element, LTTextBox):
            for line in element:
                if isinstance(line, LTTextLine):
                    text = _line_text(line)
                    if text.strip():
                        yield Line(text, line.x0, line.x1, line.y0, line.y1)
        elif isinstance(element, LTFigure):
            yield from _lines(element)


def _line_text(line: LTTextLine | Sequence[LTComponent]) -> str:
    """A line's characters without the spaces pdfminer guesses between Japanese glyphs.

    pdfminer inserts a space (an LTAnno, not a glyph of the PDF) wherever two
    glyphs are further apart than `word_margin`; justified Japanese text and
    letter-spaced titles (均等割り付け) trip it between every character. Spaces
    drawn by the PDF itself are LTChar and kept.
    """
    from pdfminer.layout import LTAnno

    items = [(isinstance(obj, LTAnno), _printable(obj.get_text())) for obj in line]
    chars = []
    for i, (virtual, text) in enumerate(items):
        if virtual and (text != " " or _joins_cjk(items, i)):
            continue
        chars.append(text)
    return "".join(chars).rstrip()


def _printable(text: str) -> str:
    return "".join(c for c in text if unicodedata.category(c) != "Cc" or c in " \n")


def _joins_cjk(items: list[tuple[bool, str]], i: int) -> bool:
    """True when a guessed space sits next to Japanese, an unmapped glyph, another space or a line end."""
    before = items[i - 1][1] if i > 0 else ""
    after = items[i + 1][1] if i + 1 < len(items) else ""
    for neighbour in (before, after):
        if not neighbour or neighbour.isspace() or neighbour.startswith("(cid:"):
            return True
    return _is_cjk(before[-1]) or _is_cjk(after[0])


def _is_page_number(line: Line, page: LTPage) -> bool:
    """"- 3 -" or "3" alone in the top or bottom margin is a page number, not declaration text."""
    height = page.y1 - page.y0
    in_margin = line.y0 > page.y0 + 0.9 * height or line.y1 < page.y0 + 0.12 * height
    return in_margin and bool(PAGE_NUMBER.match(line.text.strip()))


@dataclass(frozen=True)
class Frame:
    """Where a page's body text runs: its margins and its usual line pitch.

    A paragraph's lines run from the left to the right margin; the last one
    stops short. Real declarations wrap unevenly (kinsoku pushes a character
    down, a Latin word does not fit), so a line ends a paragraph only when it
    ends a sentence and stops short, or stops well short, or is followed by a
    gap, an indent or an item marker.
    """

    left: float
    right: float
    pitch: float

    @classmethod
    def of(cls, lines: Sequence[Line]) -> Frame:
        ends = sorted(line.x1 for line in lines)
        # Not quite the widest line on a full page: one letter-spaced or table line may overshoot.
        right = ends[int(0.9 * (len(ends) - 1))] if len(ends) >= 10 else ends[-1]
        gaps = [a.y0 - b.y0 for a, b in itertools.pairwise(lines) if 0 < a.y0 - b.y0 < 3 * a.em]
        pitch = statistics.median(gaps) if gaps else 1.5 * lines[0].em
        return cls(min(line.x0 for line in lines), right, pitch)

    def room(self, line: Line) -> float:
        """Empty space after the line, in characters."""
        return (self.right - line.x1) / line.em

    def runs_on(self, line: Line) -> bool:
        """A body line that runs to the right margin and stops mid-sentence goes on in the next line."""
        body = line.x0 <= self.left + 6 * line.em
        return body and self.room(line) <= 3 and not line.text.endswith(_SENTENCE_END)

    def breaks(self, prev: Line, line: Line) -> bool:
        """Whether a paragraph ends between two consecutive lines of the page."""
        below = line.y1 <= prev.y0 + 0.3 * prev.em
        if not below or prev.y0 - line.y0 > 1.6 * self.pitch:
            return True  # a new column, or a vertical gap: a blank line in the source
        starts_block = bool(BLOCK_START.match(line.text.lstrip()))
        if prev.text.endswith(_SENTENCE_END):
            return self.room(prev) > 1.5 or starts_block or _indented(prev, line)
        if prev.x0 > self.left + 6 * prev.em:
            return True  # centred or right-aligned: a title, a date, a signature
        if line.text[:1].isascii() and line.text[:1].isalnum():
            return False  # a Latin word that did not fit on the previous line
        return self.room(prev) > 3 or (self.room(prev) > 1.5 and starts_block)


def _indented(prev: Line, line: Line) -> bool:
    """A first-line indent opens a paragraph; the hanging indent under an item marker does not."""
    if line.text.startswith("\u3000"):
        return True
    return line.x0 > prev.x0 + 0.5 * prev.em and not BLOCK_START.match(prev.text.lstrip())


def join_pages(pages: Sequence[Page], texts: Sequence[str]) -> tuple[str, tuple[int, ...]]:
    """The pages' text in one string and where each page starts; a sentence running over a page break stays one."""
    out = ""
    starts = []
    last: int | None = None  # the last page with text
    for i, text in enumerate(texts):
        if out and text:
            runs_on = last is not None and pages[last].runs_on and not BLOCK_START.match(text.lstrip())
            out += "\n" if runs_on else "\n\n"
        starts.append(len(out))
        out += text
        last = i if text.strip() else last
    return (out + "\n" if out else out), tuple(starts)
