"""Pages that are not one column of horizontal lines: vertical text (縦書き) and newsletters.

`index.extract_pdf` lays every page out with pdfminer as horizontal lines, top
to bottom, and joins them into paragraphs. Two kinds of real declarations need
more, and this module decides their reading order:

* **Vertical text.** pdfminer's horizontal pass makes every character of a
  vertical column a line of its own (`is_vertical`); such a page is laid out
  again with `detect_vertical` (measured against pdfplumber and against the
  horizontal pass in docs/BENCHMARKS.md, "Vertical text and newsletters").
  pdfminer then puts every vertical box before every horizontal one, so a title
  band above the columns would come last: `vertical_layout` reads horizontal
  lines above the columns first, the columns from right to left, then what is
  below. A column is handed on turned a quarter (its top is a line's left), so
  the paragraph rules for horizontal lines (`Frame`) apply unchanged.
* **Columns.** A newsletter sets a declaration in two or three columns under a
  masthead, beside photographs with captions, an advertisement box and contact
  lines. `column_layout` finds the gutters (upright strips no body line crosses),
  reads each column top to bottom, left column first, and sets aside the
  masthead, captions, advertisements and contact lines with their reason.
  They are left out of the stored text, so nothing set aside can be cited.

A page with one column of horizontal text gets None from both and goes the
ordinary way, unchanged: the checks are a pass over the lines pdfminer made.
"""
from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pdfminer.layout import LTComponent, LTContainer, LTPage

# A line as index.extract_pdf's paragraph rules take it: text, x0, x1, y0, y1.
Placed = tuple[str, float, float, float, float]
TextOf = Callable[[Sequence[Any]], str]  # a line's characters (LTChar, LTAnno) as text
IsNoise = Callable[[str, float, float], bool]  # text, y0, y1: a page number in the margin


@dataclass
class Layout:
    """A page's lines in reading order, in runs each laid out on its own, and what was set aside and why."""

    segments: list[list[Placed]] = field(default_factory=list)
    aside: list[tuple[str, str]] = field(default_factory=list)  # (reason, text)


@dataclass(eq=False)  # one piece of one line: compared by identity
class _Run:
    """A piece of a pdfminer line: its characters (and pdfminer's guessed spaces) and their box."""

    items: list[Any]
    x0: float
    x1: float
    y0: float
    y1: float
    text: str = ""

    @property
    def size(self) -> float:
        return max(1.0, self.y1 - self.y0)


# --------------------------------------------------------------------------- vertical text

_MIN_VERTICAL_LINES = 8


def is_vertical(page: LTPage) -> bool:
    """Whether the horizontal pass shows vertical text: most of the page's lines are a single character."""
    from pdfminer.layout import LTTextLine

    lines = [line for line in _walk(page) if isinstance(line, LTTextLine)]
    single = sum(1 for line in lines if len(line.get_text().strip()) == 1)
    return single >= _MIN_VERTICAL_LINES and single >= 0.5 * len(lines)


def vertical_layout(page: LTPage, text_of: TextOf, is_noise: IsNoise) -> Layout:
    """A page laid out with detect_vertical: horizontal lines above the columns, columns right to left, the rest."""
    from pdfminer.layout import LTTextLine, LTTextLineVertical

    columns: list[_Run] = []
    flat: list[_Run] = []
    for line in _walk(page):
        if isinstance(line, LTTextLine):
            run = _Run(list(line), line.x0, line.x1, line.y0, line.y1, text_of(list(line)))
            if not run.text.strip() or is_noise(run.text, run.y0, run.y1):
                continue
            upright = isinstance(line, LTTextLineVertical) or len(run.text.strip()) == 1
            (columns if upright else flat).append(run)
    if not columns:
        return Layout([[_placed(run) for run in sorted(flat, key=lambda r: (-r.y1, r.x0))]])
    top = max(run.y1 for run in columns)
    bottom = min(run.y0 for run in columns)
    above = sorted((r for r in flat if r.y0 >= top - 0.5 * r.size), key=lambda r: (-r.y1, r.x0))
    below = sorted((r for r in flat if r.y1 <= bottom + 0.5 * r.size and r not in above), key=lambda r: (-r.y1, r.x0))
    beside = [r for r in flat if r not in above and r not in below]  # a horizontal line among the columns: one more
    body = sorted(columns + beside, key=lambda r: -(r.x0 + r.x1))
    # Turned a quarter: a column's top is a line's left, and the next column to the left is the next line down.
    turned = [(run.text, top - run.y1, top - run.y0, run.x0, run.x1) for run in body]
    segments = [[_placed(run) for run in above], turned, [_placed(run) for run in below]]
    return Layout([segment for segment in segments if segment])


# --------------------------------------------------------------------------- columns

_ISSUE = re.compile(r"第\s*[0-9０-９]+\s*号|[Vv]ol\.?\s*[0-9０-９]|No\.\s*[0-9０-９]|発行|[0-9０-９]{1,4}年[0-9０-９]{1,2}月号")
_CAPTION = re.compile(r"^[▲△▼▽◀▶►]|^[（(［\[【]?写真")
_CONTACT = re.compile(r"TEL|ＴＥＬ|FAX|ＦＡＸ|電話\s*[:：]?\s*[0-9０-９]|〒\s*[0-9０-９]|E-?mail|Ｅ－?ｍａｉｌ|https?://|www\.|URL",
                      re.IGNORECASE)
_AD = re.compile(r"ご利用|ご予約|お問い?合わ?せ|お申し?込み|受付中|承ります|営業時間|アクセス|検索$")
_ITEM = re.compile(r"^[（(]\s*[0-9０-９]{1,2}\s*[）)]|^[①-⑳]|^[＜〈<【《].{1,24}[＞〉>】》]$")
_MIN_COLUMN_LINES = 4


def column_layout(page: LTPage, text_of: TextOf, is_noise: IsNoise) -> Layout | None:
    """A page set in columns, in reading order with what is not declaration text set aside; None for one column."""
    lines = list(_runs(page))
    if not _gutters(lines, page, by_chars=False):  # a look at the lines' boxes: a page of one column ends here
        return None
    for line in lines:
        line.text = text_of(line.items)
    runs = [run for run in lines if run.text.strip() and not is_noise(run.text, run.y0, run.y1)]
    gutters = _gutters(runs, page, by_chars=True)
    if not gutters:
        return None
    from pdfminer.layout import LTImage, LTRect

    pieces = [piece for run in runs for piece in _split(run, gutters, text_of)]
    masthead = _masthead(pieces, page)
    boxes = [rect for rect in _walk(page) if isinstance(rect, LTRect) and _is_box(rect, page)]
    images = [image for image in _walk(page) if isinstance(image, LTImage)]
    layout = Layout()
    if masthead:  # the name on the left, the issue and date on the right: read by thirds of the page, each downwards
        third = (page.x1 - page.x0) / 3
        ordered = sorted(masthead, key=lambda run: (int((run.x0 - page.x0) // third), -run.y1))
        layout.aside.append(("masthead", " ".join(run.text for run in ordered)))
    rest = [run for run in pieces if run not in masthead]
    for box in boxes:
        inside = [run for run in rest if _within(run, box)]
        text = " ".join(run.text for run in inside)
        if inside and (_CONTACT.search(text) or _AD.search(text)) and not any(_ITEM.match(r.text) for r in inside):
            layout.aside.append(("advertisement", text))
            rest = [run for run in rest if run not in inside]
    for band in _bands(rest, gutters):
        for column in band:
            segment: list[Placed] = []
            for block in _blocks(column):
                reason = _aside_reason(block, images)
                if reason:
                    layout.aside.append((reason, "".join(run.text for run in block)))
                else:
                    segment += [_placed(run) for run in block]
            if segment:
                layout.segments.append(segment)
    return layout


def _runs(page: LTPage) -> Iterator[_Run]:
    """The page's text lines, their text not yet made."""
    from pdfminer.layout import LTTextLine

    for line in _walk(page):
        if isinstance(line, LTTextLine):
            yield _Run(list(line), line.x0, line.x1, line.y0, line.y1)


def _gutters(runs: Sequence[_Run], page: LTPage, by_chars: bool) -> list[tuple[float, float]]:
    """Upright strips between columns: crossed by few lines, with full lines on both sides beside each other.

    Counted per point of width over the lines' boxes (`by_chars` False, quick)
    or their characters, so that a line pdfminer ran on across a narrow gutter
    (a few do, where one column's text is drawn right after the other's) still
    leaves it empty. A table or a signature block under a one-column text is not
    columns: the text crosses its gap, and its cells are not full lines.
    """
    if len(runs) < 2 * _MIN_COLUMN_LINES:
        return []
    left, right = int(page.x0), int(page.x1) + 1
    steps = [0] * (right - left + 2)  # +1 where a line's characters start covering a point, -1 after they stop
    for run in runs:
        boxes = _chars(run.items) if by_chars else [run]
        spans = sorted((max(left, int(c.x0)) - left, min(right, int(c.x1)) - left) for c in boxes)
        start, end = spans[0] if spans else (0, -1)
        for lo, hi in spans[1:] + [(len(steps), len(steps))]:
            if lo > end + 1:
                steps[start] += 1
                steps[end + 1] -= 1
                start, end = lo, hi
            else:
                end = max(end, hi)
    cover = list(itertools.accumulate(steps))[:-1]
    size = statistics.median(run.size for run in runs)
    limit = max(2, 0.2 * len(runs))
    strips = []
    x = 0
    while x < len(cover):
        if cover[x] > limit:
            x += 1
            continue
        end = x
        while end + 1 < len(cover) and cover[end + 1] <= limit:
            end += 1
        least = min(cover[x:end + 1])  # the strip's core: an indented first line beside it is the column's
        core = [i for i in range(x, end + 1) if cover[i] == least]
        if core[-1] - core[0] + 1 == len(core) and len(core) >= 0.6 * size:
            strips.append((left + core[0], left + core[-1] + 1.0))
        x = end + 1
    bounds = [(float(left), float(left)), *strips, (float(right), float(right))]
    return [strip for before, strip, after in zip(bounds, bounds[1:], bounds[2:])
            if _separates(runs, (before[1], strip[0]), (strip[1], after[0]))]


def _separates(runs: Sequence[_Run], *sides: tuple[float, float]) -> bool:
    """Full lines in the spans on both sides of a strip, level with each other."""
    extents = []
    for lo, hi in sides:
        lines = [run for run in runs if run.x0 >= lo - 1 and run.x1 <= hi + 1]
        if len(lines) < _MIN_COLUMN_LINES:
            return False
        width = max(r.x1 for r in lines) - min(r.x0 for r in lines)
        full = [run for run in lines if run.x1 - run.x0 >= 0.7 * width]
        if len(full) < _MIN_COLUMN_LINES:
            return False
        extents.append((min(r.y0 for r in full), max(r.y1 for r in full)))
    return extents[0][0] < extents[1][1] and extents[1][0] < extents[0][1]


def _split(run: _Run, gutters: Sequence[tuple[float, float]], text_of: TextOf) -> Iterator[_Run]:
    """A line in pieces where an empty gutter runs through it; a line with characters in a gutter spans it."""
    chars = list(_chars(run.items))
    if any(c.x1 > g0 + 0.5 and c.x0 < g1 - 0.5 for c in chars for g0, g1 in gutters):
        yield run
        return
    pieces: list[list[Any]] = [[]]
    column = None
    for item in run.items:
        if hasattr(item, "x0"):
            here = sum(1 for g0, _ in gutters if item.x0 >= g0)
            if column is not None and here != column:
                pieces.append([])
            column = here
        pieces[-1].append(item)
    for items in pieces:
        boxes = list(_chars(items))
        if boxes:
            yield _Run(items, min(c.x0 for c in boxes), max(c.x1 for c in boxes), min(c.y0 for c in boxes),
                       max(c.y1 for c in boxes), text_of(items).strip())


def _masthead(runs: Sequence[_Run], page: LTPage) -> list[_Run]:
    """The newsletter's name, issue and date across the top: what is above a rule under them, or level with them."""
    from pdfminer.layout import LTCurve

    height = page.y1 - page.y0
    top_zone = page.y1 - 0.3 * height
    rules = [curve.y0 for curve in _walk(page) if isinstance(curve, LTCurve) and curve.height <= 3
             and curve.width >= 0.6 * (page.x1 - page.x0) and curve.y0 >= top_zone]
    if rules:
        rule = min(rules)
        return [run for run in runs if run.y0 >= rule]
    marks = [run for run in runs if run.y0 >= top_zone and _ISSUE.search(run.text)]
    if not marks:
        return []
    lowest = min(run.y0 for run in marks)
    return [run for run in runs if run.y1 > lowest]


def _is_box(rect: Any, page: LTPage) -> bool:
    """A frame drawn around some text (an advertisement, a notice), not a rule or the page's border."""
    return rect.height >= 12 and rect.width >= 36 and rect.width * rect.height < 0.5 * page.width * page.height


def _within(run: _Run, box: Any) -> bool:
    return box.x0 - 2 <= run.x0 and run.x1 <= box.x1 + 2 and box.y0 - 2 <= run.y0 and run.y1 <= box.y1 + 2


def _bands(runs: Sequence[_Run], gutters: Sequence[tuple[float, float]]) -> Iterator[list[list[_Run]]]:
    """Columns between lines that span them (a headline, a rule of text): each band's columns, left first."""
    spanning = sorted((r for r in runs if _column_of(r, gutters) is None), key=lambda r: -r.y1)
    columned = [r for r in runs if _column_of(r, gutters) is not None]
    ceiling = float("inf")
    for cut in [*spanning, None]:
        floor = cut.y1 if cut is not None else float("-inf")
        band = [r for r in columned if floor <= (r.y0 + r.y1) / 2 < ceiling]
        columns = [sorted((r for r in band if _column_of(r, gutters) == n), key=lambda r: (-r.y1, r.x0))
                   for n in range(len(gutters) + 1)]
        yield [column for column in columns if column]
        if cut is not None:
            yield [[cut]]
            ceiling = cut.y0 + 0.5 * cut.size


def _column_of(run: _Run, gutters: Sequence[tuple[float, float]]) -> int | None:
    """The column a run is in, counted from the left; None when it crosses a gutter."""
    for n, (g0, g1) in enumerate(gutters):
        if run.x1 <= g0 + 1:
            return n
        if run.x0 < g1 - 1:
            return None
    return len(gutters)


def _blocks(column: Sequence[_Run]) -> Iterator[list[_Run]]:
    """A column's runs in blocks: lines of one size, less than a line's height apart."""
    block: list[_Run] = []
    for run in column:
        if block:
            prev = block[-1]
            apart = prev.y0 - run.y1 > 0.8 * prev.size or abs(run.size - prev.size) > 0.15 * prev.size
            if apart:
                yield block
                block = []
        block.append(run)
    if block:
        yield block


def _aside_reason(block: Sequence[_Run], images: Sequence[Any]) -> str:
    """Why a block of a column is not declaration text, or "" when it is."""
    text = "".join(run.text for run in block)
    contact = [run for run in block if _CONTACT.search(run.text)]
    if contact and 2 * len(contact) >= len(block) and not text.endswith("。"):
        return "contact"
    if _CAPTION.match(text):
        return "caption"
    first, last = block[0], block[-1]
    near_image = any(_overlaps(first, image) and (0 <= image.y0 - first.y1 <= 2 * first.size
                                                  or 0 <= last.y0 - image.y1 <= 2 * last.size) for image in images)
    if near_image and len(text) <= 80 and "。" not in text[:-1] and not _ITEM.match(text):
        return "caption"
    return ""


def _overlaps(run: _Run, image: Any) -> bool:
    return run.x0 < image.x1 and image.x0 < run.x1


# --------------------------------------------------------------------------- pdfminer objects


def _walk(container: LTContainer | Iterable[LTComponent]) -> Iterator[Any]:
    """Every object of a page, those of boxes and figures (form XObjects) included."""
    from pdfminer.layout import LTChar, LTContainer, LTTextLine

    for element in container:
        yield element
        if isinstance(element, LTContainer) and not isinstance(element, (LTTextLine, LTChar)):
            yield from _walk(element)


def _chars(items: Iterable[Any]) -> Iterator[Any]:
    from pdfminer.layout import LTChar

    return (item for item in items if isinstance(item, LTChar) and item.get_text().strip())


def _placed(run: _Run) -> Placed:
    return (run.text, run.x0, run.x1, run.y0, run.y1)
