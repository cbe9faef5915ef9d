"""The search copy of a text: NFKC plus what NFKC misses in Japanese PDFs.

Display and citations always use the source's own characters; only matching
(lexical tokens, embeddings, gold checks) works on this normalised copy.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# CJK Radicals Supplement code points that PDF text layers emit instead of the
# ordinary kanji; NFKC maps only two of them (⺟, ⻳). Kangxi Radicals
# (U+2F00–U+2FD5) are all mapped by NFKC already.
_RADICAL_SUPPLEMENT = {
    "\u2e8c": "小", "\u2e8d": "小", "\u2e95": "彐", "\u2e96": "忄", "\u2e97": "心",
    "\u2e98": "扌", "\u2e9b": "旡", "\u2e9e": "歺", "\u2ea0": "民", "\u2ea4": "爫",
    "\u2ea6": "丬", "\u2ea8": "犭", "\u2ea9": "王", "\u2eaa": "疋", "\u2eae": "竹",
    "\u2eb2": "罒", "\u2eb7": "羊", "\u2eb9": "耂", "\u2ebb": "聿", "\u2ebc": "肉",
    "\u2ec4": "西", "\u2ec6": "角", "\u2eca": "足", "\u2ecc": "辶", "\u2ecf": "阝",
    "\u2ed1": "長", "\u2ed8": "青", "\u2edd": "食", "\u2ee0": "飠", "\u2ee4": "鬼",
    "\u2ee9": "黄", "\u2eeb": "斉", "\u2eed": "歯", "\u2eef": "竜", "\u2ef2": "亀",
}
# Old and variant forms that OCR and older documents use; NFKC leaves them.
_VARIANTS = {"國": "国", "會": "会", "學": "学", "體": "体", "髙": "高", "﨑": "崎", "德": "徳", "與": "与"}
_TABLE = str.maketrans({**_RADICAL_SUPPLEMENT, **_VARIANTS})
_SPACES = re.compile(r"\s+")


def apply_fixes(text: str, fixes: Iterable[tuple[str, str]]) -> str:
    """Replace known OCR errors of one document (from its manifest entry)."""
    for wrong, right in fixes:
        text = text.replace(wrong, right)
    return text


def search_form(text: str, fixes: Iterable[tuple[str, str]] = ()) -> str:
    """NFKC, radicals and variants mapped, lower-cased, whitespace collapsed."""
    text = apply_fixes(text, fixes)
    text = unicodedata.normalize("NFKC", text).translate(_TABLE)
    return _SPACES.sub(" ", text).strip().lower()


def words_in(text: str, words: Iterable[str]) -> list[str]:
    """The `words` (search-form lemmas of a question) that occur in `text`, compared in search form.

    The stages that ask "does this passage or sentence hold the question's
    words" (rerank, the decision's evidence, excerpts) all ask it this way.
    """
    form = search_form(text)
    return [word for word in words if word in form]


def compact(text: str) -> str:
    """NFKC with all whitespace removed: how gold strings are compared."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).lower()


def is_japanese(text: str) -> bool:
    """True when kana or kanji make up a noticeable part of the letters."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    cjk = sum(1 for c in letters if "\u3040" <= c <= "\u30ff" or "\u3400" <= c <= "\u9fff")
    return cjk / len(letters) >= 0.2
