"""Per-channel choices an admin makes with `/summit config`: whether thread replies need a mention, where answers go.

Kept in SQLite, in its own table of the bot's database file (`BotSettings.database`, beside the
question records), so a restart keeps them. The store has its own connection (WAL, so it never
blocks the records' writer) behind a lock, and the file stays readable by its owner only, as
bot/records.py makes it.

A channel nobody configured behaves as the bot always has: `ChannelConfig()` — replies in a thread
the bot answered in are follow-ups without a mention, and answers are posted in the channel.
Every `get` reads the table (a primary-key lookup, microseconds), so a change made through any
connection to the file applies to the next message at once; there is no cache to go stale.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .records import private_file

log = logging.getLogger(__name__)

FOLLOW_UPS = ("always", "mention")  # answer thread replies without a mention | only when mentioned
ANSWERS = ("channel", "private")  # post answers in the channel | only the asker sees them (ephemeral)
CHOICES: dict[str, tuple[str, ...]] = {"follow_ups": FOLLOW_UPS, "answers": ANSWERS}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS channel_settings (
    channel TEXT PRIMARY KEY,
    follow_ups TEXT NOT NULL,
    answers TEXT NOT NULL,
    updated_by TEXT,                    -- the admin who made the last change
    updated REAL NOT NULL
);
"""


@dataclass(frozen=True)
class ChannelConfig:
    """One channel's settings; the defaults are the bot's behaviour before channels could be configured."""

    follow_ups: str = "always"
    answers: str = "channel"


class ChannelSettings:
    """Thread-safe store of ChannelConfig per channel id."""

    def __init__(self, path: Path):
        private_file(path)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout=5000")  # the records' connection may hold the write lock a moment
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # an admin told "changed" finds it changed after a power cut
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        private_file(path)  # the WAL files exist now

    def get(self, channel: str) -> ChannelConfig:
        """The channel's settings; the defaults for a channel never configured (or a value no longer known)."""
        with self._lock:
            row = self._db.execute("SELECT follow_ups, answers FROM channel_settings WHERE channel=?",
                                   (channel,)).fetchone()
        if row is None:
            return ChannelConfig()
        values = dict(zip(("follow_ups", "answers"), row))
        default = ChannelConfig()
        # a value written by a later version and then rolled back to this one must not break answering
        return ChannelConfig(**{name: value if value in CHOICES[name] else getattr(default, name)
                                for name, value in values.items()})

    def set(self, channel: str, user: str, **changes: str) -> ChannelConfig:
        """Change some of a channel's settings (the others stay as they were); the channel's new settings.

        Raises ValueError for a setting or value that does not exist, before anything is written.
        """
        known = {f.name for f in fields(ChannelConfig)}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown channel setting {name!r}")
            if value not in CHOICES[name]:
                raise ValueError(f"{name} must be one of {', '.join(CHOICES[name])}, not {value!r}")
        with self._lock:
            row = self._db.execute("SELECT follow_ups, answers FROM channel_settings WHERE channel=?",
                                   (channel,)).fetchone()
            current = ChannelConfig(*row) if row else ChannelConfig()
            new = replace(current, **changes)
            self._db.execute(
                "INSERT INTO channel_settings (channel, follow_ups, answers, updated_by, updated) VALUES (?,?,?,?,?) "
                "ON CONFLICT(channel) DO UPDATE SET follow_ups=excluded.follow_ups, answers=excluded.answers, "
                "updated_by=excluded.updated_by, updated=excluded.updated",
                (channel, new.follow_ups, new.answers, user, time.time()),
            )
        log.info("channel %s settings changed by %s: %s", channel, user, changes)
        return new

    def close(self) -> None:
        with self._lock:
            self._db.close()
