"""The ask page's per-client limit: a few questions at a time and per minute, others unaffected."""
from __future__ import annotations

import http.client
import urllib.parse

import pytest

from bot.ratelimit import ClientLimiter
from bot.settings import BotSettings

from .slackbot import RunningBot


def test_a_client_over_its_rate_is_refused_and_another_is_not():
    limiter = ClientLimiter(concurrent=5, per_minute=3)
    allowed = []
    for _ in range(5):
        with limiter.slot("10.0.0.1") as ok:
            allowed.append(ok)
    assert allowed == [True, True, True, False, False]
    with limiter.slot("10.0.0.2") as ok:
        assert ok


def test_questions_in_progress_are_limited_and_released():
    limiter = ClientLimiter(concurrent=2, per_minute=100)
    with limiter.slot("a") as first, limiter.slot("a") as second, limiter.slot("a") as third:
        assert (first, second, third) == (True, True, False)
    with limiter.slot("a") as again:
        assert again  # the slots were given back


def test_only_so_many_clients_are_remembered():
    limiter = ClientLimiter(concurrent=1, per_minute=1, clients=100)
    for n in range(1000):
        with limiter.slot(f"c{n}"):
            pass
    assert len(limiter._started) <= 101


@pytest.mark.slow
def test_the_ask_page_refuses_a_client_past_its_rate_and_still_answers_another(built, service, tmp_path):
    def ask(source: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", site.settings.port, timeout=30, source_address=(source, 0))
        try:
            connection.request("GET", "/?q=" + urllib.parse.quote("岡谷は？"))
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8")
        finally:
            connection.close()

    with RunningBot(BotSettings(index=built), service, tmp_path / "r.sqlite3") as site:
        statuses = [ask("127.0.0.1")[0] for _ in range(22)]
        refused_status, refused_page = ask("127.0.0.1")
        other_status, other_page = ask("127.0.0.2")
    assert statuses[:20] == [200] * 20 and statuses[20:] == [429, 429]
    assert refused_status == 429 and "please wait a minute" in refused_page and "1分ほど待って" in refused_page
    assert other_status == 200 and "岡谷" in other_page
