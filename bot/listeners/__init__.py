"""Slack listeners, one small module per kind, all registered here in one place."""
from __future__ import annotations

from slack_bolt import App

from ..curation import Curator
from ..responder import Responder
from . import actions, assistant, commands, curation, events, home


def register(app: App, responder: Responder, curator: Curator) -> None:
    events.register(app, responder, curator)
    commands.register(app, responder, curator)
    actions.register(app, responder)
    assistant.register(app, responder, curator)
    curation.register(app, curator, responder.lanes.admin.submit)
    home.register(app, responder, curator)
