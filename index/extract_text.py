"""Text and HTML files as declaration text: charset detection and decoding, visible text of a page.

Part of `index.extract`, which reads the file and calls these.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from .extract_result import ExtractionError

_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def declared_charset(raw: bytes) -> str:
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
        raise ExtractionError("the file is neither UTF-8 nor Shift_JIS (cp932) text", "text-encoding-unknown")
    if "\x00" in text:
        raise ExtractionError("the file is binary, not text", "file-binary")
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
