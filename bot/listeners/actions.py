"""Buttons under an answer: "more results" and 👍/👎 feedback; the work runs on the clicks lane, never behind questions."""
from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from ..blocks import FEEDBACK_DOWN, FEEDBACK_UP, MORE_ACTION
from ..phrases import phrase
from ..responder import Responder


def _where(body: dict) -> tuple[str, str]:
    """The channel and the thread the clicked answer lives in."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
    message = body.get("message") or {}
    return channel, message.get("thread_ts") or message.get("ts") or (body.get("container") or {}).get("message_ts", "")


def register(app: App, responder: Responder) -> None:
    @app.action(MORE_ACTION)
    def on_more(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        channel, thread = _where(body)
        responder.lanes.clicks.submit(responder.more, action["value"], channel, thread)

    @app.action(FEEDBACK_UP)
    @app.action(FEEDBACK_DOWN)
    def on_feedback(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        record_id, user = action["value"], (body.get("user") or {}).get("id", "")
        responder.records.feedback(record_id, user, "up" if action["action_id"] == FEEDBACK_UP else "down")
        channel, thread = _where(body)
        record = responder.records.get(record_id)
        lang = record.lang if record and record.lang == "ja" else "en"
        if channel and user:
            responder.lanes.clicks.submit(client.chat_postEphemeral, channel=channel, user=user, thread_ts=thread or None,
                                          text=phrase("thanks", lang))
