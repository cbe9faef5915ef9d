"""Corpus changes are locked and all-or-nothing: "added" only once served; on failure, everything as before.

Against the running bot over real HTTP (a failed build, a new version that
does not load, two confirms at once), against `summitbot corpus add` as a
second process (the corpus lock), and against a manifest that is broken when
the server starts.
"""
from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from index import changes, worker
from index.corpus import Corpus
from index.sandbox import Limits
from index.service import LiveIndex, SummitIndex
from index.store import current_version, load_index

from .conftest import ROOT, cli_env
from .slackbot import blocks_text, curation_bot, post
from .test_refresh import PAGE_ONE, PAGE_TWO, make_pdf
from .test_slack_curation import ADMIN, click, share

BUILD_WAIT = 240  # seconds: a build in a child loads the model (about 10 s) and may wait for another


@pytest.fixture(scope="module")
def bot(slack, built, embedder, tmp_path_factory):
    with curation_bot(slack, built, embedder, tmp_path_factory.mktemp("changes"), frozenset({ADMIN})) as running:
        yield running


def variant_pdf(path: Path, title: str = "おかや宣言", extra: str = "") -> Path:
    """make_pdf's declaration with another title line and one more sentence (another text, same summit)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    pdf = canvas.Canvas(str(path))
    for page in ([PAGE_ONE[0], title, *PAGE_ONE[2:], extra], PAGE_TWO):
        for n, line in enumerate(page):
            pdf.setFont("HeiseiMin-W3", 11)
            pdf.drawString(50, 800 - 28 * n, line)
        pdf.showPage()
    pdf.save()
    return path


def state(bot) -> tuple:
    """Everything a change may touch: the manifest's bytes, the corpus files, CURRENT, the versions folder."""
    corpus, index = bot.settings.index.corpus_dir, bot.settings.index.index_dir
    files = sorted(str(p.relative_to(corpus)) for p in (corpus / "documents").rglob("*"))
    return ((corpus / "summits.toml").read_bytes(), files, current_version(index),
            sorted(p.name for p in (index / "versions").iterdir()))


def serving(bot) -> str:
    with urllib.request.urlopen(bot.url + "/healthz", timeout=10) as response:
        return json.loads(response.read())["index"]


def upload(slack, bot, pdf: Path, file_id: str, channel: str, ts: str) -> str:
    """Share a file as the admin; the pending id of the draft the bot offers."""
    slack.add_file(file_id, pdf.read_bytes(), pdf.name, "pdf", "application/pdf")
    share(bot, ADMIN, "第10回", file_id, ts, channel=channel)
    [summary] = wait(slack, channel, "corpus_add_confirm", timeout=60)
    blocks = summary.params["blocks"]
    return (json.loads(blocks) if isinstance(blocks, str) else blocks)[-1]["elements"][0]["value"]


def wait(slack, channel: str, contains: str, timeout: float = BUILD_WAIT):
    return slack.wait_for("chat.postMessage", timeout=timeout,
                          where=lambda c: c.params.get("channel") == channel and contains in blocks_text(c))


def test_a_failed_build_changes_nothing(slack, bot, tmp_path):
    index = bot.settings.index.index_dir
    shutil.move(index / "embedding-cache", tmp_path / "cache")
    (index / "embedding-cache").write_text("a file where the build writes its cache: the build fails")
    try:
        pending = upload(slack, bot, make_pdf(tmp_path / "okaya.pdf"), "FFAIL", "DFAIL", "1700000901.0001")
        before, version = state(bot), serving(bot)
        click(bot, "corpus_add_confirm", pending, ADMIN, "DFAIL")
        [reply] = wait(slack, "DFAIL", "Not added")
    finally:
        (index / "embedding-cache").unlink()
        shutil.move(tmp_path / "cache", index / "embedding-cache")
    assert "index build failed" in blocks_text(reply) and "元のまま" in blocks_text(reply)
    assert "Traceback" not in blocks_text(reply)
    assert state(bot) == before and serving(bot) == version  # same manifest bytes, no new file, same version


def test_a_new_version_that_does_not_load_is_not_added(slack, bot, tmp_path, monkeypatch):
    index = bot.settings.index.index_dir
    good = current_version(index)
    real_open = SummitIndex.open.__func__

    def open_damaged(cls, settings, embedder=None):  # the new version's vectors are damaged on disk
        if current_version(settings.index_dir) != good:
            (index / "versions" / current_version(settings.index_dir) / "vectors.npy").write_bytes(b"\x93NUMPY broken")
        return real_open(cls, settings, embedder)

    pending = upload(slack, bot, make_pdf(tmp_path / "okaya.pdf"), "FDAMAGE", "DDAMAGE", "1700000902.0001")
    before = state(bot)
    monkeypatch.setattr(SummitIndex, "open", classmethod(open_damaged))
    click(bot, "corpus_add_confirm", pending, ADMIN, "DDAMAGE")
    [reply] = wait(slack, "DDAMAGE", "Not added")
    monkeypatch.undo()
    assert "could not be loaded" in blocks_text(reply) and "Added" not in blocks_text(reply)
    assert state(bot) == before and serving(bot) == good  # the damaged version is gone, CURRENT back


def test_two_confirms_at_once_add_two_documents_under_two_keys(slack, bot, tmp_path):
    first = upload(slack, bot, make_pdf(tmp_path / "okaya.pdf"), "FCON1", "DCON1", "1700000903.0001")
    second = upload(slack, bot, variant_pdf(tmp_path / "okaya2.pdf", title="<!channel>*b*おかや宣言",
                                            extra="③地域の工業高校と連携し、試作品づくりを支援する。"),
                    "FCON2", "DCON2", "1700000904.0001")
    clicks = [threading.Thread(target=click, args=(bot, "corpus_add_confirm", pending, ADMIN, channel))
              for pending, channel in ((first, "DCON1"), (second, "DCON2"))]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join(timeout=30)
    replies = [blocks_text(wait(slack, channel, "Added")[0]) for channel in ("DCON1", "DCON2")]
    corpus = Corpus.load(bot.settings.index.corpus_dir)  # a valid manifest with unique keys
    tenth = {d.key for d in corpus.documents if d.summit == 10}
    assert tenth == {"summit10-okaya", "summit10-okaya-2"}
    assert {key for key in tenth if any(f"as {key}:" in reply for reply in replies)} == tenth  # each told its own
    assert "<!channel>" not in replies[1] and "*b*" not in replies[1]  # the title from the file is inert
    versions = [reply.split("; index ")[1].split(";")[0] for reply in replies]
    assert serving(bot) == current_version(bot.settings.index.index_dir) == max(versions)  # said once served
    assert tenth <= set(load_index(bot.settings.index.index_dir).documents)


def test_the_command_line_waits_for_the_corpus_lock(built, tmp_path):
    settings = replace(built, corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    shutil.copytree(ROOT / "corpus", settings.corpus_dir)
    manifest = (settings.corpus_dir / "summits.toml").read_bytes()
    pdf = make_pdf(tmp_path / "okaya.pdf")
    with (settings.corpus_dir / changes.LOCK_FILE).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as the server holds it while it adds a declaration
        command = subprocess.Popen([str(Path(sys.executable).parent / "summitbot"), "corpus", "add", str(pdf),
                                    "--summit", "10"], env=cli_env(settings), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(6)  # reading the file takes about 1 s; then it waits for the lock
        assert command.poll() is None and (settings.corpus_dir / "summits.toml").read_bytes() == manifest
        fcntl.flock(lock, fcntl.LOCK_UN)
    out, err = command.communicate(timeout=60)
    assert command.returncode == 0, err
    assert "summit10-okaya" in {d.key for d in Corpus.load(settings.corpus_dir).documents}


def test_changes_at_once_in_one_process_get_their_own_keys(built, tmp_path):
    settings = replace(built, corpus_dir=tmp_path / "corpus")
    shutil.copytree(ROOT / "corpus", settings.corpus_dir)
    drafts = [worker.prepare(settings.corpus_dir, variant_pdf(tmp_path / f"v{n}.pdf", extra=f"③第{n}の取組みを進める。"), 10)
              for n in range(3)]
    assert {d.document.key for d in drafts} == {"summit10-okaya"}  # what each would be, prepared alone
    threads = [threading.Thread(target=changes.add, args=(settings, draft), kwargs={"build": None}) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    keys = [d.key for d in Corpus.load(settings.corpus_dir).documents if d.summit == 10]
    assert sorted(keys) == ["summit10-okaya", "summit10-okaya-2", "summit10-okaya-3"]


def test_a_build_stopped_by_its_time_limit_changes_nothing(built, embedder, tmp_path):
    settings = replace(built, corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    shutil.copytree(ROOT / "corpus", settings.corpus_dir)
    shutil.copytree(built.index_dir, settings.index_dir)
    live = LiveIndex(settings, SummitIndex.open(settings), check_every=0.0)
    draft = worker.prepare(settings.corpus_dir, make_pdf(tmp_path / "okaya.pdf"), 10)
    before = (settings.corpus_dir / "summits.toml").read_bytes(), current_version(settings.index_dir)
    too_short = Limits(seconds=2, cpu_seconds=60, rss_mb=3072)  # loading the model alone takes longer
    with pytest.raises(worker.BuildFailed, match="took too long") as failure:
        changes.add(settings, draft, live, build=lambda s: worker.build(s, too_short))
    assert failure.value.outcome.stopped == "time" and failure.value.outcome.seconds < 4
    assert ((settings.corpus_dir / "summits.toml").read_bytes(), current_version(settings.index_dir)) == before
    assert not list((settings.corpus_dir / "documents").glob("summit10*"))
    assert not (settings.corpus_dir / "documents" / "originals").exists() or not any(
        (settings.corpus_dir / "documents" / "originals").iterdir())
    assert live.version == before[1]


def test_the_server_starts_on_the_last_built_version_whatever_the_manifest_says(built, embedder, tmp_path, caplog):
    settings = replace(built, corpus_dir=tmp_path / "corpus")
    shutil.copytree(ROOT / "corpus", settings.corpus_dir)
    (settings.corpus_dir / "summits.toml").write_text('[[document]]\nkey = "summit10-okaya"\nsummit = ', encoding="utf-8")
    index = SummitIndex.open(settings)
    assert set(index.data.documents) == {"summit09-sumida", "summit08-ota"}
    assert index.ask("岡谷商工会議所は何をしている？").found
    assert "manifest cannot be read" in caplog.text and "summits.toml" in caplog.text


def admin_command(bot, slack, text: str, trigger: str) -> str:
    """/summit TEXT from the admin, as Slack posts it; the immediate (ephemeral) answer."""
    response_url = slack.api_url.replace("/api/", f"/commands/T0001/9/{trigger}")
    body = urllib.parse.urlencode({
        "token": "legacy", "team_id": "T0001", "channel_id": "DADMIN", "user_id": ADMIN, "command": "/summit",
        "text": text, "response_url": response_url, "trigger_id": trigger, "api_app_id": "A0001"}).encode()
    status, answer, _ = post(bot.url + "/slack/events", body, content_type="application/x-www-form-urlencoded")
    assert status == 200
    return json.loads(answer)["text"]


def test_admins_remove_and_roll_back_from_slack(slack, bot):
    index = bot.settings.index.index_dir
    with_it = serving(bot)
    assert "Removing summit10-okaya-2" in admin_command(bot, slack, "remove summit10-okaya-2", "T-remove")
    [removed] = slack.wait_for("response_url", timeout=BUILD_WAIT, where=lambda c: "Removed" in str(c.params))
    assert serving(bot) == current_version(index) != with_it and serving(bot) in str(removed.params)
    assert "summit10-okaya-2" not in load_index(index).documents
    assert "summit10-okaya-2" not in {d.key for d in Corpus.load(bot.settings.index.corpus_dir).documents}
    assert "Rolling" in admin_command(bot, slack, "rollback", "T-rollback")
    slack.wait_for("response_url", timeout=60, where=lambda c: "rolled back" in str(c.params))
    assert serving(bot) == current_version(index) == with_it
