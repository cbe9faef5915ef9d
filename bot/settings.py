"""Settings of the Slack side and the server, read once from the environment (and `.env`).

Tokens are kept out of `repr` so that logging a settings object never leaks them.
"""
from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from pathlib import Path

from index.settings import PROJECT_ROOT, Settings


@dataclass(frozen=True)
class BotSettings:
    index: Settings
    bot_token: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    api_url: str = ""  # Web API base, e.g. for GovSlack; "" means slack_sdk's default
    timeout: float = 15.0  # seconds a Web API call may take before it counts as failed
    host: str = "127.0.0.1"
    port: int = 8080
    admins: frozenset[str] = frozenset()
    database: Path = PROJECT_ROOT / ".data" / "summitbot.sqlite3"
    retention_days: float = 365.0  # questions and feedback older than this are purged (at start and daily)
    max_waiting: int = 10  # questions one asker may have waiting; past it they are refused with a notice
    pages_allow: tuple[IPv4Network | IPv6Network, ...] = ()  # client networks the pages are served to; () = any
    pages_password: str = field(default="", repr=False)  # HTTP Basic password for the pages; "" = none asked

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> BotSettings:
        api_url = env.get("SLACK_API_URL", "").strip()
        if api_url and not api_url.endswith("/"):
            api_url += "/"
        return cls(
            index=Settings.from_env(env),
            bot_token=env.get("SLACK_BOT_TOKEN", "").strip(),
            app_token=env.get("SLACK_APP_TOKEN", "").strip(),
            signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip(),
            api_url=api_url,
            timeout=float(env.get("SLACK_TIMEOUT", "15")),
            host=env.get("SUMMITBOT_HOST", "127.0.0.1"),
            port=int(env.get("SUMMITBOT_PORT", "8080")),
            admins=frozenset(a.strip() for a in env.get("SUMMITBOT_ADMINS", "").split(",") if a.strip()),
            database=Path(env.get("SUMMITBOT_DB") or PROJECT_ROOT / ".data" / "summitbot.sqlite3").expanduser(),
            retention_days=float(env.get("SUMMITBOT_RETENTION_DAYS") or 365),
            max_waiting=max(1, int(env.get("SUMMITBOT_MAX_WAITING") or 10)),
            pages_allow=networks(env.get("SUMMITBOT_PAGES_ALLOW", "")),
            pages_password=env.get("SUMMITBOT_PAGES_PASSWORD", "").strip(),
        )

    @property
    def mode(self) -> str:
        """socket | http | offline: how (and whether) the bot reaches Slack."""
        if self.bot_token and self.app_token:
            return "socket"
        if self.bot_token and self.signing_secret:
            return "http"
        return "offline"

    @property
    def public_url(self) -> str:
        """Where citation links and the pages point: SUMMITBOT_PUBLIC_URL, else the address `serve` listens on.

        Listening on every interface (0.0.0.0, ::), colleagues reach the machine by its name, so that is used.
        """
        if self.index.public_url:
            return self.index.public_url
        host = self.host
        if host in ("0.0.0.0", "::", ""):
            host = socket.getfqdn()
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def link_warning(self) -> str:
        """A warning when Slack is connected but links point where only this machine can follow them; "" if fine."""
        if self.mode == "offline" or not _is_loopback(self.public_url):
            return ""
        return (f"citation links in Slack point to {self.public_url}, which only this machine can open: set "
                "SUMMITBOT_PUBLIC_URL to the address colleagues use (e.g. https://summitbot.city.example), "
                "see README → Deploying")

    def missing(self) -> str:
        """What to set to connect to Slack, said plainly."""
        return (
            "Slack is not connected. Set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode, no public URL needed), "
            "or SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP mode, Slack posts to /slack/events)."
        )


def _is_loopback(url: str) -> bool:
    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def networks(value: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """SUMMITBOT_PAGES_ALLOW: comma-separated addresses or networks. A typo stops the server: a guard that
    silently allowed everyone would be worse than none."""
    parsed = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            parsed.append(ip_network(item, strict=False))
        except ValueError as exc:
            raise ValueError(f"SUMMITBOT_PAGES_ALLOW: {item!r} is not an address or network (e.g. 10.0.0.0/8)") from exc
    return tuple(parsed)
