"""bench/http_attacks.py, the figures of the HTTP attacks, run once against the real app on loopback."""
from __future__ import annotations

import os
import sys

import pytest

from .conftest import ROOT
from .slackbot import running_bot

sys.path.insert(0, str(ROOT / "bench"))
import http_attacks  # noqa: E402


@pytest.mark.slow
def test_measure_reports_each_attack_refused_and_the_server_answering(slack, service, built, tmp_path):
    with running_bot(slack, service, built, tmp_path / "records.sqlite3", "http") as bot:
        rows = http_attacks.measure(bot.url, server_pid=os.getpid(), half_open_count=50)
    results = {row["attack"]: row["result"] for row in rows}
    assert list(results) == ["Content-Length: 800 MB, 1 kB sent", "chunked body, up to 20 MB",
                             "50 half-open request heads (slowloris)", "body trickled at 1 byte/s",
                             "X-Slack-Request-Timestamp: abc", "X-Slack-Request-Timestamp: 5,000 digits"]
    assert [r.split()[0] for r in results.values()] == ["413", "413", "50", "408", "401", "401"], results
    assert all(row["server_still_answering"] for row in rows)
    chunked = rows[1]
    assert chunked["sent_mb"] < 12 and chunked["rss_growth_mb"] is not None and chunked["rss_growth_mb"] < 10
    table = http_attacks.markdown(rows)
    assert table.count("\n") == len(rows) + 2 and "| NO |" not in table
    print(table)
