"""From a Slack question to exactly one posted answer: claim, add the thread's context, ask, post, record.

Listeners only extract who asked what where and call this; nothing here
decides what to cite (that is the index's job) or how blocks look (blocks.py).
"""
from __future__ import annotations

import logging
import re
import time
from urllib.error import URLError
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from index.model import Answer
from index.service import QuestionError, SummitIndex

from .blocks import answer_blocks, fallback_text, more_blocks
from .formatting import escape
from .records import Records

log = logging.getLogger(__name__)

PAGE = 5
POST_ATTEMPTS = 3
ANSWER_EVENT = "summitbot_answer"  # message metadata that marks a posted answer with its record id
DM_CONTEXT_SECONDS = 15 * 60  # a flat DM conversation keeps its context this long
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
        )


class Responder:
    """Holds the loaded index and the records; safe to call from Bolt's worker threads."""

    def __init__(self, index: SummitIndex, records: Records):
        self.index = index
        self.records = records

    def answer(self, question: Question, client: WebClient, post: Callable[..., dict] | None = None) -> Answer | None:
        """Answer once; a second delivery of the same message returns None and posts nothing.

        `post` replaces chat.postMessage (slash commands answer through their response_url).
        """
        record_id = self.records.claim(question.key, question.user, question.channel,
                                       question.reply_thread or question.context_thread, question.text)
        if record_id is None:
            log.info("duplicate delivery of %s ignored", question.key)
            return None
        since = time.time() - DM_CONTEXT_SECONDS if not question.context_thread else 0.0
        previous = self.records.thread_question(question.channel, question.context_thread, since, exclude=record_id)
        effective = self.index.follow_up(previous, question.text)
        try:
            answer = self.index.ask(effective)
        except QuestionError as error:
            self._post(client, question, post, text=escape(str(error)), blocks=None)
            return None
        blocks = answer_blocks(answer, record_id, question_shown=post is not None)
        response = self._post(client, question, post, text=fallback_text(answer), blocks=blocks, record_id=record_id)
        self.records.answered(record_id, effective, answer, reply_ts=(response or {}).get("ts", ""))
        return answer

    def more(self, record_id: str, channel: str, thread: str, client: WebClient) -> None:
        """Post the next passages of an earlier answer in its thread."""
        record = self.records.get(record_id)
        if record is None:
            return
        answer = self.index.ask(record.effective or record.question, top_k=PAGE, offset=record.shown)
        self.records.shown_more(record_id, len(answer.citations))
        client.chat_postMessage(channel=channel, thread_ts=thread, blocks=more_blocks(answer, record_id),
                                text=fallback_text(answer), unfurl_links=False, unfurl_media=False)

    def _post(self, client: WebClient, question: Question, post, text: str, blocks: list[dict] | None,
              record_id: str = "") -> dict | None:
        kwargs = {"text": text, "unfurl_links": False, "unfurl_media": False}
        if blocks is not None:
            kwargs["blocks"] = blocks
        try:
            if post is not None:
                post(response_type="in_channel", **kwargs)
                return None
            if record_id:
                kwargs["metadata"] = {"event_type": ANSWER_EVENT, "event_payload": {"record": record_id}}
            return self._post_once(client, question, kwargs, record_id)
        except SlackApiError as error:
            log.error("could not post the answer to %s: %s", question.key, error.response.get("error"))
            return None

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
        log.error("could not post the answer to %s after %d attempts", question.key, POST_ATTEMPTS)
        return None

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
