"""What every extractor returns or raises: `Extracted`, `ExtractionError` and `_refusal`.

Kept apart from `index.extract` so that `index.extract_text` and
`index.extract_pdf` can use them without importing the entry point, which
imports them.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import SummitError


class ExtractionError(SummitError):
    """A file that cannot become declaration text; the message says why, in English and Japanese, for a user."""


@dataclass(frozen=True)
class Extracted:
    """The text to store and parse, and what a reviewer should know about how it was obtained."""

    text: str  # what will be stored as the corpus file (UTF-8) and parsed
    kind: str  # "pdf" | "text" | "markdown" | "html"
    pages: tuple[int, ...]  # for PDFs: offset in `text` where each page starts (page N = index N-1); () otherwise
    warnings: tuple[str, ...]  # e.g. "(cid:…) glyphs without Unicode mapping were removed: 12"


def _refusal(english: str, japanese: str) -> ExtractionError:
    return ExtractionError(f"{english} / {japanese}")
