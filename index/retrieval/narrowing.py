"""Which kind of passage a comparison question asks for, when it says so in words.

    「国への提言では？」          the proposals to the national government: a summit that made none says nothing
    「宣言の項目だけで（…除く）」  the declaration items, not the proposals or the cities' initiatives
    「宣言と国への提言で」         the declaration items and the proposals, not the initiatives
    "how about the chambers?"   every chamber's own initiatives
    「各都市の独自の取組み」       the initiatives of whichever city
    「…も含めて」, "including"   every kind (nothing narrowed)

The last one said wins: in a thread the follow-up 「国への提言では？」 narrows an
earlier 「宣言本文では」. A kind set aside in words ("not the proposals",
「提言は除く」) is not asked for. Kept apart from comparison.py, which builds the
answer: this module only reads the question's words.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ..model import Hit

Keep = Callable[[Hit], bool]

# Its own work asked for (独自, "own", "itself"): the joint text does not stand in for an organisation; asked of no
# organisation in particular (「各都市の独自の取組み」, "the cities' own initiatives"), only the initiatives answer.
# ("the declaration items themselves" is no organisation's own work)
OWN = re.compile(r"独自|ならでは|自身|単独|自分の(?:ところ|所|とこ)|\bown\b|\bitself\b|(?<!items )\bthemselves\b",
                 re.IGNORECASE)
# Only the proposals (「宣言と国への提言の中で」 and 「国への提言も含めて」 widen the question instead).
_PROPOSALS = re.compile(r"提言(?:の(?:ほう|方))?(?:では|で、|で何|に(?:は|ある|入って)|だけ|のみ|に絞)(?![^。？?]{0,12}除)|国に(?:求め|要望)"
                        r"|国への(?:要望|要請|提言)(?:として|では|だと|に(?:は|絞))"
                        r"|\bin the proposals\b|\b(?:just|only) the proposals\b"
                        r"|\bpropos\w* to (?:the )?(?:national|central|govern|govt|gov\b|state)"
                        r"|\bask(?:ed)? the (?:national |central )?(?:government|govt|state)\b"
                        r"|\b(?:asks|requests) (?:to|of) (?:the )?(?:national |central )?(?:government|govt|gov|state)\b", re.IGNORECASE)
# Only the declaration items: the proposals and the cities' initiatives set aside in words.
_DECLARATIONS = re.compile(r"宣言(?:本文|の項目|の本文)(?:だけ|のみ|に絞|で比べ|では)|宣言部分|項目レベル|共同宣言の項目|(?:提言|取組み?|取り組み)[^。？?]{0,6}(?:は|を)?除"
                           r"|\bdeclaration items\b|\bdeclaration proper\b|\bmain (?:sengen |declaration )?text\b"
                           r"|\bnot (?:the )?proposals\b|\bignoring the (?:cities|proposals|initiatives)\b"
                           r"|\bexcluding the (?:cities|proposals|initiatives)\b", re.IGNORECASE)
# The declaration and its proposals together, the cities' and chambers' initiatives left out: 「宣言と国への提言で」,
# "the declaration + proposals, not the per-city stuff".
_JOINT_TEXT = re.compile(r"宣言(?:本文|の項目)?(?:と|や|＋|\+|・|及び|および)(?:国への)?提言(?![^。？?]{0,4}も含め)"
                         r"|\bdeclarations?(?: items| text)?\s*(?:\+|&|and|plus)\s*(?:the )?(?:annex )?(?:proposals|asks|requests)"
                         r"(?: to (?:the )?(?:national |central )?(?:government|govt|gov|state))?\b"
                         r"|\bnot the (?:per-city|cit(?:y|ies)'?s?'?(?: own)?) (?:stuff|initiatives|measures|parts?)\b", re.IGNORECASE)
_NEGATED = re.compile(r"\b(?:not|ignoring|excluding|except|without)(?: the)?\s*$|^\s*(?:は|を)?(?:除|じゃな|ではな)",
                      re.IGNORECASE)
# "incl. proposals and each city's own measures": in English what is widened follows, to the clause's end
_WIDENED = re.compile(r"も含め|も入れ|\b(?:including|incl\.?)(?:[^.?!;]*)|\bas well as\b", re.IGNORECASE)
# The asker's own chamber ("our chamber is reviewing…", うちの会議所) is who asks, not whom the question is about.
_OURS = re.compile(r"(?:\b(?:our|my)\s+(?:local\s+)?|うちの|弊|当)$", re.IGNORECASE)


def asked_passages(text: str, names_someone: bool, chamber_words: Sequence[re.Pattern[str]]) -> Keep | None:
    """The test a summit's passage must pass to answer the question, or None when any passage may."""
    asked = _without_trailing_statement(text)
    chambers = max((m.end() for p in chamber_words for m in p.finditer(asked)
                    if not _OURS.search(asked[max(0, m.start() - 12):m.start()])), default=-1)
    said: list[tuple[int, Keep | None]] = [
        (_last(_DECLARATIONS, text), is_declaration),
        (_last(_JOINT_TEXT, text), is_joint_text),
        (_last(_PROPOSALS, text, negated=_NEGATED), is_proposal),
        (_last(_WIDENED, text), None),
        (-1 if names_someone else chambers, is_chambers),  # a named city's chamber is asked by name
        (-1 if names_someone else _last(OWN, text), is_initiative),
    ]
    at, keep = max(said, key=lambda pair: pair[0])
    return keep if at >= 0 else None


def _without_trailing_statement(text: str) -> str:
    """The text to its last question mark: "…compare on regional brands? prepping for a mtg with the chamber" asks
    about brands; the chamber it meets is the asker's errand, not whose initiatives are asked for."""
    end = max(text.rfind("?"), text.rfind("？"))
    return text[:end + 1] if end >= 0 else text


def _last(pattern: re.Pattern[str], text: str, negated: re.Pattern[str] | None = None) -> int:
    """Where the pattern's last match ends, -1 when it has none; one after "not the" or before 「は除く」 does not count."""
    ends = [m.end() for m in pattern.finditer(text)
            if not (negated and (negated.search(text[max(0, m.start() - 14):m.start()])
                                 or negated.search(text[m.end():m.end() + 8])))]
    return max(ends, default=-1)


def is_declaration(hit: Hit) -> bool:
    return hit.passage.kind == "declaration"


def is_joint_text(hit: Hit) -> bool:
    return hit.passage.kind in ("declaration", "proposal")


def is_proposal(hit: Hit) -> bool:
    return hit.passage.kind == "proposal"


def is_initiative(hit: Hit) -> bool:
    return hit.passage.kind == "initiative"


def is_chambers(hit: Hit) -> bool:
    return hit.passage.kind == "initiative" and hit.passage.organization != hit.passage.city
