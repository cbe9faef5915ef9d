"""Helpers for the Slack tests: the real server in a thread, and requests signed the way Slack signs them."""
from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path

import uvicorn

from bot.records import Records
from bot.server import create_app, uvicorn_config
from bot.settings import BotSettings

ROOT = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-bot-token-0123456789"
APP_TOKEN = "xapp-test-app-token-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RunningBot:
    """`create_app` served by a real uvicorn on 127.0.0.1, started and stopped by the test."""

    def __init__(self, settings: BotSettings, index, database: Path):
        self.settings = replace(settings, port=free_port(), database=database)
        self.records = Records(database)
        self.app = create_app(self.settings, index, self.records)
        config = uvicorn_config(self.app, "127.0.0.1", self.settings.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    def __enter__(self) -> RunningBot:
        self.thread.start()
        deadline = time.time() + 30
        while not self.server.started:
            if time.time() > deadline or not self.thread.is_alive():
                raise RuntimeError("the bot's server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.records.close()


def running_bot(slack, service, built, database: Path, mode: str, timeout: float = 15.0) -> RunningBot:
    """The bot connected to a FakeSlack in HTTP or Socket Mode."""
    return RunningBot(replace(bot_settings(built, slack.api_url, mode), timeout=timeout), service, database)


def bot_settings(index_settings, api_url: str, mode: str) -> BotSettings:
    tokens = {"http": {"signing_secret": SIGNING_SECRET}, "socket": {"app_token": APP_TOKEN}}[mode]
    return BotSettings(index=index_settings, bot_token=BOT_TOKEN, api_url=api_url, **tokens)


def signature(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def post(url: str, body: bytes, content_type: str = "application/json", timestamp: int | None = None,
         sign: bool = True, secret: str = SIGNING_SECRET, headers: dict | None = None) -> tuple[int, bytes, float]:
    """POST as Slack does; returns (status, body, seconds until the response)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type, **(headers or {})})
    request.add_header("X-Slack-Request-Timestamp", str(timestamp))
    if sign:
        request.add_header("X-Slack-Signature", signature(body, timestamp, secret))
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.perf_counter() - started


def event_body(event: dict, event_id: str = "Ev0001") -> bytes:
    return json.dumps({
        "token": "legacy", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
        "event_id": event_id, "event_time": int(time.time()), "event": event,
        "authorizations": [{"team_id": "T0001", "user_id": "UBOT", "is_bot": True}],
    }, ensure_ascii=False).encode()


def mention(text: str, ts: str, channel: str = "C0001", user: str = "U0001", thread_ts: str | None = None) -> dict:
    event = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}", "ts": ts, "channel": channel, "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def slash_body(text: str, response_url: str, trigger_id: str = "T-1", channel: str = "C0001") -> bytes:
    return urllib.parse.urlencode({
        "token": "legacy", "team_id": "T0001", "channel_id": channel, "user_id": "U0001", "command": "/summit",
        "text": text, "response_url": response_url, "trigger_id": trigger_id, "api_app_id": "A0001",
    }).encode()


def blocks_text(call) -> str:
    """Everything a posted message shows, for assertions."""
    blocks = call.params.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return json.dumps(blocks or [], ensure_ascii=False) + str(call.params.get("text", ""))


def curation_bot(slack, built, embedder, base: Path, admins: frozenset[str], copy_index: bool = True) -> RunningBot:
    """A bot in HTTP mode on its own copy of the corpus (and of the built index, when it will be changed),
    so that adding or removing declarations never touches the project's corpus or the shared index."""
    from index.service import SummitIndex

    shutil.copytree(ROOT / "corpus", base / "corpus")
    index_settings = replace(built, corpus_dir=base / "corpus")
    if copy_index:
        shutil.copytree(built.index_dir, base / "index")
        index_settings = replace(index_settings, index_dir=base / "index")
    settings = BotSettings(index=index_settings, bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET,
                           api_url=slack.api_url, admins=admins)
    return RunningBot(settings, SummitIndex.open(index_settings), base / "records.sqlite3")


def click(bot, action_id: str, value: str, channel: str, response_url: str, thread: str = "", ephemeral: bool = False,
          kind: str = "button", trigger: str = "trig-1") -> int:
    """A signed block_actions interaction, as Slack posts it when someone clicks under an answer."""
    payload = {"type": "block_actions", "user": {"id": "U0001"}, "team": {"id": "T0001"}, "api_app_id": "A0001",
               "channel": {"id": channel}, "response_url": response_url, "trigger_id": trigger,
               "container": {"type": "message", "message_ts": "1.2", "channel_id": channel, "is_ephemeral": ephemeral},
               "actions": [{"action_id": action_id, "value": value, "type": kind, "block_id": "b"}]}
    if not ephemeral:
        payload["message"] = {"ts": "1.2", "thread_ts": thread, "text": ""}
    return post(bot.url + "/slack/events", ("payload=" + json.dumps(payload)).encode(),
                content_type="application/x-www-form-urlencoded")[0]


def blocks_of(call) -> list[dict]:
    blocks = call.params.get("blocks") or []
    return blocks if isinstance(blocks, list) else json.loads(blocks)


def feedback_record(call) -> str:
    [feedback] = [b for b in blocks_of(call) if b["type"] == "context_actions"]
    return feedback["elements"][0]["positive_button"]["value"].split(":", 1)[1]
