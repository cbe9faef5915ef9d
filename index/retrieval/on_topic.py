"""What a summit says on a topic: its one passage on it, or nothing (記載なし).

    a summit's ranking ─► its best item and best preamble sentence (candidates) ─► among close items, the one
    holding most of the topic, the joint text first ─► kept when it holds the topic's words (share), or is the
    anchor (the best passage at any summit), or the anchor's counterpart holding some of them

Kept apart from comparison.py, which decides which summits and topics a
question covers and builds the answer: this module only reads passages.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..lexical import tokenize
from ..model import Hit
from ..query import NOT_CHAMBER, NOT_CITY
from ..textnorm import search_form, words_in
from .alignment import CONTENT_KINDS
from .decision import names_only
from .question import Question

if TYPE_CHECKING:
    from ..store import IndexData
    from .alignment import Counterparts

HOLDS = 0.5  # a summit's passage holding this share of the topic's words says something on it
SHARES = 0.25  # ... and the anchor's counterpart holding this share does too
ANCHOR_GAP = 0.02  # an item within this fused score of a better preamble sentence is chosen instead of it
ITEM_WINDOW = 0.02  # items this close to a summit's best are told apart by how much of the topic they hold
CLOSE_ITEMS = 5
_ACTION = re.compile(r"対応|対策|対処|手を打|約束|\bcommit(?:s|ted|ting|ments?)?\b|\bpledge|\bdo(?:ing)? about\b"
                     r"|\brespon(?:d|se|ses)\b|\bmeasures?\b|\btackl|\bdeal(?:t|ing)? with\b|\bcountermeasure",
                     re.IGNORECASE)
_ENACTING = re.compile(r"(?:以下|次)の(?:ように|とおり|方向性).{0,40}(?:宣言|提言)する|ここに宣言する")


class TopicReader:
    """Reads one index version's passages for what they say on a topic."""

    def __init__(self, data: IndexData, counterparts: Counterparts, concepts: Sequence[tuple[str, ...]] = ()):
        self.data = data
        self.counterparts = counterparts
        # per glossary term, the other concepts' longer terms ending in it: the 環境 of 操業環境 (住工共生) is no
        # 環境, while ものづくり補助金 is still about ものづくり
        self.longer = {term: [search_form(t) for other in concepts if other is not terms for t in other
                              if t.endswith(term) and t != term]
                       for terms in concepts for term in terms}
        # concepts no passage writes (外国人材, though 外国 and 人材 each are words of the corpus): asked about, they
        # are a topic no declaration speaks to, as a word no declaration uses would be
        texts = [search_form(p.text) for p in data.passages]
        self.absent = {terms for terms in concepts if not any(search_form(t) in x for t in terms for x in texts)}
        # a one-word glossary term asked in Japanese stands for its concept: 震災 is held by 災害に強い企業づくり
        self.concept_of = {term: terms for terms in concepts for term in terms if len(tokenize(term)) == 1}

    def passage(self, topic: Question, hits: Sequence[Hit], anchor: Hit) -> Hit | None:
        """The summit's passage on the topic: its best item (declaration, proposal, initiative), or its best
        preamble sentence when that is clearly better (as for the anchor); kept only when it says something on
        the topic; None: the summit says nothing.

        Said means: it holds half the topic's words (idf-weighted), or it is the anchor, or it is the anchor's
        counterpart and holds a quarter of them (a counterpart on a shared word alone, 承継 in 技術承継 and
        事業承継, is no answer to a question about either). A topic of no word the index knows (an English
        question the glossary cannot map) has no share: the anchor and its counterparts speak to it.
        """
        if names_only(topic.analysis):
            own = named_first(topic, hits)
            return own[0] if own else None  # the named organisation's own passage at this summit
        if asks_for_action(topic):  # 「原材料費の高騰への対応」: a preamble naming the problem is no response to it
            hits = items_of(hits)
        if hits and _own(topic, hits[0]):
            return self._own_on_topic(topic, hits, anchor)
        best = self._best(topic, hits)
        shares = [self.share(topic, hit) for hit in best]
        for hit, share in zip(best, shares):  # a passage holding the topic's words
            if share is not None and share >= HOLDS:
                return hit
        unglossed = set(topic.analysis.unknown_nouns) - topic.analysis.restating
        missing = {w for w in unglossed if not _HIRAGANA.search(w)} | {
            t[0] for t in (*topic.analysis.concepts, *topic.analysis.compounds) if t in self.absent}
        for hit, share in zip(best, shares):  # else the anchor itself, or the anchor's counterpart
            is_anchor = hit.row == anchor.row
            # With a word no declaration uses (インボイス制度), even the anchor must hold half the topic; a word
            # with kana endings (立て直し, 資金繰り) is the asker's paraphrase more often than a topic of its own.
            if (is_anchor and not missing) or (
                    not is_anchor and not missing and (share is None or share >= SHARES)
                    and self.counterparts.are_counterparts(hit.row, anchor.row)):
                return hit
        return None

    def _own_on_topic(self, topic: Question, hits: Sequence[Hit], anchor: Hit) -> Hit | None:
        """The named organisation's best passage at this summit that speaks to the topic: an initiative on
        the environment is no answer to "尼崎 and business succession" (記載なし)."""
        own = [h for h in hits[:CLOSE_ITEMS] if _own(topic, h)]
        for hit in own:
            share = self.share(topic, hit)
            if share is None or share >= HOLDS or (hit.row == anchor.row and share >= SHARES):
                return hit
        return None

    def _best(self, topic: Question, hits: Sequence[Hit]) -> list[Hit]:
        """The summit's best item and best preamble sentence (candidates below); among items about as good
        as the best, the one holding most of the topic (ものづくり補助金を継続 over 補助金等の助成), and, when no
        organisation is named, the joint text holding it over one city's initiative: what the summit said is
        what all its cities adopted."""
        best = candidates(hits)
        items = items_of(hits)
        if not items:
            return best
        close = [h for h in items[:CLOSE_ITEMS] if items[0].score - h.score <= ITEM_WINDOW]
        shares = [self.share(topic, h) or 0.0 for h in close]
        joint_first = not (topic.analysis.cities or topic.analysis.organizations)

        def rank(i: int) -> tuple[bool, float, int]:
            return (joint_first and shares[i] >= HOLDS and not close[i].passage.city, shares[i], -i)

        chosen = close[max(range(len(close)), key=rank)]
        return [chosen if h.row == items[0].row else h for h in best]

    def share(self, topic: Question, hit: Hit) -> float | None:
        """The idf-weighted share of the topic the passage's text holds: its words, and each glossary concept
        (held when one of the concept's Japanese terms is in the text as a whole: 事業継続計画, not 事業 and 計画);
        None when the topic has no word to hold.

        A Japanese noun no declaration uses (インボイス) counts as a word the passage lacks, weighing twice the
        rarest word of the corpus, as an unknown name does in the question's coverage: it is what is asked about
        (インボイス制度 is about invoices, not about 制度). A word only in the asker's gloss (海外展開（kaigai
        tenkai）, 産業観光（工場見学みたいなの）) counts when the passage holds it and is not missed when it does not.
        """
        analysis = topic.analysis
        lexicon = self.data.lexical
        rarest = float(lexicon.idf.max()) if len(lexicon.idf) else 1.0

        def idf(word: str) -> float:
            return float(lexicon.idf[lexicon.vocab[word]]) if word in lexicon.vocab else 2 * rarest

        text = search_form(hit.passage.text, self.data.documents[hit.passage.document].search_fixes)
        # an unknown noun with kana (繰り of 資金繰り, 立て直し) is the asker's paraphrase, not a topic of its own
        words = set(analysis.content_terms) | {w for w in analysis.unknown_nouns if not _HIRAGANA.search(w)}
        held_words = set(words_in(hit.passage.text, words))
        held_words |= {w for w in words - held_words if w in self.concept_of
                       and any(self._holds(t, text) for t in self.concept_of[w])}
        # the asker's own words around a term named in parentheses (「大学との連携（産学官連携）」) never stand in for it
        optional = (set(analysis.glosses) - held_words) | set(analysis.paraphrased)
        held_words -= optional
        held = sum(idf(w) for w in held_words)
        total = sum(idf(w) for w in words - optional)
        for terms in (*analysis.concepts, *analysis.compounds):
            # as rare as the concept's commonest spelling: ものづくり, not the rare モノづくり; one no passage writes
            # (外国人材) weighs as a noun no declaration uses: 外国 alone is no answer on it
            weight = 2 * rarest if terms in self.absent else min(
                (max((idf(t) for t in tokenize(term)), default=rarest) for term in terms), default=rarest)
            total += weight
            held += weight if any(self._holds(term, text) for term in terms) else 0.0
        return held / total if total else None


    def _holds(self, term: str, text: str) -> bool:
        """The glossary term is written in the text, not only inside another concept's longer term."""
        for longer in self.longer.get(term, ()):
            text = text.replace(longer, " ")
        return _written(search_form(term), text)


def _written(term: str, text: str) -> bool:
    """The term is in the text; a Latin one as a word of its own (ＩＴ is not the "it" of "continuity")."""
    if not term.isascii():
        return term in text
    return re.search(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", text) is not None


def named_first(question: Question, hits: Sequence[Hit]) -> list[Hit]:
    """An organisation's passages, the one the asker names first: 「岡谷市って…」 is the city's own initiative
    before its chamber's, "Kawaguchi CCI" the chamber's; one excluded in words (「商工会議所じゃなくて市のほう」,
    "the chamber, not the city") is left out."""
    analysis = question.analysis
    chamber_out, city_out = NOT_CHAMBER.search(question.text), NOT_CITY.search(question.text)

    def who(hit: Hit) -> str:
        organization = hit.passage.organization
        return "city" if organization and organization == hit.passage.city else "chamber"

    kept = [h for h in hits if not ((chamber_out and who(h) == "chamber") or (city_out and who(h) == "city"))]
    return sorted(kept, key=lambda h: (h.passage.organization not in analysis.organizations,
                                       h.passage.organization not in analysis.cities))


def asks_for_action(topic: Question) -> bool:
    """The question asks what was done or proposed about a problem (対応, 対策, "what did they do about"), which
    only items (declaration, proposal, initiative) answer: the preamble names problems, it commits to nothing."""
    return _ACTION.search(topic.text) is not None


def items_of(hits: Sequence[Hit]) -> list[Hit]:
    return [h for h in hits if h.passage.kind in CONTENT_KINDS]


def framing_of(hits: Sequence[Hit]) -> list[Hit]:
    """Preamble and annex paragraphs, without the enacting clause ("以下のように宣言する"), which says nothing on a topic."""
    return [h for h in hits if h.passage.kind not in CONTENT_KINDS and not _ENACTING.search(h.passage.text)]


def anchor(hits: Sequence[Hit]) -> Hit:
    """The passage the others are aligned to: the best item, unless a preamble sentence is clearly better."""
    best = candidates(hits)
    return best[0] if best else hits[0]


def candidates(hits: Sequence[Hit]) -> list[Hit]:
    """The best item and the best preamble sentence, the item first unless the sentence is clearly better
    (a declaration's commitments are what staff quote; its preamble only where it alone says it)."""
    items, framing = items_of(hits)[:1], framing_of(hits)[:1]
    if items and framing and framing[0].score - items[0].score > ANCHOR_GAP:
        return framing + items
    return items + framing


_HIRAGANA = re.compile(r"[\u3041-\u309f]")


def _own(topic: Question, hit: Hit) -> bool:
    """The passage is the named city's or chamber's own (its initiative), not the joint text standing in."""
    analysis = topic.analysis
    return bool(hit.passage.city) and (hit.passage.city in analysis.cities
                                       or hit.passage.organization in analysis.organizations)
