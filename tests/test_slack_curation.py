"""Adding a declaration from Slack, against the fake Slack API: an admin's upload, everyone else's refusal."""
from __future__ import annotations

import json

import pytest


from .slackbot import blocks_text, curation_bot, event_body, post, slash_body
from .test_refresh import NEW_QUESTION, make_pdf

ADMIN = "UADMIN01"


@pytest.fixture(scope="module")
def bot(slack, built, embedder, tmp_path_factory):
    with curation_bot(slack, built, embedder, tmp_path_factory.mktemp("curation"), frozenset({ADMIN})) as running:
        yield running


def share(bot, user: str, text: str, file_id: str, ts: str, channel: str = "DADMIN") -> None:
    event = {"type": "message", "subtype": "file_share", "channel_type": "im", "user": user, "text": text,
             "ts": ts, "channel": channel, "files": [{"id": file_id}]}
    assert post(bot.url + "/slack/events", event_body(event, f"Ev-{ts}"))[0] == 200


def click(bot, action_id: str, value: str, user: str, channel: str) -> None:
    payload = {"type": "block_actions", "user": {"id": user}, "team": {"id": "T0001"}, "api_app_id": "A0001",
               "channel": {"id": channel}, "message": {"ts": "1.1"}, "trigger_id": "t",
               "actions": [{"action_id": action_id, "value": value, "type": "button", "block_id": "b"}]}
    body = ("payload=" + json.dumps(payload)).encode()
    assert post(bot.url + "/slack/events", body, content_type="application/x-www-form-urlencoded")[0] == 200


def messages_to(slack, channel: str, count: int = 1, contains: str = ""):
    return slack.wait_for("chat.postMessage", count=count, timeout=60,
                          where=lambda c: c.params.get("channel") == channel and contains in blocks_text(c))


def test_someone_else_is_politely_refused(slack, bot, tmp_path):
    slack.add_file("FNOPE", make_pdf(tmp_path / "x.pdf").read_bytes(), "x.pdf", "pdf", "application/pdf")
    share(bot, "UOTHER", "第10回です", "FNOPE", "1700000501.0001", channel="DOTHER")
    [reply] = messages_to(slack, "DOTHER")
    assert "管理者のみ" in blocks_text(reply) and "only the bot's admins" in blocks_text(reply)
    assert not slack.calls_to("files.info") and not slack.downloads


def test_unsupported_and_oversized_files_are_refused(slack, bot, monkeypatch):
    slack.add_file("FXLSX", b"PK\x03\x04 a spreadsheet", "sengen.xlsx", "xlsx", "application/octet-stream")
    share(bot, ADMIN, "第10回", "FXLSX", "1700000502.0001", channel="DSIZE")
    assert "cannot be added" in blocks_text(messages_to(slack, "DSIZE")[0])
    monkeypatch.setattr("bot.curation.MAX_BYTES", 100)
    slack.add_file("FBIG", b"%PDF-1.4 " + b"x" * 500, "big.pdf", "pdf", "application/pdf")
    share(bot, ADMIN, "第10回", "FBIG", "1700000503.0001", channel="DSIZE")
    assert "too large" in blocks_text(messages_to(slack, "DSIZE", count=2)[-1])
    assert not slack.downloads


def test_admin_adds_a_new_summit_and_it_is_answered(slack, bot, tmp_path):
    slack.add_file("FPDF10", make_pdf(tmp_path / "okaya.pdf").read_bytes(), "okaya-sengen.pdf", "pdf", "application/pdf")
    share(bot, ADMIN, "第10回のおかや宣言です", "FPDF10", "1700000504.0001")
    [summary] = messages_to(slack, "DADMIN", contains="corpus_add_confirm")
    assert "第10回中小企業都市サミット おかや宣言" in blocks_text(summary) and "岡谷市" in blocks_text(summary)
    assert slack.downloads  # fetched with the bot token
    blocks = summary.params["blocks"] if isinstance(summary.params["blocks"], list) else json.loads(summary.params["blocks"])
    pending = blocks[-1]["elements"][0]["value"]

    click(bot, "corpus_add_confirm", pending, "UOTHER", "DADMIN")  # someone else cannot confirm it
    messages_to(slack, "DADMIN", contains="管理者のみ")
    click(bot, "corpus_add_confirm", pending, ADMIN, "DADMIN")
    [done] = messages_to(slack, "DADMIN", contains="Added")
    assert "ask away" in blocks_text(done)

    asked = {"type": "message", "channel_type": "im", "user": "U0005", "text": NEW_QUESTION, "ts": "1700000505.0001",
             "channel": "DASK", "event_ts": "1700000505.0001"}
    assert post(bot.url + "/slack/events", event_body(asked, "Ev-ask10"))[0] == 200
    [answer] = messages_to(slack, "DASK")
    assert "技能伝承マイスター制度" in blocks_text(answer)


def test_sources_and_admin_commands(slack, bot):
    response_url = slack.api_url.replace("/api/", "/commands/T0001/2/src")
    status, body, _ = post(bot.url + "/slack/events", slash_body("sources", response_url, trigger_id="T-src"),
                           content_type="application/x-www-form-urlencoded")
    text = json.loads(body)["text"]
    assert status == 200 and "第9回 すみだ宣言" in text and "第8回" in text and "箇所" in text
    status, body, _ = post(bot.url + "/slack/events", slash_body("rollback", response_url, trigger_id="T-rb"),
                           content_type="application/x-www-form-urlencoded")
    assert "管理者のみ" in json.loads(body)["text"]


def test_app_home_lists_the_declarations(slack, bot):
    event = {"type": "app_home_opened", "user": "U0001", "channel": "D0001", "tab": "home", "event_ts": "1.1"}
    assert post(bot.url + "/slack/events", event_body(event, "Ev-home"))[0] == 200
    [published] = slack.wait_for("views.publish")
    view = published.params["view"] if isinstance(published.params["view"], dict) else json.loads(published.params["view"])
    assert view["type"] == "home" and "すみだ宣言" in json.dumps(view, ensure_ascii=False)
