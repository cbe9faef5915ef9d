"""Wiring only: the Web API client, the Bolt app and its listeners."""
from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from .listeners import register
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
    return app
