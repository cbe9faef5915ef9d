"""Per-channel settings: the store (bot/channels.py), `/summit config` (bot/listeners/config.py) and what they change.

The store and the command's words are checked on plain data; the command and the follow-up rule
also through the real server over signed HTTP and over Socket Mode, against tests/fakeslack.py.
"""
from __future__ import annotations

import json
import stat
import time
import urllib.parse
from dataclasses import replace

import pytest

from bot.channels import ChannelConfig, ChannelSettings
from bot.listeners.config import config_command, parse
from bot.phrases import bilingual

from .slackbot import RunningBot, bot_settings, event_body, mention, post

ADMIN, STAFF = "UADMIN1", "USTAFF1"


class Admins:
    def __init__(self, *admins: str):
        self.admins = set(admins)

    def is_admin(self, user: str) -> bool:
        return user in self.admins


# ---------------------------------------------------------------------- the store


def test_settings_survive_reopening_the_database(tmp_path):
    path = tmp_path / "db" / "records.sqlite3"
    store = ChannelSettings(path)
    assert store.get("C1") == ChannelConfig(follow_ups="always", answers="channel")  # never configured
    store.set("C1", ADMIN, follow_ups="mention")
    assert store.set("C1", ADMIN, answers="private") == ChannelConfig("mention", "private")  # the other kept
    store.close()
    again = ChannelSettings(path)
    assert again.get("C1") == ChannelConfig("mention", "private") and again.get("C2") == ChannelConfig()
    again.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_store_refuses_what_does_not_exist(tmp_path):
    store = ChannelSettings(tmp_path / "records.sqlite3")
    with pytest.raises(ValueError):
        store.set("C1", ADMIN, answers="loud")
    with pytest.raises(ValueError):
        store.set("C1", ADMIN, colour="blue")
    assert store.get("C1") == ChannelConfig()
    store.close()


def test_the_records_and_the_settings_share_one_file(tmp_path):
    from bot.records import Records

    path = tmp_path / "records.sqlite3"
    records, store = Records(path), ChannelSettings(path)
    store.set("C1", ADMIN, answers="private")
    records.receive("C1:1.0", "U1", "C1", "1.0", "岡谷市は？", {})
    assert records.rows("SELECT answers FROM channel_settings WHERE channel=?", ("C1",)) == [("private",)]
    records.close()
    store.close()


# ---------------------------------------------------------------------- the command's words


@pytest.mark.parametrize("words, expected", [
    ("follow-ups mention", ("follow_ups", "mention")),
    ("Follow-Ups ALWAYS", ("follow_ups", "always")),
    ("フォローアップ　メンションのみ", ("follow_ups", "mention")),  # the ideographic space of a Japanese IME
    ("フォローアップ 常に", ("follow_ups", "always")),
    ("answers private", ("answers", "private")),
    ("回答 非公開", ("answers", "private")),
    ("回答 チャンネル", ("answers", "channel")),
    ("ａｎｓｗｅｒｓ ｃｈａｎｎｅｌ", ("answers", "channel")),  # full-width letters
    ("answers mention", None),
    ("answers", None),
    ("answers private please", None),
])
def test_setting_words(words, expected):
    import unicodedata

    assert parse(unicodedata.normalize("NFKC", words).lower().split()) == expected


def test_config_command_shows_changes_and_refuses(tmp_path):
    store, admins = ChannelSettings(tmp_path / "records.sqlite3"), Admins(ADMIN)
    shown = config_command(store, admins, STAFF, "C1", "")
    assert "常に" in shown and "always" in shown and "/summit config answers private|channel" in shown
    assert config_command(store, admins, STAFF, "C1", "answers private") == bilingual("not_admin")
    assert store.get("C1") == ChannelConfig()
    changed = config_command(store, admins, ADMIN, "C1", "回答 非公開")
    assert "設定を変更しました" in changed and "非公開" in changed and "private" in changed
    assert store.get("C1").answers == "private"
    assert "その設定はありません" in config_command(store, admins, ADMIN, "C1", "answers loud")
    store.close()


# ---------------------------------------------------------------------- through the real server


def config_body(text: str, user: str, channel: str, trigger: str) -> bytes:
    return urllib.parse.urlencode({
        "token": "legacy", "team_id": "T0001", "channel_id": channel, "user_id": user, "command": "/summit",
        "text": text, "response_url": "", "trigger_id": trigger, "api_app_id": "A0001",
    }).encode()


def admin_bot(slack, service, built, database, mode: str) -> RunningBot:
    settings = replace(bot_settings(built, slack.api_url, mode), admins=frozenset({ADMIN}))
    return RunningBot(settings, service, database)


@pytest.fixture(scope="module")
def bot(slack, service, built, tmp_path_factory):
    with admin_bot(slack, service, built, tmp_path_factory.mktemp("db") / "records.sqlite3", "http") as running:
        yield running


def slash(bot, text: str, user: str, channel: str) -> dict:
    body = config_body(text, user, channel, f"T-{time.monotonic_ns()}")
    status, reply, _ = post(bot.url + "/slack/events", body, content_type="application/x-www-form-urlencoded")
    assert status == 200
    return json.loads(reply)


def test_config_over_http_by_an_admin_and_by_staff(bot):
    shown = slash(bot, "config", STAFF, "C0C01")
    assert shown["response_type"] == "ephemeral" and "メンションなしでも答える" in shown["text"]
    refused = slash(bot, "config follow-ups mention", STAFF, "C0C01")
    assert refused["text"] == bilingual("not_admin")
    changed = slash(bot, "config follow-ups mention", ADMIN, "C0C01")
    assert changed["response_type"] == "ephemeral" and "mention" in changed["text"]
    assert "メンションされたときだけ" in slash(bot, "config", STAFF, "C0C01")["text"]


def thread_posts(slack, channel: str, thread: str):
    return [c for c in slack.calls_to("chat.postMessage")
            if c.params.get("channel") == channel and c.params.get("thread_ts") == thread]


def reply(text: str, ts: str, thread: str, channel: str) -> dict:
    return {"type": "message", "channel_type": "channel", "user": "U0001", "text": text, "ts": ts,
            "thread_ts": thread, "channel": channel, "event_ts": ts}


def test_follow_up_without_mention_is_answered_under_always(slack, bot):
    channel, root = "C0F01", "1700000601.000100"
    post(bot.url + "/slack/events", event_body(mention("What did 岡谷 commit to?", root, channel=channel), "EvF1"))
    slack.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts") == root)
    post(bot.url + "/slack/events", event_body(reply("and 川口?", "1700000602.000100", root, channel), "EvF2"))
    slack.wait_for("chat.postMessage", count=2, where=lambda c: c.params.get("thread_ts") == root, timeout=20)


def test_follow_up_without_mention_is_ignored_under_mention(slack, bot):
    channel, root = "C0F02", "1700000611.000100"
    slash(bot, "config フォローアップ メンションのみ", ADMIN, channel)
    post(bot.url + "/slack/events", event_body(mention("What did 岡谷 commit to?", root, channel=channel), "EvF3"))
    slack.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts") == root)
    post(bot.url + "/slack/events", event_body(reply("and 川口?", "1700000612.000100", root, channel), "EvF4"))
    time.sleep(1.5)
    assert len(thread_posts(slack, channel, root)) == 1
    assert bot.records.rows("SELECT 1 FROM questions WHERE key=?", (f"{channel}:1700000612.000100",)) == []
    # mentioned, the same reply is a question again (Slack sends it as app_mention and as message)
    asked = "1700000613.000100"
    post(bot.url + "/slack/events", event_body(mention("and 川口?", asked, channel=channel, thread_ts=root), "EvF5"))
    post(bot.url + "/slack/events", event_body(reply("<@UBOT> and 川口?", asked, root, channel), "EvF6"))
    slack.wait_for("chat.postMessage", count=2, where=lambda c: c.params.get("thread_ts") == root, timeout=20)
    time.sleep(0.5)
    assert len(thread_posts(slack, channel, root)) == 2


def test_private_answers_mark_the_question_private(slack, bot):
    channel, ts = "C0F03", "1700000621.000100"
    slash(bot, "config 回答 非公開", ADMIN, channel)
    assert post(bot.url + "/slack/events", event_body(mention("岡谷市の取組みは？", ts, channel=channel), "EvF7"))[0] == 200
    [(payload,)] = bot.records.rows("SELECT payload FROM questions WHERE key=?", (f"{channel}:{ts}",))
    assert json.loads(payload)["private"] is True
    other = "1700000622.000100"  # a channel left at the default answers in the channel
    post(bot.url + "/slack/events", event_body(mention("岡谷市の取組みは？", other, channel="C0F04"), "EvF8"))
    [(payload,)] = bot.records.rows("SELECT payload FROM questions WHERE key=?", (f"C0F04:{other}",))
    assert json.loads(payload)["private"] is False


# ---------------------------------------------------------------------- Socket Mode


@pytest.fixture(scope="module")
def socket_bot(slack, service, built, tmp_path_factory):
    with admin_bot(slack, service, built, tmp_path_factory.mktemp("sdb") / "records.sqlite3", "socket") as running:
        slack.wait_for_socket(timeout=15)
        yield running


def test_config_over_socket_mode_answers_in_the_ack(slack, socket_bot):
    command = dict(urllib.parse.parse_qsl(config_body("config answers private", ADMIN, "C0S77", "T-sock").decode()))
    envelope = slack.send_envelope(command, type="slash_commands", accepts_response_payload=True)
    ack = slack.wait_for_ack(envelope, timeout=5)
    assert ack["payload"]["response_type"] == "ephemeral" and "private" in ack["payload"]["text"]
    store = ChannelSettings(socket_bot.settings.database)  # another connection to the same file sees it
    assert store.get("C0S77").answers == "private"
    store.close()
