"""The App Home tab: published when opened (onboarding; admins also see the coverage gaps), and Ask again.

Both are acknowledged at once: the view is built and published on the clicks
lane, and Ask again only records a question (`responder.receive`), which is
then answered as any other, in the admin's DM with the bot.
"""
from __future__ import annotations

import logging

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ..curation import Curator, sources_text
from ..home import REASK_ACTION, home_view
from ..phrases import PROMPTS
from ..report import build_report
from ..responder import Question, Responder

log = logging.getLogger(__name__)


def publish_home(responder: Responder, curator: Curator, client: WebClient, user: str) -> None:
    """Build the user's Home view and publish it; the report is read only for admins."""
    report = build_report(responder.records) if curator.is_admin(user) else None
    public_url = responder.links.public_url
    view = home_view(sources_text(curator.live), PROMPTS, report, help_url=f"{public_url}/help" if public_url else "")
    try:
        client.views_publish(user_id=user, view=view)
    except SlackApiError as error:
        log.error("could not publish the Home tab of %s: %s", user, error.response.get("error"))


def reask_question(user: str, text: str, trigger_id: str) -> Question:
    """An admin's Ask again as a question of its own, answered in the admin's DM with the bot.

    `channel=user` is how chat.postMessage reaches the app's DM with someone
    (with the Messages tab on) without im:write. The context thread is the
    key itself, so the question never reads as a follow-up of the admin's
    previous re-ask (a flat DM would otherwise carry context for 15 minutes).
    """
    key = f"home:{trigger_id}"
    return Question(key=key, user=user, channel=user, text=text, reply_thread=None, context_thread=key)


def register(app: App, responder: Responder, curator: Curator) -> None:
    @app.event("app_home_opened")
    def on_home(event: dict, client: WebClient) -> None:
        user = event.get("user", "")
        if event.get("tab", "home") != "home" or not user:
            return
        responder.lanes.clicks.submit(publish_home, responder, curator, client, user)

    @app.action(REASK_ACTION)
    def on_reask(ack: Ack, body: dict, action: dict) -> None:
        user = (body.get("user") or {}).get("id", "")
        text = (action.get("value") or "").strip()
        trigger = body.get("trigger_id") or action.get("action_ts", "")
        if not curator.is_admin(user):  # only admins see the button; a forged click asks nothing
            log.warning("Ask again from %s, who is not an admin, ignored", user)
        elif text and trigger:
            responder.receive(reask_question(user, text, trigger))  # recorded before the acknowledgement
        ack()
