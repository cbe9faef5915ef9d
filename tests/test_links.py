"""Where citation links point: the configured public URL, else the address `serve` listens on."""
from __future__ import annotations

import socket

from bot.settings import BotSettings


def settings(**env: str) -> BotSettings:
    return BotSettings.from_env({"SUMMITBOT_INDEX_DIR": "/tmp/none", **env})


def test_public_url_wins_and_loses_its_trailing_slash():
    s = settings(SUMMITBOT_PUBLIC_URL="https://summit.city.example/", SLACK_BOT_TOKEN="x", SLACK_APP_TOKEN="y")
    assert s.public_url == "https://summit.city.example" and s.link_warning() == ""


def test_default_is_the_listening_address_and_warns_only_with_slack():
    offline = settings(SUMMITBOT_PORT="8099")
    assert offline.public_url == "http://127.0.0.1:8099" and offline.link_warning() == ""
    connected = settings(SUMMITBOT_PORT="8099", SLACK_BOT_TOKEN="x", SLACK_APP_TOKEN="y")
    assert "SUMMITBOT_PUBLIC_URL" in connected.link_warning() and "127.0.0.1:8099" in connected.link_warning()
    assert "SUMMITBOT_PUBLIC_URL" in settings(SUMMITBOT_PUBLIC_URL="http://localhost:8080", SLACK_BOT_TOKEN="x",
                                               SLACK_SIGNING_SECRET="z").link_warning()


def test_every_interface_means_the_machines_name_and_ipv6_is_bracketed():
    assert settings(SUMMITBOT_HOST="0.0.0.0").public_url == f"http://{socket.getfqdn()}:8080"
    assert settings(SUMMITBOT_HOST="::1").public_url == "http://[::1]:8080"
    assert "SUMMITBOT_PUBLIC_URL" in settings(SUMMITBOT_HOST="::1", SLACK_BOT_TOKEN="x",
                                              SLACK_APP_TOKEN="y").link_warning()
