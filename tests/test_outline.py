"""Structure questions over the real declarations' headings, without the model.

The corpus is parsed as `index build` parses it; the pipeline gets random
vectors and a stand-in embedder, because a structure answer never needs the
model: it is read off the headings.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.phrases import headline
from bot.render_html import document_body
from index import vectors as dense_index
from index.corpus import Corpus
from index.lexical import LexicalIndex, tokenize
from index.query import QueryAnalyzer
from index.retrieval import Pipeline
from index.retrieval.candidates import Facets, candidates
from index.retrieval.outline import is_structure, outlines
from index.retrieval.question import analyse
from index.sentences import sentence_spans
from index.store import IndexData

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


class CountingEmbedder:
    def __init__(self, dim: int):
        self.dim, self.calls = dim, 0

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        vector = np.zeros((len(texts), self.dim), dtype=np.float32)
        vector[:, 0] = 1.0
        return vector


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus.load(CORPUS)


@pytest.fixture(scope="module")
def pipeline(corpus) -> Pipeline:
    passages = corpus.passages()
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(len(passages), 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    spans = [sentence_spans(p.text) for p in passages]
    owner = np.array([row for row, s in enumerate(spans) for _ in s])
    lexicon = LexicalIndex.build([tokenize(p.text) for p in passages])
    data = IndexData("v1", {}, {d.key: d for d in corpus.documents}, passages, vectors, dense_index.build(vectors),
                     owner, np.array([span for s in spans for span in s]), vectors[owner], lexicon)
    analyzer = QueryAnalyzer.build(corpus.gazetteer, corpus.glossary, tuple(corpus.documents))
    return Pipeline(data, CountingEmbedder(8), analyzer)


def cited(answer) -> list[tuple[str, int]]:
    return [(c.excerpt, c.items) for c in answer.citations]


def test_headings_are_passages_with_their_span_and_the_path_they_open(corpus):
    source = (CORPUS / "documents" / "summit09_sumida.txt").read_text(encoding="utf-8")
    headings = [p for p in corpus.passages() if p.kind == "heading" and p.summit == 9]
    assert all(source[p.start:p.end].strip() == p.text for p in headings)
    pillar = next(p for p in headings if p.text == "（１）ものづくりの「新市場開拓」に向けて")
    assert pillar.section == ("宣言",) and pillar.label == pillar.text
    items = [p for p in corpus.passages() if p.section == ("宣言", pillar.label)]
    assert [p.label for p in items] == ["①", "②", "③", "④"]


def test_headings_are_candidates_only_for_structure_questions(pipeline):
    facets = Facets.of(pipeline.data.passages)
    ordinary = pipeline.analyse("事業承継について何と言っている？")
    structure = pipeline.analyse("すみだ宣言の柱は？")
    assert not (candidates(ordinary.analysis, facets).mask & (facets.kinds == "heading")).any()
    assert (candidates(structure.analysis, facets).mask & (facets.kinds == "heading")).any()


def test_the_pillars_of_a_declaration_are_its_headings_with_their_items(pipeline):
    answer = pipeline.answer("What are the main pillars of the 9th declaration?")
    assert answer.decision.reason == "structure"
    assert cited(answer) == [("（１）ものづくりの「新市場開拓」に向けて", 4), ("（２）ものづくりの「新しい形」に向けて", 4),
                             ("（３）ネットワーク強化と経営基盤強化に向けて", 5)]
    assert headline(answer) == "From the declarations' structure: 3 heading(s) or part(s), with 13 item(s) under them."
    assert pipeline.embedder.calls == 0  # read off the headings: the model is not asked


def test_how_many_proposals_counts_the_numbered_proposals_not_the_annex_s_paragraphs(pipeline):
    answer = pipeline.answer("すみだ宣言の国への提言って全部でいくつある？")
    assert cited(answer) == [("別紙：国への提言", 12), ("（１）ものづくりの新市場開拓に向けて", 3),
                             ("（２）ものづくりの新しい形に向けて", 3), ("（３）ネットワーク強化と経営基盤強化に向けて", 6)]
    assert headline(answer) == "宣言文の構成から、見出しなど4件（その下に計12項目）を示します。"


def test_a_heading_named_by_its_words_is_answered_with_its_items(pipeline):
    answer = pipeline.answer("大田宣言の「取引拡大」の章って、何項目ありました？")
    assert cited(answer) == [("2. 中小企業の取引拡大の推進", 5)]


def test_a_declaration_with_one_top_heading_is_described_one_level_down(pipeline):
    answer = pipeline.answer("what are the main sections of the Ota declaration?")
    assert [c.passage.summit for c in answer.citations] == [8, 8, 8, 8]
    assert [c.excerpt[:2] for c in answer.citations] == ["1 ", "2.", "3.", "4."]


def test_a_part_without_a_heading_is_stood_in_for_by_its_first_passage(pipeline):
    answer = pipeline.answer("what parts does the Sumida summit doc consist of?")
    parts = [(c.passage.kind, c.passage.section[:1] or (c.passage.label,)) for c in answer.citations]
    assert parts == [("heading", ("前文",)), ("heading", ("宣言",)), ("heading", ("別紙：国への提言",)),
                     ("paragraph", ("加盟都市・商工会議所の取組み",))]
    assert [c.items for c in answer.citations] == [10, 13, 12, 12]


@pytest.mark.parametrize("text", ["how many sections does a pizza have?", "大谷翔平って今シーズン何本ホームラン打ってます？",
                                  "第9回で事業承継について何と言っている？"])
def test_counting_words_alone_do_not_make_a_structure_question(pipeline, text):
    question = pipeline.analyse(text)
    assert not is_structure(question)
    assert pipeline.answer(text).decision.reason != "structure"


def test_each_item_count_is_what_the_document_page_shows_under_that_heading(corpus, pipeline):
    """The page renders a heading passage as the heading it is (with its anchor), never twice."""
    passages = [p for p in corpus.passages() if p.summit == 9]
    body = document_body(passages)
    shown = [item.passage.text for item in body if item.level] + [h.text for item in body for h in item.headings]
    assert shown.count("（１）ものづくりの「新市場開拓」に向けて") == 1
    assert "加盟都市・商工会議所の取組み" in shown  # the part the source gives no heading
    outline = outlines(passages)["summit09-sumida"]
    declaration = next(p for p in passages if p.kind == "heading" and p.label == "宣言")
    assert len(outline.items(declaration)) == sum(1 for p in passages if p.kind == "declaration")


def test_structure_questions_are_analysed_from_the_question_words(pipeline):
    question = analyse("9回目の提言で一番項目多いのはどの柱？", pipeline.analyzer, pipeline.data.lexical)
    assert is_structure(question) and {"proposal", "heading"} <= set(question.analysis.kinds)
