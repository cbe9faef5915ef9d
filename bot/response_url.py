"""Posting through a response URL (slash commands, shortcuts, button clicks), failing loudly when Slack refuses.

A response URL works where the bot is not a member of the channel, and it can
replace or delete the message it belongs to, private (ephemeral) ones
included: so every click is answered through it. Bolt's `Respond` returns
Slack's refusal instead of raising it; here a refusal is an error, so the
caller records it and tells the person.
"""
from __future__ import annotations

from slack_bolt.context.respond import Respond


class ResponseUrlError(RuntimeError):
    """Slack refused a message sent to a response URL (expired, invalid blocks, …)."""


def respond(url: str, **message: object) -> None:
    """Send `message` (text, blocks, response_type, replace_original, delete_original, …) to `url`."""
    response = Respond(response_url=url)(**message)
    if response.status_code != 200:
        raise ResponseUrlError(f"the response URL answered {response.status_code}: {str(response.body)[:200]}")
