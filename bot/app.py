"""Wiring only: the Web API client, the Bolt app and its listeners."""
from __future__ import annotations

import logging
import uuid

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from .listeners import register
from .phrases import bilingual
from .response_url import respond
from .channels import ChannelSettings
from .curation import Curator
from .responder import Responder
from .settings import BotSettings

log = logging.getLogger(__name__)


def web_client(settings: BotSettings) -> WebClient:
    """Retries 429 (after Retry-After), 5xx and dropped connections with back-off."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url or WebClient.BASE_URL,
        timeout=settings.timeout,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )


def build_app(settings: BotSettings, responder: Responder, curator: Curator, channels: ChannelSettings) -> App:
    """The Bolt app. Listeners only record and hand work to the responder's lanes (bot/lanes.py), so they run
    before the acknowledgement (`process_before_response`): an acknowledged question is already on disk."""
    app = App(
        client=responder.client,
        signing_secret=settings.signing_secret or None,
        request_verification_enabled=settings.mode == "http",
        process_before_response=True,
        logger=logging.getLogger("slack_bolt"),
    )
    register(app, responder, curator, channels)
    app.error(_tell_of_failure)
    return app


def _tell_of_failure(error: Exception, body: dict, client: WebClient) -> None:
    """A listener failed before its work was handed on: log it with an id and tell the person that id."""
    error_id = uuid.uuid4().hex[:8]
    log.error("a Slack listener failed (id %s)", error_id, exc_info=error)
    text = bilingual("failed", id=error_id)
    event = body.get("event") or {}
    user = (body.get("user") or {}).get("id") or body.get("user_id") or event.get("user", "")
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id") or event.get("channel", "")
    try:
        if body.get("response_url"):
            respond(body["response_url"], response_type="ephemeral", replace_original=False, text=text)
        elif user and channel:
            client.chat_postEphemeral(channel=channel, user=user, text=text,
                                      thread_ts=event.get("thread_ts") or event.get("ts") or None)
    except Exception as again:  # noqa: BLE001 - the failure is logged above; nothing more can be said
        log.error("could not tell of failure %s: %s", error_id, again)
