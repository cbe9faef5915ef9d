"""Where work runs once Slack has been acknowledged: questions in a fair queue, everything else in lanes of its own.

Why not Bolt's worker pool: it is one first-come-first-served queue in
memory, so one person sending 200 mentions delayed everyone else's answer by
about 10 s, and button clicks behind them timed out. Here:

* every listener only records and hands over, so Slack is acknowledged at
  once whatever the load;
* questions are answered by a few workers that take askers in turn (round
  robin), and one asker may have at most `per_user` questions waiting;
* clicks ("More results", feedback, App Home) and admin work (uploads,
  rebuilds, which take tens of seconds) each have their own threads, so they
  never wait behind questions or each other.

Nothing here knows what a question is; the queue carries record ids.
"""
from __future__ import annotations

import logging
import threading
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

log = logging.getLogger(__name__)


class FairQueue:
    """Items answered by `workers` threads, one asker's item at a time in turn."""

    def __init__(self, work: Callable[[str], object], workers: int = 4, per_user: int = 10, name: str = "answer"):
        self._work = work
        self.per_user = per_user
        self._waiting: OrderedDict[str, deque[str]] = OrderedDict()
        self._running: Counter[str] = Counter()
        self._ready = threading.Condition()
        self._closed = False
        self._threads = [threading.Thread(target=self._serve, name=f"{name}-{i}", daemon=True) for i in range(workers)]
        for thread in self._threads:
            thread.start()

    def offer(self, user: str, item: str) -> bool:
        """Queue `item` unless `user` already has `per_user` items waiting or running; whether it was queued."""
        with self._ready:
            if len(self._waiting.get(user, ())) + self._running[user] >= self.per_user:
                return False
            self._append(user, item)
        return True

    def put(self, user: str, item: str) -> None:
        """Queue `item` whatever the asker's count (questions owed from before a restart)."""
        with self._ready:
            self._append(user, item)

    def _append(self, user: str, item: str) -> None:
        self._waiting.setdefault(user, deque()).append(item)
        self._ready.notify()

    def waiting(self) -> int:
        with self._ready:
            return sum(len(items) for items in self._waiting.values())

    def _next(self) -> tuple[str, str] | None:
        """The first asker's oldest item; the asker then goes to the back of the line."""
        with self._ready:
            while not self._waiting and not self._closed:
                self._ready.wait()
            if not self._waiting:
                return None
            user, items = next(iter(self._waiting.items()))
            item = items.popleft()
            del self._waiting[user]
            if items:
                self._waiting[user] = items  # re-inserted last: everyone else goes first
            self._running[user] += 1
            return user, item

    def _serve(self) -> None:
        while (job := self._next()) is not None:
            user, item = job
            try:
                self._work(item)
            except Exception:  # a worker never dies of one item; the item's own code records its failure
                log.exception("work on %s failed", item)
            finally:
                with self._ready:
                    self._running[user] -= 1
                    if not self._running[user]:
                        del self._running[user]

    def close(self, timeout: float = 10.0) -> None:
        """Stop taking items; workers finish what they hold. What is still waiting stays recorded for the next start."""
        with self._ready:
            self._closed = True
            self._waiting.clear()
            self._ready.notify_all()
        for thread in self._threads:
            thread.join(timeout)


class Lane:
    """A few threads of one kind of work; a failure is logged with its traceback, never lost silently."""

    def __init__(self, name: str, workers: int):
        self.name = name
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)

    def submit(self, work: Callable[..., object], *args: object, **kwargs: object) -> Future:
        future = self._pool.submit(work, *args, **kwargs)
        future.add_done_callback(self._log_failure)
        return future

    def _log_failure(self, future: Future) -> None:
        if not future.cancelled() and future.exception() is not None:
            error = future.exception()
            log.error("%s work failed", self.name, exc_info=(type(error), error, error.__traceback__))

    def close(self) -> None:
        self._pool.shutdown(wait=True)


@dataclass
class Lanes:
    """The server's lanes of work, started together and closed together."""

    questions: FairQueue
    clicks: Lane  # buttons and App Home: short Slack calls
    admin: Lane  # uploads, adding and removing declarations: one at a time

    @classmethod
    def start(cls, answer: Callable[[str], object], workers: int = 4, per_user: int = 10) -> Lanes:
        return cls(FairQueue(answer, workers=workers, per_user=per_user), Lane("clicks", 4), Lane("admin", 1))

    def close(self) -> None:
        self.questions.close()
        self.clicks.close()
        self.admin.close()
