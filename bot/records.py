"""Every question, its answer and its feedback, kept locally in SQLite for later review.

The table's unique `key` is also how each question is answered exactly once:
Slack retries unacknowledged events and delivers an @mention both as
`app_mention` and as `message`; the first delivery claims the key, the others
find it taken.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from index.model import Answer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id TEXT PRIMARY KEY,
    key TEXT UNIQUE NOT NULL,           -- channel:ts of the message, or the slash command's trigger
    user TEXT, channel TEXT, thread_ts TEXT,
    question TEXT NOT NULL,             -- as asked
    effective TEXT,                     -- with the thread's context, as searched
    lang TEXT, found INTEGER, citations TEXT, shown INTEGER DEFAULT 0,
    reply_ts TEXT, created REAL NOT NULL, answered REAL
);
CREATE INDEX IF NOT EXISTS questions_thread ON questions (channel, thread_ts);
CREATE TABLE IF NOT EXISTS feedback (
    question_id TEXT NOT NULL, user TEXT, value TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (question_id, user)
);
"""


@dataclass(frozen=True)
class Record:
    id: str
    user: str
    channel: str
    thread_ts: str
    question: str
    effective: str
    lang: str
    shown: int


class Records:
    """A small thread-safe store; one connection guarded by a lock (writes are tiny)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def claim(self, key: str, user: str, channel: str, thread_ts: str, question: str) -> str | None:
        """A new record id, or None when this message was already claimed (a retry or a double delivery)."""
        record_id = uuid.uuid4().hex[:12]
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO questions (id, key, user, channel, thread_ts, question, created) VALUES (?,?,?,?,?,?,?)",
                (record_id, key, user, channel, thread_ts, question, time.time()),
            )
        return record_id if cursor.rowcount == 1 else None

    def answered(self, record_id: str, effective: str, answer: Answer, reply_ts: str = "") -> None:
        citations = [{"passage_id": c.passage.id, "label": c.label, "score": c.score} for c in answer.citations]
        with self._lock:
            self._db.execute(
                "UPDATE questions SET effective=?, lang=?, found=?, citations=?, shown=?, reply_ts=?, answered=? WHERE id=?",
                (effective, answer.lang, int(answer.found), json.dumps(citations), len(answer.citations), reply_ts,
                 time.time(), record_id),
            )

    def shown_more(self, record_id: str, count: int) -> None:
        with self._lock:
            self._db.execute("UPDATE questions SET shown = shown + ? WHERE id=?", (count, record_id))

    def get(self, record_id: str) -> Record | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, user, channel, thread_ts, question, effective, lang, shown FROM questions WHERE id=?",
                (record_id,),
            ).fetchone()
        return Record(*[v if v is not None else "" for v in row[:7]], row[7] or 0) if row else None

    def thread_question(self, channel: str, thread_ts: str, since: float = 0.0, exclude: str = "") -> str:
        """The latest answered question of a thread (its effective form), for follow-ups; "" when none."""
        with self._lock:
            row = self._db.execute(
                "SELECT effective FROM questions WHERE channel=? AND thread_ts=? AND effective IS NOT NULL "
                "AND created >= ? AND id != ? ORDER BY created DESC LIMIT 1",
                (channel, thread_ts, since, exclude),
            ).fetchone()
        return row[0] if row else ""

    def has_thread(self, channel: str, thread_ts: str) -> bool:
        """Whether the bot answered in this thread (replies there are follow-ups without a mention)."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM questions WHERE channel=? AND thread_ts=? LIMIT 1", (channel, thread_ts)
            ).fetchone()
        return row is not None

    def feedback(self, record_id: str, user: str, value: str) -> None:
        """One vote per user and answer; a second click replaces the first."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO feedback (question_id, user, value, created) VALUES (?,?,?,?)",
                (record_id, user, value, time.time()),
            )

    def feedback_of(self, record_id: str) -> dict[str, str]:
        with self._lock:
            rows = self._db.execute("SELECT user, value FROM feedback WHERE question_id=?", (record_id,)).fetchall()
        return dict(rows)

    def close(self) -> None:
        self._db.close()
