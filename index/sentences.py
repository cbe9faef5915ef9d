"""Sentence spans inside a passage: the pieces an excerpt is made of."""
from __future__ import annotations

_ENDS = set("。！？!?")
_OPEN = set("「『（(【〈《“")
_CLOSE = set("」』）)】〉》”")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`, whitespace trimmed, none empty.

    A sentence ends at 。！？ outside brackets (「再発見、尼崎！…」 is one name)
    or at a paragraph break.
    """
    spans: list[tuple[int, int]] = []
    start = depth = 0
    for i, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        elif char == "\n" or (char in _ENDS and depth == 0):
            spans.append((start, i + 1))
            start = i + 1
            depth = 0 if char == "\n" else depth
    spans.append((start, len(text)))
    return [trimmed for s, e in spans if (trimmed := _trim(text, s, e))]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None
