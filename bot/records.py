"""Every question, its answer and its feedback, kept locally in SQLite: the durable record of each question.

A question is written here *before* Slack's request is acknowledged, with
everything needed to answer it later (`payload`), so a crash at any moment
loses none: on start the server answers what was received but never answered.
Its `state` moves received → answering → answered | failed (or refused, when
the asker has too many questions waiting).

The table's unique `key` is also how each question is answered exactly once:
Slack retries unacknowledged events and delivers an @mention both as
`app_mention` and as `message`; the first delivery records the key, the
others find it taken. A retry of a question whose answering stalled (claimed
long ago and never finished) is let through instead of being dropped.

The file is created readable by its owner only (it holds user ids and
questions) and rows older than the retention period are purged.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from index.model import Answer

RECEIVED, ANSWERING, ANSWERED, FAILED, REFUSED = "received", "answering", "answered", "failed", "refused"
DAY = 86_400.0

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
# Feedback columns added after the first release: why an answer was wrong (👎's modal) and the person's words.
_ADDED_FEEDBACK_COLUMNS = {"reason": "TEXT", "note": "TEXT"}
# Columns added after the first release; an older database gets them on open.
_ADDED_COLUMNS = {
    "state": f"TEXT NOT NULL DEFAULT '{ANSWERED}'",
    "payload": "TEXT",  # the question as delivered (JSON), enough to answer it after a restart
    "owner": "TEXT",  # the server process answering it
    "claimed": "REAL",  # when answering started
    "attempts": "INTEGER DEFAULT 0",
    "error": "TEXT",  # why it failed or was refused
    "index_version": "TEXT",  # the index version the answer's citations come from ("More results" pages it)
}


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
    state: str = ANSWERED
    payload: str = ""
    attempts: int = 0
    index_version: str = ""


_RECORD_COLUMNS = "id, user, channel, thread_ts, question, effective, lang, shown, state, payload, attempts, index_version"


def _record(row: tuple) -> Record:
    return Record(*[v if v is not None else "" for v in row[:7]], row[7] or 0, row[8] or ANSWERED, row[9] or "",
                  row[10] or 0, row[11] or "")


def private_file(path: Path) -> None:
    """Create the database (and its folder) readable by the owner only; tighten an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            os.chmod(file, 0o600)


class Records:
    """A small thread-safe store; one connection guarded by a lock (writes are tiny, ~0.3 ms with fsync)."""

    def __init__(self, path: Path, retention_days: float = 365.0):
        private_file(path)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a recorded question survives a power cut, not only a kill
        self._db.executescript(_SCHEMA)
        self._add_columns()
        self._db.execute("CREATE INDEX IF NOT EXISTS questions_state ON questions (state)")
        self._lock = threading.Lock()
        self.retention_days = retention_days
        self._purged = 0.0  # when purge_if_due last purged
        private_file(path)  # the WAL files exist now

    def _add_columns(self) -> None:
        have = {row[1] for row in self._db.execute("PRAGMA table_info(questions)")}
        for name, spec in _ADDED_COLUMNS.items():
            if name not in have:
                self._db.execute(f"ALTER TABLE questions ADD COLUMN {name} {spec}")
        have = {row[1] for row in self._db.execute("PRAGMA table_info(feedback)")}
        for name, spec in _ADDED_FEEDBACK_COLUMNS.items():
            if name not in have:
                self._db.execute(f"ALTER TABLE feedback ADD COLUMN {name} {spec}")

    # ------------------------------------------------------------------ the life of a question

    def receive(self, key: str, user: str, channel: str, thread_ts: str, question: str, payload: dict,
                stale_after: float = 300.0) -> str | None:
        """Record a delivered question (before it is acknowledged); its id, or None for a duplicate delivery.

        A redelivery of a question that has been `answering` for over
        `stale_after` seconds (its worker died or hung) is put back to received
        and its id returned, so Slack's retry is answered rather than dropped.
        """
        record_id = uuid.uuid4().hex[:12]
        now = time.time()
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO questions (id, key, user, channel, thread_ts, question, created, state, payload) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                (record_id, key, user, channel, thread_ts, question, now, RECEIVED, json.dumps(payload, ensure_ascii=False)),
            )
            if cursor.rowcount == 1:
                return record_id
            row = self._db.execute(
                "UPDATE questions SET state=?, owner=NULL WHERE key=? AND state=? AND claimed < ? RETURNING id",
                (RECEIVED, key, ANSWERING, now - stale_after),
            ).fetchone()
        return row[0] if row else None

    def start(self, record_id: str, owner: str) -> Record | None:
        """Claim a received question for answering; None when another worker has it or it is done."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE questions SET state=?, owner=?, claimed=?, attempts=attempts+1 WHERE id=? AND state=?",
                (ANSWERING, owner, time.time(), record_id, RECEIVED),
            )
            if cursor.rowcount != 1:
                return None
            row = self._db.execute(f"SELECT {_RECORD_COLUMNS} FROM questions WHERE id=?", (record_id,)).fetchone()
        return _record(row)

    def unfinished(self, owner: str) -> list[tuple[str, str]]:
        """(id, user) of every question received or being answered by another process, oldest first.

        Called once at start: what a previous process acknowledged but never
        answered goes back to received, to be answered now.
        """
        with self._lock:
            self._db.execute("UPDATE questions SET state=?, owner=NULL WHERE state=? AND (owner IS NULL OR owner != ?)",
                             (RECEIVED, ANSWERING, owner))
            rows = self._db.execute("SELECT id, user FROM questions WHERE state=? ORDER BY created", (RECEIVED,)).fetchall()
        return [(row[0], row[1] or "") for row in rows]

    def answered(self, record_id: str, effective: str, answer: Answer, reply_ts: str = "", index_version: str = "") -> None:
        citations = [{"passage_id": c.passage.id, "label": c.label, "score": c.score} for c in answer.citations]
        with self._lock:
            self._db.execute(
                "UPDATE questions SET effective=?, lang=?, found=?, citations=?, shown=?, reply_ts=?, answered=?, state=?, "
                "index_version=? WHERE id=?",
                (effective, answer.lang, int(answer.found), json.dumps(citations), answer.shown, reply_ts,
                 time.time(), ANSWERED, index_version, record_id),
            )

    def finish(self, record_id: str, state: str, error: str = "") -> None:
        """End a question without an answer: failed (the reason is logged with its id) or replied to otherwise."""
        with self._lock:
            self._db.execute("UPDATE questions SET state=?, error=?, answered=? WHERE id=?",
                             (state, error[:500], time.time(), record_id))

    def state_counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._db.execute("SELECT state, COUNT(*) FROM questions GROUP BY state").fetchall())

    # ------------------------------------------------------------------ answers, threads, feedback

    def shown_more(self, record_id: str, count: int) -> None:
        with self._lock:
            self._db.execute("UPDATE questions SET shown = shown + ? WHERE id=?", (count, record_id))

    def get(self, record_id: str) -> Record | None:
        with self._lock:
            row = self._db.execute(f"SELECT {_RECORD_COLUMNS} FROM questions WHERE id=?", (record_id,)).fetchone()
        return _record(row) if row else None

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
        """Whether the bot answers in this thread for all to see (replies there are follow-ups without a mention).

        A question answered privately (the message shortcut on someone's message, a channel whose answers are
        private) is recorded under that thread too, but the bot never spoke there: it does not make the thread
        the bot's, or everyone replying in that person's thread would be answered.
        """
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM questions WHERE channel=? AND thread_ts=? "
                "AND COALESCE(json_extract(payload, '$.private'), 0) = 0 LIMIT 1", (channel, thread_ts)
            ).fetchone()
        return row is not None

    def feedback(self, record_id: str, user: str, value: str, reason: str = "", note: str = "") -> None:
        """One vote per user and answer; a second click replaces the first. The answer's passage ids and index
        version are the question's own columns (`citations`, `index_version`), so a vote is tied to both."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO feedback (question_id, user, value, created, reason, note) VALUES (?,?,?,?,?,?)",
                (record_id, user, value, time.time(), reason[:100], note[:2000]),
            )

    def explain_feedback(self, record_id: str, user: str, reason: str, note: str = "") -> bool:
        """Add the reason (and the person's words) to a 👎 already recorded; False when there is none."""
        with self._lock:
            cursor = self._db.execute("UPDATE feedback SET reason=?, note=? WHERE question_id=? AND user=?",
                                      (reason[:100], note[:2000], record_id, user))
        return cursor.rowcount == 1

    def feedback_of(self, record_id: str) -> dict[str, str]:
        with self._lock:
            rows = self._db.execute("SELECT user, value FROM feedback WHERE question_id=?", (record_id,)).fetchall()
        return dict(rows)

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """A read-only query for reports (bot/report.py): the store's own connection, under its lock."""
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            raise ValueError("Records.rows only reads")
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # ------------------------------------------------------------------ retention

    def purge_if_due(self) -> int:
        """Purge at most once a day (called as questions are answered, so no timer thread is needed)."""
        now = time.time()
        if now - self._purged < DAY:
            return 0
        self._purged = now
        return self.purge(now)

    def purge(self, now: float | None = None) -> int:
        """Delete questions (and their feedback) older than the retention period; how many went.

        Unfinished questions are kept whatever their age: they are still owed an answer.
        """
        cutoff = (now or time.time()) - self.retention_days * DAY
        with self._lock:
            old = "SELECT id FROM questions WHERE created < ? AND state NOT IN (?, ?)"
            self._db.execute(f"DELETE FROM feedback WHERE question_id IN ({old})", (cutoff, RECEIVED, ANSWERING))
            cursor = self._db.execute(f"DELETE FROM questions WHERE id IN ({old})", (cutoff, RECEIVED, ANSWERING))
        return cursor.rowcount

    def close(self) -> None:
        self._db.close()
