"""No acknowledged question is lost or answered twice: records before the ack, recovery after kill -9, fair lanes.

The kill test runs `summitbot serve` as a real process against the fake Slack, kills it with SIGKILL while it is
answering a burst, starts it again on the same database and checks every acknowledged question got exactly one
answer in its own thread.
"""
from __future__ import annotations

import stat
import threading
import time

import pytest

from bot.lanes import FairQueue
from bot.records import ANSWERED, ANSWERING, RECEIVED, REFUSED, Records

from .conftest import cli_env
from .fakeslack import FakeSlack
from .loadgen import flood, kill_9_serve
from .slackbot import post, running_bot, slash_body

# ------------------------------------------------------------------ the records (no model needed)


def test_a_question_is_received_once_claimed_once_and_recovered_after_a_crash(tmp_path):
    records = Records(tmp_path / "r.sqlite3")
    first = records.receive("C1:1.1", "U1", "C1", "1.1", "岡谷は？", {"text": "岡谷は？"})
    assert first and records.receive("C1:1.1", "U1", "C1", "1.1", "岡谷は？", {}) is None  # a redelivery
    assert records.start(first, owner="dead-process").state == ANSWERING
    assert records.start(first, owner="another") is None  # claimed once
    second = records.receive("C1:2.2", "U2", "C1", "2.2", "川口は？", {})
    records.close()

    reopened = Records(tmp_path / "r.sqlite3")  # the next process: what the dead one held is owed again
    assert sorted(reopened.unfinished(owner="new-process")) == sorted([(first, "U1"), (second, "U2")])
    assert reopened.get(first).state == RECEIVED and reopened.start(first, "new-process").attempts == 2


def test_a_retry_of_a_stalled_question_is_let_through_and_a_fresh_one_is_not(tmp_path):
    records = Records(tmp_path / "r.sqlite3")
    record_id = records.receive("C1:1.1", "U1", "C1", "1.1", "q", {})
    records.start(record_id, owner="me")
    assert records.receive("C1:1.1", "U1", "C1", "1.1", "q", {}, stale_after=60) is None
    time.sleep(0.05)
    assert records.receive("C1:1.1", "U1", "C1", "1.1", "q", {}, stale_after=0.01) == record_id


def test_the_database_is_private_and_old_questions_are_purged(tmp_path):
    path = tmp_path / "data" / "r.sqlite3"
    records = Records(path, retention_days=30)
    for file in (path, path.with_name(path.name + "-wal")):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    old = records.receive("C1:1.1", "U1", "C1", "1.1", "old", {})
    records.finish(old, ANSWERED)
    owed = records.receive("C1:1.2", "U1", "C1", "1.2", "owed", {})  # never answered: kept whatever its age
    records.feedback(old, "U1", "up")
    assert records.purge(now=time.time() + 31 * 86_400) == 1
    assert records.get(old) is None and records.feedback_of(old) == {} and records.get(owed) is not None


# ------------------------------------------------------------------ the fair queue (no model needed)


def test_askers_take_turns_and_one_asker_cannot_fill_the_queue():
    done: list[str] = []
    lock = threading.Lock()

    def work(item: str) -> None:
        time.sleep(0.02)
        with lock:
            done.append(item)

    queue = FairQueue(work, workers=1, per_user=10)
    try:
        accepted = [queue.offer("flooder", f"f{i}") for i in range(50)]
        assert accepted.count(True) == 10 and not any(accepted[10:])
        assert queue.offer("other", "o1")
        deadline = time.time() + 10
        while len(done) < 11 and time.time() < deadline:
            time.sleep(0.01)
    finally:
        queue.close()
    assert done.index("o1") <= 2, done  # answered next in turn, not after the flood


# ------------------------------------------------------------------ end to end


@pytest.mark.slow
def test_one_asker_flooding_does_not_delay_another_or_block_clicks(service, built, tmp_path):
    with FakeSlack() as slack, running_bot(slack, service, built, tmp_path / "r.sqlite3", "http") as bot:
        result = flood(bot.url, slack, total=200)
        response_url = slack.api_url.replace("/api/", "/commands/T0001/9/help")
        status, body, _ = post(bot.url + "/slack/events", slash_body("help", response_url, trigger_id="T-flood-help"),
                               content_type="application/x-www-form-urlencoded")
        counts = bot.records.state_counts()
    assert result["flood_acknowledged"] == 200 and result["other_acknowledged"], result  # everything acknowledged
    # 4 workers finish what they hold, the flooder's next turn, then the other asker's
    assert result["flood_answers_in_between"] <= 8, result
    assert counts.get(REFUSED, 0) >= 100, counts  # past the limit: recorded as refused, not lost
    assert 1 <= result["busy_notices"] <= 3, result
    assert status == 200 and b"/summit" in body  # the slash command's help is answered right after the flood


@pytest.mark.slow
def test_kill_9_under_load_loses_no_acknowledged_question_and_doubles_none(built, tmp_path):
    result, output = kill_9_serve(cli_env(built, SUMMITBOT_DB=str(tmp_path / "records.sqlite3")), total=300)
    assert result["answered_before_kill"] < result["acknowledged"], f"the kill came too late to test anything: {result}"
    assert result["lost"] == 0 and result["answered_twice_or_more"] == 0, result
    assert "Traceback" not in output
