"""The passage pages over real HTTP, and one real headless browser following a citation link."""
from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from bot.render_html import passage_page
from bot.settings import BotSettings
from index.model import Document, Passage

from .slackbot import RunningBot

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def site(built, service, tmp_path_factory):
    settings = BotSettings(index=replace(built, public_url="https://summit.example.jp"))
    with RunningBot(settings, service, tmp_path_factory.mktemp("db") / "records.sqlite3") as running:
        yield running


def get(url: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8"), dict(error.headers)


def ask(site, question: str) -> str:
    status, body, _ = get(site.url + "/?q=" + urllib.parse.quote(question))
    assert status == 200
    return body


def test_ask_page_shows_the_same_answer_as_slack(site, service):
    body = ask(site, "What did Okaya commit to?")
    answer = service.ask("What did Okaya commit to?")
    for citation in answer.citations:
        assert f'href="/p/{citation.passage.id}?q=' in body  # the excerpt's start: its sentence is marked there
    assert "岡谷商工会議所" in body and "Found 2 passages in the initiatives of" in body


def test_passage_page_shows_it_in_its_document(site, service):
    passage = service.ask("東大阪市の条例は？").citations[0].passage
    status, body, headers = get(f"{site.url}/p/{passage.id}")
    assert status == 200 and '<html lang="ja">' in body
    assert body.count('class="passage kind-initiative cited"') == 1 and f'id="{passage.id}"' in body
    assert "第9回中小企業都市サミット すみだ宣言" in body and "開催地 墨田区" in body
    assert "加盟都市・商工会議所の取組み" in body and "東大阪市" in body
    assert f'data-url="https://summit.example.jp/p/{passage.id}"' in body  # the link to share
    assert 'rel="prev"' in body and 'rel="next"' in body
    assert "/d/summit09-sumida/source" in body  # no published URL known: the corpus source
    passages = service.document_passages("summit09-sumida")
    headings = [p for p in passages if p.kind == "heading"]
    assert len(re.findall(r'<article id="s9-', body)) == len(passages) - len(headings)
    assert len(re.findall(r'<h\d id="s9-[^"]*" class="section passage kind-heading', body)) == len(headings) > 0
    assert "default-src 'self'" in headers["content-security-policy"]


def test_nothing_comes_from_outside(site, service):
    passage = service.document_passages("summit08-ota")[0]
    _, body, _ = get(f"{site.url}/p/{passage.id}")
    external = re.findall(r'(?:src|href)="(https?:)?//', body)
    assert external == []
    for asset in ("/static/style.css", "/static/page.js"):
        assert get(site.url + asset)[0] == 200


def test_document_page_and_source(site, service):
    status, body, _ = get(f"{site.url}/d/summit08-ota")
    assert status == 200 and "がんばろう中小企業 大田宣言" in body
    for passage in service.document_passages("summit08-ota"):
        assert f'id="{passage.id}"' in body
    assert "産業プラザ" not in body  # the advertisement is not part of the declaration
    status, source, _ = get(f"{site.url}/d/summit08-ota/source")
    assert status == 200 and "大田宣言" in source


def test_gone_passage_offers_a_search(site):
    status, body, _ = get(f"{site.url}/p/s9-0000000000?q=" + urllib.parse.quote("新規受注開拓を推進"))
    assert status == 404 and 'value="新規受注開拓を推進"' in body and "見つかりません" in body
    assert get(f"{site.url}/d/no-such-document")[0] == 404


def test_bad_questions_on_the_ask_page(site):
    status, body, _ = get(site.url + "/?q=" + "x" * 5000)
    assert status == 400 and "too long" in body


def test_corpus_text_is_escaped():
    doc = Document(key="k", summit=10, title="<b>宣言</b>", host_city="x", file="f")
    hostile = Passage(id="s10-x", document="k", summit=10, kind="paragraph", section=("<i>節</i>",), label="",
                      organization="o", city="", text='<script>alert(1)</script>"&', start=0, end=1, order=0)
    html = passage_page(hostile, doc, [hostile], [doc], "/p/s10-x", "/d/k/source")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>宣言</b>" not in html and "<i>節</i>" not in html


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it with apt-get when it can)")
def test_a_citation_link_opens_on_the_highlighted_passage(site):
    playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone: Slack links open there
            page.goto(site.url + "/")
            page.fill("input[name=q]", "What did Okaya commit to?")
            page.click("button[type=submit]")
            page.wait_for_selector("figure.citation")
            page.screenshot(path=str(ARTIFACTS / "ask.png"), full_page=True)
            page.click("figure.citation a")
            cited = page.wait_for_selector(".passage.cited")
            page.wait_for_function("() => { const r = document.querySelector('.passage.cited').getBoundingClientRect();"
                                   " return r.top >= 0 && r.top < window.innerHeight; }", timeout=5000)
            assert "岡谷" in cited.inner_text()
            assert page.evaluate("document.documentElement.lang") == "ja"
            assert page.evaluate("getComputedStyle(document.querySelector('.passage.cited')).backgroundColor") != "rgba(0, 0, 0, 0)"
            # the quoted sentence is marked, strongly, and it and the document's title and copy link are on screen
            on_screen = ("(selector) => { const r = document.querySelector(selector).getBoundingClientRect();"
                         " return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }")
            page.wait_for_function(f"() => ({on_screen})('.passage.cited mark')", timeout=5000)
            for selector in (".passage-head h1", ".passage-head button.copy", ".passage.cited mark"):
                assert page.evaluate(on_screen, selector), selector
            head_bottom = page.evaluate("document.querySelector('.passage-head').getBoundingClientRect().bottom")
            assert page.evaluate("document.querySelector('.passage.cited mark').getBoundingClientRect().top") >= head_bottom
            marked, passage_colour = page.evaluate(
                "[getComputedStyle(document.querySelector('.passage.cited mark')).backgroundColor,"
                " getComputedStyle(document.querySelector('.passage.cited')).backgroundColor]")
            assert marked != passage_colour  # the sentence stands out within the lightly marked passage
            assert "開催日不明" not in page.content()  # no date known: none shown
            page.screenshot(path=str(ARTIFACTS / "passage.png"))
        finally:
            browser.close()
    assert (ARTIFACTS / "passage.png").stat().st_size > 10_000


def test_the_ask_page_says_what_it_covers_and_links_the_staff_guide(site, service):
    status, body, _ = get(site.url + "/")
    assert status == 200 and "対象の宣言文" in body and "Declarations covered" in body
    for doc in service.corpus.documents:
        assert f'href="/d/{doc.key}"' in body
    assert body.count('<li><a href="/?q=') >= 3 and 'href="/help"' in body  # example questions, the guide
    status, guide, _ = get(site.url + "/help")
    assert status == 200 and "<h1>使い方ガイド（職員の方へ）</h1>" in guide and 'lang="en">Staff guide (English)' in guide
    assert "見つかりませんでした" in guide and "👎" in guide and "summitbot corpus add" in guide
    assert "<script" not in guide.split("</head>", 1)[1]  # the Markdown is escaped, not trusted


def test_a_passage_link_marks_the_quoted_sentence(site, service):
    citation = service.ask("東大阪市の条例は？").citations[0]
    quoted = citation.excerpt[:40]
    status, body, _ = get(f"{site.url}/p/{citation.passage.id}?q={urllib.parse.quote(quoted)}")
    assert status == 200 and f"<mark>{quoted}" in body.replace("\n", "")
    status, plain, _ = get(f"{site.url}/p/{citation.passage.id}")
    assert "<mark>" not in plain  # no quote asked: the passage alone is marked
