"""@mentions in channels, direct messages, and replies in threads the bot has answered in.

Each listener only records the question (`responder.receive`) and returns, so
Slack is acknowledged at once; files shared by admins go to the admin lane.
"""
from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from ..curation import Curator
from ..responder import Question, Responder
from .curation import is_shared_file, receive_file

log = logging.getLogger(__name__)


def is_from_a_person(event: dict) -> bool:
    """Bots (this one included) and edits, joins, deletions are not questions."""
    return not event.get("bot_id") and not event.get("subtype") and bool(event.get("user"))


def register(app: App, responder: Responder, curator: Curator) -> None:
    @app.event("app_mention")
    def on_mention(event: dict) -> None:
        if not is_from_a_person(event):
            return
        root = event.get("thread_ts") or event["ts"]
        responder.receive(Question.from_event(event, reply_thread=root, context_thread=root))

    @app.event("message")
    def on_message(event: dict, client: WebClient, context) -> None:
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
        if thread and not mentions_bot and responder.records.has_thread(event["channel"], thread):
            # a reply in a thread the bot answered in: a follow-up, no @mention needed
            responder.receive(Question.from_event(event, reply_thread=thread, context_thread=thread))

