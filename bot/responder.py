"""From a Slack question to exactly one posted answer: record, queue, claim, add the thread's context, ask, post.

Listeners only extract who asked what where and call `receive`, which
records the question durably and queues it before Slack is acknowledged; a
worker then answers it (`work`). After a crash, `recover` answers what was
recorded but never answered. Nothing here decides what to cite (that is the
index's job) or how blocks look (blocks.py).
"""
from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from functools import partial
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from index.model import Answer
from index.service import LiveIndex, QuestionError, SummitIndex

from .blocks import answer_blocks, fallback_text
from .clicks import PAGE, Clicks
from .formatting import escape
from .lanes import Lanes
from .phrases import bilingual, explain
from .links import LinkMaker
from .progress import Progress
from .records import ANSWERED, FAILED, REFUSED, Records
from .response_url import ResponseUrlError, respond

log = logging.getLogger(__name__)

POST_ATTEMPTS = 3
ANSWER_EVENT = "summitbot_answer"  # message metadata that marks a posted answer with its record id
DM_CONTEXT_SECONDS = 15 * 60  # a flat DM conversation keeps its context this long
STALE_SECONDS = 120  # a question answering for this long has stalled: Slack's retry of it is let through
BUSY_NOTICE_SECONDS = 30  # at most one "please wait" per asker in this time
_MENTION = re.compile(r"<[@!#][^>]*>")
_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>")


def plain_text(slack_text: str) -> str:
    """What the user typed: mentions removed, links reduced to their label, entities unescaped."""
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), slack_text or "")
    text = _MENTION.sub(" ", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


@dataclass(frozen=True)
class Question:
    """One question as Slack delivered it."""

    key: str  # unique per delivered message: channel:ts, or slash:<trigger id>
    user: str
    channel: str
    text: str
    reply_thread: str | None  # thread to answer in (None: the channel itself)
    context_thread: str  # thread whose earlier question gives context ("" in a flat DM)
    response_url: str = ""  # a slash command is answered through its response URL, not chat.postMessage
    progress: str = ""  # how the asker sees work: "status" (assistant panel), "reaction" (👀 on `ts`) or ""
    ts: str = ""  # the asker's own message (where the 👀 goes); "" for a slash command or a shortcut
    private: bool = False  # answer only the asker (ephemeral): /summit, the message shortcut, a private channel

    def payload(self) -> dict:
        """What the record keeps to answer the question after a restart."""
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict) -> Question:
        return cls(**{f.name: payload[f.name] for f in fields(cls) if f.name in payload})

    @classmethod
    def from_event(cls, event: dict, reply_thread: str | None, context_thread: str) -> Question:
        """A message or app_mention event; its channel and ts identify it across redeliveries."""
        return cls(
            key=f"{event['channel']}:{event['ts']}",
            user=event.get("user", ""),
            channel=event["channel"],
            text=plain_text(event.get("text", "")),
            reply_thread=reply_thread,
            context_thread=context_thread,
            progress="reaction",
            ts=event["ts"],
        )


class Responder:
    """Holds the loaded index, the records and the lanes; `receive` is safe to call from any thread."""

    def __init__(self, index: LiveIndex | SummitIndex, records: Records, client: WebClient, workers: int = 4,
                 per_user: int = 10, links: LinkMaker | None = None):
        self.index = index
        self.links = links or LinkMaker()  # how citations link: to the passage pages when a public URL is set
        self.records = records
        self.client = client
        self.owner = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"  # this process, in the records of what it answers
        self.lanes = Lanes.start(self.work, workers=workers, per_user=per_user)
        self.clicks = Clicks(index, records, client, self.links)  # the buttons under answers (bot/clicks.py)
        self._notified: dict[str, float] = {}
        self._notified_lock = threading.Lock()

    def receive(self, question: Question) -> str | None:
        """Record the question durably and queue it; its record id, or None for a repeated delivery.

        Called before Slack is acknowledged, so an acknowledged question is
        never only in memory. An asker with too many questions waiting is told
        to wait (at most once per BUSY_NOTICE_SECONDS) and the question is
        recorded as refused.
        """
        record_id = self.records.receive(question.key, question.user, question.channel,
                                         question.reply_thread or question.context_thread, question.text,
                                         question.payload(), stale_after=STALE_SECONDS)
        if record_id is None:
            log.info("duplicate delivery of %s ignored", question.key)
            if question.progress == "status":  # the panel's listener set it again for this delivery
                self._progress(question).clear()
            return None
        if not self.lanes.questions.offer(question.user, record_id):
            self.records.finish(record_id, REFUSED, "too many questions waiting")
            if self._should_notify(question.user):
                self.lanes.clicks.submit(self._say, question, bilingual("busy", n=self.lanes.questions.per_user))
        return record_id

    def recover(self) -> int:
        """Queue every question a previous process acknowledged but did not answer; how many."""
        purged = self.records.purge_if_due()
        if purged:
            log.info("purged %d question(s) older than %g days", purged, self.records.retention_days)
        owed = self.records.unfinished(self.owner)
        for record_id, user in owed:
            self.lanes.questions.put(user, record_id)
        if owed:
            log.info("answering %d question(s) received before the restart", len(owed))
        return len(owed)

    def work(self, record_id: str) -> Answer | None:
        """Answer one recorded question exactly once; any failure is recorded and the asker told."""
        self.records.purge_if_due()
        record = self.records.start(record_id, self.owner)
        if record is None:
            return None  # another worker has it, or it is done
        question = Question.from_payload(json.loads(record.payload))
        retried = record.attempts > 1 and not (question.response_url or question.private)  # private: not findable
        if retried and self._landed(self.client, question, record_id):
            self.records.finish(record_id, ANSWERED, "answered before a restart")
            return None
        with self._progress(question):
            try:
                return self._answer(record_id, question)
            except Exception as error:
                log.exception("question %s failed", record_id)  # the id the asker is given
                self.records.finish(record_id, FAILED, f"{type(error).__name__}: {error}")
                self._say(question, bilingual("failed", id=record_id))
                return None

    def _progress(self, question: Question) -> Progress:
        return Progress(self.client, question.progress, question.channel, question.ts, question.reply_thread)

    def _answer(self, record_id: str, question: Question) -> Answer | None:
        since = time.time() - DM_CONTEXT_SECONDS if not question.context_thread else 0.0
        previous = self.records.thread_question(question.channel, question.context_thread, since, exclude=record_id)
        snapshot = self.index.snapshot()  # the question and its "More results" pages stay on this version
        effective = snapshot.follow_up(previous, question.text)
        post = self._responder(question)
        try:
            answer = snapshot.ask(effective, top_k=PAGE, link=self.links)  # the page More results continues
        except QuestionError as error:
            self._post(self.client, question, post, text=escape(explain(error, "slack")), blocks=None)
            self.records.finish(record_id, ANSWERED, "question refused: " + str(error)[:200])
            return None
        private = question.private or post is not None  # /summit answers privately first, with a Share button
        blocks = answer_blocks(answer, record_id, private=private)
        response = self._post(self.client, question, post, text=fallback_text(answer), blocks=blocks,
                              record_id=record_id)
        self.records.answered(record_id, effective, answer, reply_ts=(response or {}).get("ts", ""),
                              index_version=snapshot.version)
        return answer

    @staticmethod
    def _responder(question: Question) -> Callable[..., object] | None:
        return partial(respond, question.response_url) if question.response_url else None

    def _say(self, question: Question, text: str) -> None:
        """A short reply that only the asker sees (through the response URL for a slash command)."""
        post = self._responder(question)
        try:
            if post is not None:
                post(response_type="ephemeral", text=text)
            else:
                self.client.chat_postEphemeral(channel=question.channel, user=question.user, text=text,
                                               thread_ts=question.reply_thread)
        except (SlackApiError, ResponseUrlError, OSError) as error:
            log.error("could not tell %s: %s", question.key, getattr(error, "response", {}) or error)

    def _should_notify(self, user: str) -> bool:
        now = time.monotonic()
        with self._notified_lock:
            if now - self._notified.get(user, -BUSY_NOTICE_SECONDS) < BUSY_NOTICE_SECONDS:
                return False
            self._notified[user] = now
            return True

    def close(self) -> None:
        """Finish what the workers hold; what still waits stays recorded and is answered after the next start."""
        self.lanes.close()

    def _post(self, client: WebClient, question: Question, post, text: str, blocks: list[dict] | None,
              record_id: str = "") -> dict | None:
        kwargs = {"text": text, "unfurl_links": False, "unfurl_media": False}
        if blocks is not None:
            kwargs["blocks"] = blocks
        try:
            if post is not None:  # a slash command's answer replaces the "searching…" it was acknowledged with
                # (a shortcut's original is the message it was used on, someone else's: never replaced)
                post(response_type="ephemeral", replace_original=question.key.startswith("slash:"), **kwargs)
                return None
            if question.private:
                return client.chat_postEphemeral(channel=question.channel, user=question.user,
                                                 thread_ts=question.reply_thread, **kwargs).data
            if record_id:
                kwargs["metadata"] = {"event_type": ANSWER_EVENT, "event_payload": {"record": record_id}}
            return self._post_once(client, question, kwargs, record_id)
        except SlackApiError as error:
            log.error("could not post the answer to %s: %s", question.key, error.response.get("error"))
            raise

    def _post_once(self, client: WebClient, question: Question, kwargs: dict, record_id: str) -> dict | None:
        """Post; after a timeout or a dropped connection, post again only if the first did not land."""
        for attempt in range(POST_ATTEMPTS):
            try:
                return client.chat_postMessage(channel=question.channel, thread_ts=question.reply_thread, **kwargs).data
            except (TimeoutError, URLError, OSError) as error:
                log.warning("posting the answer to %s failed (%s); checking before trying again", question.key,
                            type(error).__name__)
                time.sleep(1 + attempt)
                if record_id and self._landed(client, question, record_id):
                    return None
        raise ConnectionError(f"could not post the answer to {question.key} after {POST_ATTEMPTS} attempts")

    @staticmethod
    def _landed(client: WebClient, question: Question, record_id: str) -> bool:
        """Whether an answer carrying this record id is already in the thread (or the DM)."""
        try:
            if question.reply_thread:
                messages = client.conversations_replies(channel=question.channel, ts=question.reply_thread,
                                                        include_all_metadata=True)["messages"]
            else:
                messages = client.conversations_history(channel=question.channel, limit=20,
                                                        include_all_metadata=True)["messages"]
        except (SlackApiError, TimeoutError, URLError, OSError):
            return False
        return any((m.get("metadata") or {}).get("event_payload", {}).get("record") == record_id for m in messages)
