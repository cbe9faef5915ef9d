"""Slips of the keyboard in a question, mended to the glossary's spelling before anything else reads it.

"intelectual property", "business succesion", "データーベース": one letter off a word
the glossary knows, and the question would read as asking about a word no
declaration uses, which is declined, or in a comparison shown as 記載なし. Only
words the glossary lists are spelling targets (its English words, its katakana
terms): a short, clean list, so a real word is not "corrected" into a topic.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

_LATIN = re.compile(r"(?<![A-Za-z])[A-Za-z]{7,}(?![A-Za-z])")
_KATAKANA = re.compile(r"[ァ-ヴー]{4,}")
_PHRASE = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z]{2,}){1,2}")
_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]+(?![A-Za-z])")
_ENDINGS = ("ies", "es", "s", "ing", "ed", "d")


class Speller:
    """The glossary's words, and the mending of a question's words within one or two edits of one of them."""

    def __init__(self, words: Iterable[str], known: Iterable[str] = (), phrases: Iterable[str] = ()):
        self.latin = {w.lower() for w in words if w.isascii() and w.isalpha() and len(w) >= 5}
        self.katakana = {w for w in words if _KATAKANA.fullmatch(w)}
        self.known = {w.lower() for w in known} | self.latin
        # glossary phrases of two or three words ("supply chain"): a short word's slip is judged against the phrase
        self.phrases = {p.lower() for p in phrases if _PHRASE.fullmatch(p) and len(p) >= 10}

    def mend(self, text: str) -> str:
        """The text with each unknown word one edit (two for long words) from a glossary word spelled as it,
        and a two-word phrase one edit from a glossary phrase ("suply chain") spelled as that phrase."""
        text = self._mend_phrases(text)
        text = _LATIN.sub(lambda m: self._nearest(m.group(), self.latin, lower=True), text)
        return _KATAKANA.sub(lambda m: self._nearest(m.group(), self.katakana), text)

    def _mend_phrases(self, text: str) -> str:
        """Each run of two or three neighbouring words one edit from a glossary phrase, spelled as that phrase."""
        words = list(_WORD.finditer(text))
        mended, at = [], 0
        for i, first in enumerate(words):
            if first.start() < at:
                continue
            for run in (words[i:i + 3], words[i:i + 2]):
                if len(run) < 2 or any(text[a.end():b.start()] != " " for a, b in zip(run, run[1:])):
                    continue
                phrase = text[first.start():run[-1].end()].lower()
                mend = self._nearest_phrase(phrase)
                if mend:  # "suply chains" → "supply chains", "chamer of commerce" → "chamber of commerce"
                    mended.append(text[at:first.start()] + mend)
                    at = run[-1].end()
                    break
        return "".join(mended) + text[at:]

    def _nearest_phrase(self, phrase: str) -> str | None:
        """The one glossary phrase one edit from these words (a plural kept), or None."""
        if phrase in self.phrases or all(self._known(w) or len(w) < 4 for w in phrase.split()):
            return None  # real words, or short ones a phrase's slip cannot be told from
        for stem, ending in ([(phrase[:-1], "s")] if phrase.endswith("s") else []) + [(phrase, "")]:
            close = [p for p in self.phrases if len(p.split()) == len(phrase.split()) and distance(stem, p, 1) <= 1]
            if close:
                return close[0] + ending if len(close) == 1 else None
        return None

    def _nearest(self, word: str, targets: set[str], lower: bool = False) -> str:
        key = word.lower() if lower else word
        if key in targets or (lower and self._known(key)) or any(key.startswith(t) for t in targets):
            return word  # spelled right, or a glossary word with an ending ("environmentally", "exporters")
        limit = 1 if len(key) < 9 else 2
        close = [(distance(key, t, limit), t) for t in targets if abs(len(t) - len(key)) <= limit]
        close = sorted((d, t) for d, t in close if d <= limit)
        if not close or (len(close) > 1 and close[0][0] == close[1][0]):
            return word  # nothing near, or two words as near: leave it as written
        return close[0][1]

    def _known(self, word: str) -> bool:
        """The word or its stem is a glossary or question word ("successors", "chambers")."""
        return word in self.known or any(word.endswith(e) and word[: -len(e)] in self.known for e in _ENDINGS)


def distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from a to b; limit + 1 once past the limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]
