"""Turn a declaration file that staff add into text that `index.parse` can split.

The result is what the corpus stores (UTF-8) and what passages' offsets refer
to, so extraction keeps the source's own characters: no NFKC over the whole
text (（１） must stay full-width), only the radical code points that PDF fonts
emit instead of ordinary kanji are mapped. Paragraphs are separated by a blank
line and wrapped lines by a single newline, which is the Markdown/plain-text
layout the parser understands.

Every refusal is an `ExtractionError` whose message a member of staff can act
on, in English and Japanese.
"""
from __future__ import annotations

import bisect
import io
import itertools
import re
import statistics
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from .textnorm import _RADICAL_SUPPLEMENT

if TYPE_CHECKING:
    from pdfminer.layout import LTContainer, LTPage, LTTextLine


class ExtractionError(Exception):
    """A file that cannot become declaration text; the message says why, in English and Japanese, for a user."""


SUPPORTED = {".pdf", ".txt", ".md", ".markdown", ".html", ".htm"}
MAX_BYTES = 20 * 1024 * 1024
MAX_PAGES = 200  # a declaration has a few pages; time and memory are bounded by the reading child (index/worker.py)

_KINDS = {".pdf": "pdf", ".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


@dataclass(frozen=True)
class Extracted:
    """The text to store and parse, and what a reviewer should know about how it was obtained."""

    text: str  # what will be stored as the corpus file (UTF-8) and parsed
    kind: str  # "pdf" | "text" | "markdown" | "html"
    pages: tuple[int, ...]  # for PDFs: offset in `text` where each page starts (page N = index N-1); () otherwise
    warnings: tuple[str, ...]  # e.g. "(cid:…) glyphs without Unicode mapping were removed: 12"


def _refusal(english: str, japanese: str) -> ExtractionError:
    return ExtractionError(f"{english} / {japanese}")


def extract(path: Path) -> Extracted:
    """The declaration text of `path`, or an ExtractionError saying why there is none."""
    path = Path(path)
    kind = _kind_of(path)
    raw = _read(path)
    if kind == "pdf":
        return _extract_pdf(raw)
    text, warnings = decode_text(raw, _declared_charset(raw) if kind == "html" else "")
    if kind == "html":
        text = html_to_text(text)
    if not text.strip():
        raise _refusal(f"{path.name} contains no text.", f"{path.name} には文字がありません。")
    return Extracted(text, kind, (), warnings)


def page_of(extracted_pages: tuple[int, ...], offset: int) -> int:
    """1-based page of a character offset, 0 when unknown (no pages recorded, or a negative offset)."""
    if not extracted_pages or offset < 0:
        return 0
    return bisect.bisect_right(extracted_pages, offset)


# --------------------------------------------------------------------------- files


def _kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        allowed = ", ".join(sorted(SUPPORTED))
        raise _refusal(
            f"{path.name}: files of type '{suffix or '(none)'}' are not supported; use one of {allowed}"
            " (save Word files as PDF).",
            f"{path.name}: この形式（{suffix or '拡張子なし'}）には対応していません。{allowed} のいずれかにしてください"
            "（Word ファイルは PDF で保存してください）。",
        )
    return _KINDS[suffix]


def _read(path: Path) -> bytes:
    """The file's bytes, refusing before reading anything too large to be a declaration."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            limit = MAX_BYTES / (1024 * 1024)
            raise _refusal(f"{path.name} is {size / (1024 * 1024):.1f} MB; the limit is {limit:g} MB.",
                           f"{path.name} は大きすぎます（{size / (1024 * 1024):.1f} MB、上限 {limit:g} MB）。")
        if size == 0:
            raise _refusal(f"{path.name} is empty.", f"{path.name} は空のファイルです。")
        return path.read_bytes()
    except OSError as exc:
        raise _refusal(f"{path.name} cannot be read: {exc.strerror or exc}.",
                       f"{path.name} を読み込めません。") from exc


# --------------------------------------------------------------------------- text and HTML

_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _declared_charset(raw: bytes) -> str:
    """An HTML page's own <meta charset>, which older Japanese sites set to EUC-JP or Shift_JIS."""
    match = _HTML_CHARSET.search(raw[:4096])
    return match.group(1).decode("ascii").lower() if match else ""


def decode_text(raw: bytes, declared: str = "") -> tuple[str, tuple[str, ...]]:
    """Decode a text file: UTF-8 (with or without BOM), else the declared charset, else cp932.

    Japanese government files are often Shift_JIS; cp932 is Microsoft's superset
    of it (①, ㈱, NEC special characters) and is what those files really use.
    Newlines are normalised to "\\n" so the stored file reads back identically.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, warnings = _try_decode(raw, "utf-16"), ("decoded as UTF-16, not UTF-8",)
    else:
        text, warnings = _try_decode(raw, "utf-8-sig"), ()
        for encoding in (declared, "cp932"):
            if text is None and encoding and encoding.replace("_", "-") not in ("utf-8", "utf8"):
                text, warnings = _try_decode(raw, encoding), (f"decoded as {encoding}, not UTF-8",)
    if text is None:
        raise _refusal("The file is neither UTF-8 nor Shift_JIS (cp932) text; save it as UTF-8.",
                       "文字コードを判別できません（UTF-8 でも Shift_JIS でもありません）。UTF-8 で保存してください。")
    if "\x00" in text:
        raise _refusal("The file is binary, not text.", "テキストファイルではありません（バイナリです）。")
    return text.replace("\r\n", "\n").replace("\r", "\n"), warnings


# Bytes that cp932 decodes although no Shift_JIS text contains them (0x80, 0xA0, 0xFD–0xFF).
_NOT_SHIFT_JIS = re.compile("[\x80\uf8f0-\uf8f3]")


def _try_decode(raw: bytes, encoding: str) -> str | None:
    try:
        text = raw.decode(encoding)
    except (UnicodeError, LookupError):  # UnicodeError, not only UnicodeDecodeError: "undefined", "punycode" raise it
        return None
    return None if encoding == "cp932" and _NOT_SHIFT_JIS.search(text) else text


_SKIPPED = {"script", "style", "nav", "header", "footer", "head", "noscript", "template", "svg"}
_BLOCKS = {
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "ul", "ol", "dl", "dt", "dd", "table",
    "section", "article", "main", "aside", "blockquote", "pre", "figure", "figcaption", "hr", "address",
    "caption", "form", "fieldset",
}
_CELLS = {"td", "th"}
_PARA, _LINE = "\x1e", "\x1f"  # break markers that cannot occur in decoded HTML text


class _TextCollector(HTMLParser):
    """Collects visible text, marking where block elements and <br> break it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.parts.append(_LINE)
        elif tag in _BLOCKS:
            self.pre += tag == "pre"
            self.parts.append(_PARA)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.pre = max(0, self.pre - (tag == "pre"))
            self.parts.append(_PARA)
        elif tag in _CELLS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data.replace("\n", _LINE) if self.pre else data)


def html_to_text(source: str) -> str:
    """Visible text of an HTML page: one paragraph per block element, navigation and scripts left out."""
    collector = _TextCollector()
    collector.feed(source)
    collector.close()
    paragraphs = []
    for block in "".join(collector.parts).split(_PARA):
        lines = [line for line in (_collapse(piece) for piece in block.split(_LINE)) if line]
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs) + "\n" if paragraphs else ""


_HTML_SPACE = re.compile(r"[ \t\n\r\f\xa0]+")


def _collapse(text: str) -> str:
    """HTML whitespace as a browser shows it, except that a source line break inside Japanese is no space."""

    def replace(match: re.Match[str]) -> str:
        before = match.string[match.start() - 1] if match.start() else ""
        after = match.string[match.end()] if match.end() < len(match.string) else ""
        if "\n" in match.group() and (_is_cjk(before) or _is_cjk(after)):
            return ""
        return " "

    return _HTML_SPACE.sub(replace, text).strip()


def _is_cjk(char: str) -> bool:
    """Kana, kanji, CJK punctuation and full-width forms: scripts written without spaces."""
    if not char:
        return False
    code = ord(char)
    return (
        0x2460 <= code <= 0x24FF or 0x2E80 <= code <= 0x2FDF or 0x3000 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF or 0xFE30 <= code <= 0xFE4F or 0xFF00 <= code <= 0xFFEF
        or code >= 0x20000
    )


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
        raise _refusal(
            f"Too many of this PDF's characters ({cids} of {cids + meaningful}) use a font without a Unicode map,"
            " so its text cannot be extracted; run OCR on it and add the result as .txt or .md.",
            f"このPDFは文字の多く（{cids + meaningful} 字中 {cids} 字）が文字コードを持たないフォントで、"
            "文字を取り出せません。OCR で文字を起こし、.txt か .md で追加してください。",
        )
    per_page = meaningful / max(1, len(pages))
    if per_page < _MIN_CHARS_PER_PAGE:
        raise _refusal(
            f"This PDF has no usable text layer (about {per_page:.0f} characters per page): it looks like a scan."
            " Run OCR on it and add the result as .txt or .md.",
            f"このPDFには文字情報がほとんどありません（1ページあたり約 {per_page:.0f} 字）。スキャン画像のようです。"
            "OCR で文字を起こし、.txt か .md で追加してください。",
        )


# --------------------------------------------------------------------------- PDF: layout


@dataclass
class _Line:
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
class _Page:
    """One page's paragraphs, and whether its last line runs on onto the next page."""

    text: str
    runs_on: bool


_SENTENCE_END = tuple("。．.！!？?」』）)")
# Openings of items and sections: a line starting with one begins a new block.
_BLOCK_START = re.compile(r"^[（(]\s*[0-9０-９]{1,2}\s*[）)]|^[①-⑳○◯●◆■□＜〈<【《]|^[一二三四五六七八九十]{1,3}[、.．]")
_PAGE_NUMBER = re.compile(r"^[-－―‐—–ー(（\s]*(?:[0-9０-９]{1,3}|[ivxIVX]{1,4})[-－―‐—–ー)）\s]*$"
                          r"|^[0-9０-９]{1,3}\s*/\s*[0-9０-９]{1,3}$")


def _extract_pdf(raw: bytes) -> Extracted:
    _check_envelope(raw)
    pages = list(_layout_pages(raw))
    texts, warnings = clean_pdf_text([page.text for page in pages])
    text, starts = _join_pages(pages, texts)
    return Extracted(text, "pdf", starts, warnings)


def _check_envelope(raw: bytes) -> None:
    """A PDF starts with %PDF- and ends with %%EOF; pdfminer recovers text from a truncated one silently."""
    if b"%PDF-" not in raw[:1024]:
        raise _refusal("This file is not a PDF (it has no PDF header), though its name ends in .pdf.",
                       "このファイルは PDF ではありません（拡張子だけが .pdf です）。")
    if b"%%EOF" not in raw[-2048:]:
        raise _refusal("This PDF is incomplete (truncated, e.g. an interrupted download); get the file again.",
                       "この PDF は途中で切れています（ダウンロードの失敗など）。もう一度入手してください。")


def _layout_pages(raw: bytes) -> Iterator[_Page]:
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
        for page in extract_pages(io.BytesIO(raw), laparams=params):
            yield _page_text(page)
    except PDFEncryptionError as exc:
        raise _refusal("This PDF is protected by a password; save an unprotected copy and add that.",
                       "この PDF はパスワードで保護されています。保護を外したものを追加してください。") from exc
    except (ExtractionError, MemoryError):  # a refusal of ours, or the reading child's memory limit
        raise
    except Exception as exc:  # pdfminer raises PSEOF, PDFSyntaxError, KeyError, struct/zlib errors …
        raise _refusal(f"This PDF is damaged and cannot be read ({type(exc).__name__}: {exc}).",
                       "この PDF は壊れていて読み込めません。") from exc


def _check_page_count(raw: bytes) -> None:
    """Refuse before any layout work a PDF with more pages than a declaration has (the page tree is cheap)."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    pages = sum(1 for _ in itertools.islice(PDFPage.create_pages(PDFDocument(PDFParser(io.BytesIO(raw)))),
                                            MAX_PAGES + 1))
    if pages > MAX_PAGES:
        raise _refusal(f"This PDF has more than {MAX_PAGES} pages: a declaration is much shorter. Add only the"
                       " declaration's pages.",
                       f"この PDF は {MAX_PAGES} ページを超えています。宣言文のページだけを PDF にして追加してください。")


def _page_text(page: LTPage) -> _Page:
    lines = [line for line in _lines(page) if not _is_page_number(line, page)]
    if not lines:
        return _Page("", False)
    frame = _Frame.of(lines)
    out = lines[0].text
    for prev, line in itertools.pairwise(lines):
        out += ("\n\n" if frame.breaks(prev, line) else "\n") + line.text
    return _Page(out, frame.runs_on(lines[-1]))


def _lines(container: LTContainer) -> Iterator[_Line]:
    """Text lines in pdfminer's reading order, those of figures (form XObjects) after the page's own."""
    from pdfminer.layout import LTFigure, LTTextBox, LTTextLine

    for element in container:
        if isinstance(element, LTTextBox):
            for line in element:
                if isinstance(line, LTTextLine):
                    text = _line_text(line)
                    if text.strip():
                        yield _Line(text, line.x0, line.x1, line.y0, line.y1)
        elif isinstance(element, LTFigure):
            yield from _lines(element)


def _line_text(line: LTTextLine) -> str:
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


def _is_page_number(line: _Line, page: LTPage) -> bool:
    """"- 3 -" or "3" alone in the top or bottom margin is a page number, not declaration text."""
    height = page.y1 - page.y0
    in_margin = line.y0 > page.y0 + 0.9 * height or line.y1 < page.y0 + 0.12 * height
    return in_margin and bool(_PAGE_NUMBER.match(line.text.strip()))


@dataclass(frozen=True)
class _Frame:
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
    def of(cls, lines: Sequence[_Line]) -> _Frame:
        ends = sorted(line.x1 for line in lines)
        # Not quite the widest line on a full page: one letter-spaced or table line may overshoot.
        right = ends[int(0.9 * (len(ends) - 1))] if len(ends) >= 10 else ends[-1]
        gaps = [a.y0 - b.y0 for a, b in itertools.pairwise(lines) if 0 < a.y0 - b.y0 < 3 * a.em]
        pitch = statistics.median(gaps) if gaps else 1.5 * lines[0].em
        return cls(min(line.x0 for line in lines), right, pitch)

    def room(self, line: _Line) -> float:
        """Empty space after the line, in characters."""
        return (self.right - line.x1) / line.em

    def runs_on(self, line: _Line) -> bool:
        """A body line that runs to the right margin and stops mid-sentence goes on in the next line."""
        body = line.x0 <= self.left + 6 * line.em
        return body and self.room(line) <= 3 and not line.text.endswith(_SENTENCE_END)

    def breaks(self, prev: _Line, line: _Line) -> bool:
        """Whether a paragraph ends between two consecutive lines of the page."""
        below = line.y1 <= prev.y0 + 0.3 * prev.em
        if not below or prev.y0 - line.y0 > 1.6 * self.pitch:
            return True  # a new column, or a vertical gap: a blank line in the source
        starts_block = bool(_BLOCK_START.match(line.text.lstrip()))
        if prev.text.endswith(_SENTENCE_END):
            return self.room(prev) > 1.5 or starts_block or _indented(prev, line)
        if prev.x0 > self.left + 6 * prev.em:
            return True  # centred or right-aligned: a title, a date, a signature
        if line.text[:1].isascii() and line.text[:1].isalnum():
            return False  # a Latin word that did not fit on the previous line
        return self.room(prev) > 3 or (self.room(prev) > 1.5 and starts_block)


def _indented(prev: _Line, line: _Line) -> bool:
    """A first-line indent opens a paragraph; the hanging indent under an item marker does not."""
    if line.text.startswith("\u3000"):
        return True
    return line.x0 > prev.x0 + 0.5 * prev.em and not _BLOCK_START.match(prev.text.lstrip())


def _join_pages(pages: Sequence[_Page], texts: Sequence[str]) -> tuple[str, tuple[int, ...]]:
    """The pages' text in one string and where each page starts; a sentence running over a page break stays one."""
    out = ""
    starts = []
    last: int | None = None  # the last page with text
    for i, text in enumerate(texts):
        if out and text:
            runs_on = last is not None and pages[last].runs_on and not _BLOCK_START.match(text.lstrip())
            out += "\n" if runs_on else "\n\n"
        starts.append(len(out))
        out += text
        last = i if text.strip() else last
    return (out + "\n" if out else out), tuple(starts)
