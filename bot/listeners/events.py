"""@mentions in channels, direct messages, and replies in threads the bot has answered in.

Each listener only records the question (`responder.receive`) and returns, so
Slack is acknowledged at once; files shared by admins go to the admin lane.

Two channel settings (`/summit config`, bot/channels.py) apply here and nowhere else in the
listeners: `follow_ups` "mention" makes a reply in the bot's thread a question only when it
mentions the bot (the app_mention then answers it), and `answers` "private" marks every question
asked in the channel `private`, which the responder answers to the asker alone. A direct message
is private by nature and has no channel settings.
"""
from __future__ import annotations

import logging
from dataclasses import replace

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from ..channels import ChannelConfig, ChannelSettings
from ..curation import Curator
from ..responder import Question, Responder
from .curation import is_shared_file, receive_file

log = logging.getLogger(__name__)


def is_from_a_person(event: dict) -> bool:
    """Bots (this one included) and edits, joins, deletions are not questions."""
    return not event.get("bot_id") and not event.get("subtype") and bool(event.get("user"))


def register(app: App, responder: Responder, curator: Curator, channels: ChannelSettings) -> None:
    def in_channel(event: dict, thread: str, config: ChannelConfig | None = None) -> Question:
        """The question of a channel message, private when the channel's answers are."""
        question = Question.from_event(event, reply_thread=thread, context_thread=thread)
        if (config or channels.get(event["channel"])).answers == "private":
            return replace(question, private=True)
        return question

    @app.event("app_mention")
    def on_mention(event: dict) -> None:
        if not is_from_a_person(event):
            return
        responder.receive(in_channel(event, event.get("thread_ts") or event["ts"]))

    @app.event("message")
    def on_message(event: dict, client: WebClient, context: BoltContext) -> None:
        if is_shared_file(event):
            responder.lanes.admin.submit(receive_file, curator, event, client)
            return
        if not is_from_a_person(event):
            return
        if event.get("channel_type") == "im":
            thread = event.get("thread_ts")
            responder.receive(Question.from_event(event, reply_thread=thread, context_thread=thread or ""))
            return
        thread = event.get("thread_ts")
        mentions_bot = f"<@{context.bot_user_id}>" in (event.get("text") or "")
        if not thread or mentions_bot or not responder.records.has_thread(event["channel"], thread):
            return  # a mention is answered as the app_mention; other channel messages are not questions
        config = channels.get(event["channel"])
        if config.follow_ups == "mention":
            log.debug("reply in %s/%s not taken as a follow-up: the channel wants a mention", event["channel"], thread)
            return
        # a reply in a thread the bot answered in: a follow-up, no @mention needed
        responder.receive(in_channel(event, thread, config))
