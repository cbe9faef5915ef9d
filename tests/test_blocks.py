"""Block Kit rendering: escaping, limits, no-answer, both languages — on plain data, no Slack needed."""
from __future__ import annotations

import json

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.blocks import MAX_BLOCKS, MAX_SHOWN, answer_blocks, fallback_text, feedback_modal
from bot.formatting import escape, link, quote, truncate
from bot.responder import plain_text
from index.model import Answer, Citation, CitationGroup, Decision, Document, Passage, QueryAnalysis

DOC = Document(key="summit09-sumida", summit=9, title="すみだ宣言", host_city="墨田区", file="x.txt")
DOC8 = Document(key="summit08-ota", summit=8, title="大田宣言", host_city="大田区", file="y.txt",
                search_fixes=(("電線後", "震災後"),))


def citation(i: int, text: str, url: str = "https://summit.example.jp/p/s9-x", org: str = "岡谷市") -> Citation:
    passage = Passage(
        id=f"s9-{i}", document=DOC.key, summit=9, kind="initiative", section=("加盟都市・商工会議所の取組み",),
        label="新規受注開拓支援事業", organization=org, city="岡谷市", text=text, start=0, end=len(text), order=i,
    )
    return Citation(f"[{i + 1}]", passage, DOC, text, 0, 0.9, url)


def answer(lang: str = "ja", citations: tuple[Citation, ...] = (), found: bool = True, notice: str = "",
           remaining: int = 3) -> Answer:
    decision = Decision("found" if found else "declined", "test", notice)
    groups = tuple(CitationGroup(9, c.passage.organization, DOC, (c,)) for c in citations)
    return Answer("岡谷は？", lang, decision, groups, QueryAnalysis(text="岡谷は？", lang=lang), remaining=remaining)


def all_text(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def valid(blocks: list[dict]) -> list[dict]:
    """What Slack would accept: every block parses and validates with slack_sdk's models."""
    for block in Block.parse_all(blocks):
        block.validate_json()
    return blocks


def test_answer_has_quote_context_and_buttons():
    blocks = valid(answer_blocks(answer("ja", (citation(0, "新規受注開拓を推進する事業。"),)), record_id="r1"))
    kinds = [b["type"] for b in blocks]
    assert kinds == ["section", "section", "context", "actions", "context_actions"]
    assert blocks[0]["text"]["text"] == "第9回「すみだ宣言」の岡谷市の取組みから1件の該当箇所が見つかりました。"
    assert blocks[1]["text"]["text"] == "> 新規受注開拓を推進する事業。"
    context = blocks[2]["elements"][0]["text"]
    assert "*[1]*" in context and "第9回 すみだ宣言" in context and "岡谷市" in context
    assert "<https://summit.example.jp/p/s9-x|該当箇所を開く>" in context
    assert [e["action_id"] for e in blocks[3]["elements"]] == ["more_results"]
    feedback = blocks[4]["elements"][0]
    assert feedback["type"] == "feedback_buttons" and feedback["positive_button"]["value"] == "up:r1"
    assert feedback["negative_button"]["value"] == "down:r1"
    assert feedback["positive_button"]["accessibility_label"] == "役に立った / Helpful"


def test_more_results_only_when_there_are_more_and_share_only_when_private():
    one = (citation(0, "新規受注開拓を推進する事業。"),)
    last = valid(answer_blocks(answer("ja", one, remaining=0), record_id="r1"))
    assert "more_results" not in all_text(last) and [b["type"] for b in last][-1] == "context_actions"
    private = valid(answer_blocks(answer("ja", one, remaining=0), record_id="r1", private=True))
    assert [e["action_id"] for e in private[-2]["elements"]] == ["share_answer", "keep_private"]
    assert private[-2]["elements"][0]["text"]["text"] == "チャンネルに共有"
    full = tuple(citation(i, "本文。") for i in range(MAX_SHOWN))
    assert "more_results" not in all_text(answer_blocks(answer("ja", full), record_id="r1"))


def test_source_lines_drop_the_joint_issuer_and_apply_ocr_fixes_to_labels():
    text = "省エネルギー化を推進する。"
    passage = Passage(id="s8-1", document=DOC8.key, summit=8, kind="declaration",
                      section=("宣言", "1 電線後の新たなものづくり体制の整備と企業支援"), label="(1)",
                      organization="中小企業都市連絡協議会", city="", text=text, start=0, end=len(text), order=1)
    cited = Citation("[1]", passage, DOC8, text, 0, 0.9, "https://summit.example.jp/p/s8-1")
    found = Answer("q", "ja", Decision("found", "test"), (CitationGroup(8, passage.organization, DOC8, (cited,)),),
                   QueryAnalysis(text="q", lang="ja"))
    context = valid(answer_blocks(found))[2]["elements"][0]["text"]
    assert "震災後の新たなものづくり" in context and "電線後" not in context
    assert "中小企業都市連絡協議会" not in context
    assert answer_blocks(found)[1]["text"]["text"] == "> 省エネルギー化を推進する。"  # the text stays verbatim


def test_truncation_never_cuts_an_entity_or_the_link():
    assert truncate("a" * 8 + "&amp;&amp;", 15) == "a" * 8 + "&amp;…"
    assert not truncate("&amp;" * 10, 9).endswith("&a…")
    long_org = "&" * 3000
    blocks = answer_blocks(answer("ja", (citation(0, "本文。", org=long_org),)), record_id="r1")
    context = blocks[2]["elements"][0]["text"]
    assert len(context) <= 2000 and context.endswith("<https://summit.example.jp/p/s9-x|該当箇所を開く>")
    assert "&a…" not in context and "&am…" not in context


def test_feedback_modal_is_a_valid_view_with_every_reason():
    view = feedback_modal("r1", "https://hooks.slack.com/actions/T/1/x", "ja")
    View(**view).validate_json()
    assert json.loads(view["private_metadata"]) == {"record": "r1", "url": "https://hooks.slack.com/actions/T/1/x", "lang": "ja"}
    assert [o["value"] for o in view["blocks"][0]["element"]["options"]] == ["wrong_passage", "missing", "outdated", "other"]
    View(**feedback_modal("r1", "", "en")).validate_json()


def test_english_framing_keeps_japanese_excerpts():
    blocks = valid(answer_blocks(answer("en", (citation(0, "新規受注開拓を推進する事業。"),)), record_id="r1"))
    assert blocks[0]["text"]["text"] == "Found 1 passage in the initiatives of 岡谷市 of the 9th summit's declaration (すみだ宣言)."
    assert "open passage" in blocks[2]["elements"][0]["text"] and "新規受注開拓" in blocks[1]["text"]["text"]
    assert blocks[3]["elements"][0]["text"]["text"] == "More results"


def test_document_text_cannot_inject_markup_or_mentions():
    hostile = "<!channel> & <@U123> <https://evil.example|click> @here @channel @everyone *bold*"
    blocks = answer_blocks(answer("en", (citation(0, hostile, org="<!here>"),)), record_id="r1")
    text = all_text(blocks)
    for bad in ("<!channel>", "<@U123>", "<!here>", "<https://evil", "@here", "@channel", "@everyone"):
        assert bad not in text
    assert "&lt;!channel&gt; &amp; &lt;@U123&gt;" in blocks[1]["text"]["text"]


def test_questions_are_escaped_when_repeated():
    repeated = Answer("<!channel> 岡谷は？", "ja", Decision("declined", "not-relevant", "no-match"), (),
                      QueryAnalysis(text="", lang="ja"))
    blocks = answer_blocks(repeated, question_shown=True)
    assert "&lt;!channel&gt;" in blocks[0]["elements"][0]["text"] and "<!channel>" not in all_text(blocks)


def test_limits_hold_for_huge_answers():
    long = "長い文章。" * 2000  # 10,000 characters
    many = tuple(citation(i, long) for i in range(40))
    blocks = valid(answer_blocks(answer("ja", many), record_id="r1", private=True))
    assert len(blocks) <= MAX_BLOCKS and blocks[-1]["type"] == "context_actions"
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
    assert len(fallback_text(answer("ja", many))) <= 3000


def test_no_answer_says_so_and_offers_only_feedback():
    blocks = valid(answer_blocks(answer("en", (), found=False, notice="no-match"), record_id="r1"))
    assert [b["type"] for b in blocks] == ["section", "context_actions"]  # a wrong "not found" can be reported
    assert "Nothing in the declarations answers" in blocks[0]["text"]["text"]
    assert "Try naming a city" in blocks[0]["text"]["text"]
    ja = answer_blocks(answer("ja", (), found=False, notice="no-match"), record_id="r1")
    assert "見つかりませんでした" in ja[0]["text"]["text"]


def test_only_web_links_are_linked():
    assert link("file:///tmp/x.txt#char=1,2", "open") == ""
    assert link("https://a.example/p/1|x>", "open") == "<https://a.example/p/1%7Cx%3E|open>"
    blocks = answer_blocks(answer("en", (citation(0, "本文。", url="file:///x.txt"),)), record_id="r1")
    assert "file://" not in all_text(blocks)


def test_quote_marks_every_line():
    assert quote("一行目\n二行目") == "> 一行目\n> 二行目"
    assert escape("a<b>&c") == "a&lt;b&gt;&amp;c"


def test_slack_text_to_plain_question():
    assert plain_text("<@UBOT> 岡谷は &lt;何&gt; <https://x.example|リンク>") == "岡谷は <何> リンク"
    assert plain_text("<!here> <#C123|general> What did Okaya commit to?") == "What did Okaya commit to?"
