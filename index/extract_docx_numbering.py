"""Word's automatic numbering, computed as Word computes it while laying a document out.

A numbered paragraph's number is not in its text: the paragraph (or its
style) names a list (w:numPr numId, ilvl), the list (w:num) an abstract
definition (w:abstractNum) whose levels (w:lvl) say the format (w:numFmt),
the text around the number (w:lvlText "（%1）") and the start (w:start); a list
may restart a level (w:lvlOverride/w:startOverride) or replace it. Counting
happens in document order, so `Numbering.label` must be called once for every
numbered paragraph, empty ones included (Word gives them a number too).
Used by index/extract_docx.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BULLETS = set("○◯●◆■□")  # the bullets index/paragraphs.py reads as entry markers
_OPEN_AFTER = set("）)」】〕］、。．.:：")  # a number ending so needs no space before its text


@dataclass(frozen=True)
class Level:
    """One w:lvl: how a level's number is written and where it starts."""

    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None  # w:lvlRestart: None = after any higher level, 0 = never
    legal: bool = False  # w:isLgl: every level's number in arabic digits
    suffix: str = "tab"
    style: str = ""  # w:pStyle: the paragraph style this level belongs to


def val(element, tag: str, default: str | None = None) -> str | None:
    """The w:val of `element`'s child `tag`: properties are all written so."""
    found = element.find(W + tag) if element is not None else None
    return found.get(W + "val", default) if found is not None else default


def to_int(value: str | None, default: int) -> int:
    """A number attribute, or `default` when absent or malformed (a hostile file may write anything)."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _level(lvl) -> Level:
    restart = val(lvl, "lvlRestart")
    legal = lvl.find(W + "isLgl")
    return Level(fmt=val(lvl, "numFmt", "decimal") or "decimal", text=val(lvl, "lvlText", "") or "",
                  start=to_int(val(lvl, "start"), 1), restart=None if restart is None else to_int(restart, 1),
                  legal=legal is not None and legal.get(W + "val", "1") not in ("0", "false", "off"),
                  suffix=val(lvl, "suff", "tab") or "tab", style=val(lvl, "pStyle", "") or "")


class Numbering:
    """Word's lists, counted in document order: `label(numId, ilvl)` is the number Word shows."""

    def __init__(self, numbering, styles: dict[str, object]):
        self.abstract: dict[str, dict[int, Level]] = {}
        links: dict[str, str] = {}  # abstractNum with w:numStyleLink → the numbering style it uses
        for element in numbering.iter(W + "abstractNum") if numbering is not None else ():
            key = element.get(W + "abstractNumId", "")
            self.abstract[key] = {to_int(lvl.get(W + "ilvl"), 0): _level(lvl) for lvl in element.iter(W + "lvl")}
            if val(element, "numStyleLink"):
                links[key] = val(element, "numStyleLink") or ""
        self.nums: dict[str, tuple[str, dict[int, int], dict[int, Level]]] = {}
        for num in numbering.iter(W + "num") if numbering is not None else ():
            starts, levels = {}, {}
            for override in num.iter(W + "lvlOverride"):
                ilvl = to_int(override.get(W + "ilvl"), 0)
                if override.find(W + "startOverride") is not None:
                    starts[ilvl] = to_int(val(override, "startOverride"), 1)
                if override.find(W + "lvl") is not None:
                    levels[ilvl] = _level(override.find(W + "lvl"))
            self.nums[num.get(W + "numId", "")] = (val(num, "abstractNumId", "") or "", starts, levels)
        for key, style_id in links.items():  # one hop: the style's own list defines the levels
            linked = styles.get(style_id)
            num_pr = linked.find(f"{W}pPr/{W}numPr") if linked is not None else None
            target = self.nums.get(val(num_pr, "numId", "") or "")
            if target and not self.abstract.get(key):
                self.abstract[key] = self.abstract.get(target[0], {})
        self.counters: dict[str, dict[int, int]] = {}
        self.restarted: set[tuple[str, int]] = set()

    def levels(self, num_id: str) -> dict[int, Level]:
        abstract, _, overridden = self.nums.get(num_id, ("", {}, {}))
        return {**self.abstract.get(abstract, {}), **overridden}

    def label(self, num_id: str, ilvl: int) -> tuple[str, str] | None:
        """(number text, separator) of the next paragraph of list `num_id` at level `ilvl`; None if unnumbered."""
        if num_id not in self.nums:
            return None
        abstract, starts, overridden = self.nums[num_id]
        levels = self.levels(num_id)
        level = levels.get(ilvl)
        if level is None:
            return None
        # A list restarted by w:startOverride ("Restart at 1" in Word) counts apart from its siblings.
        counters = self.counters.setdefault(num_id if starts or overridden else "a" + abstract, {})
        if ilvl in starts and (num_id, ilvl) not in self.restarted:
            self.restarted.add((num_id, ilvl))
            counters[ilvl] = starts[ilvl] - 1
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [d for d in counters if d > ilvl]:
            rule = levels.get(deeper, Level()).restart
            if rule is None or (rule and ilvl <= rule - 1):
                del counters[deeper]
        if level.fmt == "bullet":
            mark = level.text.strip()
            return (mark, "") if mark in BULLETS else ("-", " ")
        if level.fmt == "none" and "%" not in level.text:
            return (level.text, "") if level.text.strip() else None

        def number(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            other = levels.get(k, Level())
            value = counters.get(k, other.start)
            return format_number(value, "decimal" if level.legal and other.fmt != "none" else other.fmt)

        text = re.sub(r"%([1-9])", number, level.text)
        if not text.strip():
            return None
        # Word puts a tab or a space after the number; Japanese text needs none after "）" or "①", "1." one.
        last = text[-1]
        spaced = level.suffix != "nothing" and (last.isascii() or last not in _OPEN_AFTER and not _enclosed(last))
        return text, " " if spaced else ""


def _enclosed(char: str) -> bool:
    return "\u2460" <= char <= "\u24ff" or "\u3251" <= char <= "\u325f" or "\u32b1" <= char <= "\u32bf"


_FULL = str.maketrans("0123456789", "０１２３４５６７８９")
_KANA = {
    "aiueo": "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝ",
    "aiueoFullWidth": "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン",
    "iroha": "ｲﾛﾊﾆﾎﾍﾄﾁﾘﾇﾙｦﾜｶﾖﾀﾚｿﾂﾈﾅﾗﾑｳヰﾉｵｸﾔﾏｹﾌｺｴﾃｱｻｷﾕﾒﾐｼヱﾋﾓｾｽﾝ",
    "irohaFullWidth": "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセスン",
    "ideographTraditional": "甲乙丙丁戊己庚辛壬癸",
    "ideographZodiac": "子丑寅卯辰巳午未申酉戌亥",
}
_KANJI_DIGITS = "〇一二三四五六七八九"
_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def format_number(n: int, fmt: str) -> str:
    """`n` written in Word's number format `fmt` (w:numFmt); unknown formats in arabic digits, as Word falls back."""
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate(_FULL)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        for low, high, base in ((1, 20, 0x2460), (21, 35, 0x3251), (36, 50, 0x32B1)):
            if low <= n <= high:
                return chr(base + n - low)
        return str(n)
    if fmt == "decimalEnclosedParen":
        return chr(0x2474 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return chr(0x2488 + n - 1) if 1 <= n <= 20 else f"{n}."
    if fmt in ("upperLetter", "lowerLetter") and n > 0:
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman") and 0 < n < 4000:
        roman, rest = "", n
        for value, symbol in _ROMAN:
            count, rest = divmod(rest, value)
            roman += symbol * count
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in _KANA and n > 0:
        return _KANA[fmt][(n - 1) % len(_KANA[fmt])]
    if fmt in ("japaneseCounting", "chineseCounting", "chineseCountingThousand", "taiwaneseCounting") and 0 < n < 10000:
        return _kanji_count(n)
    if fmt in ("japaneseDigitalTenThousand", "ideographDigital", "taiwaneseDigital") and n >= 0:
        return "".join(_KANJI_DIGITS[int(d)] for d in str(n))
    if fmt == "none":
        return ""
    return str(n)


def _kanji_count(n: int) -> str:
    """123 → 百二十三, as Word's japaneseCounting writes it (no 一 before 十, 百, 千)."""
    out = ""
    for value, unit in ((1000, "千"), (100, "百"), (10, "十")):
        digit, n = divmod(n, value)
        if digit:
            out += ("" if digit == 1 else _KANJI_DIGITS[digit]) + unit
    return out + (_KANJI_DIGITS[n] if n else "")
