"""Comparing summits (issue 17): the question, the alignment, and the answer in every front end.

The words and scopes are tested without the model; the answers on the real
index, through `summitbot ask --json`, Block Kit validated by slack_sdk, the bot
over real HTTP against the fake Slack, and the ask page in headless Chromium at
phone size.
"""
from __future__ import annotations

import json
import shutil
import urllib.parse
from dataclasses import replace
from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block

from bot.blocks import answer_blocks
from bot.render_text import answer_json, render_text
from bot.settings import BotSettings
from index.comparison_words import comparison_kind, without_cues
from index.model import SummitColumn
from index.retrieval.comparison import MAX_COLUMNS, _page
from index.retrieval.scope import Scope, scope_of
from index.query import glosses
from index.summits import summit_numbers

from .conftest import cli_env, summitbot
from .slackbot import RunningBot, blocks_text, event_body, mention, post, running_bot

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BCP = "第8回と第9回でBCPについてどう変わった？"


# ---------------------------------------------------------------------- the question, without the model

@pytest.mark.parametrize("text, named, kind", [
    ("第8回と第9回で事業承継についてどう変わった？", 2, "compare"),
    ("第8回と第9回の事業承継", 2, "compare"),
    ("海外展開について毎回何と言っている？", 0, "history"),
    ("how did our position on 海外展開 change?", 0, "history"),
    ("What is new in the 9th declaration?", 1, "new"),
    ("第8回にあって第9回でなくなったのは？", 2, "dropped"),
    ("前回と比べて？", 0, "compare"),
    ("第9回でも事業承継に触れてる？", 1, "compare"),
    ("第9回で事業承継について何と言っている？", 1, ""),
    ("9回の前文で、今までの成果として何が挙がってました？", 1, ""),  # one summit named: its own words
    ("新しい形について", 0, ""),  # the 9th summit's topic, not a question about what is new
    ("新しく起業した人と昔からある会社をつなぐ話は宣言にある？", 0, ""),
    ("大田宣言では、事業を他の会社に引き継ぐことについて何か書いてある？", 1, ""),
    ("What did the 8th say about raising the added value of products?", 1, ""),  # added value: a topic
    ("What was added in the 9th?", 1, "new"),
    ("Track record on high value-added products across the summits?", 0, "history"),  # value-added: a topic
    ("9回で新しく加わった項目は？", 1, "new"),
    ("did the 9th drop anything about supply chains?", 1, "dropped"),
    ("What did Kawaguchi CCI put forward at each summit?", 0, "history"),
    ("シニア人材の活用について、両宣言はどう扱ってる？", 0, "history"),
    ("前のサミットでも言ってた？", 0, "compare"),
    ("国に対して何か求めてるのは？8回も含めて", 1, "compare"),
    ("すみだ宣言の宣言項目で、大田宣言になかった新しいものはどれ？", 2, "new"),
    ("震災復興・被災地支援の関係で、第9回から抜け落ちたものは何ですか。", 1, "dropped"),
    ("新しいものづくりの拠点", 1, ""),
    ("What did the 9th declaration add that the 8th didn't have?", 2, "new"),
    ("how do I add a declaration?", 0, ""),  # "add" is what is new only with a summit named
    ("Ota hosted the 8th - what has Ota put forward at each summit?", 1, "history"),  # every summit, in words
    ("産学官連携って第8回では宣言に入ってましたよね？第9回でも残ってます？", 2, "dropped"),
    ("震災の話で、8回で言ってたことで9回に引き継がれてないものは？", 2, "dropped"),
    # in either: each summit held to the topic (記載なし where it is silent), not one mixed list
    ("Did either summit say anything about foreign workers?", 0, "history"),
])
def test_comparison_words(text, named, kind):
    assert comparison_kind(text, named) == kind


def test_cues_are_not_the_topic():
    topic = without_cues("how did the 8th and 9th differ on overseas expansion?")
    assert "differ" not in topic and "overseas expansion" in topic
    assert "変わった" not in without_cues("事業承継についてどう変わった？")


@pytest.mark.parametrize("text, numbers", [
    ("8回と9回で書きぶり違う？", [8, 9]), ("8回→9回", [8, 9]), ("8 vs 9", [8, 9]),
    ("how did 8 and 9 compare", [8, 9]), ("月2回の展示会", []), ("10回以上", []), ("3 and 5 items", []),
    ("the 6th sector industrialization", []), ("herb / 6th-industry project at the 8th", [8]),
    ("8回・9回で触れてる？", [8, 9]), ("8回と9回を比べると", [8, 9]), ("8回と9回それぞれ", [8, 9]), ("8・9回で", [8, 9]), ("8と9回の宣言", [8, 9]), ("2・3回開催", []),
])
def test_summits_named_in_comparisons(text, numbers):
    assert summit_numbers(text) == numbers


def test_glosses_are_the_words_written_only_in_parentheses():
    assert glosses("海外展開（kaigai tenkai）の支援") == {"kaigai", "tenkai"}
    assert "見学" in glosses("産業観光（工場見学みたいなの）")
    assert glosses("展示会（展示会の開催）") == {"開催"}  # 展示会 is also written outside: not a gloss
    assert glosses("事業承継について") == set()
    # in an English question the Japanese in parentheses is the topic's own name, not a gloss
    assert glosses("what's the cap on the IT introduction subsidy (IT導入補助金)?") == set()



def test_scopes():
    indexed = (8, 9, 10, 11)
    assert scope_of("compare", (8, 9), False, indexed).summits == (8, 9)
    assert scope_of("history", (), False, indexed).summits == indexed
    assert scope_of("compare", (11,), True, indexed).summits == (10, 11)  # 前回と比べて
    assert scope_of("compare", (), True, indexed).summits == (10, 11)
    new = scope_of("new", (9,), False, indexed)
    assert (new.listed, new.against) == (9, 8)
    dropped = scope_of("dropped", (8,), False, indexed)  # "what did the 8th have that was dropped"
    assert (dropped.listed, dropped.against) == (8, 9)
    # nothing before the first summit: 「8回にはなかった…」 asks what is new since it
    assert scope_of("new", (8,), False, indexed) == Scope("new", (8, 9), 9, 8)
    assert scope_of("history", (), False, (9,)) is None


def test_a_long_history_shows_the_newest_summits_first_then_the_older():
    columns = [SummitColumn(n, None) for n in range(1, 13)]  # twelve summits
    page, older = _page(columns, 5, 0)
    assert [c.summit for c in page] == list(range(12 - MAX_COLUMNS + 1, 13)) and older == 12 - MAX_COLUMNS
    page, older = _page(columns, 5, MAX_COLUMNS)
    assert [c.summit for c in page] == [3, 4, 5, 6, 7] and older == 2


# ---------------------------------------------------------------------- answers on the real index

def test_a_summit_that_says_nothing_is_shown_as_such(service):
    answer = service.ask(BCP)
    assert answer.found and answer.comparison.kind == "compare"
    eighth, ninth = answer.comparison.columns
    assert (eighth.summit, ninth.summit) == (8, 9)
    assert "事業継続計画" in eighth.citations[0].excerpt
    assert ninth.empty and ninth.note == "not-mentioned"  # never filled with a weak match
    assert answer.citations == eighth.citations  # `citations` holds the columns' citations, in order


def test_both_summits_on_a_topic_they_share(service):
    answer = service.ask("how did the 8th and 9th differ on overseas expansion?")
    eighth, ninth = answer.comparison.columns
    assert "海外市場の開拓" in eighth.citations[0].passage.text
    assert "海外展開" in ninth.citations[0].passage.text
    assert [c.label for c in answer.citations] == ["[1]", "[2]"]


def test_what_is_new_and_what_was_dropped(service):
    new = service.ask("第9回で新しく加わったものは？")
    assert new.comparison.kind == "new" and new.comparison.against == 8
    listed = " ".join(c.passage.text for c in new.citations)
    assert "産業観光" in listed and "地域金融機関" not in listed  # 地域金融機関 was in the 8th too
    dropped = service.ask("第8回にあって第9回でなくなったのは？")
    assert dropped.comparison.kind == "dropped" and all(c.passage.summit == 8 for c in dropped.citations)
    assert any("事業継続計画" in c.passage.text for c in dropped.citations)


def test_a_topic_no_declaration_mentions_fills_no_cell(service):
    answer = service.ask("インボイス制度について8回と9回で何か言ってる？")
    assert not answer.citations


def test_a_thread_follow_up_becomes_a_comparison(service):
    asked = service.follow_up("第9回で海外展開について何と言っている？", "前回と比べて？")
    answer = service.ask(asked)
    assert [c.summit for c in answer.comparison.columns] == [8, 9]
    assert all(not c.empty for c in answer.comparison.columns)


def test_within_a_summit_the_passage_on_the_topic(service):
    """事業承継 written out is that compound: the 9th's 事業承継 proposal, not its 技術承継 (passing on skills)."""
    eighth, ninth = service.ask("第8回と第9回で事業承継についてどう変わった？").comparison.columns
    assert "事業承継" in eighth.citations[0].passage.text
    assert "事業承継" in ninth.citations[0].passage.text


def test_a_gloss_in_parentheses_is_not_a_missing_topic(service):
    answer = service.ask("第8回と第9回で、海外展開（kaigai tenkai）の支援の書き方ってどう変わりました？")
    eighth, ninth = answer.comparison.columns
    assert "海外市場" in eighth.citations[0].passage.text and "海外展開" in ninth.citations[0].passage.text
    tourism = service.ask("第9回で新しく出てきた産業観光（工場見学みたいなの）って、どこに書いてありますか")
    assert tourism.found and "産業観光" in tourism.citations[0].passage.text


def test_words_about_the_text_are_no_topic(service):
    """「…についての記述」 asks about BCP, not about a word 記述 no declaration uses."""
    eighth, ninth = service.ask("大田宣言とすみだ宣言で、BCPの策定支援についての記述を比べてもらえますか。").comparison.columns
    assert "事業継続計画" in eighth.citations[0].passage.text and ninth.empty


def test_the_city_office_is_the_city_not_its_chamber(service):
    analysis = service.pipeline.analyse("大田区役所としての独自事業").analysis
    assert analysis.organizations == ("大田区",) and not analysis.cities
    answer = service.ask("大田区役所としての独自事業、8回と9回の宣言でどう載ってるか比べたい")
    ninth = answer.comparison.columns[-1]
    assert ninth.citations and {c.passage.organization for c in ninth.citations} == {"大田区"}


def test_one_topic_said_two_ways_is_one_topic(service):
    answer = service.ask("展示会や見本市の開催・出展のサポート、8回と9回の宣言で比較してほしいです")
    assert answer.comparison.topics == ()  # not two topics, 展示会 and 見本市
    eighth, ninth = answer.comparison.columns
    assert "展示会" in eighth.citations[0].passage.text and len(eighth.citations) == 1
    two = service.ask("事業承継と海外展開、8回→9回でどう変わった？")
    assert len(two.comparison.topics) == 2


def test_a_glossary_phrase_is_not_also_its_last_word(service):
    analysis = service.pipeline.analyse("economic partnership deals with other countries").analysis
    assert analysis.concepts == (("経済連携",),)  # not also the "partnership" of ネットワーク・連携
    # "did it survive into the 9th?" asks what was dropped: the 8th's item, which has no counterpart in the 9th
    answer = service.ask("Did the 8th's line about economic partnership deals with other countries survive into the 9th?")
    assert answer.comparison.kind == "dropped" and [c.summit for c in answer.comparison.columns] == [8]
    assert "経済連携" in answer.citations[0].passage.text


def test_a_history_follow_up_leaves_the_earlier_summit(service):
    asked = service.follow_up("What did the Ota declaration say about raising the added value of products?",
                              "has that stayed a theme across the summits since?")
    analysis = service.pipeline.analyse(asked).analysis
    assert analysis.comparison == "history" and not analysis.summits
    assert "added value" in analysis.matched_terms  # "added" is no what's-new cue here
    assert [c.summit for c in service.ask(asked).comparison.columns] == [8, 9]


def test_a_romaji_gloss_does_not_make_the_question_unanswerable(service):
    answer = service.ask("事業承継（jigyo shokei）の扱いって第8回→第9回でどう変わった？")
    eighth, ninth = answer.comparison.columns
    assert "事業承継" in eighth.citations[0].passage.text and "事業承継" in ninth.citations[0].passage.text


def test_the_joint_text_stands_in_where_the_organisation_has_none_of_its_own(service, built):
    """The 8th has no initiatives of the cities: on a topic the declaration they all adopted is 尼崎's line,
    said to be the joint text; at the 9th, 尼崎's own passage, and only when it is on the topic."""
    question = "How did 尼崎市's position on the environment change from the 8th summit to the 9th?"
    eighth, ninth = service.ask(question).comparison.columns
    assert eighth.note == "joint" and eighth.citations and not eighth.citations[0].passage.city
    assert "環境" in eighth.citations[0].passage.text
    assert ninth.note == "" and ninth.citations[0].passage.city == "尼崎市"
    text = summitbot("ask", question, env=cli_env(built)).stdout
    assert "joint declaration" in text
    asked = service.follow_up(question, "What about business succession for them?")
    assert service.ask(asked).comparison.columns[-1].empty  # 尼崎's own passages say nothing on it
    orders = service.ask("岡谷市の受注開拓、8回と9回でどう違う？").comparison.columns[0]
    assert orders.note == "joint" and "新規顧客開拓" in orders.citations[0].passage.text
    for asked in ("岡谷市独自の受注開拓の取組み、8回と9回でどう違う？", "岡谷市の受注開拓の取組み、8回と9回でどう違う？"):
        own = service.ask(asked).comparison.columns[0]
        assert own.empty and own.note == "joint-only", asked  # its own work (独自, 取組み) asked for: no stand-in
    two = service.ask("Amagasaki has a green new deal. How does the environmental side compare between the two summits?")
    assert two.comparison.columns[0].note == "joint"  # "the two summits": summits spoken of
    unnamed = service.ask("岡谷市と東大阪商議所、展示会まわりの支援ってどう違う？")
    assert all(c.note != "joint" for c in unnamed.comparison.columns)  # no summit named: the two organisations


def test_a_follow_up_naming_the_other_summit_sets_the_two_side_by_side(service):
    asked = service.follow_up("すみだ宣言で金融円滑化法の終了について何か言ってる？", "大田宣言には？")
    eighth, ninth = service.ask(asked).comparison.columns
    assert eighth.empty and "金融円滑化法" in ninth.citations[0].passage.text  # never a weak match for the 8th


def test_the_passage_page_knows_the_same_topic_at_other_summits(service):
    ninth = next(p for p in service.data.passages if p.summit == 9 and p.text.startswith("地域金融機関との連携"))
    [other] = service.counterparts(ninth.id)
    assert other.summit == 8 and other.text.startswith("地域金融機関と連携しつつ")


def test_json_has_one_entry_per_summit(built):
    result = summitbot("ask", "--json", BCP, env=cli_env(built))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["comparison_kind"] == "compare"
    assert [(c["summit"], len(c["citations"]), c["empty"]) for c in data["comparison"]] == [(8, 1, False), (9, 0, True)]
    assert [c["label"] for c in data["citations"]] == [c["label"] for e in data["comparison"] for c in e["citations"]]
    text = summitbot("ask", BCP, env=cli_env(built)).stdout
    assert "■ 第8回「がんばろう中小企業 大田宣言」" in text and "記載なし" in text


def test_block_kit_one_section_per_summit_oldest_first(service):
    answer = service.ask("海外展開について毎回何と言っている？")
    blocks = answer_blocks(answer, "rec1")
    for block in blocks:
        Block.parse(block).validate_json()
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    eighth = next(i for i, t in enumerate(texts) if "第8回" in t)
    ninth = next(i for i, t in enumerate(texts) if "第9回" in t and "*" in t)
    assert eighth < ninth and len(blocks) <= 50
    empty = answer_blocks(service.ask(BCP), "rec2")
    assert any(b["type"] == "context" and "記載なし" in b["elements"][0]["text"] for b in empty)
    assert answer_json(answer)["comparison"][0]["summit"] == 8


def test_a_topic_with_nothing_new_says_so_in_every_front_end(service):
    """Nothing new on exports in the 9th: the headline says its passages on it have counterparts in the 8th."""
    answer = service.ask("9回目で海外展開について新しく加わったことは？")
    assert answer.comparison.columns[0].note == "carried"
    blocks = answer_blocks(answer, "rec3")
    for block in blocks:
        Block.parse(block).validate_json()
    shown = " ".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert "新しい項目はありません" in shown and "第8回に" in shown and "対応する記載あり" in shown
    assert "新しい項目はありません" in render_text(answer)
    english = service.ask("anything new on overseas markets in the 9th declaration?")
    assert "Nothing new on this in the 9th summit" in " ".join(
        b["text"]["text"] for b in answer_blocks(english, "rec4") if b["type"] == "section")


# ---------------------------------------------------------------------- Slack over HTTP, the pages in a browser

@pytest.fixture(scope="module")
def bot(slack, service, built, tmp_path_factory):
    with running_bot(slack, service, built, tmp_path_factory.mktemp("db") / "records.sqlite3", "http") as running:
        yield running


def test_a_comparison_through_slack(slack, bot):
    ts = "1700007001.000100"
    status, _, _ = post(bot.url + "/slack/events", event_body(mention(BCP, ts), "EvCmp1"))
    assert status == 200
    [reply] = slack.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts") == ts)  # blocks validated
    text = blocks_text(reply)
    assert text.index("第8回「がんばろう中小企業 大田宣言」") < text.index("第9回「すみだ宣言」")
    assert "事業継続計画" in text and "記載なし" in text


@pytest.fixture(scope="module")
def site(built, service, tmp_path_factory):
    settings = BotSettings(index=replace(built, public_url="https://summit.example.jp"))
    with RunningBot(settings, service, tmp_path_factory.mktemp("db") / "records.sqlite3") as running:
        yield running


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it with apt-get when it can)")
def test_the_comparison_table_stacks_on_a_phone(site):
    playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    ARTIFACTS.mkdir(exist_ok=True)
    question = "海外展開について毎回何と言っている？"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            wide = browser.new_page(viewport={"width": 1200, "height": 900})
            wide.goto(site.url + "/?q=" + urllib.parse.quote(question))
            cells = wide.query_selector_all("table.comparison tbody td")
            left, right = (c.bounding_box() for c in cells[:2])
            assert abs(left["y"] - right["y"]) < 2 and right["x"] > left["x"]  # side by side
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(site.url + "/?q=" + urllib.parse.quote(question))
            cells = phone.query_selector_all("table.comparison tbody td")
            top, below = (c.bounding_box() for c in cells[:2])
            assert below["y"] >= top["y"] + top["height"] - 1  # stacked
            assert top["x"] >= 0 and top["x"] + top["width"] <= 390 + 1  # readable: within the screen
            label = phone.evaluate("getComputedStyle(document.querySelector('table.comparison td'), '::before').content")
            assert "第8回" in label  # each cell says its summit
            phone.screenshot(path=str(ARTIFACTS / "comparison-phone.png"), full_page=True)
            phone.click("table.comparison td a")
            phone.wait_for_selector(".passage.cited")
            assert "同じテーマの他回の記載" in phone.inner_text("aside.counterparts")
        finally:
            browser.close()
    assert (ARTIFACTS / "comparison-phone.png").stat().st_size > 10_000


def test_an_english_topic_no_declaration_uses_fills_no_cell(service):
    """"women" is 女性, which neither declaration uses: no 創業 item stands in for female entrepreneurs."""
    answer = service.ask("Comparing the 8th and 9th declarations: what do they say about supporting female entrepreneurs?")
    assert not answer.found or all(c.empty for c in answer.comparison.columns)
    assert "女性" in service.pipeline.analyse("support for women in manufacturing").analysis.unknown_nouns


def test_what_is_new_on_a_topic_lists_the_later_summits_new_items_on_it(service):
    answer = service.ask("what is new in the 9th on industrial tourism?")
    assert answer.comparison.kind == "new" and [c.summit for c in answer.comparison.columns] == [9]
    assert "産業観光" in answer.citations[0].passage.text
    # every 9th-summit item on exports has a counterpart in the 8th: the 9th's items on it, said to be carried over
    # (never the 8th as a column: what is new in the 9th is not a question the 8th answers)
    exports = service.ask("what's new in the 9th compared with the 8th on exports?")
    assert exports.comparison.kind == "new" and [c.summit for c in exports.comparison.columns] == [9]
    assert exports.comparison.columns[0].note == "carried" and exports.decision.notice == "carried-new"
    assert "海外" in exports.citations[0].passage.text
    assert service.ask("9回で新しく加わった項目は？").citations  # 加わった and 項目 are no topic


def test_a_dropped_question_on_a_topic_shows_only_the_earlier_summit(service):
    """「地域金融機関との連携、9回でなくなってない？」: nothing was dropped (the 9th has ④地域金融機関との連携), which
    the answer says, listing nothing: a carried-over item is no answer to "what was dropped"; the 9th is no column
    of its own, as the answer is about what the 8th had."""
    answer = service.ask("地域金融機関との連携、9回でなくなってない？")
    assert answer.comparison.kind == "dropped" and [c.summit for c in answer.comparison.columns] == [8]
    assert answer.comparison.columns[0].note == "kept" and not answer.citations
    assert "消えた項目はありません" in render_text(answer) and "記載なし" not in render_text(answer)
    blocks = answer_blocks(answer, "rec5")
    for block in blocks:
        Block.parse(block).validate_json()
    assert "引き継がれています" in json.dumps(blocks, ensure_ascii=False)
    gone = service.ask("8回にあった被災地の産業の立て直しへの協力、9回ではなくなった？")  # truly dropped: listed
    assert "被災地" in gone.comparison.columns[0].citations[0].passage.text
    gone = service.ask("8回の宣言にあって、9回（提言や各都市の取組みも含めて）ではもう出てこない項目ってある？")
    assert gone.comparison.kind == "dropped" and gone.comparison.against == 9  # 「9回（」 names the 9th


def test_a_question_about_the_proposals_finds_none_at_a_summit_that_made_none(service):
    """The 8th made no proposals to the government: its 事業承継 commitment is no answer to 「国への提言では」;
    「国への提言も含めて」 widens a question instead of narrowing it."""
    plain = service.ask("事業承継について、これまでのサミットでは何と言ってきた？")
    assert all(c.citations for c in plain.comparison.columns)
    answer = service.ask("事業承継について、これまでのサミットの国への提言では何を求めてきた？")
    eighth, ninth = answer.comparison.columns
    assert eighth.empty and ninth.citations and ninth.citations[0].passage.kind == "proposal"
    wider = service.ask("医療や環境みたいな成長分野への進出、8回と9回の宣言（国への提言も含めて）で書き方どう違う？")
    assert all(c.citations for c in wider.comparison.columns)


def test_a_japanese_glossary_word_stands_for_its_concept(service):
    """「震災関連」: the 8th's 被災地 and 災害に強い企業づくり items are about 震災 though neither writes the word."""
    answer = service.ask("震災関連の項目で9回に引き継がれなかったやつある？")
    listed = [c.passage.text for c in answer.comparison.columns[0].citations]
    assert answer.comparison.kind == "dropped" and any("被災地" in t for t in listed)
    assert all("被災地" in t or "災害" in t for t in listed)


def test_a_concept_no_declaration_writes_fills_no_cell(service):
    """外国人材: 外国 and 人材 are each words of the corpus, the concept is in neither declaration ("either summit"
    asks across them)."""
    answer = service.ask("Do either of the declarations say anything about foreign workers or technical intern trainees?")
    assert not answer.found or all(c.empty for c in answer.comparison.columns)


def test_a_statement_of_the_askers_errand_is_no_topic(service):
    """「お疲れさまです。議会答弁の準備で確認させてください。」 says why, not what: 議会 and 答弁 are no topic the
    declarations lack; a sentence that asks (「半導体は？」) keeps its words."""
    answer = service.ask("お疲れさまです。議会答弁の準備で確認させてください。住工共生について、第8回と第9回の宣言で"
                         "それぞれどのように書かれていますか。")
    assert answer.found and all(c.citations for c in answer.comparison.columns)
    assert "導体" in service.pipeline.analyse("事業承継について教えて。半導体は？").analysis.unknown_nouns


def test_narrowed_to_the_proposals_in_a_follow_up(service):
    """「国への提言だけに絞ると」 leaves the 8th, which made no proposals, with nothing."""
    first = "大田宣言とすみだ宣言で、海外展開やアジア市場への対応はそれぞれどう書かれていますか？"
    assert all(c.citations for c in service.ask(first).comparison.columns)
    narrowed = service.ask(service.follow_up(first, "国への提言だけに絞るとどうなりますか？")).comparison.columns
    assert narrowed[0].empty and narrowed[1].citations[0].passage.kind == "proposal"


def test_english_filler_and_either_declaration(service):
    city = service.ask("What did Kawaguchi put forward at the 8th vs the 9th summit? The city, I mean").comparison
    assert city.columns[-1].citations[0].passage.organization == "川口市"
    women = service.ask("Do either the Ota or the Sumida declaration say anything about supporting women in "
                        "manufacturing or female entrepreneurs?")
    assert not women.found or all(c.empty for c in women.comparison.columns)


@pytest.mark.parametrize("question, every_summit", [
    ("大田宣言とすみだ宣言で、事業承継についての書きぶりはどう違いますか？次の宣言案の参考にしたいです。", True),
    ("住工共生について、宣言本文では8回と9回でどう書かれてる？", True),
    ("創業・起業支援について、これまでのサミットでの発言をまとめてもらえますか", True),
    ("地域ブランドの扱いって、大田宣言とすみだ宣言でどう変わってますか？新市長へのレク資料に使いたいので、両方の該当箇所を教えてください。",
     False),
    ("人材育成・技術の継承について、サミットでこれまでどういうことが掲げられてきましたか。", False),
    ("Is the six-city shared database / joint order-taking idea new in Sumida, or was it already in the Ota declaration?",
     False),
])
def test_the_askers_own_words_leave_the_topic_answered(service, question, every_summit):
    """参考, 案, 本文, 発言, a briefing for the new mayor are words no declaration uses, but no topic the declarations
    lack; 継承 is 承継's; "six-city" names no city (Sumida is the 9th declaration)."""
    answer = service.ask(question)
    assert answer.found and answer.comparison
    columns = answer.comparison.columns if every_summit else answer.comparison.columns[-1:]
    assert all(c.citations for c in columns)


def test_the_cities_own_initiatives_asked_of_none_in_particular(service):
    """The 8th has no initiative of any city: its joint items are no answer to "their own initiatives"."""
    answer = service.ask("Which member cities or chambers mention overseas markets in their own initiatives? 第8回 第9回")
    eighth, ninth = answer.comparison.columns
    assert eighth.empty and ninth.citations[0].passage.kind == "initiative"


def test_how_about_the_chambers_keeps_the_topic_and_asks_every_chamber(service):
    first = "Trade fairs and business meetings (展示会・商談会): what did the 8th and 9th commit to?"
    answer = service.ask(service.follow_up(first, "how about the chambers?"))
    eighth, ninth = answer.comparison.columns
    assert eighth.empty  # the 8th has no chamber's initiative
    cited = ninth.citations[0].passage
    assert cited.kind == "initiative" and cited.organization != cited.city
    assert any(word in cited.text for word in ("展示会", "見本市", "商談会"))


def test_the_chamber_after_a_question_on_the_city_as_itself(service):
    merged = service.follow_up("川口は8回と9回でそれぞれ市としてどんな取組みを打ち出してた？", "商工会議所の方は？")
    ninth = service.ask(merged).comparison.columns[-1]
    assert {c.passage.organization for c in ninth.citations} == {"川口商工会議所"}


def test_a_follow_up_narrowing_a_dropped_list_to_a_topic(service):
    merged = service.follow_up("8回目の宣言にあって、9回目でなくなった項目ってどれですか？", "そのうち震災がらみのものだけだと？")
    answer = service.ask(merged)
    assert answer.comparison.kind == "dropped" and [c.summit for c in answer.comparison.columns] == [8]
    assert any("被災地" in c.passage.text for c in answer.citations)


def test_new_since_the_first_summit_and_casual_dropped_words(service):
    since = service.ask("国への提言で、8回にはなかった資金繰りや金融面の要望って何がありますか？").comparison
    assert since.kind == "new" and since.against == 8 and [c.summit for c in since.columns] == [9]
    gone = service.ask("企業誘致・立地促進の項目、9回では無くなっちゃった？").comparison
    assert gone.kind == "dropped" and [c.summit for c in gone.columns] == [8]


def test_a_question_asking_for_measures_is_not_answered_by_the_preamble(service):
    """「原材料費の高騰への対応」: the 9th's preamble names rising costs among its problems, which is no response to
    them; without 対応 the same sentence is what the 9th says on the topic."""
    measures = service.ask("原材料費の高騰への対応、第8回と第9回で比較してもらえますか")
    ninth = [c for c in measures.comparison.columns if c.summit == 9] if measures.comparison else []
    assert not measures.found or all(c.empty for c in ninth)
    topic = service.ask("rising raw material costs from the weak yen - 8th vs 9th?").comparison
    assert [c for c in topic.columns if c.summit == 9 and c.citations]


def test_the_city_named_comes_before_its_chamber_and_an_excluded_one_is_left_out(service):
    city = service.ask("岡谷市って8回と9回でそれぞれ自分のとこの取組み出してた？").comparison.columns
    assert city[-1].citations[0].passage.organization == "岡谷市"  # 自分, とこ, 出す are no topic
    chamber = service.ask("What did Kawaguchi CCI (the chamber, not the city) put forward at each summit?")
    organizations = {c.passage.organization for c in chamber.comparison.columns[-1].citations}
    assert organizations == {"川口商工会議所"}
    not_chamber = service.ask("岡谷市の取組み、8回と9回で比べるとどう？（商工会議所じゃなくて市のほう）")
    assert {c.passage.organization for c in not_chamber.citations} == {"岡谷市"}


def test_a_latin_term_is_held_as_a_word(service):
    """ＩＴ is not the "it" of "Business Continuity Plan": the 8th says nothing on digital."""
    eighth = service.ask("How do the two summits compare on digital?").comparison.columns[0]
    assert eighth.empty


def test_follow_ups_across_summits(service):
    chamber = service.follow_up("尼崎市は第9回で何をやるって言ってた？", "商工会議所の方はどう？8回と9回で比べて")
    analysis = service.pipeline.analyse(chamber).analysis
    assert analysis.organizations == ("尼崎商工会議所",) and not analysis.cities and sorted(analysis.summits) == [8, 9]
    city = service.follow_up("東大阪市は第9回でどんな取組みを出してる？",
                             "ok and how does that compare with what Higashiosaka had in the 8th?")
    assert sorted(service.pipeline.analyse(city).analysis.summits) == [8, 9]
    since = service.follow_up("What does the Sumida declaration say about jinzai ikusei (training people)?",
                              "has that been there every time?")
    assert service.pipeline.analyse(since).analysis.comparison == "history"


def test_words_about_the_declarations_are_no_topic_of_their_own(service):
    """テーマ, 出てくる and a lone ・ left by 8回・9回 are no topic: an unknown one (オリンピック) is answered as such."""
    theme = service.ask("産業集積の維持って毎回テーマになってる？")
    assert theme.found and "産業集積" in theme.comparison.columns[-1].citations[0].passage.text
    olympics = service.ask("東京オリンピック・パラリンピックに絡めた取組みって、8回・9回の宣言に出てくる？")
    assert not olympics.citations
    digital = service.ask("ITとかデジタル化の話って、毎回宣言に入ってる？")  # デジタル化 is the 9th's ＩＴ
    assert digital.found and "ＩＴ" in digital.comparison.columns[-1].citations[0].passage.text


def test_a_term_inside_another_concepts_term_is_not_held(service):
    """The 環境 of 操業環境 (factories next to homes) is not the environment: the 8th's 省エネ・環境 item is."""
    eighth = service.ask("how do the two summits compare on environment / green stuff?").comparison.columns[0]
    assert "省エネルギー" in eighth.citations[0].passage.text


def test_asking_what_each_declaration_asks_of_the_government(service):
    """"actually", "two" are no topic: the question is about the proposals, which only the 9th has."""
    eighth, ninth = service.ask("What does each declaration actually ask the national government to do?").comparison.columns
    assert eighth.empty and ninth.citations and ninth.citations[0].passage.kind == "proposal"


def test_a_shorthand_spelled_out_in_parentheses_is_the_spelled_out_topic(service):
    answer = service.ask("知材（知的財産）についてサミットではこれまで何と言ってきた？")
    assert [bool(c.citations) for c in answer.comparison.columns] == [True, True]
    assert all("知的財産" in c.citations[0].passage.text for c in answer.comparison.columns)


def test_the_earlier_questions_trailing_aside_is_not_part_of_the_follow_up(service):
    earlier = "資金繰りとか金融面の支援って、8回と9回でそれぞれ何て書いてある？議会答弁用です"
    answer = service.ask(service.follow_up(earlier, "提言のほうだけだと？"))
    eighth, ninth = answer.comparison.columns
    assert not eighth.citations  # the 8th made no proposals
    assert ninth.citations and all(c.passage.kind == "proposal" for c in ninth.citations)
    assert "資金調達" in ninth.citations[0].passage.text


@pytest.mark.parametrize("question", [
    "What does each summit say about 地域ブランド? I only need the declaration + proposals to the national govt, "
    "not the per-city stuff.",
    "Comparing 8th vs 9th: how is regional branding treated? Our chamber is reviewing its brand certification program.",
])
def test_the_joint_text_and_proposals_asked_together_and_the_askers_own_chamber(service, question):
    """The 8th's joint item answers both: "declaration + proposals" leaves out only the initiatives, and "our
    chamber" is who asks, not a question about the chambers' initiatives."""
    eighth, ninth = service.ask(question).comparison.columns
    assert eighth.citations and "地域ブランド" in eighth.citations[0].passage.text
    assert ninth.citations


def test_including_in_english_widens_what_follows_it(service):
    answer = service.ask("Overseas expansion: what have the summits committed to each time? incl. proposals and each "
                         "city's own measures")
    eighth, ninth = answer.comparison.columns
    assert eighth.citations and eighth.citations[0].passage.kind == "declaration"  # "own" is inside the widening
    assert ninth.citations


@pytest.mark.parametrize("question, written", [
    ("地元の信金・地銀と組んで企業を支える話、これまでのサミット宣言で毎回どう言ってきましたか？", "地域金融機関"),
    ("環境ビジネスとかグリーン系の取組みって、大田宣言とすみだ宣言でどう違う？", "環境"),
    ("これから会社を立ち上げる人向けの支援って、大田宣言とすみだ宣言の本文（宣言部分）でどう変わった？", "創業"),
    ("ご当地ブランドみたいな、地域の名前で売り出す取組について、第8回と第9回の宣言の違いを教えてください。", "地域ブランド"),
    ("人を育てる話、共同宣言の項目レベルで8回と9回を比べるとどう違いますか？", "人材育成"),
    ("地域ブランドについて、これまでのサミットではどう位置づけられてきたの？", "地域ブランド"),
])
def test_staff_everyday_words_find_the_declarations_terms(service, question, written):
    """信金 and 地銀 are the asker's words for 地域金融機関; 系 and ビジネス say what kind of topic, not which."""
    columns = service.ask(question).comparison.columns
    assert all(c.citations and written in c.citations[0].passage.text for c in columns)


def test_a_term_named_in_parentheses_after_the_askers_own_words_is_what_must_be_dropped(service):
    """「大学との連携（産学官連携）」: a 9th passage on some other 連携 is no counterpart of the 8th's 産学官連携."""
    answer = service.ask("大学との連携（産学官連携）って第8回では宣言に入ってましたよね？第9回でも残ってます？")
    (eighth,) = answer.comparison.columns
    assert eighth.citations and "産学官連携" in eighth.citations[0].passage.text


def test_asked_as_a_request_to_the_state_the_8th_made_none(service):
    answer = service.ask("お金の面の支援（融資とか資金繰り）について、8回と9回でどう変わった？ 国への要望としては？")
    eighth, ninth = answer.comparison.columns
    assert eighth.empty and ninth.citations[0].passage.kind == "proposal"


def test_the_city_itself_asked_in_english_with_the_chamber_set_aside(service):
    answer = service.ask("what has Sumida-ku itself (the ward, not the chamber) put forward at the summits over time?")
    eighth, ninth = answer.comparison.columns
    assert not eighth.citations
    cited = [c.passage for c in ninth.citations]
    assert cited and all(p.organization == "墨田区" for p in cited)  # not the chamber's committee


def test_a_concept_no_passage_writes_is_not_met_by_a_counterpart_on_one_of_its_words(service):
    """外国人材 is written nowhere: the 8th's 外国との経済連携 is no answer on it, anchor's counterpart or not."""
    answer = service.ask("外国人材（技能実習生など）の受入れについて、大田宣言・すみだ宣言で何か触れていますか？")
    assert not answer.citations  # declined: no summit's passage is shown for it


def test_the_city_itself_before_its_chamber_when_asked_in_english_words_around_it(service):
    answer = service.ask("What is Amagasaki (尼崎市) itself doing according to the 8th vs the 9th declarations? "
                         "I mean the city's own initiative, not the joint items.")
    ninth = answer.comparison.columns[-1]
    assert ninth.citations[0].passage.organization == "尼崎市"  # not 尼崎商工会議所


def test_a_follow_up_asking_for_the_asks_to_the_govt(service):
    """"govt" is whom a proposal is addressed to, not a new topic: the follow-up keeps the earlier topic."""
    earlier = "Did the Ota declaration (8th summit) say anything about business succession (事業承継)?"
    answer = service.ask(service.follow_up(earlier, "and the 9th? is it in the proposals to the govt too?"))
    ninth = answer.comparison.columns[-1]
    assert ninth.citations[0].passage.kind == "proposal" and "事業承継" in ninth.citations[0].passage.text
    earlier = "In the declaration items themselves (not the annex), how do the 8th and 9th differ on selling overseas?"
    answer = service.ask(service.follow_up(earlier, "and in the asks to the national govt?"))
    assert answer.comparison.columns[-1].citations[0].passage.kind == "proposal"


def test_a_statement_after_a_question_that_holds_its_topic_is_the_askers_errand(service):
    """「…スタンス変わった？うちの相談窓口で最近多くて」 asks about 事業承継; 相談窓口 is why the asker asks."""
    answer = service.ask("後継ぎがいなくて困ってる会社の引き継ぎについて、大田宣言とすみだ宣言でスタンス変わった？"
                         "うちの相談窓口で最近多くて")
    assert all(c.citations and "事業承継" in c.citations[0].passage.text for c in answer.comparison.columns)


@pytest.mark.parametrize("question", [
    "宣言の本文だけで比べたいんですが、海外に売り込んでいく話って大田のときとすみだのときでどう変わりました？",
    "hey quick one - how do the 8th and 9th summits compare on regional brands? prepping for a mtg with the chamber",
])
def test_summits_named_by_their_host_and_a_chamber_met_in_passing(service, question):
    eighth, ninth = service.ask(question).comparison.columns
    assert eighth.citations and eighth.citations[0].passage.kind == "declaration"  # the joint text, not no-one's
    assert ninth.citations


def test_a_new_topic_after_a_question_across_the_summits_is_asked_across_them_again(service):
    earlier = "Has either summit said anything about hiring foreign workers, like 技能実習生?"
    asked = service.follow_up(earlier, "what about women in the workforce? 女性活躍 etc")
    answer = service.ask(asked)
    assert answer.comparison is None or all(not c.citations for c in answer.comparison.columns)
    assert not answer.citations  # 女性 is in no declaration: no 人材育成 item stands in for it


def test_a_branch_set_aside_as_not_needed(service):
    answer = service.ask("墨田区独自の取組みって、第8回と第9回にそれぞれ何が載ってますか？（区の事業だけでOK、東商墨田支部は不要です）")
    cited = [c.passage for c in answer.comparison.columns[-1].citations]
    assert cited and all(p.organization == "墨田区" for p in cited)


def test_large_companies_in_everyday_words_and_the_8ths_matching_item_dropped(service):
    answer = service.ask("宣言と国への提言に限って言うと、大手企業と中小をつなぐマッチングの話って8回目にはあって9回目で消えた？")
    (eighth,) = answer.comparison.columns
    assert eighth.citations and "大企業とのマッチング" in eighth.citations[0].passage.text


def test_the_declaration_and_the_asks_to_the_government_keep_the_8ths_items(service):
    answer = service.ask("What did each summit commit to for people starting a new business? Just the declaration + "
                         "the asks to the national gov please, not the individual city programs.")
    eighth, ninth = answer.comparison.columns
    assert eighth.citations and eighth.citations[0].passage.kind == "declaration"
    assert all(c.passage.kind in ("declaration", "proposal") for c in ninth.citations)
