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
from .slackbot import blocks_text, curation_bot, event_body, mention, post

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


def _more(bot, channel: str, ts: str, record_id: str) -> None:
    payload = {"type": "block_actions", "user": {"id": "U0001"}, "team": {"id": "T0001"}, "api_app_id": "A0001",
               "channel": {"id": channel}, "message": {"ts": "1.2", "thread_ts": ts, "text": ""}, "trigger_id": "t",
               "actions": [{"action_id": "more_results", "value": record_id, "type": "button", "block_id": "b"}]}
    body = ("payload=" + json.dumps(payload)).encode()
    assert post(bot.url + "/slack/events", body, content_type="application/x-www-form-urlencoded")[0] == 200


def test_more_results_after_the_declarations_changed_asks_to_ask_again(slack, built, embedder, tmp_path):
    with curation_bot(slack, built, embedder, tmp_path, frozenset()) as bot:
        ts, channel = "1700000801.000100", "CMORE"
        post(bot.url + "/slack/events", event_body(mention("住工共生について", ts, channel=channel), "EvMore1"))
        [reply] = slack.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == channel, timeout=30)
        blocks = reply.params["blocks"] if isinstance(reply.params["blocks"], list) else json.loads(reply.params["blocks"])
        record_id = blocks[-1]["elements"][0]["value"]

        settings = bot.settings.index
        gazetteer = settings.corpus_dir / "gazetteer.toml"
        gazetteer.write_text(gazetteer.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
        new = build(settings, progress=False, embedder=embedder).version
        deadline = time.time() + 30
        while json.loads(urllib.request.urlopen(bot.url + "/healthz", timeout=5).read())["index"] != new:
            assert time.time() < deadline, "the server did not switch to the new version"
            time.sleep(0.3)

        _more(bot, channel, ts, record_id)
        replies = slack.wait_for("chat.postMessage", count=2, where=lambda c: c.params.get("channel") == channel)
    assert "please ask again" in blocks_text(replies[-1]) and "もう一度質問" in blocks_text(replies[-1])
    assert replies[-1].params["thread_ts"] == ts and not replies[-1].params.get("blocks")  # no passages of another ranking
