"""Stage 1, analyse: the question's names, summits and glossary terms, and its words, tokenised once.

Every later stage reads the `Question`: candidates its names and summits,
lexical scoring its terms, the decision its coverage, excerpts its words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ..lexical import QUESTION_WORDS, LexicalIndex, tagged_tokens, tokenize
from ..model import QueryAnalysis
from ..query import QueryAnalyzer


@dataclass(frozen=True)
class Question:
    """A question as the stages see it."""

    text: str  # as asked (cleaned), which is what the model embeds
    analysis: QueryAnalysis
    terms: tuple[str, ...]  # content-word lemmas of the residual (the question minus names and glossary words)
    expansion_terms: tuple[str, ...]  # lemmas of the glossary's Japanese terms, in order, repeats kept

    @property
    def lang(self) -> str:
        return self.analysis.lang

    def lexical_query(self, expansion_weight: float) -> tuple[list[str], list[float]]:
        """BM25 query: the question's own terms at weight 1, then the glossary terms it lacks."""
        extra = [t for t in self.expansion_terms if t not in self.terms]
        return [*self.terms, *extra], [1.0] * len(self.terms) + [expansion_weight] * len(extra)

    @property
    def excerpt_words(self) -> set[str]:
        """Words whose presence makes a sentence a better excerpt."""
        return set(self.analysis.content_terms) | set(self.expansion_terms)


def analyse(text: str, analyzer: QueryAnalyzer, lexicon: LexicalIndex) -> Question:
    """Names, summits and glossary terms (the analyzer), then which topic words the index knows."""
    analysis = analyzer.analyze(text)
    tagged = _without_asides(analysis.residual, lexicon, analysis.text, analysis.matched_terms)
    expansion_terms = tuple(t for term in analysis.expansions for t in tokenize(term))
    analysis = _topics(analysis, tagged, lexicon)
    return Question(text, analysis, tuple(word for word, _ in tagged), expansion_terms)


def _without_asides(residual: str, lexicon: LexicalIndex, question: str = "",
                    matched: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The residual's words, without the statements that hold no word the index knows when another sentence does:
    「お疲れさまです。議会答弁の準備で確認させてください。住工共生について…」 asks about 住工共生; 議会 and 答弁 are
    the asker's errand, not a topic the declarations lack. After a question that holds its topic (a word the index
    knows, or a glossary word of `matched` in the `question` as asked), a statement is the errand too:
    「…スタンス変わった？うちの相談窓口で最近多くて」 asks about 事業承継, not about 窓口. A question of one sentence
    keeps every word."""
    sentences = [s for s in _SENTENCES.split(residual) if s.strip()]
    tagged = [tagged_tokens(s) for s in sentences]
    if len(sentences) < 2:
        return [w for words in tagged for w in words]

    def topical(words: list[tuple[str, str]], sentence: str) -> bool:
        """A question of its own (「半導体は？」 is asked, not said in passing), a known word, or a glossary word
        blanked out of the residual."""
        return _asks(sentence) or "   " in sentence or _knows(words, lexicon)

    asked_topic = any(_asks(s) and _knows(w, lexicon) for w, s in zip(tagged, sentences)) or any(
        _asks(s) and any(term in s for term in matched) for s in _SENTENCES.split(question))
    kept = [words for i, (words, sentence) in enumerate(zip(tagged, sentences)) if topical(words, sentence)
            and not (asked_topic and not _asks(sentence) and any(_asks(s) for s in sentences[:i]))]
    return [w for words in (kept or tagged) for w in words]


def _asks(sentence: str) -> bool:
    return sentence.rstrip().endswith(("?", "？"))


def _knows(words: list[tuple[str, str]], lexicon: LexicalIndex) -> bool:
    """A word the index knows that is a topic (not a question word or a number)."""
    return any(lexicon.known(w) and w not in QUESTION_WORDS and not w.isdigit() for w, _ in words)


def _topics(analysis: QueryAnalysis, tagged: list[tuple[str, str]], lexicon: LexicalIndex) -> QueryAnalysis:
    """The question's topic words the index knows, and how much of the question they cover.

    Words are weighted by their idf; a word the corpus never uses weighs as much
    as the rarest word it does (twice that for an unknown name: 横浜, Hanshin),
    and a glossary concept counts as known; words only inside parentheses (a
    gloss of the topic, 海外展開（kaigai tenkai）) count neither way. A question about 半導体の輸出規制
    covers little, one about 電気代の値上がり covers all.
    """
    rarest = float(lexicon.idf.max()) if len(lexicon.idf) else 1.0
    # A glossary concept no declaration uses ("women" → 女性) is a noun the declarations lack, as 女性 asked in
    # Japanese would be: it weighs as an unknown name, and the answer says it is not mentioned.
    absent = [terms[0] for terms in analysis.concepts if not any(_in_corpus(t, lexicon) for t in terms)]
    covered = rarest * max(len(analysis.matched_terms) - len(absent), 0)
    total = covered + 2 * rarest * len(absent)
    known: list[str] = []
    unknown: list[str] = list(absent)
    nouns: list[str] = list(absent)
    places: list[str] = []
    explained = _explained_by_parentheses(analysis.residual, lexicon)
    for word, name_kind in tagged:
        if word in QUESTION_WORDS or word.isdigit():
            continue
        if word in explained and not lexicon.known(word):  # 知材（知的財産）: the asker's shorthand, spelled out
            continue
        if word in analysis.restating:  # 事業承継（jigyo shokei）: the gloss restates the topic, it adds none
            if lexicon.known(word):
                known.append(word)
            continue
        if lexicon.known(word):
            known.append(word)
            weight = float(lexicon.idf[lexicon.vocab[word]])
            covered += weight
        else:
            unknown.append(word)
            if name_kind == "noun" and _nameable(word):
                nouns.append(word)
            as_written = _with_suffix(word, analysis.residual)
            # A country (中国市場) is a topic; but UniDic also tags 燕 as a country, and 燕市 is a city.
            if name_kind == "place" or (name_kind == "country" and as_written != word):
                places.append(as_written)
            weight = rarest * (2 if name_kind in _NAMES or word in analysis.proper_nouns else 1)
        total += weight
    return replace(
        analysis, content_terms=tuple(known), coverage=covered / total if total else 1.0, unknown_places=tuple(places),
        unknown_terms=tuple(unknown), unknown_nouns=tuple(dict.fromkeys(nouns)),
    )


def _explained_by_parentheses(residual: str, lexicon: LexicalIndex) -> set[str]:
    """Words of a term written just before parentheses that spell it out in words the index all knows: 知材（知的財産）
    is the asker's shorthand for 知的財産, not a topic the declarations lack; 官公需（公共調達） is not explained, as
    no declaration says 公共."""
    words: set[str] = set()
    for match in _SPELLED_OUT.finditer(residual):
        inside = [w for w in tokenize(match.group(2)) if w not in QUESTION_WORDS]
        if "   " in match.group(2) or (inside and all(lexicon.known(w) for w in inside)):
            words.update(tokenize(match.group(1)))
    return words


def _in_corpus(term: str, lexicon: LexicalIndex) -> bool:
    words = _term_words(term)
    return bool(words) and all(lexicon.known(w) for w in words)


@lru_cache(maxsize=1024)
def _term_words(term: str) -> tuple[str, ...]:
    """A glossary term's words, tokenised once per process, not once per question."""
    return tuple(tokenize(term))


_SENTENCES = re.compile(r"(?<=[。．！？!?])")
_SPELLED_OUT = re.compile(r"([\u4e00-\u9fff\u30a0-\u30ffA-Za-z]+)\s*[（(]([^（）()]{1,40})[）)]")
_NAMES = {"place", "country", "name"}  # proper nouns: an unknown one weighs twice
_KANJI_OR_KATAKANA = re.compile(r"[\u4e00-\u9fff\u30a0-\u30ff]")


def _nameable(word: str) -> bool:
    """A word worth saying the declarations lack: Japanese with kanji or katakana (インボイス, 跡継ぎ), not
    colloquial kana (やつ) or English (the answer names those in the asker's words anyway)."""
    return not word.isascii() and bool(_KANJI_OR_KATAKANA.search(word))


def _with_suffix(place: str, text: str) -> str:
    """燕 → 燕市 when the question says 燕市: the name as the asker wrote it."""
    match = re.search(re.escape(place) + "(?:[市区町村県府都](?![場民街況長]))?", text, re.IGNORECASE)
    return match.group() if match else place
