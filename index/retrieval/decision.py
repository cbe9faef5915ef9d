"""Stage 6, decision: is anything relevant found, and which hits are worth citing — with the reason as data.

The outcome is "found", "partly" (the named organisation has no passage of its
own at that summit, so the joint text stands in) or "declined"; the reason says
which test decided it, so a front end, a log or an evaluation can tell a
refusal for an unknown place from one for an off-topic question.
"""
from __future__ import annotations

from collections.abc import Sequence

from ..model import Decision, Hit, QueryAnalysis
from .candidates import Candidates
from .features import evidence as weigh
from .question import Question
from .tuning import Thresholds


def decide(question: Question, hits: Sequence[Hit], found: Candidates,
           thresholds: Thresholds) -> tuple[Decision, tuple[Hit, ...]]:
    """The decision, and the hits to cite (best first) when it is not a refusal."""
    analysis = question.analysis
    if not hits:
        reason = "no-summit" if found.notice == "no-summit" else "no-candidates"
        return Decision("declined", reason, found.notice or "no-match"), ()
    evidence = weigh(question, hits, found).rounded()
    if analysis.unknown_places:
        return Decision("declined", "unknown-place", "unknown-place", evidence), ()
    reason = _relevance(analysis, hits[0], found.filtered, thresholds)
    if not reason:
        return Decision("declined", "not-relevant", "no-match", evidence), ()
    # A word of the question no declaration uses (インボイス) is said by name beside the closest passages.
    notice = found.notice or ("not-mentioned" if analysis.unknown_nouns else "")
    outcome = "partly" if notice else "found"
    return Decision(outcome, reason, notice, evidence), _worth_citing(analysis, hits, found, thresholds)


def _relevance(analysis: QueryAnalysis, best: Hit, filtered: bool, t: Thresholds) -> str:
    """Which test says the best hit answers ("" when none does)."""
    lang = analysis.lang
    covered = analysis.coverage >= t.for_lang("coverage", lang)
    if filtered:
        # "What did 岡谷 commit to?" names the answer; "明日の墨田区の天気は？" does not.
        if names_only(analysis):
            return "names-organisation"
        if covered:
            return "covered"
        return "similar" if best.dense >= t.for_lang("entity", lang) else ""
    if best.dense >= t.for_lang("dense_alone", lang):
        return "similar"
    return "covered" if best.lexical > 0 and covered else ""


def _worth_citing(analysis: QueryAnalysis, hits: Sequence[Hit], found: Candidates, t: Thresholds) -> tuple[Hit, ...]:
    """All of a named organisation's passages, else the best and those scoring within a hair of it.

    Measured on the eval/ sets with graded relevance: a later hit within 0.01
    of the best is relevant about half the time, one 0.01–0.02 below a quarter
    of the time, beyond 0.03 under one in ten. So an answer cites what is
    about as good as its best passage and no filler; "More results" pages on.
    """
    if found.filtered and names_only(analysis):
        return tuple(hits)
    best = hits[0].score
    return (hits[0], *(h for h in hits[1:] if best - h.score <= t.keep_gap and h.dense >= t.keep_floor_dense))


def names_only(analysis: QueryAnalysis) -> bool:
    """Nothing but names and question words: the question is about an organisation as a whole."""
    return analysis.coverage == 1.0 and not analysis.content_terms and not analysis.matched_terms
