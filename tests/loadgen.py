"""Load on loopback: many signed questions from concurrent senders, over HTTP or Socket Mode.

Each sender is its own Slack user (one person's flood is refused past a limit: see bot/lanes.py).

Used by tests/test_load.py (asserts) and bench/reliability.py (records the figures).
"""
from __future__ import annotations

import json
import os
import signal
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .slackbot import event_body, mention, post

QUESTIONS = [
    "What did 岡谷 commit to?", "住工混在問題について国に何を求めている？", "東大阪市の条例は？",
    "エネルギーコストの高騰について国に何を求めていますか？", "How will Sumida use vacant factories?",
    "第8回で事業承継について何と言っている？", "川口商工会議所のブランド認定は？", "明日の天気は？",
]


def rss_mb() -> float:
    """Resident memory of this process (the bot runs in it), from /proc."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class LoadResult:
    sent: int
    senders: int
    acked: int = 0
    ack_ms: list[float] = field(default_factory=list, repr=False)
    replies_per_question: Counter = field(default_factory=Counter, repr=False)
    seconds: float = 0.0
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def answered_once(self) -> int:
        return sum(1 for n in self.replies_per_question.values() if n == 1)

    @property
    def lost(self) -> int:
        return self.sent - len(self.replies_per_question)

    @property
    def duplicated(self) -> int:
        return sum(1 for n in self.replies_per_question.values() if n > 1)

    def summary(self) -> dict:
        ms = sorted(self.ack_ms) or [0.0]
        return {
            "questions": self.sent, "senders": self.senders, "acknowledged": self.acked,
            "ack_p50_ms": round(statistics.median(ms), 1), "ack_p99_ms": round(ms[min(len(ms) - 1, int(0.99 * len(ms)))], 1),
            "ack_max_ms": round(ms[-1], 1), "answered_once": self.answered_once, "lost": self.lost,
            "answered_twice_or_more": self.duplicated, "seconds": round(self.seconds, 1),
            "rss_before_mb": round(self.rss_before_mb), "rss_after_mb": round(self.rss_after_mb), "errors": self.errors[:5],
        }


def _thread_ts(i: int, run: str) -> str:
    return f"17{run}{i:06d}.000100"


def _collect(slack, result: LoadResult, threads: set[str], timeout: float) -> None:
    """Wait until every question has a reply (or time runs out), then count replies per question."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        posted = {c.params.get("thread_ts") for c in slack.calls_to("chat.postMessage")} & threads
        if len(posted) == len(threads):
            break
        time.sleep(0.2)
    time.sleep(1.0)  # a late duplicate would show up here
    result.replies_per_question = Counter(
        c.params.get("thread_ts") for c in slack.calls_to("chat.postMessage") if c.params.get("thread_ts") in threads
    )


def _drive(send, result: LoadResult, slack, run: str, timeout: float) -> LoadResult:
    """Send every question from `result.senders` threads, then wait for and count the replies."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=result.senders) as pool:
        list(pool.map(send, range(result.sent)))
    _collect(slack, result, {_thread_ts(i, run) for i in range(result.sent)}, timeout)
    result.seconds = time.perf_counter() - started
    result.rss_after_mb = rss_mb()
    return result


def http_load(url: str, slack, total: int = 200, senders: int = 20, run: str = "1", timeout: float = 180) -> LoadResult:
    """`total` signed app_mention events from `senders` concurrent clients; every one must be answered once."""
    result = LoadResult(total, senders, rss_before_mb=rss_mb())
    lock = threading.Lock()

    def send(i: int) -> None:
        ts = _thread_ts(i, run)
        body = event_body(mention(QUESTIONS[i % len(QUESTIONS)], ts, channel=f"CLOAD{i % senders:02d}",
                                    user=f"ULOAD{i % senders:02d}"), f"EvL{run}-{i}")
        try:
            status, _, seconds = post(url + "/slack/events", body)
        except OSError as error:
            with lock:
                result.errors.append(repr(error))
            return
        with lock:
            result.ack_ms.append(seconds * 1000)
            result.acked += status == 200

    return _drive(send, result, slack, run, timeout)


def socket_load(slack, total: int = 200, senders: int = 20, run: str = "2", timeout: float = 180) -> LoadResult:
    """The same through Socket Mode: envelopes from `senders` threads; every envelope acked, every question answered once."""
    result = LoadResult(total, senders, rss_before_mb=rss_mb())
    lock = threading.Lock()

    def send(i: int) -> None:
        ts = _thread_ts(i, run)
        payload = json.loads(event_body(mention(QUESTIONS[i % len(QUESTIONS)], ts, channel=f"CSOCK{i % senders:02d}",
                                            user=f"USOCK{i % senders:02d}"),
                                        f"EvS{run}-{i}"))
        started = time.perf_counter()
        envelope = slack.send_envelope(payload)
        try:
            slack.wait_for_ack(envelope, timeout=10)
        except AssertionError as error:
            with lock:
                result.errors.append(str(error)[:200])
            return
        with lock:
            result.ack_ms.append((time.perf_counter() - started) * 1000)
            result.acked += 1

    return _drive(send, result, slack, run, timeout)


def flood(url: str, slack, total: int = 200, run: str = "3") -> dict:
    """One asker sends `total` mentions at once; then another asks. How long the other waits, what the flood got."""
    def send(i: int) -> int:
        body = event_body(mention("東大阪市の条例は？", f"17{run}1{i:05d}.0001", channel=f"CFLOOD{run}", user=f"UFLOOD{run}"),
                          f"EvFl{run}-{i}")
        return post(url + "/slack/events", body)[0]

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(send, range(total)))
    asked = time.monotonic()  # the fake records calls on this process's monotonic clock
    other_channel = f"COTHER{run}"
    status = post(url + "/slack/events", event_body(mention("岡谷は？", f"17{run}2000000.0001", channel=other_channel,
                                                            user=f"UOTHER{run}"), f"EvOther{run}"))[0]
    [other] = slack.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == other_channel, timeout=60)
    between = [c for c in slack.calls_to("chat.postMessage")
               if c.params.get("channel") == f"CFLOOD{run}" and asked < c.time < other.time]
    return {"flood_questions": total, "flood_acknowledged": statuses.count(200), "other_acknowledged": status == 200,
            "other_answer_seconds": round(other.time - asked, 2), "flood_answers_in_between": len(between),
            "busy_notices": sum(1 for c in slack.calls_to("chat.postEphemeral") if c.params.get("user") == f"UFLOOD{run}")}


def burst(url: str, count: int, run: str, askers: int = 30) -> dict[str, int]:
    """`count` mentions from `askers` people, each in its own thread; thread ts → HTTP status (0: server gone)."""
    def send(i: int) -> tuple[str, int]:
        ts = f"17{run}3{i:05d}.0001"
        body = event_body(mention("What did 岡谷 commit to?", ts, channel=f"CK{i % askers:02d}", user=f"UK{i % askers:02d}"),
                          f"EvK{run}-{i}")
        try:
            return ts, post(url + "/slack/events", body)[0]
        except OSError:
            return ts, 0

    with ThreadPoolExecutor(max_workers=20) as pool:
        return dict(pool.map(send, range(count)))


def kill_under_load(start, kill, slack, url: str, total: int = 300, kill_after: float = 2.0, run: str = "4",
                    timeout: float = 120) -> dict:
    """`total` questions, the server killed (`kill`, e.g. SIGKILL) `kill_after` s in, started again (`start`);
    counts what was acknowledged, answered before and after, lost and answered twice."""
    start()
    sent: dict[str, int] = {}
    sender = threading.Thread(target=lambda: sent.update(burst(url, total, run)))
    sender.start()
    time.sleep(kill_after)
    kill()
    sender.join(timeout=60)
    acknowledged = {ts for ts, status in sent.items() if status == 200}
    before = {c.params.get("thread_ts") for c in slack.calls_to("chat.postMessage")} & acknowledged
    restarted = time.monotonic()
    start()
    deadline = time.time() + timeout
    while time.time() < deadline and not acknowledged <= {c.params.get("thread_ts") for c in slack.calls_to("chat.postMessage")}:
        time.sleep(0.5)
    recovered_seconds = time.monotonic() - restarted
    time.sleep(2.0)  # a late duplicate would show up here
    replies = Counter(c.params.get("thread_ts") for c in slack.calls_to("chat.postMessage")
                      if c.params.get("thread_ts") in sent)
    return {"questions": total, "acknowledged": len(acknowledged), "answered_before_kill": len(before),
            "answered_after_restart": len(acknowledged & set(replies)) - len(before),
            "lost": len(acknowledged - set(replies)), "answered_twice_or_more": sum(1 for n in replies.values() if n > 1),
            "restart_to_all_answered_s": round(recovered_seconds, 1)}


def kill_9_serve(env: dict[str, str], total: int = 300) -> tuple[dict, str]:
    """`kill_under_load` on a real `summitbot serve` (HTTP mode, `env` naming its corpus, index and database) against
    a fresh fake Slack; the counts and what the restarted process printed."""
    from .fakeslack import FakeSlack
    from .slackbot import BOT_TOKEN, SIGNING_SECRET, free_port
    from .test_serve_process import start, stop, wait_healthy

    port = free_port()
    processes: list = []
    with FakeSlack() as slack:
        env = {**env, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.api_url}
        env.pop("SLACK_APP_TOKEN", None)
        slack.delay_next("chat.postMessage", 0.05, count=10_000)  # answers take a while, as over a real network

        def start_server() -> None:
            processes.append(start(env, port))
            wait_healthy(processes[-1], port)

        try:
            result = kill_under_load(start_server, lambda: os.kill(processes[-1].pid, signal.SIGKILL), slack,
                                     f"http://127.0.0.1:{port}", total=total)
        finally:
            outputs = [stop(process) for process in processes]
    return result, outputs[-1] if outputs else ""
