"""The bot in Socket Mode: a local websocket server stands in for Slack's, reached through apps.connections.open."""
from __future__ import annotations

import json

import pytest

from .slackbot import blocks_text, event_body, feedback_record, mention, running_bot


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


def test_slash_command_private_first_then_shared_over_the_socket(slack, bot):
    """/summit over Socket Mode: 検索中… in the acknowledgement, a private answer, Share posts it to the channel."""
    response_url = slack.api_url.replace("/api/", "/commands/T0001/7/sock")
    command = {"token": "legacy", "team_id": "T0001", "channel_id": "C0701", "user_id": "U0001", "command": "/summit",
               "text": "東大阪市の条例は？", "response_url": response_url, "trigger_id": "T-sock", "api_app_id": "A0001"}
    envelope_id = slack.send_envelope(command, type="slash_commands", accepts_response_payload=True)
    ack = slack.wait_for_ack(envelope_id, timeout=5)
    assert "検索中" in json.dumps(ack.get("payload") or {}, ensure_ascii=False)
    [private] = slack.wait_for("response_url", where=lambda c: c.params.get("response_type") == "ephemeral"
                               and "住工共生" in blocks_text(c))
    share_url = slack.api_url.replace("/api/", "/actions/T0001/7/share")
    clicked = {"type": "block_actions", "user": {"id": "U0001"}, "team": {"id": "T0001"}, "api_app_id": "A0001",
               "channel": {"id": "C0701"}, "response_url": share_url, "trigger_id": "t-sock",
               "container": {"type": "message", "message_ts": "1.3", "channel_id": "C0701", "is_ephemeral": True},
               "actions": [{"action_id": "share_answer", "value": feedback_record(private), "type": "button",
                            "block_id": "b"}]}
    slack.wait_for_ack(slack.send_envelope(clicked, type="interactive"), timeout=5)
    [shared] = slack.wait_for("response_url", where=lambda c: c.params.get("response_type") == "in_channel"
                              and "東大阪市の条例は？" in blocks_text(c))
    slack.wait_for("response_url", where=lambda c: c.params.get("delete_original") is True)
    assert "住工共生" in blocks_text(shared)
