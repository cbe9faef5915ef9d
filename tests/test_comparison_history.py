"""Comparisons as the corpus grows: two later summits added as PDFs with `summitbot corpus add` (issue 17).

The 10th and 11th declarations are made here (reportlab's built-in CID font, no
font file): the 10th keeps 事業承継 and 海外展開, says nothing of BCP and adds
カーボンニュートラル; the 11th keeps 事業承継 and adds デジタル化. Histories of three
and four summits, what is new in the 11th, and the Slack limits are checked on
the index built from all four.
"""
from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block

from bot.blocks import answer_blocks
from index.service import SummitIndex, build

from .conftest import ROOT, cli_env, summitbot

pytestmark = pytest.mark.slow

TENTH = [
    "第10回中小企業都市サミット", "かわぐち宣言", "＜前文＞",
    "我々中小企業都市連絡協議会に加盟する６都市は、次のとおり宣言する。", "＜宣言＞",
    "（１）経営基盤の強化に向けて",
    "①後継者の育成と事業引継ぎの相談体制を強化し、中小企業の事業承継を円滑に進める。",
    "②成長するアジア市場への海外展開を目指す企業の販路開拓を支援する。",
    "（２）環境への対応に向けて",
    "③脱炭素に向けた設備の導入を支援し、カーボンニュートラルの実現に取り組む。",
]
ELEVENTH = [
    "第11回中小企業都市サミット", "あまがさき宣言", "＜前文＞",
    "我々中小企業都市連絡協議会に加盟する６都市は、次のとおり宣言する。", "＜宣言＞",
    "（１）経営基盤の強化に向けて",
    "①事業承継税制の活用を促し、中小企業の円滑な事業承継を支援する。",
    "②受発注のデジタル化とＤＸを推進し、中小企業の生産性の向上を図る。",
]


def make_pdf(path: Path, lines: list[str]) -> Path:
    canvas = pytest.importorskip("reportlab.pdfgen.canvas", reason="reportlab is part of the test extra")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    pdf = canvas.Canvas(str(path))
    for n, line in enumerate(lines):
        pdf.setFont("HeiseiMin-W3", 11)
        pdf.drawString(40, 800 - 26 * n, line)
    pdf.save()
    return path


@pytest.fixture(scope="module")
def four_summits(built, embedder, tmp_path_factory) -> SummitIndex:
    base = tmp_path_factory.mktemp("history")
    shutil.copytree(ROOT / "corpus", base / "corpus")
    shutil.copytree(built.index_dir, base / "index")
    settings = replace(built, corpus_dir=base / "corpus", index_dir=base / "index")
    for summit, lines in ((10, TENTH), (11, ELEVENTH)):
        pdf = make_pdf(base / f"summit{summit}.pdf", lines)
        added = summitbot("corpus", "add", str(pdf), "--summit", str(summit), env=cli_env(settings))
        assert added.returncode == 0, added.stderr
    build(settings, progress=False, embedder=embedder)
    index = SummitIndex.open(settings)
    assert index.summits() == (8, 9, 10, 11)
    return index


def test_a_topic_through_four_summits(four_summits):
    answer = four_summits.ask("事業承継について毎回何と言っている？")
    columns = answer.comparison.columns
    assert [c.summit for c in columns] == [8, 9, 10, 11]
    assert all(not c.empty for c in columns)
    assert "事業引継ぎの相談体制" in columns[2].citations[0].passage.text
    assert "事業承継税制" in columns[3].citations[0].passage.text
    blocks = answer_blocks(answer, "rec")
    assert len(blocks) <= 50
    for block in blocks:
        Block.parse(block).validate_json()


def test_a_topic_dropped_after_the_eighth_stays_empty(four_summits):
    answer = four_summits.ask("BCPについてこれまで何と言ってきた？")
    columns = {c.summit: c for c in answer.comparison.columns}
    assert "事業継続計画" in columns[8].citations[0].passage.text
    assert columns[10].empty and columns[11].empty


def test_three_summits_named(four_summits):
    answer = four_summits.ask("第9回と第10回と第11回で海外展開はどう変わった？")
    columns = {c.summit: c for c in answer.comparison.columns}
    assert sorted(columns) == [9, 10, 11]
    assert "海外展開" in columns[10].citations[0].passage.text
    assert columns[11].empty  # the 11th says nothing of it


def test_what_is_new_in_the_newest(four_summits):
    answer = four_summits.ask("What is new in the 11th declaration?")
    assert answer.comparison.kind == "new" and answer.comparison.against == 10
    listed = " ".join(c.passage.text for c in answer.citations)
    assert "デジタル化" in listed and "事業承継税制" not in listed  # 事業承継 was in the 10th too
    tenth = four_summits.ask("第10回で新しく加わったものは？")
    assert any("カーボンニュートラル" in c.passage.text for c in tenth.citations)
    assert four_summits.ask(four_summits.follow_up(
        "第11回で事業承継について何と言っている？", "前回と比べて？")).comparison.columns[0].summit == 10
