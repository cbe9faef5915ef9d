"""Slack listeners, one small module per kind, all registered here in one place."""
from __future__ import annotations

from slack_bolt import App

from ..channels import ChannelSettings
from ..curation import Curator
from ..responder import Responder
from . import actions, assistant, commands, curation, events, shortcuts, home


def register(app: App, responder: Responder, curator: Curator, channels: ChannelSettings) -> None:
    events.register(app, responder, curator, channels)
    commands.register(app, responder, curator, channels)
    actions.register(app, responder)
    shortcuts.register(app, responder)
    assistant.register(app, responder, curator)
    curation.register(app, curator, responder.lanes.admin.submit)
    home.register(app, responder, curator)
