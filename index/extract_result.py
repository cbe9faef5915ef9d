"""What every extractor returns or raises: `Extracted` and `ExtractionError`.

Kept apart from `index.extract` so that `index.extract_text` and
`index.extract_pdf` can use them without importing the entry point, which
imports them.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import SummitError
from .model import Excluded


LOW_CONFIDENCE = 60  # a line OCR'd with a lower mean word confidence (0-100) is shown for checking


@dataclass(frozen=True)
class PageConfidence:
    """How sure OCR was of one page (index/extract_ocr.py): the mean over its words, and each line's."""

    page: int  # 1-based
    mean: float  # Tesseract's word confidence, 0-100, weighted by characters
    lang: str  # the model that read it: "jpn" or "jpn_vert"
    lines: tuple[tuple[str, float], ...] = ()  # (line as read, its confidence), in reading order

    def low_lines(self, below: float = LOW_CONFIDENCE) -> list[tuple[str, float]]:
        return [(text, confidence) for text, confidence in self.lines if confidence < below]

    @classmethod
    def from_dict(cls, data: dict) -> PageConfidence:
        """From its JSON form (the reading child's answer, index/worker.py)."""
        return cls(int(data["page"]), float(data["mean"]), str(data["lang"]),
                   tuple((str(t), float(c)) for t, c in data.get("lines", ())))


class ExtractionError(SummitError):
    """A file that cannot become declaration text: a code (file-empty, pdf-scanned, …) and the facts.

    The message is a plain English description; bot/phrases.py says what the
    person who added the file can do about it, in their front end's words.
    """

    code = "file-unusable"


@dataclass(frozen=True)
class Extracted:
    """The text to store and parse, and what a reviewer should know about how it was obtained."""

    text: str  # what will be stored as the corpus file (UTF-8) and parsed
    kind: str  # "pdf" | "text" | "markdown" | "html" | "image" (OCR'd)
    pages: tuple[int, ...]  # for PDFs: offset in `text` where each page starts (page N = index N-1); () otherwise
    warnings: tuple[str, ...]  # e.g. "(cid:…) glyphs without Unicode mapping were removed: 12"
    # What the layout showed is not declaration text (a newsletter's masthead, captions, advertisements, contact
    # lines; index/extract_layout.py), with its reason. It is left out of `text`, so it can never be cited; start
    # and end are both where it was left out (its page's start), so a reviewer sees it and its page.
    set_aside: tuple[Excluded, ...] = ()
    ocr: tuple[PageConfidence, ...] = ()  # for scans: per page, how sure OCR was; () when the text was not OCR'd

