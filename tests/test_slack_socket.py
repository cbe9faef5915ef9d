"""The bot in Socket Mode: a local websocket server stands in for Slack's, reached through apps.connections.open."""
from __future__ import annotations

import json

import pytest

from .slackbot import blocks_text, running_bot, event_body, mention


@pytest.fixture(scope="module")
def bot(slack, service, built, tmp_path_factory):
    with running_bot(slack, service, built, tmp_path_factory.mktemp("db") / "records.sqlite3", "socket") as running:
        slack.wait_for_socket(timeout=15)
        yield running


def test_connects_with_the_app_token(slack, bot):
    [opened] = slack.calls_to("apps.connections.open")
    assert opened.token == "xapp-test-app-token-0123456789"


def test_event_envelope_is_acknowledged_and_answered(slack, bot):
    payload = json.loads(event_body(mention("What did Okaya commit to?", "1700000101.000100"), "EvS1"))
    envelope_id = slack.send_envelope(payload)
    ack = slack.wait_for_ack(envelope_id, timeout=5)
    assert ack["envelope_id"] == envelope_id
    [reply] = slack.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts") == "1700000101.000100")
    assert "岡谷商工会議所" in blocks_text(reply) and "Found" in blocks_text(reply)


def test_redelivered_envelope_gives_one_reply(slack, bot):
    payload = json.loads(event_body(mention("東大阪市の条例は？", "1700000102.000100"), "EvS2"))
    first = slack.send_envelope(payload)
    again = slack.send_envelope(payload, retry_attempt=1)
    slack.wait_for_ack(first)
    slack.wait_for_ack(again)
    slack.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts") == "1700000102.000100")
    import time

    time.sleep(1.0)
    replies = [c for c in slack.calls_to("chat.postMessage") if c.params.get("thread_ts") == "1700000102.000100"]
    assert len(replies) == 1


def test_health_reports_socket_mode(bot):
    import urllib.request

    with urllib.request.urlopen(bot.url + "/healthz") as response:
        assert json.loads(response.read())["slack"] == "socket"
