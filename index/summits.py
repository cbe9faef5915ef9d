"""Which summits a text names: 第十回, 第 10 回, 10回目, 第二十一回, "the 10th summit", "tenth summit", "summit 10".

One parser for everything that reads a summit's number out of what a person
wrote: questions (index/query.py, which also blanks the mentions out of the
text it searches) and the message that comes with an uploaded declaration
(bot/curation.py). Full-width digits and spaces are read as their ASCII
forms; "21st century" or "the 5th floor" name no summit.
"""
from __future__ import annotations

import re
import unicodedata

MAX_SUMMIT = 99  # numbers outside 1..MAX_SUMMIT are not summits ("第2000回" is no question about one)

_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI = "〇一二三四五六七八九十"
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20,
}
# \d and \s, not [0-9] and " ": full-width digits (１０) and the ideographic space match as they are, so a text
# that was not NFKC-normalised is blanked in place, character for character.
# "8回と9回", "8回→9回", "8回・9回", "8回では": a bare number before 回 names a summit where a particle or arrow follows,
# not in 月2回, 年3回の, 10回以上 or 3回開催.
_AFTER = r"(?=[\u3041-\u309f→⇒、,・\s？?（(」）)]|$)"  # a particle or kana (9回それぞれ), not 開催 or 以上
_SUMMIT_JA = re.compile(rf"第\s*(\d+|[{_KANJI}]+)\s*回|(\d+)\s*回目|(?<![月年週日毎\d])(\d{{1,2}})\s*回{_AFTER}"
                        # "8・9回", "8と9回で": the first number shares the second's 回
                        rf"|(?<![月年週日毎\d])(\d{{1,2}})\s*[・と、]\s*(?=(?:第\s*)?\d{{1,2}}\s*回{_AFTER})")
_SUMMIT_EN = re.compile(
    r"\b(\d+)(?:st|nd|rd|th)\b(?![\s-]+(?:century|centuries|anniversary|floor|place|birthday|grade|sector|industr\w*|generation))"
    r"|\b(" + "|".join(_ORDINAL_WORDS) + r")\s+(?:summit|declaration|meeting|conference)"
    r"|\bsummit\s*(?:no\.?\s*)?(\d+)\b"
    # bare numbers only where they are compared: "8 vs 9", "8 → 9", "how did 8 and 9 compare"
    r"|\b(\d{1,2})\s*(?=(?:vs\.?|versus|->|→)\s*\d{1,2}(?:st|nd|rd|th)?\b|and\s+\d{1,2}\s+(?:compare|differ))"
    r"|(?<=vs\.\s)(\d{1,2})\b|(?<=vs\s)(\d{1,2})\b|(?<=and\s)(\d{1,2})(?=\s+(?:compare|differ))",
    re.IGNORECASE,
)


def kanji_number(text: str) -> int:
    """十 = 10, 二十一 = 21, 九十九 = 99, 一〇 = 10, 12 = 12; 0 for what is not a number below 100."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        if len(tens) > 1 or len(ones) > 1 or any(char not in "一二三四五六七八九" for char in tens + ones):
            return 0  # 十十, 〇十, 百二十: not a number this parser reads
        return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)
    if len(text) > 2 or any(char not in _KANJI_DIGITS for char in text):
        return 0
    value = 0
    for char in text:  # 一〇 = 10, the positional way of writing
        value = value * 10 + _KANJI_DIGITS[char]
    return value


def summit_numbers(text: str) -> list[int]:
    """The summits `text` names, Japanese forms first, each as often as it is named (callers dedupe)."""
    return [n for _, n in _mentions(text)]


def first_summit(text: str) -> int | None:
    """The summit `text` names first, or None (what an upload's message says the declaration is)."""
    mentions = sorted(_mentions(text))
    return mentions[0][1] if mentions else None


def _mentions(text: str) -> list[tuple[int, int]]:
    """(offset in the NFKC form, number) of every summit mention: the Japanese forms, then the English ones."""
    text = unicodedata.normalize("NFKC", text or "")
    found = [(m.start(), kanji_number(m.group(1) or m.group(2) or m.group(3) or m.group(4))) for m in _SUMMIT_JA.finditer(text)]
    for match in _SUMMIT_EN.finditer(text):
        number = next((g for g in (match.group(i) for i in (1, 3, 4, 5, 6, 7)) if g), None)
        found.append((match.start(), int(number) if number else _ORDINAL_WORDS[match.group(2).lower()]))
    return [(start, n) for start, n in found if 0 < n <= MAX_SUMMIT]


def blank_summit_mentions(text: str) -> str:
    """`text` with every summit mention replaced by as many spaces: offsets stay, the words are not searched.
    Words about a summit itself go too: 「都市サミット」's 都市, 「共同宣言」's 共同, 「8回目は地元開催だった」."""
    return _ABOUT_A_SUMMIT.sub(_blank, _SUMMIT_EN.sub(_blank, _SUMMIT_JA.sub(_blank, text)))


_ABOUT_A_SUMMIT = re.compile(r"(?:中小企業)?都市(?=サミット)|共同(?=宣言)|(?:地元|ホスト|当市|本区|うち)?開催(?:地|都市)?"
                             r"(?=だった|でした|された|だ|の回)|(?:地元|当市|本区)開催")


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())
