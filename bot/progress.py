"""A sign that a question is being answered — 👀 on the asker's message, or the assistant panel's status —
taken away on every exit path, answered, refused or failed.

Slack removes nothing by itself when an answer fails, so a sign left behind
would say "still working" forever. Failing to show or remove the sign never
stops the answer: it is logged and the question goes on.
"""
from __future__ import annotations

import logging
from types import TracebackType

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

REACTION = "eyes"
_HARMLESS = {"already_reacted", "no_reaction", "message_not_found"}


class Progress:
    """`with Progress(client, how, channel, ts, thread):` shows the sign while the block runs, then takes it away."""

    def __init__(self, client: WebClient, how: str, channel: str, ts: str, thread: str | None) -> None:
        self.client, self.how, self.channel, self.ts, self.thread = client, how, channel, ts, thread

    def __enter__(self) -> Progress:
        """👀 goes on here; the panel's status was already set by its listener, before the question was
        recorded (bot/listeners/assistant.py), so it is only cleared here, not set a second time."""
        if self.how == "reaction" and self.ts:
            self._call("reactions_add", channel=self.channel, timestamp=self.ts, name=REACTION)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.clear()

    def clear(self) -> None:
        if self.how == "reaction" and self.ts:
            self._call("reactions_remove", channel=self.channel, timestamp=self.ts, name=REACTION)
        elif self.how == "status" and self.thread:
            self._call("assistant_threads_setStatus", channel_id=self.channel, thread_ts=self.thread, status="")

    def _call(self, method: str, **params: str) -> None:
        try:
            getattr(self.client, method)(**params)
        except SlackApiError as error:
            code = error.response.get("error", "")
            if code not in _HARMLESS:
                log.warning("%s in %s failed: %s", method, self.channel, code)
        except OSError as error:  # timeouts and dropped connections (URLError is an OSError)
            log.warning("%s in %s failed: %s", method, self.channel, type(error).__name__)
