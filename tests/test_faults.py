"""Slack's faults and users' bad input: the bot retries, reconnects and replies clearly; nothing is lost or doubled."""
from __future__ import annotations

import json
import time

import pytest

from .fakeslack import FakeSlack
from .slackbot import blocks_text, event_body, mention, post, running_bot

BAD_QUESTIONS = {
    "empty": "",
    "whitespace": " \u3000\t ",
    "huge": "岡谷" * 25_000,
    "control": "\x00\x07\x1b[31m",
    "emoji": "🙂🎉🙂",
    "particles": "のはがをにへとで",
    "injection": "<!channel> <@U0BOSS> &lt;!here&gt; *bold* <https://evil.example|click> 岡谷は？",
}


@pytest.fixture(scope="module")
def http_bot(slack, service, built, tmp_path_factory):
    # a short Web API timeout, so that the timeout test does not wait 15 s
    with running_bot(slack, service, built, tmp_path_factory.mktemp("db") / "r.sqlite3", "http", timeout=2.0) as bot:
        yield bot


def ask(bot, text: str, ts: str, channel: str) -> None:
    assert post(bot.url + "/slack/events", event_body(mention(text, ts, channel=channel), f"Ev-{channel}-{ts}"))[0] == 200


def replies(slack, channel: str) -> list:
    return [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == channel]


def test_server_errors_are_retried_without_double_posts(slack, http_bot):
    slack.fail_next("chat.postMessage", 500, count=2)
    ask(http_bot, "東大阪市の条例は？", "1700000701.0001", "C500")
    slack.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == "C500", timeout=30)
    time.sleep(1.0)
    failed = [c for c in slack.calls if c.method == "chat.postMessage" and c.status == 500]
    assert len(failed) == 2 and len(replies(slack, "C500")) == 1


@pytest.mark.parametrize("where", ["thread", "dm"])
def test_a_post_that_times_out_but_landed_is_not_repeated(slack, http_bot, where):
    slack.delay_next("chat.postMessage", 4.0)  # arrives (and is posted) at once; the response comes too late
    if where == "thread":
        channel = "CTIMEOUT"
        ask(http_bot, "東大阪市の条例は？", "1700000711.0001", channel)
    else:
        channel = "DTIMEOUT"
        event = {"type": "message", "channel_type": "im", "user": "U0007", "text": "東大阪市の条例は？",
                 "ts": "1700000712.0001", "channel": channel, "event_ts": "1700000712.0001"}
        assert post(http_bot.url + "/slack/events", event_body(event, "Ev-timeout-dm"))[0] == 200
    slack.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == channel, timeout=30)
    time.sleep(6.0)  # the timeout, the check and any second attempt
    assert len(replies(slack, channel)) == 1
    assert slack.calls_to("conversations.replies" if where == "thread" else "conversations.history")


def test_an_api_error_is_reported_not_retried_blindly(slack, http_bot):
    slack.fail_next("chat.postMessage", 200, body={"ok": False, "error": "fatal_error"})
    ask(http_bot, "岡谷は？", "1700000713.0001", "CFATAL")
    time.sleep(2.0)
    assert replies(slack, "CFATAL") == []  # an API error (not a lost response) is reported, not retried blindly


def test_repeated_rate_limits(slack, http_bot):
    slack.fail_next("chat.postMessage", 429, count=2, retry_after=1)
    ask(http_bot, "岡谷は？", "1700000702.0001", "C429B")
    slack.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == "C429B", timeout=30)
    time.sleep(1.0)
    assert len(replies(slack, "C429B")) == 1


@pytest.mark.parametrize("name", list(BAD_QUESTIONS))
def test_bad_questions_get_a_clear_reply(slack, http_bot, name):
    channel = f"CBAD{name.upper()[:6]}"
    ask(http_bot, BAD_QUESTIONS[name], f"17000008{len(name):02d}.0001", channel)
    [reply] = slack.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == channel, timeout=30)
    text = blocks_text(reply)
    for forbidden in ("<!channel>", "<@U0BOSS>", "<!here>", "<https://evil"):
        assert forbidden not in text
    assert "Traceback" not in text and len(text) < 20_000
    if name != "injection":  # an explanation or "nothing found" — never a citation
        assert "*[1]*" not in text
        assert "/" in reply.params["text"] or "Nothing in the declarations" in text or "見つかりませんでした" in text


@pytest.mark.parametrize("body, content_type", [
    (b"{not json", "application/json"),
    (b"payload=%7Bbroken", "application/x-www-form-urlencoded"),
    (json.dumps({"type": "event_callback", "event": {"type": "no_such_event"}, "event_id": "EvX"}).encode(), "application/json"),
    (b"\xff\xfe\x00garbage", "application/json"),
])
def test_malformed_or_unknown_bodies_never_crash(http_bot, body, content_type):
    status, _, _ = post(http_bot.url + "/slack/events", body, content_type=content_type)
    assert 200 <= status < 500
    with __import__("urllib.request").request.urlopen(http_bot.url + "/healthz") as response:
        assert response.status == 200


def test_replayed_request_with_old_signature_is_refused(http_bot):
    old = int(time.time()) - 600
    body = event_body(mention("岡谷は？", "1700000901.0001", channel="CREPLAY"), "EvReplay")
    assert post(http_bot.url + "/slack/events", body, timestamp=old)[0] == 401


def test_dropped_websocket_reconnects_and_answers(service, built, tmp_path):
    with FakeSlack() as fake, running_bot(fake, service, built, tmp_path / "r.sqlite3", "socket"):
        fake.wait_for_socket(timeout=15)
        fake.drop_socket_connections()
        deadline = time.time() + 40
        while fake.socket_connections < 2 and time.time() < deadline:
            time.sleep(0.2)
        assert fake.socket_connections >= 2  # reconnected through apps.connections.open
        fake.wait_for_socket(timeout=15)
        time.sleep(1.0)
        payload = json.loads(event_body(mention("What did Okaya commit to?", "1700001001.0001"), "EvDrop"))
        envelope = fake.send_envelope(payload)
        fake.wait_for_ack(envelope, timeout=10)
        fake.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts") == "1700001001.0001", timeout=30)
        assert len(fake.calls_to("apps.connections.open")) >= 2
