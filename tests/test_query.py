"""Recognising cities, chambers, summits and glossary terms in questions."""
from __future__ import annotations

from pathlib import Path

import pytest

from index.corpus import Corpus
from index.query import QueryAnalyzer
from index.spelling import Speller, distance

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def analyze():
    corpus = Corpus.load(CORPUS)
    return QueryAnalyzer.build(corpus.gazetteer, corpus.glossary).analyze


@pytest.mark.parametrize("question", [
    "what did 岡谷 commit to?", "What did Okaya commit to?", "おかやの取組みは？", "岡谷市は何をする？", "OKAYA city",
])
def test_city_in_any_spelling(analyze, question):
    result = analyze(question)
    assert result.cities == ("岡谷市",) and result.organizations == ()


@pytest.mark.parametrize("question, org", [
    ("川口商工会議所は?", "川口商工会議所"),
    ("岡谷の会議所の取組み", "岡谷商工会議所"),
    ("Which trade fairs does the Higashi-Osaka Chamber of Commerce hold?", "東大阪商工会議所"),
    ("the Amagasaki chamber's projects", "尼崎商工会議所"),
    ("東商墨田支部の委員会", "東京商工会議所墨田支部"),
])
def test_chamber_alone(analyze, question, org):
    result = analyze(question)
    assert result.organizations == (org,) and result.cities == ()


def test_city_and_chamber_together(analyze):
    result = analyze("岡谷市と岡谷商工会議所はそれぞれ何をする？")
    assert result.cities == ("岡谷市",) and result.organizations == ("岡谷商工会議所",)
    result = analyze("What did the Amagasaki side commit to — city hall and the Amagasaki chamber?")
    assert result.cities == ("尼崎市",) and result.organizations == ("尼崎商工会議所",)


@pytest.mark.parametrize("question, summits", [
    ("第9回で事業承継について何と言っている？", (9,)),
    ("第九回の宣言", (9,)),
    ("in the 8th summit", (8,)),
    ("What did the ninth summit declaration say?", (9,)),
    ("すみだ宣言の前文", (9,)),
    ("What does the Ota declaration say about BCP?", (8,)),
    ("What was the first item?", ()),
])
def test_summits(analyze, question, summits):
    assert analyze(question).summits == summits


def test_declaration_names_are_not_cities(analyze):
    assert analyze("すみだ宣言の前文").cities == ()
    assert analyze("What does the Ota declaration say?").cities == ()


def test_latin_names_match_whole_words_only(analyze):
    assert analyze("What is the total budget?").cities == ()
    assert analyze("Is there anything about IT?").expansions  # an acronym keeps its case
    assert not analyze("is it good?").expansions


def test_glossary_brings_japanese_terms(analyze):
    assert "事業承継" in analyze("What about business succession?").expansions
    assert "事業承継" in analyze("会社の後継ぎ問題は？").expansions
    assert "事業継続計画" in analyze("BCP support in the 8th summit").expansions
    meta = analyze("What did they commit to?")
    assert meta.expansions == () and "commit" not in meta.residual


@pytest.fixture(scope="module")
def follow_up():
    corpus = Corpus.load(CORPUS)
    analyzer = QueryAnalyzer.build(corpus.gazetteer, corpus.glossary)
    return lambda previous, current: analyzer.analyze(analyzer.follow_up(previous, current))


def test_follow_up_replaces_the_city(follow_up):
    result = follow_up("What did 岡谷 commit to?", "and 川口?")
    assert result.cities == ("川口市",)


def test_follow_up_naming_another_summit_compares_the_topic_across_both(follow_up):
    """"第8回では？" after an answer on the 9th: the asker is comparing, so both summits side by side."""
    result = follow_up("第9回で事業承継について何と言っている？", "第8回では？")
    assert sorted(result.summits) == [8, 9] and result.comparison == "compare" and "事業承継" in result.residual
    again = follow_up("すみだ宣言ってデザインのこと何か書いてあった？", "それ、大田宣言の時点ではどういう位置づけだった？")
    assert sorted(again.summits) == [8, 9] and again.comparison == "compare" and "デザイン" in again.residual


def test_follow_up_naming_the_same_summit_keeps_it(follow_up):
    result = follow_up("第9回で事業承継について何と言っている？", "第9回では？")
    assert result.summits == (9,) and not result.comparison and "事業承継" in result.residual


def test_follow_up_with_its_own_topic_inherits_the_city(follow_up):
    result = follow_up("岡谷は何をしている？", "事業承継については？")
    assert result.cities == ("岡谷市",) and "事業承継" in result.residual


def test_follow_up_narrows_to_the_chamber(follow_up):
    result = follow_up("What did Okaya commit to?", "what about the chamber?")
    assert result.organizations == ("岡谷商工会議所",) and result.cities == ()


def test_no_previous_question(follow_up):
    assert follow_up("", "岡谷は？").cities == ("岡谷市",)


def test_an_organisation_and_one_summit_with_a_likeness_is_a_comparison(analyze):
    analysis = analyze("川口市の地域貢献事業者認定みたいな話、大田宣言にはあった？")
    assert analysis.comparison == "compare" and analysis.summits == (8,)
    assert not analyze("第9回で補助金みたいな話ある？").comparison  # no organisation: casual speech


@pytest.mark.parametrize("question, concept", [
    ("how do the 8th and 9th differ on intelectual property?", "知的財産"),
    ("How do the two summits handle business succesion?", "事業承継"),
    ("6都市でデーターベース作ったり共同受注したりする話", "データベース"),
    ("jigyo shokei って8回と9回の宣言でどう書いてある？", "事業承継"),  # romanised, as staff type it
])
def test_a_slip_of_the_keyboard_or_romaji_finds_the_glossary_concept(analyze, question, concept):
    result = analyze(question)
    assert any(concept in terms for terms in result.concepts + result.compounds)
    assert result.text == question  # the question is quoted as asked, not as mended


@pytest.mark.parametrize("question", [
    "How is environmentally friendly production treated?",  # a glossary word with an ending is no slip
    "What about exporters?",
    "shinki kaitaku",  # short romaji words are left as written (shinki is not shinkin)
])
def test_right_words_are_not_mended(question):
    speller = Speller(["environmental", "export", "shinkin", "intellectual"])
    assert speller.mend(question) == question


def test_mending_needs_one_nearest_word():
    assert distance("succesion", "succession", 2) == 1 and distance("declraton", "declaration", 2) == 2
    assert distance("abcdefgh", "zzzzzzzz", 2) == 3  # past the limit
    assert Speller(["succession"]).mend("succesion planning") == "succession planning"
    assert Speller(["contract", "contrast"]).mend("contrect") == "contract"
    assert Speller(["abcdefg", "abcdefh"]).mend("abcdefz") == "abcdefz"  # two as near: left as written


def test_a_section_chief_is_no_question_about_sections(analyze):
    assert "heading" in analyze("What are the sections of the Sumida declaration?").kinds
    assert "heading" not in analyze("I'm briefing our section chief: how do the two declarations treat medical fields?").kinds
    assert "heading" not in analyze("Do the declarations mention women in manufacturing? Asked by our 男女共同参画 section.").kinds
    assert "heading" in analyze("our planning section asks: what are the pillars?").kinds


def test_a_word_inside_another_concepts_written_term_is_that_term(analyze):
    result = analyze("都市間ネットワークとか共同受注とか、8回と9回でどう扱われてる？")
    assert any("共同受注" in terms for terms in result.compounds)
    assert not any("販路拡大" in terms for terms in result.concepts)  # not also the 受注 of finding buyers
    assert "展示" in analyze("展示会の支援は？").matched_terms  # inside its own concept's term it still counts


def test_the_host_city_stands_for_its_declaration_beside_a_topic_that_says_jigyo():
    corpus = Corpus.load(CORPUS)
    analyze = QueryAnalyzer.build(corpus.gazetteer, corpus.glossary, tuple(corpus.documents)).analyze
    result = analyze("Is BCP (事業継続計画) support still in すみだ宣言? It was in the Ota one iirc")
    assert set(result.summits) == {8, 9} and not result.cities  # 事業継続計画 is a topic, not the city's own 事業
    assert analyze("大田区の事業は第8回と第9回で変わった？").cities == ("大田区",)


def test_a_slip_in_a_short_word_of_a_glossary_phrase_is_mended_as_the_phrase():
    speller = Speller(["supply", "chain", "local", "bank"], phrases=["supply chain", "local bank"])
    assert speller.mend("Is the suply chain item gone?") == "Is the supply chain item gone?"
    assert speller.mend("suply chains and the local bnak") == "supply chains and the local bank"
    assert speller.mend("a simply chained word") == "a simply chained word"  # real words are left alone
    chamber = Speller(["chamber", "commerce"], phrases=["chamber of commerce"])
    assert chamber.mend("the Higashiosaka chamer of commerce") == "the Higashiosaka chamber of commerce"


def test_a_slip_in_a_city_name_is_mended(analyze):
    assert analyze("What did Amagaski commit to?").cities == ("尼崎市",)
    assert analyze("Kawaguch city's own initiatives").cities == ("川口市",)


@pytest.mark.parametrize("question, named, own_words", [
    ("社員や技術者を育てる話（人材育成）について、8回と9回で違いは？", "人材育成", {"社員", "育てる"}),
    ("on passing the business to the next generation (succession), 8th vs 9th?", "事業承継", {"next", "generation"}),
])
def test_a_topic_said_in_own_words_and_named_in_parentheses_is_the_named_topic(analyze, question, named, own_words):
    result = analyze(question)
    assert [named in terms for terms in result.concepts] == [True]  # "next generation" is no second topic
    assert own_words <= set(result.paraphrased)  # the asker's own words are optional, not missing


def test_a_glossary_term_glossed_in_parentheses_stays_the_topic(analyze):
    result = analyze("産学官連携（sangakukan renkei）ってすみだ宣言から消えた？")
    assert any("産学官連携" in terms for terms in result.concepts + result.compounds)
    assert "産学官" not in result.glosses


def test_the_host_city_in_parentheses_after_a_summit_is_no_question_about_the_city():
    corpus = Corpus.load(CORPUS)
    analyze = QueryAnalyzer.build(corpus.gazetteer, corpus.glossary, tuple(corpus.documents)).analyze
    for question in ("What does the 9th summit (Sumida) ask the national government on energy?",
                     "第8回（大田）と第9回（墨田）の宣言で住工共生は？",
                     "住工共生について、これまでのサミット（大田、すみだ）でどんなことを言ってきた？"):
        assert not analyze(question).cities, question
    assert analyze("大田区（第8回）の取組は？").cities == ("大田区",)
