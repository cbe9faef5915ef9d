"""Declarations laid out as they really are: vertical text (縦書き) and newsletters in two or three columns.

The pages are drawn with reportlab (tests/layout_pages.py). Extraction must
read them in order (vertical columns right to left under a horizontal title;
newsletter columns left first) and set aside the masthead, the photo's
caption, the advertisement box and the contact line with their reasons; added
to a copy of the corpus and indexed, their declarations answer questions and
what was set aside is never cited.
"""
from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace

import pytest
from reportlab.pdfgen import canvas

from index.extract import extract
from index.model import Document
from index.parse import parse_text

from .conftest import ROOT, cli_env, summitbot
from .layout_pages import AD, CAPTION, MASTHEAD, MINCHO, NEWS_ITEMS, VERTICAL_ITEMS, draw_newsletter, draw_vertical


def paragraphs(text: str) -> list[str]:
    """The extracted text's paragraphs, their wrapped lines joined."""
    return [part.replace("\n", "") for part in text.strip().split("\n\n")]


def doc(summit: int) -> Document:
    return Document(key=f"summit{summit}", summit=summit, title="宣言", host_city="", file="x.txt")


# --------------------------------------------------------------------------- vertical text


@pytest.mark.parametrize("cmap", [False, True], ids=["characters-placed", "vertical-cmap"])
def test_vertical_declaration_reads_title_then_columns_right_to_left(tmp_path, cmap):
    page = draw_vertical(tmp_path / "tategaki.pdf", cmap=cmap)
    extracted = extract(page.path)
    assert paragraphs(extracted.text) == page.body  # title band first, then every column in order
    assert extracted.set_aside == ()

    result = parse_text(extracted.text, doc(12))
    items = [p for p in result.passages if p.kind == "declaration"]
    assert [p.label for p in items] == ["（１）", "（２）", "（３）", "（４）"]
    assert [p.text for p in items] == [text for _, text in VERTICAL_ITEMS]
    assert any("鋳物の街として栄えた川口の地に集い" in p.text for p in result.passages if p.kind == "preamble")


def test_vertical_page_without_a_title_band(tmp_path):
    page = draw_vertical(tmp_path / "tategaki.pdf", heading=False)
    assert paragraphs(extract(page.path).text) == page.body


# --------------------------------------------------------------------------- newsletters


@pytest.mark.parametrize("columns", [2, 3])
def test_newsletter_is_read_column_by_column_and_its_furniture_set_aside(tmp_path, columns):
    page = draw_newsletter(tmp_path / "news.pdf", columns)
    extracted = extract(page.path)
    assert paragraphs(extracted.text) == page.body  # left column top to bottom, then the next: not across
    aside = sorted((e.reason, e.text.replace(" ", "")) for e in extracted.set_aside)
    assert aside == sorted((reason, text.replace(" ", "")) for reason, text in page.aside)
    assert {e.start for e in extracted.set_aside} == {0}  # left out of the text, at its page's start
    for furniture in (MASTHEAD[0], MASTHEAD[1], CAPTION[:10], AD[0], "06-6488", "〒", "E-mail"):
        assert furniture not in extracted.text

    result = parse_text(extracted.text, doc(13))
    items = [p for p in result.passages if p.kind == "declaration"]
    assert [p.text for p in items] == [text for _, text in NEWS_ITEMS]  # an item running over a column stays one


def test_one_column_page_with_a_signature_table_is_not_columns(tmp_path):
    """A two-column block under full lines of text is a table: read row by row, as before."""
    path = tmp_path / "signed.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.setFont(MINCHO, 11)
    body = "我々中小企業都市連絡協議会に加盟する六都市は、次の事項に取り組むことを宣言する。" * 3
    for n in range(5):
        pdf.drawString(60, 780 - 18 * n, body[38 * n:38 * n + 38])
    signers = [("墨田区長", "川口市長"), ("大田区長", "岡谷市長"), ("東大阪市長", "尼崎市長")]
    for n, (left, right) in enumerate(signers):
        pdf.drawString(100, 660 - 18 * n, left)
        pdf.drawString(330, 660 - 18 * n, right)
    pdf.save()
    text = extract(path).text
    assert text.index("墨田区長") < text.index("川口市長") < text.index("大田区長") < text.index("岡谷市長")
    assert extract(path).set_aside == ()


# --------------------------------------------------------------------------- added, indexed, asked

# (question, a phrase of the passage that answers it): each answered only by its document.
VERTICAL_QUESTIONS = [
    ("第12回のかわぐち宣言で、鋳物の技能継承のために何をする？", "キューポラ技能塾"),
    ("第12回サミットでは中小企業の脱炭素化にどう取り組む？", "省エネ診断と設備更新"),
    ("第12回の宣言で、災害時の部品供給について何を決めた？", "相互代替生産の協定"),
    ("第12回サミットは外国人技能実習生にどんな支援をする？", "日本語教室と住まいの相談窓口"),
    ("What did the 12th summit decide about casting skills?", "キューポラ技能塾"),
]
NEWS_QUESTIONS = [
    ("第13回のあまがさき宣言で、太陽光発電への助成は？", "太陽光発電"),
    ("第13回サミットでは修学旅行生をどう受け入れる？", "尼崎ものづくり見学路"),
    ("第13回の宣言で、金型の図面の電子化について何をする？", "技能のデジタル継承"),
    ("第13回サミットは女性技術者のために何を設ける？", "共同の保育所"),
    ("What did the 13th summit say about solar panels on factory roofs?", "太陽光発電"),
]
AD_QUESTIONS = ["第13回で尼崎市中小企業センターの会議室や展示場の利用について", "第13回のサミット通信の電話番号とFAXは？"]
AD_TEXT = ("中小企業センター", "会議室・展示場", "06-6488", "サミット通信", "宣言文を手渡す", "〒660", "E-mail")


@pytest.fixture(scope="module")
def laid_out(built, tmp_path_factory):
    """A copy of the corpus and index, with the vertical declaration (第12回) and the newsletter (第13回) added."""
    base = tmp_path_factory.mktemp("layouts")
    shutil.copytree(ROOT / "corpus", base / "corpus")
    shutil.copytree(built.index_dir, base / "index")
    workspace = replace(built, corpus_dir=base / "corpus", index_dir=base / "index")
    env = cli_env(workspace)
    outputs = {}
    for summit, page in ((12, draw_vertical(base / "kawaguchi.pdf", cmap=True)),
                         (13, draw_newsletter(base / "amagasaki-news.pdf", 2))):
        added = summitbot("corpus", "add", str(page.path), "--summit", str(summit), env=env)
        assert added.returncode == 0, added.stderr
        outputs[summit] = added.stdout
    built_now = summitbot("index", "build", "--quiet", env=env)
    assert built_now.returncode == 0, built_now.stderr
    return workspace, outputs


def ask(workspace, questions: list[str]) -> list[dict]:
    result = summitbot("ask", "--json", "--top-k", "5", env=cli_env(workspace), stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.slow
def test_corpus_add_shows_what_the_layout_set_aside(laid_out):
    _, outputs = laid_out
    assert "かわぐち宣言" in outputs[12] and "declaration 4" in outputs[12], outputs[12]
    news = outputs[13]
    for reason in ("masthead", "caption", "advertisement", "contact"):
        assert re.search(rf"set aside / 除外: {reason}: ", news), news
    assert "あまがさき宣言" in news and "declaration 4" in news


@pytest.mark.slow
def test_questions_only_the_new_documents_answer_find_their_passages(laid_out):
    workspace, _ = laid_out
    questions = VERTICAL_QUESTIONS + NEWS_QUESTIONS
    answers = ask(workspace, [q for q, _ in questions])
    hits = {12: 0, 13: 0}
    for (question, phrase), answer in zip(questions, answers):
        summit = 12 if (question, phrase) in VERTICAL_QUESTIONS else 13
        top5 = [c["text"] for c in answer["citations"][:5]]
        hits[summit] += any(phrase in text for text in top5)
        assert all(c["summit"] == summit for c in answer["citations"]), (question, answer["citations"])
    assert hits[12] / len(VERTICAL_QUESTIONS) >= 0.8 and hits[13] / len(NEWS_QUESTIONS) >= 0.8, hits
    assert answers[0]["answer_found"] and "キューポラ技能塾" in answers[0]["citations"][0]["text"]


@pytest.mark.slow
def test_what_was_set_aside_is_never_cited(laid_out):
    workspace, _ = laid_out
    for answer in ask(workspace, AD_QUESTIONS):
        for citation in answer["citations"]:
            assert not any(text in citation["text"] for text in AD_TEXT), citation["text"]
    stored = (workspace.corpus_dir / "documents").glob("summit13*.txt")
    text = next(stored).read_text(encoding="utf-8")
    assert not any(part in text for part in AD_TEXT)
