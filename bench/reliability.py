"""Reliability figures: load held, faults survived, bad input refused — written to docs/RELIABILITY.md.

    .venv/bin/python bench/reliability.py

Everything runs on loopback in this process: a fake of Slack's Web API and
Socket Mode endpoint (tests/fakeslack.py), the real bot server (uvicorn), a
fresh index in a temporary folder. The same scenarios are asserted by
tests/test_load.py and tests/test_faults.py; this command records the numbers.
"""
from __future__ import annotations

import io
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.embed import Embedder  # noqa: E402
from index.service import SummitIndex, build  # noqa: E402
from index.settings import Settings  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402
from tests.loadgen import flood, http_load, kill_under_load, socket_load  # noqa: E402
from tests.slackbot import (APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, event_body, free_port, mention, post,  # noqa: E402
                            running_bot)
from tests.test_serve_process import start, stop, wait_healthy  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import http_attacks  # noqa: E402
from tests.test_faults import BAD_QUESTIONS  # noqa: E402


def faults(url: str, slack) -> list[dict]:
    """Each Slack fault injected once; the question must be answered exactly once."""
    rows = []
    for name, inject in (("429 with Retry-After: 1, twice", lambda: slack.fail_next("chat.postMessage", 429, count=2, retry_after=1)),
                         ("500, twice", lambda: slack.fail_next("chat.postMessage", 500, count=2))):
        channel = f"CF{len(rows)}"
        inject()
        post(url + "/slack/events", event_body(mention("東大阪市の条例は？", f"17000090{len(rows)}.0001", channel=channel), f"EvF{len(rows)}"))
        slack.wait_for("chat.postMessage", where=lambda c, ch=channel: c.params.get("channel") == ch, timeout=30)
        time.sleep(1.0)
        count = sum(1 for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == channel)
        rows.append({"fault": name, "answered": count})
    return rows


def bad_requests(url: str) -> list[dict]:
    body = event_body(mention("岡谷は？", "1700009999.0001", channel="CBADREQ"), "EvBad")
    cases = {
        "no signature": dict(sign=False),
        "wrong signature": dict(secret="wrong-secret"),
        "timestamp 10 minutes old (replay)": dict(timestamp=int(time.time()) - 600),
        "malformed JSON (signed)": dict(body=b"{not json"),
        "invalid UTF-8 (signed)": dict(body=b"\xff\xfe"),
        "unknown event type (signed)": dict(body=event_body({"type": "no_such_event"}, "EvUnknown")),
        "2 MB body": dict(body=b"x" * 2_000_000),
    }
    rows = []
    for name, kwargs in cases.items():
        payload = kwargs.pop("body", body)
        status, _, _ = post(url + "/slack/events", payload, **kwargs)
        rows.append({"request": name, "status": status})
    return rows


def bad_questions(url: str, slack) -> list[dict]:
    rows = []
    for i, (name, text) in enumerate(BAD_QUESTIONS.items()):
        channel = f"CQ{i}"
        post(url + "/slack/events", event_body(mention(text, f"17000091{i:02d}.0001", channel=channel), f"EvQ{i}"))
        [reply] = slack.wait_for("chat.postMessage", where=lambda c, ch=channel: c.params.get("channel") == ch, timeout=30)
        rows.append({"question": name, "reply": str(reply.params.get("text", ""))[:80]})
    return rows


def kill_9(settings: Settings, db: Path) -> dict:
    """300 questions from 30 askers to a real `summitbot serve`, SIGKILL after 2 s, started again on the same database."""
    port = free_port()
    processes: list[subprocess.Popen] = []
    with FakeSlack() as slack:
        env = {**os.environ, "SUMMITBOT_CORPUS_DIR": str(settings.corpus_dir), "SUMMITBOT_INDEX_DIR": str(settings.index_dir),
               "SUMMITBOT_CACHE_DIR": str(settings.cache_dir), "SUMMITBOT_DB": str(db / "kill.sqlite3"),
               "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.api_url}
        env.pop("SLACK_APP_TOKEN", None)
        slack.delay_next("chat.postMessage", 0.05, count=10_000)  # answers take a while, as over a real network

        def start_server() -> None:
            processes.append(start(env, port))
            wait_healthy(processes[-1], port)

        try:
            return kill_under_load(start_server, lambda: os.kill(processes[-1].pid, signal.SIGKILL), slack,
                                   f"http://127.0.0.1:{port}", total=300)
        finally:
            for process in processes:
                stop(process)


def main() -> None:
    log_buffer = io.StringIO()
    logging.basicConfig(level=logging.INFO, stream=log_buffer)
    settings = replace(Settings.from_env(), index_dir=Path(tempfile.mkdtemp(prefix="summitbot-rel-")))
    embedder = Embedder(settings.embed_model, settings.cache_dir)
    build(settings, progress=False, embedder=embedder)
    index = SummitIndex.open(settings, embedder=embedder)
    db = Path(tempfile.mkdtemp(prefix="summitbot-rel-db-"))
    report: dict = {}
    with FakeSlack() as slack, running_bot(slack, index, settings, db / "http.sqlite3", "http") as bot:
        http_load(bot.url, slack, total=40, senders=10, run="0")
        report["http_load"] = http_load(bot.url, slack, total=200, senders=20, run="1").summary()
        report["faults"] = faults(bot.url, slack)
        report["bad_requests"] = bad_requests(bot.url)
        report["bad_questions"] = bad_questions(bot.url, slack)
        report["flood"] = flood(bot.url, slack, total=200)
        report["http_attacks"] = http_attacks.measure(bot.url, server_pid=os.getpid())  # the server runs in this process
    with FakeSlack() as slack, running_bot(slack, index, settings, db / "socket.sqlite3", "socket"):
        slack.wait_for_socket(timeout=15)
        report["socket_load"] = socket_load(slack, total=200, senders=20, run="2").summary()
        slack.drop_socket_connections()
        deadline = time.time() + 40
        while slack.socket_connections < 2 and time.time() < deadline:
            time.sleep(0.2)
        report["socket_reconnected"] = slack.socket_connections >= 2
    report["kill_9"] = kill_9(settings, db)
    logs = log_buffer.getvalue()
    report["secrets_in_logs"] = sum(logs.count(s) for s in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET))
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "reliability.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    (ROOT / "docs" / "RELIABILITY.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))


def markdown(r: dict) -> str:
    def load_row(name: str, s: dict) -> str:
        return (f"| {name} | {s['questions']} from {s['senders']} senders | {s['acknowledged']} | {s['ack_p50_ms']} / {s['ack_p99_ms']} / {s['ack_max_ms']} ms "
                f"| {s['answered_once']} | {s['lost']} | {s['answered_twice_or_more']} | {s['rss_before_mb']} → {s['rss_after_mb']} MB |")
    lines = [
        "# Reliability", "",
        "Produced by `.venv/bin/python bench/reliability.py` (all on loopback: the real server, a fake Slack",
        "speaking the real protocols, a fresh index). Asserted by `tests/test_load.py` and `tests/test_faults.py`.", "",
        "## Load", "",
        "| path | questions | acknowledged | ack p50 / p99 / max | answered once | lost | answered twice | memory (RSS) |",
        "|---|---|---|---|---|---|---|---|",
        load_row("HTTP (signed events)", r["http_load"]),
        load_row("Socket Mode (envelopes)", r["socket_load"]), "",
        "## Kill -9 under load", "",
        "A real `summitbot serve` (HTTP mode) gets 300 questions from 30 askers; it is killed with SIGKILL 2 s in,",
        "while answering, and started again on the same database (`tests/test_durability.py` asserts the same).", "",
        "| questions | acknowledged | answered before the kill | answered after the restart | lost | answered twice | restart → all answered |",
        "|---|---|---|---|---|---|---|",
        "| {questions} | {acknowledged} | {answered_before_kill} | {answered_after_restart} | {lost} | {answered_twice_or_more} "
        "| {restart_to_all_answered_s} s |".format(**r["kill_9"]), "",
        "## One asker flooding while another asks", "",
        "One asker sends 200 mentions at once; then another asks one question. Each asker may have 10 questions",
        "waiting (bot/lanes.py); past that a question is recorded as refused and the asker told to wait (once per 30 s).", "",
        "| flood | acknowledged | the other's answer after | flood answers before it | \"please wait\" notices |",
        "|---|---|---|---|---|",
        "| {flood_questions} | {flood_acknowledged} | {other_answer_seconds} s | {flood_answers_in_between} | {busy_notices} |"
        .format(**r["flood"]), "",
        "## Slack faults", "",
        "| fault | answers posted |", "|---|---|",
        *[f"| {row['fault']} | {row['answered']} |" for row in r["faults"]],
        f"| websocket dropped | reconnected: {'yes' if r['socket_reconnected'] else 'NO'} |", "",
        "## Bad requests", "", "| request | status |", "|---|---|",
        *[f"| {row['request']} | {row['status']} |" for row in r["bad_requests"]], "",
        "## Attacks on the HTTP surface", "",
        "Against the running server (`bench/http_attacks.py`, asserted by `tests/test_http_hardening.py`); after each,",
        "`/healthz` must still answer.", "",
        http_attacks.markdown(r["http_attacks"]), "",
        "## Bad questions", "", "| question | reply (start) |", "|---|---|",
        *[f"| {row['question']} | {row['reply'].replace('|', '/')} |" for row in r["bad_questions"]], "",
        "## Secrets", "",
        f"Occurrences of the bot token, app token or signing secret in everything the server logged: {r['secrets_in_logs']}.",
        "",
        verdict(r),
        "",
    ]
    return "\n".join(lines)


def verdict(r: dict) -> str:
    loads = (r["http_load"], r["socket_load"], r["kill_9"])
    lost = sum(s["lost"] for s in loads)
    doubled = sum(s["answered_twice_or_more"] for s in loads) + sum(1 for f in r["faults"] if f["answered"] > 1)
    missing = sum(1 for f in r["faults"] if f["answered"] == 0)
    if lost == doubled == missing == 0:
        return ("Lost: nothing — every question above was acknowledged, and every acknowledged question was answered "
                "exactly once (the flood's questions past the asker's limit were refused with a notice, and recorded).")
    return f"Lost: {lost + missing} question(s); answered more than once: {doubled}."


if __name__ == "__main__":
    main()
