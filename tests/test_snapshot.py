"""An index version carries the gazetteer and glossary it was built with: a rollback brings them back too."""
from __future__ import annotations

import json
import shutil
import time
import urllib.request
from dataclasses import replace

from index.service import SummitIndex, build
from index.store import current_version, rollback

from .conftest import ROOT
from .slackbot import click, curation_bot, event_body, feedback_record, mention, post

QUESTION = "ミナモトシティの取組みは？"  # a name that is 岡谷市 only in the newer gazetteer


def test_a_rollback_answers_with_the_gazetteer_of_the_version_it_returns_to(built, embedder, tmp_path):
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    shutil.copytree(built.index_dir, tmp_path / "index")
    settings = replace(built, corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    old = current_version(settings.index_dir)
    assert (settings.index_dir / "versions" / old / "gazetteer.toml").read_bytes() == \
        (ROOT / "corpus" / "gazetteer.toml").read_bytes()

    gazetteer = settings.corpus_dir / "gazetteer.toml"
    gazetteer.write_text(gazetteer.read_text(encoding="utf-8").replace('"おかやし", ', '"おかやし", "ミナモトシティ", '),
                         encoding="utf-8")
    new = build(settings, progress=False, embedder=embedder).version
    assert "岡谷市" in SummitIndex.open(settings).ask(QUESTION).analysis.cities

    assert rollback(settings.index_dir) == (new, old)
    rolled_back = SummitIndex.open(settings)  # the corpus folder still has the new gazetteer
    assert "岡谷市" not in rolled_back.ask(QUESTION).analysis.cities
    assert "岡谷市" in rolled_back.ask("おかやの取組みは？").analysis.cities


def test_a_damaged_gazetteer_copy_is_named_at_load(built, tmp_path):
    shutil.copytree(built.index_dir, tmp_path / "index")
    version = current_version(tmp_path / "index")
    (tmp_path / "index" / "versions" / version / "gazetteer.toml").write_text("# edited by hand\n", encoding="utf-8")
    from index.store import IndexCorruptError, load_index
    try:
        load_index(tmp_path / "index")
    except IndexCorruptError as error:
        assert "gazetteer.toml" in str(error)
    else:
        raise AssertionError("a changed gazetteer copy was loaded without complaint")


def test_more_results_after_the_declarations_changed_asks_to_ask_again(slack, built, embedder, tmp_path):
    with curation_bot(slack, built, embedder, tmp_path, frozenset()) as bot:
        ts, channel = "1700000801.000100", "CMORE"
        post(bot.url + "/slack/events", event_body(mention("住工共生について", ts, channel=channel), "EvMore1"))
        [reply] = slack.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == channel, timeout=30)
        record_id = feedback_record(reply)

        settings = bot.settings.index
        gazetteer = settings.corpus_dir / "gazetteer.toml"
        gazetteer.write_text(gazetteer.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
        new = build(settings, progress=False, embedder=embedder).version
        deadline = time.time() + 30
        while json.loads(urllib.request.urlopen(bot.url + "/healthz", timeout=5).read())["index"] != new:
            assert time.time() < deadline, "the server did not switch to the new version"
            time.sleep(0.3)

        action_url = slack.api_url.replace("/api/", "/actions/T0001/8/more")
        assert click(bot, "more_results", record_id, channel, action_url, thread=ts) == 200
        [told] = slack.wait_for("response_url", where=lambda c: "もう一度質問" in str(c.params.get("text")))
    assert "please ask again" in told.params["text"] and told.params["response_type"] == "ephemeral"
    assert told.params["replace_original"] is False and not told.params.get("blocks")  # the answer stays as it was
