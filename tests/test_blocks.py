"""Block Kit rendering: escaping, limits, no-answer, both languages — on plain data, no Slack needed."""
from __future__ import annotations

import json

from bot.blocks import MAX_BLOCKS, answer_blocks, fallback_text, more_blocks
from bot.formatting import escape, link, quote
from bot.responder import plain_text
from index.model import Answer, Citation, CitationGroup, Decision, Document, Passage, QueryAnalysis

DOC = Document(key="summit09-sumida", summit=9, title="すみだ宣言", host_city="墨田区", file="x.txt")


def citation(i: int, text: str, url: str = "https://summit.example.jp/p/s9-x", org: str = "岡谷市") -> Citation:
    passage = Passage(
        id=f"s9-{i}", document=DOC.key, summit=9, kind="initiative", section=("加盟都市・商工会議所の取組み",),
        label="新規受注開拓支援事業", organization=org, city="岡谷市", text=text, start=0, end=len(text), order=i,
    )
    return Citation(f"[{i + 1}]", passage, DOC, text, 0, 0.9, url)


def answer(lang: str = "ja", citations: tuple[Citation, ...] = (), found: bool = True, notice: str = "") -> Answer:
    decision = Decision("found" if found else "declined", "test", notice)
    groups = tuple(CitationGroup(9, c.passage.organization, DOC, (c,)) for c in citations)
    return Answer("岡谷は？", lang, decision, groups, QueryAnalysis(text="岡谷は？", lang=lang))


def all_text(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_answer_has_quote_context_and_buttons():
    blocks = answer_blocks(answer("ja", (citation(0, "新規受注開拓を推進する事業。"),)), record_id="r1")
    kinds = [b["type"] for b in blocks]
    assert kinds == ["section", "section", "context", "actions"]
    assert blocks[0]["text"]["text"].startswith("1件")
    assert blocks[1]["text"]["text"] == "> 新規受注開拓を推進する事業。"
    context = blocks[2]["elements"][0]["text"]
    assert "*[1]*" in context and "第9回 すみだ宣言" in context and "岡谷市" in context
    assert "<https://summit.example.jp/p/s9-x|該当箇所を開く>" in context
    assert [e["action_id"] for e in blocks[3]["elements"]] == ["more_results", "feedback_up", "feedback_down"]
    assert all(e["value"] == "r1" for e in blocks[3]["elements"])


def test_english_framing_keeps_japanese_excerpts():
    blocks = answer_blocks(answer("en", (citation(0, "新規受注開拓を推進する事業。"),)), record_id="r1")
    assert blocks[0]["text"]["text"].startswith("Found 1")
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
    blocks = answer_blocks(answer("ja", many), record_id="r1")
    assert len(blocks) <= MAX_BLOCKS and blocks[-1]["type"] == "actions"
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
    assert len(more_blocks(answer("ja", many), "r1")) <= MAX_BLOCKS
    assert len(fallback_text(answer("ja", many))) <= 3000


def test_no_answer_says_so_and_offers_no_buttons():
    blocks = answer_blocks(answer("en", (), found=False, notice="no-match"), record_id="r1")
    assert len(blocks) == 1 and "Nothing in the declarations answers" in blocks[0]["text"]["text"]
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
