"""Where a citation points; index/ does not know the routes, so the front end passes this in."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from index.model import Document, Passage


class LinkMaker:
    """The passage page when a public URL is set, else the published source, else the source file's span."""

    def __init__(self, public_url: str = "", corpus_root: Path | None = None):
        self.public_url = public_url.rstrip("/")
        self.corpus_root = corpus_root

    def __call__(self, passage: Passage, doc: Document, excerpt: str = "") -> str:
        """`excerpt` (its start) lets the page offer a search if the passage is gone after a rebuild."""
        if self.public_url:
            query = f"?q={quote(excerpt[:40])}" if excerpt else ""
            return f"{self.public_url}/p/{quote(passage.id)}{query}"
        if doc.source_url:
            return doc.source_url
        if self.corpus_root is not None:
            # RFC 5147 fragment: the passage's character span in the plain-text source.
            path = (self.corpus_root / doc.file).resolve()
            return f"{path.as_uri()}#char={passage.start},{passage.end}"
        return f"summitbot://p/{quote(passage.id)}"
