"""Each retrieval stage on plain data, and the stages wired together over a tiny in-memory index.

No embedding model is loaded: the stages take arrays and dataclasses, and the
pipeline test gives it a stand-in embedder that returns fixed vectors, so all
of this runs in the quick lane.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index import vectors as dense_index
from index.corpus import Corpus
from index.lexical import LexicalIndex, tokenize
from index.model import Document, Hit, Passage, QueryAnalysis
from index.query import QueryAnalyzer
from index.retrieval import Pipeline
from index.retrieval import citations as cite
from index.retrieval.candidates import Candidates, Facets, candidates
from index.retrieval.decision import decide
from index.retrieval.excerpts import MAX_EXCERPT, best_window, excerpt_span, lead_span
from index.retrieval.fusion import fuse
from index.retrieval.question import Question, analyse
from index.retrieval.rerank import Identity, TermCoverage
from index.retrieval.scores import Scores
from index.retrieval.tuning import Thresholds, Weights
from index.sentences import sentence_spans
from index.store import IndexData

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
DOC9 = Document(key="s9", summit=9, title="すみだ宣言", host_city="墨田区", file="s9.txt")
DOC8 = Document(key="s8", summit=8, title="大田宣言", host_city="大田区", file="s8.txt")


def passage(i: int, text: str, summit: int = 9, org: str = "", city: str = "", kind: str = "declaration") -> Passage:
    return Passage(id=f"p{i}", document=f"s{summit}", summit=summit, kind=kind, section=("宣言",), label=str(i),
                   organization=org or "中小企業都市連絡協議会", city=city, text=text, start=0, end=len(text), order=i)


PASSAGES = [
    passage(0, "事業承継を支援し、次の世代へ技術をつなぐ。"),
    passage(1, "岡谷市は新規受注開拓支援事業に取り組む。", org="岡谷市", city="岡谷市", kind="initiative"),
    passage(2, "国に対し、電力の安定供給を求める。", kind="proposal"),
    passage(3, "川口市は i-mono ブランドを認定する。", summit=8, org="川口市", city="川口市", kind="initiative"),
    passage(4, "岡谷市はものづくりフェアを開く。", org="岡谷市", city="岡谷市", kind="initiative"),
]


def question(text: str = "q", lang: str = "ja", **analysis) -> Question:
    return Question(text, QueryAnalysis(text=text, lang=lang, **analysis), (), ())


def hit(i: int, score: float, dense: float | None = None, lexical: float = 1.0) -> Hit:
    return Hit(PASSAGES[i], score, score if dense is None else dense, lexical, rank=0, row=i)


# ---------------------------------------------------------------------- analyse


def analyzer_for_tests() -> QueryAnalyzer:
    corpus = Corpus.load(CORPUS)
    return QueryAnalyzer.build(corpus.gazetteer, corpus.glossary)


@pytest.fixture(scope="module")
def analyzer() -> QueryAnalyzer:
    return analyzer_for_tests()


@pytest.fixture(scope="module")
def lexicon() -> LexicalIndex:
    return LexicalIndex.build([tokenize(p.text) for p in PASSAGES])


def test_analyse_tokenises_once_and_keeps_names_out_of_the_terms(analyzer, lexicon):
    q = analyse("岡谷市の事業承継の取組みは？", analyzer, lexicon)
    assert q.analysis.cities == ("岡谷市",)
    assert "岡谷" not in q.terms and "承継" in "".join(q.terms)
    assert q.analysis.coverage == 1.0 and q.analysis.content_terms  # every topic word is in the tiny corpus


def test_unknown_topic_words_lower_the_coverage_and_unknown_places_are_named(analyzer, lexicon):
    q = analyse("横浜市の半導体の輸出規制は？", analyzer, lexicon)
    assert q.analysis.coverage < 0.3
    assert q.analysis.unknown_places == ("横浜市",)


def test_a_country_is_a_topic_and_a_missing_noun_is_named():
    q = analyse("中国市場への進出の支援は？", analyzer_for_tests(), LexicalIndex.build([tokenize(p.text) for p in PASSAGES]))
    assert q.analysis.unknown_places == ()  # 中国 is a country (UniDic 地名-国), not an unknown 中国市
    q = analyse("インボイス制度について国に要望してる？", analyzer_for_tests(), LexicalIndex.build([["制度"]]))
    assert "インボイス" in q.analysis.unknown_nouns


def test_glossary_terms_the_question_lacks_join_the_lexical_query_at_their_weight():
    q = Question("q", QueryAnalysis(text="q", lang="en"), ("a", "b"), ("b", "c"))
    assert q.lexical_query(0.6) == (["a", "b", "c"], [1.0, 1.0, 0.6])


# ---------------------------------------------------------------------- candidates


def test_candidates_by_summit_then_by_organisation():
    facets = Facets.of(PASSAGES)
    assert candidates(QueryAnalysis(text="", lang="ja", summits=(8,)), facets).mask.tolist() == [0, 0, 0, 1, 0]
    okaya = candidates(QueryAnalysis(text="", lang="ja", cities=("岡谷市",)), facets)
    assert okaya.filtered and okaya.mask.tolist() == [0, 1, 0, 0, 1] and okaya.notice == ""


def test_an_unindexed_summit_leaves_nothing_and_says_so():
    found = candidates(QueryAnalysis(text="", lang="ja", summits=(12,)), Facets.of(PASSAGES))
    assert not found.mask.any() and found.notice == "no-summit"


def test_an_organisation_without_its_own_passage_gets_the_joint_text():
    found = candidates(QueryAnalysis(text="", lang="ja", summits=(8,), cities=("岡谷市",)), Facets.of(PASSAGES))
    assert found.notice == "joint-only" and found.filtered and not found.mask.any()  # summit 8 has no joint text here
    found = candidates(QueryAnalysis(text="", lang="ja", summits=(9,), cities=("川口市",)), Facets.of(PASSAGES))
    assert found.notice == "joint-only" and found.mask.tolist() == [1, 0, 1, 0, 0]


# ---------------------------------------------------------------------- fusion and rerank


def test_fusion_adds_a_bounded_lexical_bonus_and_a_kind_bonus_to_the_dense_score():
    facets = Facets.of(PASSAGES)
    scores = Scores(dense=np.array([0.80, 0.81, 0.805, 0.5, 0.2], dtype=np.float32),
                    lexical=np.array([10.0, 0.0, 5.0, 0.0, 0.0], dtype=np.float32))
    everything = Candidates(np.ones(5, dtype=bool))
    hits = fuse(question(), everything, scores, facets, PASSAGES, Weights())
    assert [h.row for h in hits] == [0, 2, 1, 3, 4]  # 0.80 + 0.04 and 0.805 + 0.02 beat 0.81
    assert hits[0].score == pytest.approx(0.84) and [h.rank for h in hits] == [1, 2, 3, 4, 5]
    proposals = fuse(question(kinds=("proposal",)), everything, scores, facets, PASSAGES, Weights())
    assert proposals[0].row == 2  # 0.805 + 0.02 + 0.02
    assert fuse(question(), Candidates(np.zeros(5, dtype=bool)), scores, facets, PASSAGES, Weights()) == ()


def test_the_identity_reranker_keeps_the_order():
    hits = (hit(2, 0.9), hit(0, 0.8))
    assert Identity().rank(question(), hits) == hits


def test_term_coverage_lifts_the_close_hit_that_holds_the_question_s_words(lexicon):
    asks = Question("q", QueryAnalysis(text="q", lang="ja", content_terms=("承継",)), ("承継",), ())
    hits = (hit(2, 0.900), hit(0, 0.895), hit(1, 0.80))  # passage 0 is the one about 事業承継
    reranked = TermCoverage(lexicon, bonus=0.02).rank(asks, hits)
    assert [h.row for h in reranked] == [0, 2, 1] and reranked[0].score == pytest.approx(0.915)
    far = (hit(2, 0.95), hit(0, 0.80))
    assert [h.row for h in TermCoverage(lexicon, bonus=0.02).rank(asks, far)] == [2, 0]  # a bonus, not a verdict
    assert TermCoverage(lexicon, bonus=0.02).rank(question(), hits) == hits  # no words: order kept


# ---------------------------------------------------------------------- decision


def test_a_close_match_is_found_and_only_hits_near_the_best_are_cited():
    hits = (hit(0, 0.90), hit(2, 0.895), hit(4, 0.892, dense=0.70), hit(1, 0.87))
    decision, cited = decide(question(coverage=0.5), hits, Candidates(np.ones(5, dtype=bool)), Thresholds())
    assert (decision.outcome, decision.reason, decision.notice) == ("found", "similar", "")
    assert [h.row for h in cited] == [0, 2]  # within 0.01 of the best; not below the dense floor; no filler


def test_the_reasons_for_declining_are_data():
    t = Thresholds()
    everything = Candidates(np.ones(5, dtype=bool))
    off_topic = decide(question(coverage=0.05), (hit(0, 0.80, lexical=0.0),), everything, t)[0]
    assert (off_topic.outcome, off_topic.reason, off_topic.notice) == ("declined", "not-relevant", "no-match")
    assert off_topic.evidence["dense"] == pytest.approx(0.80) and off_topic.evidence["coverage"] == pytest.approx(0.05)
    place = decide(question(unknown_places=("横浜市",)), (hit(0, 0.95),), everything, t)[0]
    assert (place.reason, place.notice) == ("unknown-place", "unknown-place")
    nothing = decide(question(), (), Candidates(np.zeros(5, dtype=bool), "no-summit"), t)[0]
    assert (nothing.outcome, nothing.reason, nothing.notice) == ("declined", "no-summit", "no-summit")


def test_a_question_naming_only_an_organisation_cites_all_of_its_passages():
    named = Candidates(np.array([0, 1, 0, 0, 1], dtype=bool), filtered=True)
    decision, cited = decide(question(cities=("岡谷市",)), (hit(1, 0.8), hit(4, 0.5)), named, Thresholds())
    assert decision.reason == "names-organisation" and [h.row for h in cited] == [1, 4]


def test_an_answer_to_a_question_with_a_word_no_declaration_uses_is_partial_and_names_it():
    everything = Candidates(np.ones(5, dtype=bool))
    absent = question(coverage=0.6, unknown_nouns=("インボイス",))
    decision, cited = decide(absent, (hit(0, 0.90), hit(2, 0.85)), everything, Thresholds())
    assert (decision.outcome, decision.notice, decision.found) == ("partly", "not-mentioned", True)
    assert [h.row for h in cited] == [0]
    plain = decide(question(coverage=0.6), (hit(0, 0.90),), everything, Thresholds())[0]
    assert (plain.outcome, plain.notice) == ("found", "")


def test_colloquial_kana_is_not_named_as_missing(analyzer):
    q = analyse("インボイスのやつ、国に要望してる？", analyzer, LexicalIndex.build([["国"], ["要望"]]))
    assert "インボイス" in q.analysis.unknown_nouns and "やつ" not in q.analysis.unknown_nouns


def test_the_joint_text_standing_in_is_a_partial_answer():
    joint = Candidates(np.array([1, 0, 1, 0, 0], dtype=bool), "joint-only", filtered=True)
    decision, _ = decide(question(cities=("川口市",)), (hit(0, 0.8),), joint, Thresholds())
    assert (decision.outcome, decision.notice, decision.found) == ("partly", "joint-only", True)


# ---------------------------------------------------------------------- citations


def test_the_first_page_is_grouped_by_organisation_and_labelled_in_reading_order():
    ranked = (hit(1, 0.9), hit(0, 0.89), hit(4, 0.88), hit(2, 0.87))
    page = cite.page(ranked, ranked, top_k=4, offset=0)
    assert [c.hit.row for c in page] == [1, 4, 0, 2]  # 岡谷市's two together, then the joint text
    assert [c.label for c in page] == ["[1]", "[2]", "[3]", "[4]"]
    assert [[c.hit.row for c in g] for g in cite.groups(page)] == [[1, 4], [0, 2]]


def test_more_results_continue_after_the_first_page_with_labels_across_pages():
    worth, ranked = (hit(1, 0.9), hit(0, 0.89)), (hit(1, 0.9), hit(0, 0.89), hit(4, 0.5), hit(2, 0.4), hit(3, 0.3))
    first = cite.page(worth, ranked, top_k=2, offset=0)
    second = cite.page(worth, ranked, top_k=2, offset=2)
    assert [c.hit.row for c in second] == [4, 2] and [c.label for c in second] == ["[3]", "[4]"]
    assert not {c.hit.row for c in first} & {c.hit.row for c in second}
    assert cite.page(worth, ranked, top_k=2, offset=6) == []


# ---------------------------------------------------------------------- excerpts


def test_a_short_passage_is_shown_whole():
    text = "短い。文。"
    assert excerpt_span(text, sentence_spans(text), np.array([0.1, 0.9]), set()) == (0, len(text))


def test_the_excerpt_grows_to_close_neighbours_within_its_length_limit():
    sentences = ["一" * 40 + "。", "二" * 40 + "。", "三" * 40 + "。", "四" * 40 + "。"]
    text = "".join(sentences)
    spans = sentence_spans(text)
    start, end = excerpt_span(text, spans, np.array([0.50, 0.80, 0.79, 0.10]), set())
    assert text[start:end] == sentences[1] + sentences[2]  # the best and its close neighbour, not the weak ones
    assert best_window([(0, 10), (10, 10 + MAX_EXCERPT)], np.array([0.9, 0.9])) == (0, 10)  # too long to join


def test_question_words_tip_the_choice_between_equal_sentences():
    sentences = ["人材の確保に取り組む" + "あ" * 120 + "。", "事業承継を支援する" + "い" * 120 + "。"]  # too long to join
    text = "".join(sentences)
    spans = sentence_spans(text)
    start, end = excerpt_span(text, spans, np.array([0.5, 0.5]), set())
    assert text[start:end] == sentences[0]
    start, end = excerpt_span(text, spans, np.array([0.5, 0.5]), {"承継"})
    assert text[start:end] == sentences[1]


# ---------------------------------------------------------------------- the pipeline


class FixedEmbedder:
    """Stands in for the model: every question is the same unit vector; counts the calls."""

    def __init__(self, vector: np.ndarray):
        self.vector, self.calls = vector, 0

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return np.stack([self.vector] * len(texts))


@pytest.fixture(scope="module")
def tiny(analyzer, lexicon):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(PASSAGES), 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    spans = [sentence_spans(p.text) for p in PASSAGES]
    owner = np.array([row for row, s in enumerate(spans) for _ in s])
    data = IndexData("v1", {}, {"s9": DOC9, "s8": DOC8}, PASSAGES, vectors, dense_index.build(vectors), owner,
                     np.array([span for s in spans for span in s]), vectors[owner], lexicon)
    return data, vectors


def test_the_pipeline_cites_verbatim_and_carries_groups_summits_and_its_decision(tiny, analyzer):
    data, vectors = tiny
    embedder = FixedEmbedder(vectors[1])  # the question "is" passage 1 (岡谷市's initiative)
    pipeline = Pipeline(data, embedder, analyzer)
    links = []
    answer = pipeline.answer("岡谷市の取組みは？", link=lambda p, d, excerpt: links.append(excerpt) or f"x:{p.id}")
    assert answer.found and answer.decision.reason == "names-organisation"
    assert [c.passage.id for c in answer.citations] == ["p1", "p4"]
    assert [(g.summit, g.organization, g.document.key) for g in answer.groups] == [(9, "岡谷市", "s9")]
    assert all(c.excerpt in c.passage.text and c.url == f"x:{c.passage.id}" for c in answer.citations)
    assert links == [c.excerpt for c in answer.citations]
    assert answer.indexed_summits == (8, 9)


def test_the_model_is_not_asked_when_no_passage_can_answer(tiny, analyzer):
    data, vectors = tiny
    embedder = FixedEmbedder(vectors[0])
    answer = Pipeline(data, embedder, analyzer).answer("第12回の宣言は？")
    assert not answer.found and answer.notice == "no-summit" and answer.indexed_summits == (8, 9)
    assert embedder.calls == 0


def test_a_reranker_plugs_into_the_seam(tiny, analyzer):
    class Reverse:
        def rank(self, question, hits):
            return tuple(reversed(hits))

    data, vectors = tiny
    plain = Pipeline(data, FixedEmbedder(vectors[1]), analyzer).rank(question("岡谷市の取組みは？"))
    reversed_ = Pipeline(data, FixedEmbedder(vectors[1]), analyzer, reranker=Reverse()).rank(question("岡谷市の取組みは？"))
    assert [h.row for h in reversed_.hits] == [h.row for h in reversed(plain.hits)]


def test_a_question_about_an_organisation_as_a_whole_gets_the_opening_sentences():
    text = "一文目の説明です。" * 4 + "二つ目の話題があります。" * 6 + "最後の文。"
    spans = sentence_spans(text)
    start, end = lead_span(text, spans)
    assert start == 0 and end == spans[2][1]  # the first three sentences fit the excerpt's length
    assert lead_span("短い。", sentence_spans("短い。")) == (0, 3)
