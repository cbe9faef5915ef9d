"""Slack's AI-assistant side panel: suggested prompts when a thread starts, a status while searching."""
from __future__ import annotations

from slack_bolt import App, Assistant, Say, SetStatus, SetSuggestedPrompts
from slack_sdk import WebClient

from ..curation import Curator
from ..phrases import PROMPTS, bilingual
from ..responder import Question, Responder
from .curation import is_shared_file, receive_file


def register(app: App, responder: Responder, curator: Curator) -> None:
    assistant = Assistant()

    @assistant.thread_started
    def on_start(say: Say, set_suggested_prompts: SetSuggestedPrompts) -> None:
        say(bilingual("greeting"))
        set_suggested_prompts(prompts=PROMPTS)

    @assistant.user_message
    def on_message(payload: dict, set_status: SetStatus, client: WebClient) -> None:
        if is_shared_file(payload):
            responder.lanes.admin.submit(receive_file, curator, payload, client)
            return
        if payload.get("bot_id") or payload.get("subtype"):
            return
        set_status(bilingual("searching"))
        thread = payload["thread_ts"]
        responder.receive(Question.from_event(payload, reply_thread=thread, context_thread=thread))

    app.use(assistant)
