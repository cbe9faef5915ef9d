"""Admins' corpus work from Slack: files shared in a DM, Confirm/Cancel (the App Home tab: listeners/home.py).

Add, Correct-then-add (a form for OCR fixes) and Cancel are acknowledged at once and done on the admin lane (`submit`):
adding rebuilds the index, which takes tens of seconds, far beyond Slack's 3.
"""
from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, App
from slack_sdk import WebClient

from index.errors import SummitError

from ..curation import (CANCEL_ACTION, CONFIRM_ACTION, CORRECT_ACTION, CORRECTIONS_VIEW, Curator, corrections_view,
                        submitted_corrections)
from ..phrases import explain


def is_shared_file(event: dict) -> bool:
    """A person (not a bot) sharing files with the bot in a DM."""
    return (event.get("subtype") == "file_share" and event.get("channel_type") == "im" and bool(event.get("files"))
            and not event.get("bot_id") and bool(event.get("user")))


def receive_file(curator: Curator, event: dict, client: WebClient) -> None:
    curator.receive(event["user"], event.get("text", ""), event["files"], client, event["channel"], event.get("thread_ts"))


def register(app: App, curator: Curator, submit: Callable[..., object]) -> None:
    def where(body: dict) -> tuple[str, str | None, str]:
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id", "")
        return channel, message.get("thread_ts") or message.get("ts"), (body.get("user") or {}).get("id", "")

    @app.action(CONFIRM_ACTION)
    def on_confirm(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        channel, thread, user = where(body)
        submit(curator.confirm, action["value"], user, client, channel, thread)

    @app.action(CORRECT_ACTION)
    def on_correct(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        """The corrections form opens at once (its trigger lasts 3 s); the draft is checked when it is sent."""
        ack()
        channel, thread, _ = where(body)
        client.views_open(trigger_id=body["trigger_id"], view=corrections_view(action["value"], channel, thread))

    @app.view(CORRECTIONS_VIEW)
    def on_corrections(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        try:
            pending_id, channel, thread, fixes = submitted_corrections(view)
        except SummitError as error:  # a malformed line: said next to the field, the form stays open
            ack(response_action="errors", errors={"fixes": explain(error, "slack", "ja")})
            return
        ack()
        submit(curator.confirm, pending_id, (body.get("user") or {}).get("id", ""), client, channel, thread, fixes)

    @app.action(CANCEL_ACTION)
    def on_cancel(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        channel, thread, user = where(body)
        submit(curator.cancel, action["value"], user, client, channel, thread)
