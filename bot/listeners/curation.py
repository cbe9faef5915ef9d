"""Admins' corpus work from Slack: files shared in a DM, Confirm/Cancel (the App Home tab: listeners/home.py).

Add and Cancel are acknowledged at once and done on the admin lane (`submit`):
adding rebuilds the index, which takes tens of seconds, far beyond Slack's 3.
"""
from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, App
from slack_sdk import WebClient

from ..curation import CANCEL_ACTION, CONFIRM_ACTION, Curator


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

    @app.action(CANCEL_ACTION)
    def on_cancel(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        channel, thread, user = where(body)
        submit(curator.cancel, action["value"], user, client, channel, thread)
