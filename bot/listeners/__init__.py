"""Slack listeners, one small module per kind, all registered here in one place."""
from __future__ import annotations

from slack_bolt import App

from ..responder import Responder
from . import actions, assistant, commands, events


def register(app: App, responder: Responder) -> None:
    events.register(app, responder)
    commands.register(app, responder)
    actions.register(app, responder)
    assistant.register(app, responder)
