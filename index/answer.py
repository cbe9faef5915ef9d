"""From hits to an Answer: whether anything relevant was found, what to cite, which sentences to show.

Every excerpt is a verbatim span of its passage's text: one to three adjacent
sentences chosen by their similarity to the question. Nothing is generated.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import numpy as np

from .lexical import tokenize
from .model import Answer, Citation, Document, Hit, Passage, QueryAnalysis
from .search import Searcher, SearchResult
from .textnorm import search_form

SHORT_PASSAGE = 90  # characters: shown whole
MAX_EXCERPT = 220  # characters an excerpt may grow to with neighbouring sentences
MAX_SENTENCES = 3


@dataclass(frozen=True)
class Thresholds:
    """When the best hit counts as an answer; set on the question sets (see docs/ANSWERING.md).

    Cosine similarity alone does not separate answerable from unanswerable
    questions with this model, so the main test is coverage: the idf-weighted
    share of the question's topic words that the corpus knows (glossary concepts
    count as known). English questions carry many words the Japanese corpus
    never uses, so their coverage bar is lower.
    """

    coverage_ja: float = 0.30
    coverage_en: float = 0.10
    dense_alone_ja: float = 0.87  # answered on similarity alone above this
    dense_alone_en: float = 0.83
    entity_ja: float = 0.85  # a named organisation plus unknown topic words needs this
    entity_en: float = 0.77
    keep_ratio: float = 0.955  # later citations must score this share of the best

    def for_lang(self, name: str, lang: str) -> float:
        return getattr(self, f"{name}_{'ja' if lang == 'ja' else 'en'}")


class Answerer:
    """Turns a question into an Answer using a Searcher; holds no state between questions."""

    def __init__(self, searcher: Searcher, link: LinkMaker, thresholds: Thresholds = Thresholds()):
        self.searcher = searcher
        self.link = link
        self.thresholds = thresholds

    def answer(self, question: str, top_k: int = 5, offset: int = 0) -> Answer:
        """The cited answer; with `offset`, the next `top_k` passages after those already shown."""
        result = self.searcher.search(question)
        analysis = result.analysis
        if not result.hits:
            return Answer(question, analysis.lang, False, analysis=analysis, notice=result.notice or "no-match")
        if analysis.unknown_places:
            return Answer(question, analysis.lang, False, analysis=analysis, notice="unknown-place")
        if not self.is_relevant(result):
            return Answer(question, analysis.lang, False, analysis=analysis, notice="no-match")
        first = _grouped(self.select(result)[:top_k])
        if offset:
            # "More results": the passages after those shown, in score order, whatever their score.
            shown = {hit.row for hit in first}
            rest = [hit for hit in result.hits if hit.row not in shown]
            page = (first + rest)[offset: offset + top_k]
        else:
            page = first
        citations = tuple(self.cite(offset + i, hit, result) for i, hit in enumerate(page))
        return Answer(question, analysis.lang, True, citations, analysis, result.notice)

    # ------------------------------------------------------------------ decisions

    def is_relevant(self, result: SearchResult) -> bool:
        best, analysis, t = result.hits[0], result.analysis, self.thresholds
        lang = analysis.lang
        if result.filtered:
            # "What did 岡谷 commit to?" names the answer; "明日の墨田区の天気は？" does not.
            covered = analysis.coverage >= t.for_lang("coverage", lang)
            return _names_only(analysis) or covered or best.dense >= t.for_lang("entity", lang)
        if best.dense >= t.for_lang("dense_alone", lang):
            return True
        return best.lexical > 0 and analysis.coverage >= t.for_lang("coverage", lang)

    def select(self, result: SearchResult) -> list[Hit]:
        """The hits worth citing: all of a named organisation's, else those close to the best."""
        if result.filtered and _names_only(result.analysis):
            return list(result.hits)
        best = result.hits[0].score
        return [h for h in result.hits if h.score >= best * self.thresholds.keep_ratio]

    # ------------------------------------------------------------------ citations

    def cite(self, index: int, hit: Hit, result: SearchResult) -> Citation:
        data = self.searcher.data
        doc = data.documents[hit.passage.document]
        start, end = self.excerpt_span(hit, result)
        return Citation(
            label=f"[{index + 1}]",
            passage=hit.passage,
            document=doc,
            excerpt=hit.passage.text[start:end],
            excerpt_start=start,
            score=round(hit.score, 4),
            url=self.link(hit.passage, doc, hint=hit.passage.text[start:end]),
        )

    def excerpt_span(self, hit: Hit, result: SearchResult) -> tuple[int, int]:
        """The best window of adjacent sentences, or the whole passage when it is short."""
        passage = hit.passage
        if len(passage.text) <= SHORT_PASSAGE or result.query_vector is None:
            return 0, len(passage.text)
        data = self.searcher.data
        rows = data.sentence_rows(hit.row)
        if len(rows) == 0:
            return 0, len(passage.text)
        scores = data.sentence_vectors[rows] @ result.query_vector
        words = set(result.analysis.content_terms) | {t for e in result.analysis.expansions for t in tokenize(e)}
        spans = [tuple(data.sentence_spans[r]) for r in rows]
        scores = scores + 0.02 * np.array([_overlap(passage.text[s:e], words) for s, e in spans])
        return _best_window(spans, scores)


def _grouped(hits: list[Hit]) -> list[Hit]:
    """Hits of one summit and organisation together, groups in the order of their best hit.

    The answer is read group by group ("岡谷市 … / 岡谷商工会議所 …"), so labels
    [1], [2], … follow that order; the first citation is still the best one.
    """
    groups: dict[tuple[int, str], list[Hit]] = {}
    for hit in hits:
        groups.setdefault((hit.passage.summit, hit.passage.organization), []).append(hit)
    return [hit for group in groups.values() for hit in group]


def _overlap(sentence: str, words: set[str]) -> int:
    form = search_form(sentence)
    return sum(1 for w in words if w in form)


def _best_window(spans: list[tuple[int, int]], scores: np.ndarray) -> tuple[int, int]:
    """Grow from the best sentence towards the better neighbour while it stays close and short."""
    lo = hi = int(np.argmax(scores))
    top = float(scores[lo])
    while hi - lo + 1 < MAX_SENTENCES:
        options = [i for i in (lo - 1, hi + 1) if 0 <= i < len(spans) and scores[i] >= top - 0.03]
        if not options:
            break
        nxt = max(options, key=lambda i: scores[i])
        new_lo, new_hi = min(lo, nxt), max(hi, nxt)
        if spans[new_hi][1] - spans[new_lo][0] > MAX_EXCERPT:
            break
        lo, hi = new_lo, new_hi
    return int(spans[lo][0]), int(spans[hi][1])


def _names_only(analysis: QueryAnalysis) -> bool:
    """Nothing but names and question words: the question is about an organisation as a whole."""
    return analysis.coverage == 1.0 and not analysis.content_terms and not analysis.matched_terms


class LinkMaker:
    """Where a citation points: the passage page when a public URL is set, else the source file span."""

    def __init__(self, public_url: str = "", corpus_root=None):
        self.public_url = public_url.rstrip("/")
        self.corpus_root = corpus_root

    def __call__(self, passage: Passage, doc: Document, hint: str = "") -> str:
        """`hint` (the start of the excerpt) lets the page offer a search if the passage is gone after a rebuild."""
        if self.public_url:
            query = f"?q={quote(hint[:40])}" if hint else ""
            return f"{self.public_url}/p/{quote(passage.id)}{query}"
        if doc.source_url:
            return doc.source_url
        if self.corpus_root is not None:
            # RFC 5147 fragment: the passage's character span in the plain-text source.
            path = (self.corpus_root / doc.file).resolve()
            return f"{path.as_uri()}#char={passage.start},{passage.end}"
        return f"summitbot://p/{quote(passage.id)}"
