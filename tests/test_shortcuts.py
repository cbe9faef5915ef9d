"""The message shortcut 「宣言から探す」 over real signed HTTP: the selected message asked, answered privately
through the shortcut's response URL — also in a channel the bot is not a member of."""
from __future__ import annotations

import json
import time
import urllib.parse

import pytest

from bot.listeners.shortcuts import CALLBACK_ID

from .slackbot import blocks_text, event_body, post, running_bot


@pytest.fixture(scope="module")
def bot(slack, service, built, tmp_path_factory):
    with running_bot(slack, service, built, tmp_path_factory.mktemp("db") / "records.sqlite3", "http") as running:
        yield running


def shortcut_body(slack, text: str | None, channel: str, ts: str, trigger: str, thread_ts: str | None = None,
                  user: str = "U0005") -> tuple[bytes, str]:
    """A message_action payload as Slack posts it (form-encoded `payload=`), and its response URL."""
    response_url = f"{slack.base_url}/actions/T0001/{trigger}/shortcut"
    message = {"type": "message", "user": "U0009", "ts": ts}
    if text is not None:
        message["text"] = text
    if thread_ts:
        message["thread_ts"] = thread_ts
    payload = {"type": "message_action", "callback_id": CALLBACK_ID, "trigger_id": trigger, "action_ts": ts,
               "message_ts": ts, "response_url": response_url, "team": {"id": "T0001", "domain": "fake"},
               "user": {"id": user, "name": "staff"}, "channel": {"id": channel, "name": "general"},
               "message": message, "token": "legacy", "api_app_id": "A0001"}
    return urllib.parse.urlencode({"payload": json.dumps(payload, ensure_ascii=False)}).encode(), response_url


def send(bot, body: bytes) -> tuple[int, float]:
    status, _, seconds = post(bot.url + "/slack/events", body, content_type="application/x-www-form-urlencoded")
    return status, seconds


def test_shortcut_answers_the_message_privately_through_its_response_url(slack, bot):
    channel, ts = "C0S01", "1700000701.000100"
    slack.leave(channel)  # the bot is not in this channel: only the response URL reaches the asker
    body, response_url = shortcut_body(slack, "岡谷市の取組みは？", channel, ts, "TR-701")
    status, seconds = send(bot, body)
    assert status == 200 and seconds < 3
    [answer] = slack.wait_for("response_url", where=lambda c: "新規受注開拓" in blocks_text(c), timeout=20)
    assert answer.params["response_type"] == "ephemeral"
    assert [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == channel] == []
    [(payload,)] = bot.records.rows("SELECT payload FROM questions WHERE key=?", ("shortcut:TR-701",))
    question = json.loads(payload)
    assert question["private"] is True and question["response_url"] == response_url
    assert question["text"] == "岡谷市の取組みは？" and question["reply_thread"] == ts and question["user"] == "U0005"


def test_shortcut_in_a_thread_keeps_the_thread_and_does_not_adopt_it(slack, bot):
    channel, root, ts = "C0S02", "1700000710.000100", "1700000711.000100"
    body, _ = shortcut_body(slack, "<@U0009> 東大阪市の条例は？", channel, ts, "TR-711", thread_ts=root)
    assert send(bot, body)[0] == 200
    slack.wait_for("response_url", where=lambda c: "住工共生のまちづくり条例" in blocks_text(c), timeout=20)
    [(payload,)] = bot.records.rows("SELECT payload FROM questions WHERE key=?", ("shortcut:TR-711",))
    assert json.loads(payload)["reply_thread"] == root and json.loads(payload)["text"] == "東大阪市の条例は？"
    # someone replying in that person's thread is not asking the bot: the shortcut answered only the asker
    chat = {"type": "message", "channel_type": "channel", "user": "U0009", "text": "ありがとう", "ts": "1700000712.000100",
            "thread_ts": root, "channel": channel, "event_ts": "1700000712.000100"}
    assert post(bot.url + "/slack/events", event_body(chat, "EvS-thanks"))[0] == 200
    time.sleep(1.0)
    assert bot.records.rows("SELECT 1 FROM questions WHERE key=?", (f"{channel}:1700000712.000100",)) == []


@pytest.mark.parametrize("text", [None, "", "<@U0009>"])
def test_a_message_without_text_gets_a_short_private_reply(slack, bot, text):
    trigger = f"TR-empty-{len(text or '')}-{text is None}"
    body, _ = shortcut_body(slack, text, "C0S03", "1700000720.000100", trigger)

    def told(call) -> bool:
        return "検索に使える文字がありません" in str(call.params.get("text"))

    before = len([c for c in slack.calls_to("response_url") if told(c)])
    assert send(bot, body)[0] == 200
    replies = slack.wait_for("response_url", count=before + 1, where=told, timeout=10)
    assert replies[-1].params["response_type"] == "ephemeral"
    assert bot.records.rows("SELECT 1 FROM questions WHERE key=?", (f"shortcut:{trigger}",)) == []
