"""Load on loopback: 200 signed questions from 20 concurrent senders, over HTTP and over Socket Mode.

Every request acknowledged, every question answered exactly once in its own thread, none lost,
memory steady. The figures themselves are recorded by bench/reliability.py in docs/RELIABILITY.md.
"""
from __future__ import annotations

import pytest

from .fakeslack import FakeSlack
from .loadgen import http_load, socket_load
from .slackbot import running_bot


@pytest.fixture
def fresh_slack():
    with FakeSlack() as fake:
        yield fake


def assert_held(result) -> None:
    summary = result.summary()
    assert summary["acknowledged"] == summary["questions"], summary
    assert summary["lost"] == 0 and summary["answered_twice_or_more"] == 0, summary
    assert summary["answered_once"] == summary["questions"], summary
    assert summary["ack_max_ms"] < 3000, summary  # Slack's limit, not a speed target
    assert summary["rss_after_mb"] - summary["rss_before_mb"] < 200, summary


def test_http_load(fresh_slack, service, built, tmp_path):
    with running_bot(fresh_slack, service, built, tmp_path / "records.sqlite3", "http") as bot:
        http_load(bot.url, fresh_slack, total=20, senders=10, run="0")  # warm-up
        assert_held(http_load(bot.url, fresh_slack, total=200, senders=20, run="1"))


def test_socket_mode_load(fresh_slack, service, built, tmp_path):
    with running_bot(fresh_slack, service, built, tmp_path / "records.sqlite3", "socket"):
        fresh_slack.wait_for_socket(timeout=15)
        assert_held(socket_load(fresh_slack, total=200, senders=20, run="2"))
