"""Drafts awaiting an admin's Add or Cancel, kept in SQLite so that a restart loses none.

A draft is the parse of an uploaded declaration (index.library.Draft, as the
plain data index/worker.py sends across the child's pipe) with who uploaded
it, the folder holding the upload, and when. It lives in the bot's database
file (table `drafts`), created readable by its owner only, like the records.
`take` removes and returns in one statement, so two clicks on Add can never
both get the same draft.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from index import library
from index.worker import draft_from_dict, draft_to_dict

from .records import private_file

_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    id TEXT PRIMARY KEY, user TEXT NOT NULL, folder TEXT NOT NULL, created REAL NOT NULL, draft TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class Pending:
    draft: library.Draft
    user: str
    folder: Path  # the upload's own folder under the uploads folder
    created: float


class DraftStore:
    """Pending drafts by id; `path` None keeps them in memory (a process of its own, e.g. a unit test)."""

    def __init__(self, path: Path | None = None) -> None:
        if path is not None:
            private_file(path)
        self._db = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._lock = threading.Lock()

    def put(self, pending_id: str, pending: Pending) -> None:
        with self._lock:
            self._db.execute("INSERT INTO drafts (id, user, folder, created, draft) VALUES (?,?,?,?,?)",
                             (pending_id, pending.user, str(pending.folder), pending.created,
                              json.dumps(draft_to_dict(pending.draft), ensure_ascii=False)))

    def get(self, pending_id: str) -> Pending | None:
        with self._lock:
            row = self._db.execute("SELECT user, folder, created, draft FROM drafts WHERE id=?", (pending_id,)).fetchone()
        return _pending(row) if row else None

    def take(self, pending_id: str) -> Pending | None:
        """Remove the draft and return it; None when it is gone (used, cancelled or expired)."""
        with self._lock:
            row = self._db.execute("DELETE FROM drafts WHERE id=? RETURNING user, folder, created, draft",
                                   (pending_id,)).fetchone()
        return _pending(row) if row else None

    def expire(self, before: float) -> list[Pending]:
        """Remove and return the drafts created before `before`."""
        with self._lock:
            rows = self._db.execute("DELETE FROM drafts WHERE created < ? RETURNING user, folder, created, draft",
                                    (before,)).fetchall()
        return [_pending(row) for row in rows]

    def folders(self) -> set[str]:
        """The upload folders drafts still need (kept when leftovers are cleared at start)."""
        with self._lock:
            return {Path(row[0]).name for row in self._db.execute("SELECT folder FROM drafts")}

    def close(self) -> None:
        self._db.close()


def _pending(row: tuple) -> Pending:
    user, folder, created, draft = row
    return Pending(draft_from_dict(json.loads(draft)), user, Path(folder), float(created))
