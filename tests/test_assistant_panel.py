"""The assistant side panel (bot/listeners/assistant.py) over real signed HTTP against tests/fakeslack.py:
prompts from the indexed summits, the thread's title, a failed status that costs nothing, context changes."""
from __future__ import annotations

import json
import logging
import time
from urllib.error import URLError

import pytest
from slack_sdk.errors import SlackApiError

from bot.listeners.assistant import MemoryContextStore, quietly, suggested_prompts, thread_title
from bot.phrases import PROMPTS

from .slackbot import blocks_text, event_body, post, running_bot


@pytest.fixture(scope="module")
def bot(slack, service, built, tmp_path_factory):
    with running_bot(slack, service, built, tmp_path_factory.mktemp("db") / "records.sqlite3", "http") as running:
        yield running


def events(bot, event: dict, event_id: str) -> int:
    return post(bot.url + "/slack/events", event_body(event, event_id))[0]


def started(channel: str, thread: str, context: dict | None = None) -> dict:
    return {"type": "assistant_thread_started", "assistant_thread": {
        "user_id": "U0003", "channel_id": channel, "thread_ts": thread, "context": context or {}},
        "event_ts": thread}


def asked(text: str, channel: str, thread: str, ts: str) -> dict:
    return {"type": "message", "channel_type": "im", "user": "U0003", "text": text, "ts": ts, "thread_ts": thread,
            "channel": channel, "event_ts": ts}


def settle(slack, quiet: float = 0.5, timeout: float = 10.0) -> None:
    """Wait until the bot has made no call for `quiet` seconds (earlier tests' status clearing included), so a
    failure injected next is met by this test's call and not by a late one of another thread's."""
    deadline = time.monotonic() + timeout
    seen = -1
    while time.monotonic() < deadline and seen != len(slack.calls):
        seen = len(slack.calls)
        time.sleep(quiet)


def answer_in(thread: str):
    """Matches a posted answer with citations in the thread (not the greeting)."""
    return lambda call: call.params.get("thread_ts") == thread and "[1]" in blocks_text(call)


# ---------------------------------------------------------------------- on plain data


def test_prompts_follow_the_indexed_summits(service):
    prompts = suggested_prompts(service)
    newest = max(service.summits())
    assert 1 <= len(prompts) <= 4 and all(set(p) == {"title", "message"} for p in prompts)
    messages = [p["message"] for p in prompts]
    assert f"第{newest}回宣言の国への提言は？" in messages
    assert any("岡谷市" in m for m in messages) and any(f"第{newest - 1}回と第{newest}回" in m for m in messages)
    for message in messages:  # a suggested prompt the bot cannot answer would be worse than none
        assert service.ask(message).found, message


def test_prompts_fall_back_when_the_index_cannot_be_read():
    class Broken:
        def snapshot(self):
            raise OSError("index gone")

    assert suggested_prompts(Broken()) == PROMPTS


def test_title_is_the_question_cut_short():
    assert thread_title("岡谷市の取組みは？") == "岡谷市の取組みは？"
    long = "第9回の宣言で、" + "事業承継について" * 20
    title = thread_title("<@UBOT> " + long + "\n")
    assert len(title) == 60 and title.endswith("…") and title.startswith("第9回の宣言で")


@pytest.mark.parametrize("error", [
    SlackApiError("failed", {"ok": False, "error": "ratelimited"}),
    URLError("connection refused"), TimeoutError("timed out"), ConnectionResetError(104, "reset"),
])
def test_a_failed_panel_call_is_logged_and_passed_over(error, caplog):
    def fails(*args, **kwargs):
        raise error

    with caplog.at_level(logging.WARNING, logger="bot.listeners.assistant"):
        assert quietly("status", fails, "searching") is False
    assert "assistant status failed" in caplog.text


def test_context_store_keeps_the_latest_and_ignores_no_channel():
    store = MemoryContextStore(limit=2)
    store.save(channel_id="D1", thread_ts="1.0", context={})
    assert store.find(channel_id="D1", thread_ts="1.0") is None
    store.save(channel_id="D1", thread_ts="1.0", context={"channel_id": "C1", "team_id": "T1"})
    store.save(channel_id="D1", thread_ts="1.0", context={"channel_id": "C2", "team_id": "T1"})
    assert store.find(channel_id="D1", thread_ts="1.0").channel_id == "C2"
    store.save(channel_id="D1", thread_ts="2.0", context={"channel_id": "C3"})
    store.save(channel_id="D1", thread_ts="3.0", context={"channel_id": "C4"})
    assert store.find(channel_id="D1", thread_ts="1.0") is None  # the oldest thread made room


# ---------------------------------------------------------------------- through the real server


def test_thread_started_suggests_prompts_of_the_index(slack, bot, service):
    assert events(bot, started("D0401", "1700000401.000100", {"channel_id": "C0777", "team_id": "T0001"}), "EvP1") == 200
    [prompts] = slack.wait_for("assistant.threads.setSuggestedPrompts", where=lambda c: c.params["channel_id"] == "D0401")
    shown = json.dumps(prompts.params, ensure_ascii=False)
    assert f"第{max(service.summits())}回宣言の国への提言は？" in shown


def test_first_question_titles_the_thread_and_is_answered(slack, bot):
    channel, thread = "D0402", "1700000402.000100"
    events(bot, started(channel, thread), "EvP2")
    assert events(bot, asked("岡谷商工会議所は何をしている？", channel, thread, "1700000402.000200"), "EvP3") == 200
    [title] = slack.wait_for("assistant.threads.setTitle", where=lambda c: c.params["channel_id"] == channel)
    assert title.params["title"] == "岡谷商工会議所は何をしている？" and title.params["thread_ts"] == thread
    slack.wait_for("chat.postMessage", where=answer_in(thread), timeout=20)
    [(payload,)] = bot.records.rows("SELECT payload FROM questions WHERE key=?", (f"{channel}:1700000402.000200",))
    assert json.loads(payload)["progress"] == "status"  # the responder clears the status however it ends
    # a second question in the thread keeps the first one's title
    events(bot, asked("東大阪市の条例は？", channel, thread, "1700000402.000300"), "EvP4")
    slack.wait_for("chat.postMessage", count=2, where=answer_in(thread), timeout=20)
    assert len([c for c in slack.calls_to("assistant.threads.setTitle") if c.params["channel_id"] == channel]) == 1


@pytest.mark.parametrize("status, body, count", [
    (200, {"ok": False, "error": "ratelimited"}, 1),  # an API error: SlackApiError at once
    (500, None, 3),  # a server error, retried twice by the client's handlers (bot/app.py), failing every time
])
def test_failed_status_still_answers(slack, bot, status, body, count):
    channel, thread = f"D04{status}", f"1700000{status}.000100"
    settle(slack)
    slack.fail_next("assistant.threads.setStatus", status, count=count, retry_after=None, body=body)
    assert events(bot, asked("東大阪市の条例は？", channel, thread, f"1700000{status}.000200"), f"EvS{status}") == 200
    slack.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts") == thread
                   and "住工共生のまちづくり条例" in blocks_text(c), timeout=20)
    failed = [c for c in slack.calls if c.method == "assistant.threads.setStatus" and not c.ok
              and c.params.get("channel_id") == channel]
    assert failed  # the status really was refused, and the answer came all the same


def test_context_changed_is_acknowledged_and_the_thread_goes_on(slack, bot):
    channel, thread = "D0403", "1700000403.000100"
    events(bot, started(channel, thread, {"channel_id": "C0001", "team_id": "T0001"}), "EvC1")
    before = len(slack.calls)
    changed = {"type": "assistant_thread_context_changed", "assistant_thread": {
        "user_id": "U0003", "channel_id": channel, "thread_ts": thread,
        "context": {"channel_id": "C0002", "team_id": "T0001", "enterprise_id": None}}, "event_ts": "1700000403.000150"}
    assert events(bot, changed, "EvC2") == 200
    malformed = {"type": "assistant_thread_context_changed", "assistant_thread": {
        "user_id": "U0003", "channel_id": channel, "thread_ts": thread, "context": {}}, "event_ts": "1700000403.000160"}
    assert events(bot, malformed, "EvC3") == 200
    time.sleep(0.5)
    assert [c.method for c in slack.calls[before:] if c.method in ("chat.update", "conversations.replies")] == []
    events(bot, asked("岡谷市の取組みは？", channel, thread, "1700000403.000200"), "EvC4")
    slack.wait_for("chat.postMessage", where=answer_in(thread), timeout=20)
