"""A person checks a new declaration before it goes in: the text to correct, OCR fixes, drafts that wait.

`summitbot corpus add` as an admin runs it (a real subprocess, a real PDF);
the Slack side (drafts kept in SQLite across a restart, the corrections form)
over real HTTP against the fake Slack.
"""
from __future__ import annotations

import shutil
import tomllib
from dataclasses import replace

import pytest

from index.corpus import Corpus

from .conftest import ROOT, cli_env, summitbot
from .test_refresh import make_pdf


def corpus_copy(built, tmp_path):
    settings = replace(built, corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    shutil.copytree(ROOT / "corpus", settings.corpus_dir)
    return settings


def test_text_out_then_text_from_adds_the_corrected_text_and_keeps_the_original(built, tmp_path):
    settings = corpus_copy(built, tmp_path)
    manifest = (settings.corpus_dir / "summits.toml").read_bytes()
    pdf, text = make_pdf(tmp_path / "okaya.pdf"), tmp_path / "okaya.txt"
    out = summitbot("corpus", "add", str(pdf), "--summit", "10", "--text-out", str(text), env=cli_env(settings))
    assert out.returncode == 0, out.stderr
    assert f"--text-from {text}" in out.stdout and "nothing was changed" in out.stdout
    assert (settings.corpus_dir / "summits.toml").read_bytes() == manifest  # writing the text changes nothing
    extracted = text.read_text(encoding="utf-8")
    assert "技能伝承マイスター制度" in extracted
    text.write_text(extracted.replace("技能伝承マイスター制度", "技能伝承マイスター認定制度"), encoding="utf-8")
    added = summitbot("corpus", "add", str(pdf), "--summit", "10", "--text-from", str(text),
                      "--fix", "電線後=震災後", env=cli_env(settings))
    assert added.returncode == 0, added.stderr
    assert "edited by hand" in added.stdout and "fix / 修正: 電線後 → 震災後" in added.stdout
    [doc] = [d for d in Corpus.load(settings.corpus_dir).documents if d.summit == 10]
    stored = (settings.corpus_dir / doc.file).read_text(encoding="utf-8")
    assert "技能伝承マイスター認定制度" in stored  # the person's text, not the extraction
    assert (settings.corpus_dir / doc.original).read_bytes() == pdf.read_bytes()  # the published PDF is kept
    assert doc.search_fixes == (("電線後", "震災後"),) and doc.pages == ()
    with (settings.corpus_dir / "summits.toml").open("rb") as handle:
        entry = [e for e in tomllib.load(handle)["document"] if e["summit"] == 10][0]
    assert entry["search_fixes"] == {"電線後": "震災後"}  # recorded per document in the manifest


def test_a_malformed_fix_is_refused_before_anything_is_read(built, tmp_path):
    settings = corpus_copy(built, tmp_path)
    result = summitbot("corpus", "add", str(make_pdf(tmp_path / "x.pdf")), "--summit", "10", "--fix", "電線後",
                       env=cli_env(settings))
    assert result.returncode == 2 and "WRONG=RIGHT" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_draft_waits_through_a_restart_and_is_added_with_the_admins_corrections(slack, built, embedder, tmp_path):
    import json

    from index.service import SummitIndex

    from .slackbot import RunningBot, curation_bot, post
    from .test_slack_curation import ADMIN, messages_to, share

    slack.add_file("FREVIEW", make_pdf(tmp_path / "okaya.pdf").read_bytes(), "okaya.pdf", "pdf", "application/pdf")
    with curation_bot(slack, built, embedder, tmp_path, frozenset({ADMIN})) as first:
        share(first, ADMIN, "第10回", "FREVIEW", "1700002001.0001", channel="DREVIEW")
        [summary] = messages_to(slack, "DREVIEW", contains="corpus_add_correct")
        settings, database = first.settings, first.settings.database
    buttons = json.loads(summary.params["blocks"]) if isinstance(summary.params["blocks"], str) else summary.params["blocks"]
    pending = buttons[-1]["elements"][0]["value"]
    with RunningBot(settings, SummitIndex.open(settings.index), database) as second:  # the server restarted
        def interact(payload: dict) -> tuple[int, bytes]:
            payload = {"user": {"id": ADMIN}, "team": {"id": "T0001"}, "api_app_id": "A0001", **payload}
            status, body, _ = post(second.url + "/slack/events", ("payload=" + json.dumps(payload)).encode(),
                                   content_type="application/x-www-form-urlencoded")
            return status, body

        assert interact({"type": "block_actions", "channel": {"id": "DREVIEW"}, "message": {"ts": "1.1"},
                         "trigger_id": "t-correct", "actions": [{"action_id": "corpus_add_correct", "value": pending,
                                                                 "type": "button", "block_id": "b"}]})[0] == 200
        [opened] = slack.wait_for("views.open", where=lambda c: "corpus_add_corrections" in json.dumps(c.params))
        view = opened.params["view"] if isinstance(opened.params["view"], dict) else json.loads(opened.params["view"])

        def send(text: str) -> tuple[int, bytes]:
            state = {"values": {"fixes": {"fixes": {"type": "plain_text_input", "value": text}}}}
            return interact({"type": "view_submission", "view": {**view, "id": "V9", "state": state}})

        status, body = send("電線後")  # no right-hand side: said next to the field, nothing added
        answer = json.loads(body)
        assert status == 200 and answer["response_action"] == "errors" and "誤=正" in answer["errors"]["fixes"]
        assert send("熟練技能者=熟練技能者たち\n微細加工 → 精密微細加工")[0] == 200
        [added] = messages_to(slack, "DREVIEW", contains="summit10", count=1)
    doc = [d for d in Corpus.load(settings.index.corpus_dir).documents if d.summit == 10][0]
    assert doc.search_fixes == (("熟練技能者", "熟練技能者たち"), ("微細加工", "精密微細加工"))
    assert "熟練技能者の精密加工" in (settings.index.corpus_dir / doc.file).read_text(encoding="utf-8")  # text verbatim
