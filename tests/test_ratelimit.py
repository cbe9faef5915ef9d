"""The ask page's per-client limit: a few questions at a time and per minute, others unaffected."""
from __future__ import annotations

from bot.ratelimit import ClientLimiter


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
