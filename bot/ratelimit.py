"""A per-client limit for the ask page: a few questions at a time and a steady rate, so one client cannot starve others.

Slack questions are limited by asker in the fair queue (bot/lanes.py); the
ask page has no Slack user, so it is limited by the client's address (behind
a reverse proxy that is the proxy's, which then limits the whole city office:
put the proxy's own limit in front, see README "Deploying").
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager


class ClientLimiter:
    """At most `concurrent` questions in progress and `per_minute` started per client; remembers `clients` clients."""

    def __init__(self, concurrent: int = 2, per_minute: int = 20, clients: int = 10_000):
        self.concurrent = concurrent
        self.per_minute = per_minute
        self._clients = clients
        self._started: OrderedDict[str, list[float]] = OrderedDict()  # start times in the last minute
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, client: str) -> Iterator[bool]:
        """`with limiter.slot(address) as allowed:` — False when the client is over its limit."""
        allowed = self._acquire(client)
        try:
            yield allowed
        finally:
            if allowed:
                self._release(client)

    def _acquire(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._started.pop(client, []) if now - t < 60.0]
            self._started[client] = recent  # most recently seen last, so the oldest are forgotten first
            if len(self._started) > self._clients:
                self._started.popitem(last=False)
            if len(recent) >= self.per_minute or self._running.get(client, 0) >= self.concurrent:
                return False
            recent.append(now)
            self._running[client] = self._running.get(client, 0) + 1
            return True

    def _release(self, client: str) -> None:
        with self._lock:
            self._running[client] -= 1
            if not self._running[client]:
                del self._running[client]
