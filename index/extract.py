"""Turn a declaration file that staff add into text that `index.parse` can split.

The result is what the corpus stores (UTF-8) and what passages' offsets refer
to, so extraction keeps the source's own characters: no NFKC over the whole
text (（１） must stay full-width), only the radical code points that PDF fonts
emit instead of ordinary kanji are mapped. Paragraphs are separated by a blank
line and wrapped lines by a single newline, which is the Markdown/plain-text
layout the parser understands.

Every refusal is an `ExtractionError` with a code and the facts (the file's
name, its size, …), which the front ends phrase for the person who added it.

The work is split by kind of file: `index.extract_text` decodes text and HTML,
`index.extract_pdf` reads a PDF's text layer, `index.extract_docx` a Word file (its
automatic numbering and tables included), and `index.extract_result` holds
what they return or raise. Every name callers use is importable from here.
"""
from __future__ import annotations

import bisect
from pathlib import Path

from . import extract_ocr
from .extract_docx import extract_docx
from .extract_pdf import MAX_PAGES, clean_pdf_text, extract_pdf
from .extract_result import Extracted, ExtractionError
from .extract_text import declared_charset, decode_text, html_to_text

__all__ = [
    "MAX_BYTES", "MAX_PAGES", "SUPPORTED", "Extracted", "ExtractionError", "clean_pdf_text", "decode_text",
    "extract", "html_to_text", "page_of",
]

SUPPORTED = {".pdf", ".docx", ".txt", ".md", ".markdown", ".html", ".htm"}
MAX_BYTES = 20 * 1024 * 1024

_KINDS = {".pdf": "pdf", ".docx": "docx", ".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html",
          ".htm": "html"}
# Scans and photos of a declaration, OCR'd by index/extract_ocr.py (as is a PDF without a text layer).
IMAGES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUPPORTED |= IMAGES
_KINDS |= dict.fromkeys(IMAGES, "image")


def extract(path: Path) -> Extracted:
    """The declaration text of `path`, or an ExtractionError saying why there is none."""
    path = Path(path)
    kind = _kind_of(path)
    raw = _read(path)
    if kind == "pdf":
        return _pdf(raw)
    if kind == "docx":
        return extract_docx(raw, path.name)
    if kind == "image":
        return extract_ocr.extract_image(raw, path.name)
    text, warnings = decode_text(raw, declared_charset(raw) if kind == "html" else "")
    if kind == "html":
        text = html_to_text(text)
    if not text.strip():
        raise ExtractionError(f"{path.name} contains no text", "file-no-text", name=path.name)
    return Extracted(text, kind, (), warnings)


def _pdf(raw: bytes) -> Extracted:
    """The PDF's text layer; a PDF without one (a scan) is read by OCR instead."""
    try:
        return extract_pdf(raw)
    except ExtractionError as error:
        if error.code != "pdf-scanned":
            raise
        return extract_ocr.ocr_pdf(raw, int(error.facts.get("per_page", 0)))


def page_of(extracted_pages: tuple[int, ...], offset: int) -> int:
    """1-based page of a character offset, 0 when unknown (no pages recorded, or a negative offset)."""
    if not extracted_pages or offset < 0:
        return 0
    return bisect.bisect_right(extracted_pages, offset)


# --------------------------------------------------------------------------- files


def _kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".doc":  # refused with its own advice: Word saves it again as .docx or PDF
        raise ExtractionError(f"{path.name} is an old-format Word file (.doc)", "doc-legacy", name=path.name)
    if suffix not in SUPPORTED:
        allowed = ", ".join(sorted(SUPPORTED))
        raise ExtractionError(f"{path.name}: files of type '{suffix or '(none)'}' are not supported",
                              "file-type-unsupported", name=path.name, suffix=suffix or "(none)", allowed=allowed)
    return _KINDS[suffix]


def _read(path: Path) -> bytes:
    """The file's bytes, refusing before reading anything too large to be a declaration."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            limit = MAX_BYTES / (1024 * 1024)
            raise ExtractionError(f"{path.name} is {size / (1024 * 1024):.1f} MB; the limit is {limit:g} MB",
                                  "file-too-large", name=path.name, size_mb=round(size / (1024 * 1024), 1),
                                  limit_mb=limit)
        if size == 0:
            raise ExtractionError(f"{path.name} is empty", "file-empty", name=path.name)
        return path.read_bytes()
    except OSError as exc:
        raise ExtractionError(f"{path.name} cannot be read: {exc.strerror or exc}", "file-unreadable", name=path.name,
                              reason=str(exc.strerror or exc)) from exc
