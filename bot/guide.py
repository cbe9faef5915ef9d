"""The staff guide (docs/STAFF_GUIDE.md) as the /help page: one text, kept in docs/ and served as it is.

A small Markdown subset, the one the guide uses: # headings, paragraphs,
"- " lists, `code`, **bold**, ---. Everything is escaped before it is marked up.
"""
from __future__ import annotations

import re
from html import escape
from pathlib import Path

from .settings import PROJECT_ROOT

GUIDE = PROJECT_ROOT / "docs" / "STAFF_GUIDE.md"


def guide_html(path: Path = GUIDE) -> str:
    """The guide's body as HTML; a note instead when the file is missing (an image built without docs/)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return "<p>使い方ガイドが見つかりません / The staff guide is missing (docs/STAFF_GUIDE.md).</p>"
    return "\n".join(_block(block) for block in re.split(r"\n\s*\n", text.strip()) if block.strip())


def _block(block: str) -> str:
    lines = block.strip().splitlines()
    heading = re.match(r"^(#{1,3})\s+(.*)$", lines[0])
    if heading and len(lines) == 1:
        level = len(heading.group(1))
        lang = "" if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", heading.group(2)) else ' lang="en"'
        return f"<h{level}{lang}>{_inline(heading.group(2))}</h{level}>"
    if lines[0].strip() == "---":
        return "<hr>"
    if all(line.startswith("- ") for line in lines):
        return "<ul>" + "".join(f"<li>{_inline(line[2:])}</li>" for line in lines) + "</ul>"
    return f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>"


def _inline(text: str) -> str:
    text = escape(text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)
