"""A new summit is held: its declaration (a PDF) is added, the index rebuilt incrementally, and a
running server answers from it without a restart; killed builds never disturb the serving index."""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from index.corpus import Corpus
from index.evaluate import load_questions, pipeline_ranker, evaluate
from index.service import LiveIndex, SummitIndex, build
from index.store import current_version, load_index, rollback

from .conftest import ROOT, cli_env, summitbot

NEW_QUESTION = "第10回のおかや宣言で、精密加工の技能継承について何と言っている？"
PAGE_ONE = [
    "第10回中小企業都市サミット",
    "おかや宣言",
    "＜前文＞",
    "我々中小企業都市連絡協議会に加盟する６都市は、精密加工の技を次代につなぐため、",
    "ここに宣言する。",
    "＜宣言＞",
    "（１）技能の継承に向けて",
    "①熟練技能者の精密加工の技能を若手へ継承する「技能伝承マイスター制度」を創設する。",
    "②高等専門学校と連携し、ものづくり人材を育成する。",
]
PAGE_TWO = [
    "○信州ものづくり未来塾（岡谷市）",
    "市内企業と学校が連携し、微細加工の体験講座を開く。",
]


def make_pdf(path: Path) -> Path:
    """A two-page Japanese declaration PDF, with reportlab's built-in CID font (no font file)."""
    canvas = pytest.importorskip("reportlab.pdfgen.canvas", reason="reportlab is part of the test extra")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    pdf = canvas.Canvas(str(path))
    for page in (PAGE_ONE, PAGE_TWO):
        y = 800
        for line in page:
            pdf.setFont("HeiseiMin-W3", 11)
            pdf.drawString(50, y, line)
            y -= 28
        pdf.showPage()
    pdf.save()
    return path


@pytest.fixture(scope="module")
def workspace(built, tmp_path_factory):
    """A copy of the corpus and the built index that the tests may change."""
    base = tmp_path_factory.mktemp("refresh")
    shutil.copytree(ROOT / "corpus", base / "corpus")
    shutil.copytree(built.index_dir, base / "index")
    return replace(built, corpus_dir=base / "corpus", index_dir=base / "index")


def test_new_summit_pdf_is_added_and_answered_the_same_day(workspace, embedder, tmp_path):
    live = LiveIndex(workspace, SummitIndex.open(workspace), check_every=0.0)
    before = live.snapshot().ask(NEW_QUESTION)
    assert not before.found and before.notice == "no-summit"
    old_version = live.version

    pdf = make_pdf(tmp_path / "okaya-sengen.pdf")
    added = summitbot("corpus", "add", str(pdf), "--summit", "10", "--date", "2026-11-20",
                      env=cli_env(workspace))
    assert added.returncode == 0, added.stderr
    assert "第10回中小企業都市サミット おかや宣言" in added.stdout and "岡谷市" in added.stdout, added.stdout
    assert "declaration 2" in added.stdout and "initiative 1" in added.stdout
    doc = next(d for d in Corpus.load(workspace.corpus_dir).documents if d.summit == 10)
    assert doc.key == "summit10-okaya" and doc.host_city == "岡谷市" and doc.original.endswith(".pdf")

    report = build(workspace, progress=False, embedder=embedder)
    assert report.added == ("summit10-okaya",) and report.changed == report.removed == ()
    new_passages = len([p for p in load_index(workspace.index_dir).passages if p.summit == 10])
    assert 0 < report.embedded <= 2 * new_passages + 2  # only the new passages (and their sentences)

    deadline = time.time() + 30
    while live.version == old_version and time.time() < deadline:
        live.refresh()
        time.sleep(0.2)
    answer = live.snapshot().ask(NEW_QUESTION)
    assert answer.found and answer.citations[0].passage.summit == 10
    assert "技能伝承マイスター制度" in answer.citations[0].passage.text
    assert live.snapshot().document("summit10-okaya").page_of(answer.citations[0].passage.start) == 1
    entry = next(p for p in live.snapshot().document_passages("summit10-okaya") if "未来塾" in p.label)
    assert live.snapshot().document("summit10-okaya").page_of(entry.start) == 2
    assert live.snapshot().original_path("summit10-okaya").read_bytes().startswith(b"%PDF")
    okaya = live.snapshot().ask("岡谷市の取組みは？第10回")
    assert any("未来塾" in c.passage.label for c in okaya.citations)
    assert live.snapshot().ask("What did 岡谷 commit to in the 9th summit?").found
    dev = evaluate(pipeline_ranker(live.snapshot()), load_questions(ROOT / "eval" / "dev_questions.jsonl"))
    assert dev["ja"]["hit@5"] >= 0.95 and dev["en"]["hit@5"] >= 0.90  # the old questions still pass


def test_questions_in_flight_survive_a_switch(workspace, embedder):
    live = LiveIndex(workspace, SummitIndex.open(workspace), check_every=0.0)
    failures: list[BaseException] = []
    answered = []

    def ask_repeatedly() -> None:
        for _ in range(15):
            try:
                answered.append(live.snapshot().ask("岡谷商工会議所は何をしている？").found)
            except BaseException as error:  # noqa: BLE001 - any failure is what this test looks for
                failures.append(error)

    threads = [threading.Thread(target=ask_repeatedly) for _ in range(3)]
    for thread in threads:
        thread.start()
    before = live.version
    build(workspace, progress=False, embedder=embedder)  # a new version while questions are being answered
    live.reload()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == [] and len(answered) == 45 and all(answered)
    assert live.version != before


def test_rollback_and_back(workspace, embedder):
    live = LiveIndex(workspace, SummitIndex.open(workspace), check_every=0.0)
    newest = live.version
    before, after = rollback(workspace.index_dir)
    assert before == newest and after < newest
    deadline = time.time() + 30
    while live.version != after and time.time() < deadline:
        live.refresh()
        time.sleep(0.2)
    assert live.version == after and live.snapshot().ask("岡谷は？").found


def test_bad_files_are_refused_and_nothing_is_added(workspace, tmp_path):
    manifest = (workspace.corpus_dir / "summits.toml").read_text()
    scan = tmp_path / "scan.pdf"
    make_pdf(scan)
    truncated = tmp_path / "broken.pdf"
    truncated.write_bytes(scan.read_bytes()[:600])
    word = tmp_path / "sengen.docx"
    word.write_bytes(b"PK\x03\x04 not a declaration")
    for bad in (truncated, word):
        result = summitbot("corpus", "add", str(bad), "--summit", "11", env=cli_env(workspace))
        assert result.returncode == 2 and "Traceback" not in result.stderr and result.stderr.strip()
    assert (workspace.corpus_dir / "summits.toml").read_text() == manifest


def test_killed_builds_leave_the_serving_index_alone(workspace, embedder):
    shutil.rmtree(workspace.index_dir / "embedding-cache", ignore_errors=True)  # make every build do real work
    serving = current_version(workspace.index_dir)
    binary = str(Path(sys.executable).parent / "summitbot")
    for moment in ("start", "embedding", "writing"):
        process = subprocess.Popen([binary, "-v", "index", "build", "--quiet"], env=cli_env(workspace),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        _kill_at(process, moment, workspace.index_dir)
        assert current_version(workspace.index_dir) == serving, moment
        assert load_index(workspace.index_dir).version == serving
    assert SummitIndex.open(workspace).ask("岡谷は？").found  # still answering
    report = build(workspace, progress=False, embedder=embedder)  # and the next build succeeds
    assert current_version(workspace.index_dir) == report.version != serving


def _kill_at(process: subprocess.Popen, moment: str, index_dir: Path) -> None:
    """SIGKILL the build at a moment: right away, once embedding starts, or once it writes its version."""
    deadline = time.time() + 120
    if moment == "start":
        time.sleep(0.5)
    elif moment == "embedding":
        for line in process.stdout:
            if "embedding" in line or time.time() > deadline:
                break
    else:
        versions = index_dir / "versions"
        while not any(p.name.endswith(".partial") for p in versions.iterdir()) and time.time() < deadline:
            if process.poll() is not None:
                break
            time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
