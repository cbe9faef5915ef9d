"""The bot in HTTP mode, over real HTTP on loopback, against a fake Slack Web API that speaks the real protocol."""
from __future__ import annotations

import json
import sys
import time

import pytest

from .conftest import ROOT
from .slackbot import blocks_of, blocks_text, click, feedback_record, running_bot, event_body, mention, post, slash_body

sys.path.insert(0, str(ROOT / "bench"))
from http_attacks import raw_request  # noqa: E402  (a client that stops sending once answered)


@pytest.fixture(scope="module")
def bot(slack, service, built, tmp_path_factory):
    with running_bot(slack, service, built, tmp_path_factory.mktemp("db") / "records.sqlite3", "http") as running:
        yield running


def events_url(bot) -> str:
    return bot.url + "/slack/events"


def posts_in(slack, channel: str, thread: str | None = None):
    return [c for c in slack.calls_to("chat.postMessage")
            if c.params.get("channel") == channel and (thread is None or c.params.get("thread_ts") == thread)]


def test_mention_is_answered_in_its_thread(slack, bot):
    status, _, seconds = post(events_url(bot), event_body(mention("What did 岡谷 commit to?", "1700000001.000100"), "Ev1"))
    assert status == 200 and seconds < 3
    [reply] = slack.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts") == "1700000001.000100")
    text = blocks_text(reply)
    assert "新規受注開拓" in text or "徳本薬草" in text
    assert "岡谷商工会議所" in text and "岡谷市" in text
    assert reply.params["channel"] == "C0001" and reply.token == "xoxb-test-bot-token-0123456789"
    assert str(reply.params.get("unfurl_links")).lower() in ("false", "0")


def test_follow_up_in_the_thread_uses_the_earlier_question(slack, bot):
    root = "1700000001.000100"
    slack.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts") == root)
    follow = {"type": "message", "channel_type": "channel", "user": "U0001", "text": "and 川口?",
              "ts": "1700000002.000100", "thread_ts": root, "channel": "C0001", "event_ts": "1700000002.000100"}
    assert post(events_url(bot), event_body(follow, "Ev2"))[0] == 200
    replies = slack.wait_for("chat.postMessage", count=2, where=lambda c: c.params.get("thread_ts") == root)
    assert "川口" in blocks_text(replies[-1]) and "i-mono" in blocks_text(replies[-1]) or "地域貢献事業者" in blocks_text(replies[-1])
    slack.add_message("C0001", "1700000002.000100", "and 川口?", "U0001", thread_ts=root)  # as Slack holds it
    reply_ts = "1700000002.000200"
    slack.add_message("C0001", reply_ts, "第9回では？", "U0001", thread_ts=root)
    assert post(events_url(bot), event_body({**follow, "text": "第9回では？", "ts": reply_ts, "event_ts": reply_ts},
                                            "Ev2b"))[0] == 200
    # 👀 on the asker's message while answering, taken off once answered
    [added] = slack.wait_for("reactions.add", where=lambda c: c.params.get("timestamp") == reply_ts)
    slack.wait_for("reactions.remove", where=lambda c: c.params.get("timestamp") == reply_ts)
    assert added.params["name"] == "eyes" and slack.wait_for("chat.postMessage", count=3,
                                                             where=lambda c: c.params.get("thread_ts") == root)


@pytest.mark.parametrize("tamper", ["bad-signature", "stale", "unsigned", "wrong-secret"])
def test_unverified_requests_get_401_and_no_reply(slack, bot, tamper):
    before = len(slack.calls)
    body = event_body(mention("岡谷は？", f"17000001{len(tamper)}.0001"), f"Ev-{tamper}")
    kwargs = {
        "bad-signature": {"headers": {"X-Slack-Signature": "v0=" + "0" * 64}, "sign": False},
        "stale": {"timestamp": int(time.time()) - 6 * 60},
        "unsigned": {"sign": False},
        "wrong-secret": {"secret": "not-the-secret"},
    }[tamper]
    status, _, _ = post(events_url(bot), body, **kwargs)
    assert status == 401
    time.sleep(0.5)
    assert [c.method for c in slack.calls[before:]] == []


def test_retries_and_double_delivery_give_one_reply(slack, bot):
    ts, channel = "1700000003.000100", "D0001"
    dm = {"type": "message", "channel_type": "im", "user": "U0002", "text": "<@UBOT> 住工混在問題について国に何を求めている？",
          "ts": ts, "channel": channel, "event_ts": ts}
    as_mention = mention("住工混在問題について国に何を求めている？", ts, channel=channel, user="U0002")
    assert post(events_url(bot), event_body(dm, "Ev3"))[0] == 200
    assert post(events_url(bot), event_body(as_mention, "Ev4"))[0] == 200
    for attempt in (1, 2):  # Slack's retries of the first delivery
        headers = {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"}
        assert post(events_url(bot), event_body(dm, "Ev3"), headers=headers)[0] == 200
    slack.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == channel)
    time.sleep(1.5)
    replies = posts_in(slack, channel)
    assert len(replies) == 1 and "住工混在問題が挙げられる" in blocks_text(replies[0])


def test_bots_and_edits_are_ignored(slack, bot):
    channel = "D0002"
    for i, extra in enumerate([{"bot_id": "B0001"}, {"subtype": "message_changed"}, {"bot_id": "B0999", "user": "U0999"}]):
        event = {"type": "message", "channel_type": "im", "user": "UBOT", "text": "岡谷は？", "ts": f"17000000{i}5.0001",
                 "channel": channel, **extra}
        assert post(events_url(bot), event_body(event, f"Ev-bot-{i}"))[0] == 200
    time.sleep(1.5)
    assert posts_in(slack, channel) == []


def test_rate_limited_post_is_retried_once_allowed(slack, bot):
    slack.fail_next("chat.postMessage", 429, retry_after=1)
    ts, channel = "1700000004.000100", "C0429"
    assert post(events_url(bot), event_body(mention("エネルギーコストについて国に何を求めている？", ts, channel=channel), "Ev5"))[0] == 200
    [reply] = slack.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == channel, timeout=20)
    limited = [c for c in slack.calls if c.method == "chat.postMessage" and c.status == 429]
    assert limited and reply.time - limited[-1].time >= 1.0  # waited for Retry-After
    assert len(posts_in(slack, channel)) == 1
    assert "産業界に負担を転嫁しない" in blocks_text(reply)


def test_no_answer_is_said_plainly(slack, bot):
    ts, channel = "1700000005.000100", "C0404"
    post(events_url(bot), event_body(mention("明日の墨田区の天気は？", ts, channel=channel), "Ev6"))
    [reply] = slack.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == channel)
    text = blocks_text(reply)
    assert "見つかりませんでした" in text and "[1]" not in text and "more_results" not in text


def test_slash_command_answers_privately_first_then_shares(slack, bot):
    response_url = slack.api_url.replace("/api/", "/commands/T0001/1/abc")
    status, body, seconds = post(events_url(bot), slash_body("東大阪市の条例は？", response_url),
                                 content_type="application/x-www-form-urlencoded")
    assert status == 200 and seconds < 3 and "検索中" in json.loads(body)["text"]  # the acknowledgement the answer replaces
    [answer] = slack.wait_for("response_url")
    assert answer.params["response_type"] == "ephemeral" and answer.params["replace_original"] is True
    assert "住工共生のまちづくり条例" in blocks_text(answer) and "東大阪市の条例は？" not in blocks_text(answer)
    buttons = [e["action_id"] for b in blocks_of(answer) if b["type"] == "actions" for e in b["elements"]]
    assert buttons[-2:] == ["share_answer", "keep_private"]
    record_id = feedback_record(answer)
    action_url = slack.api_url.replace("/api/", "/actions/T0001/1/share")
    assert click(bot, "share_answer", record_id, "C0001", action_url, ephemeral=True) == 200
    shared, deleted = slack.wait_for("response_url", count=3)[1:]
    assert shared.params["response_type"] == "in_channel" and "東大阪市の条例は？" in blocks_text(shared)
    assert "share_answer" not in json.dumps(blocks_of(shared)) and deleted.params["delete_original"] is True


def test_more_results_grow_the_answer_in_place_and_feedback_is_recorded(slack, bot):
    ts, channel = "1700000006.000100", "C0777"
    post(events_url(bot), event_body(mention("住工共生について", ts, channel=channel), "Ev7"))
    [reply] = slack.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == channel)
    record_id, before = feedback_record(reply), blocks_text(reply).count("> ")
    action_url = slack.api_url.replace("/api/", "/actions/T0001/2/more")
    earlier = len(slack.wait_for("response_url", count=0))
    assert click(bot, "more_results", record_id, channel, action_url, thread=ts) == 200
    grown = slack.wait_for("response_url", count=earlier + 1)[-1]
    assert grown.params.get("replace_original") is True
    assert blocks_text(grown).count("> ") > before and "[2]" in blocks_text(grown)
    assert len(posts_in(slack, channel)) == 1  # in place: no second message
    assert click(bot, "answer_feedback", f"up:{record_id}", channel, action_url, thread=ts, kind="feedback_buttons") == 200
    slack.wait_for("response_url", where=lambda c: c.params.get("response_type") == "ephemeral")
    assert bot.records.feedback_of(record_id) == {"U0001": "up"}
    assert click(bot, "answer_feedback", f"down:{record_id}", channel, action_url, thread=ts,
                 kind="feedback_buttons") == 200
    [opened] = slack.wait_for("views.open")
    view = opened.params["view"] if isinstance(opened.params["view"], dict) else json.loads(opened.params["view"])
    submitted = {"type": "view_submission", "user": {"id": "U0001"}, "team": {"id": "T0001"}, "api_app_id": "A0001",
                 "view": {**view, "id": "V1", "state": {"values": {
                     "reason": {"reason": {"type": "radio_buttons", "selected_option": {"value": "missing"}}},
                     "note": {"note": {"type": "plain_text_input", "value": "第8回の記載が出ない"}}}}}}
    status = post(events_url(bot), ("payload=" + json.dumps(submitted)).encode(),
                  content_type="application/x-www-form-urlencoded")[0]
    assert status == 200
    slack.wait_for("response_url", where=lambda c: "管理者が確認" in str(c.params.get("text")))
    [(vote, reason, note)] = bot.records.rows("SELECT value, reason, note FROM feedback WHERE question_id=?", (record_id,))
    assert (vote, reason, note) == ("down", "missing", "第8回の記載が出ない")


def test_url_verification_and_bad_bodies(bot):
    challenge = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}).encode()
    status, body, _ = post(events_url(bot), challenge)
    assert status == 200 and b"abc123" in body
    assert post(events_url(bot), b"{not json")[0] in (400, 401, 404)
    # sent as a client that stops when answered: the server refuses on Content-Length and closes, so a client
    # that keeps writing 2 MB meets a broken pipe (as urllib would, some of the time)
    two_mb = raw_request(bot.url, "POST", "/slack/events", {"Content-Type": "application/json",
                                                            "Content-Length": "2000000"}, frames=[b"x" * 65_536] * 31)
    assert two_mb.status == 413


def test_health(bot):
    import urllib.request

    with urllib.request.urlopen(bot.url + "/healthz") as response:
        health = json.loads(response.read())
    assert health["status"] == "ok" and health["slack"] == "http" and health["index"]


def test_assistant_panel_prompts_and_status(slack, bot):
    started = {"type": "assistant_thread_started", "assistant_thread": {
        "user_id": "U0003", "channel_id": "D0300", "thread_ts": "1700000300.000100", "context": {}},
        "event_ts": "1700000300.000200"}
    assert post(events_url(bot), event_body(started, "EvA1"))[0] == 200
    [prompts] = slack.wait_for("assistant.threads.setSuggestedPrompts")
    assert prompts.params["channel_id"] == "D0300" and "岡谷" in json.dumps(prompts.params, ensure_ascii=False)
    asked = {"type": "message", "channel_type": "im", "user": "U0003", "text": "岡谷商工会議所は何をしている？",
             "ts": "1700000300.000300", "thread_ts": "1700000300.000100", "channel": "D0300", "event_ts": "1700000300.000300"}
    assert post(events_url(bot), event_body(asked, "EvA2"))[0] == 200
    status = slack.wait_for("assistant.threads.setStatus")[0]
    assert "searching" in status.params["status"]
    replies = slack.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts") == "1700000300.000100"
                             and "徳本薬草" in blocks_text(c))
    assert len(replies) == 1
    # cleared once answered, whatever Slack itself does when the reply arrives
    slack.wait_for("assistant.threads.setStatus", where=lambda c: c.params.get("status") == "")
