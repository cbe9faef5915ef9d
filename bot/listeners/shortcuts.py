"""The message shortcut 「宣言から探す」: ask the declarations about a message someone wrote, privately.

Anyone can pick it from a message's ⋯ menu, in any channel, whether or not the bot is a member:
the answer goes to the asker alone through the shortcut's response URL (Slack includes one with
every message shortcut), so it needs neither channel membership nor a scope beyond `commands`.
The message's text is the question; the answer is recorded under the message's thread like any
question, but a shortcut alone never makes that thread the bot's (Records.has_thread counts only
answers the thread can see).
"""
from __future__ import annotations

import logging
from urllib.error import URLError

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ..phrases import bilingual
from ..responder import Question, Responder, plain_text

log = logging.getLogger(__name__)

CALLBACK_ID = "search_declarations"  # slack-app-manifest.yaml, features.shortcuts
KEY_PREFIX = "shortcut:"  # the records' key of a question asked with the shortcut: shortcut:<trigger id>


def register(app: App, responder: Responder) -> None:
    @app.message_shortcut(CALLBACK_ID)
    def on_shortcut(ack: Ack, body: dict, respond: Respond, client: WebClient) -> None:
        message = body.get("message") or {}
        text = plain_text(message.get("text") or "")
        user, channel = (body.get("user") or {}).get("id", ""), (body.get("channel") or {}).get("id", "")
        if not text:  # a file, an image or a message of blocks only: nothing to search with
            ack()
            responder.lanes.clicks.submit(_tell, body, respond, client, user, channel, bilingual("shortcut_empty"))
            return
        # recorded before the acknowledgement is sent (the app processes before responding: bot/app.py)
        responder.receive(Question(
            key=f"{KEY_PREFIX}{body.get('trigger_id') or channel + ':' + message.get('ts', '')}",
            user=user,
            channel=channel,
            text=text,
            reply_thread=message.get("thread_ts") or message.get("ts") or None,
            context_thread="",
            response_url=body.get("response_url", ""),
            private=True,
        ))
        ack()


def _tell(body: dict, respond: Respond, client: WebClient, user: str, channel: str, text: str) -> None:
    """A short reply only the asker sees: through the response URL, else (never seen from Slack) ephemerally."""
    try:
        if body.get("response_url"):
            respond(response_type="ephemeral", replace_original=False, text=text)
        else:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
    except (SlackApiError, URLError, OSError) as error:
        log.warning("could not answer the shortcut of %s: %s", user, getattr(error, "response", None) or error)
