"""The guards of bot/guard.py and bot/protocol.py around a tiny app, served by uvicorn on 127.0.0.1 (no model).

tests/test_http_hardening.py replays the review's attacks on the real app; these
pin the edges: exactly at the limit, slow but honest clients, long requests,
the parsing of passwords, addresses and settings.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import shutil
import socket
import sys
import threading
import time
from dataclasses import replace
from ipaddress import ip_network

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from bot.guard import NoBodies, allowed, basic_password, guard
from bot.protocol import HEAD_TIMEOUT
from bot.server import uvicorn_config
from bot.settings import BotSettings
from index.corpus import Corpus, CorpusError

from .conftest import ROOT
from .slackbot import free_port

sys.path.insert(0, str(ROOT / "bench"))
from http_attacks import chunked, connect, get, raw_request  # noqa: E402

LIMIT = 100_000


def tiny_app(seen: list[int]) -> Starlette:
    """A page, an endpoint that reads its body (recording how much it got), a slow one and a broken one."""

    async def page(request: Request) -> PlainTextResponse:
        return PlainTextResponse("page")

    async def echo(request: Request) -> JSONResponse:
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            seen.append(received)
        return JSONResponse({"received": received})

    async def slow(request: Request) -> PlainTextResponse:
        await asyncio.sleep(HEAD_TIMEOUT + 1)
        return PlainTextResponse("done")

    async def boom(request: Request) -> PlainTextResponse:
        raise RuntimeError("a bug")

    return Starlette(routes=[Route("/", page), Route("/healthz", page), Route("/slack/events", echo, methods=["POST"]),
                             Route("/echo", echo, methods=["POST"]), Route("/slow", slow), Route("/boom", boom)])


@contextlib.contextmanager
def serving(app):
    port = free_port()
    server = uvicorn.Server(uvicorn_config(app, "127.0.0.1", port, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started:
        assert time.time() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def seen():
    return []


@pytest.fixture(scope="module")
def url(seen):
    with serving(guard(tiny_app(seen), LIMIT)) as base:
        yield base


def post_body(url: str, body: bytes, path: str = "/echo"):
    return raw_request(url, "POST", path, {"Content-Length": str(len(body))}, [body], timeout=5.0)


def test_bodies_up_to_the_limit_pass_and_one_byte_more_is_refused(url):
    assert post_body(url, b"x" * LIMIT).status == 200
    assert post_body(url, b"x" * (LIMIT + 1)).status == 413
    ok = raw_request(url, "POST", "/echo", {"Transfer-Encoding": "chunked"}, chunked(LIMIT, chunk=LIMIT // 4))
    assert ok.status == 200 and ok.body == b'{"received":100000}'


def test_a_chunked_body_is_cut_off_once_past_the_limit(url, seen):
    seen.clear()
    reply = raw_request(url, "POST", "/echo", {"Transfer-Encoding": "chunked"}, chunked(5_000_000, chunk=10_000))
    assert reply.status == 413 and reply.headers["connection"] == "close"
    assert max(seen) <= LIMIT  # the app never held more than the limit
    assert reply.sent < 5_000_000


def test_refusals_and_errors_carry_the_security_headers_and_no_server_header(url):
    for reply in (post_body(url, b"x" * (LIMIT + 1)),
                  raw_request(url, "GET", "/boom", {}),
                  raw_request(url, "GET", "/nothing", {}),
                  raw_request(url, "POST", "/", {"Content-Length": "0"})):
        assert reply.status in (413, 500, 404, 405)
        assert reply.headers["x-frame-options"] == "DENY" and reply.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in reply.headers["content-security-policy"] and "server" not in reply.headers
        assert b"Traceback" not in reply.body and b"a bug" not in reply.body


def test_a_malformed_request_gets_uvicorns_400_with_the_headers(url):
    with connect(url, timeout=5) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        answer = sock.recv(4096)
    head = answer.lower()
    assert answer.startswith(b"HTTP/1.1 400") and b"x-frame-options: deny" in head and b"nosniff" in head
    assert b"server:" not in head


def closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed `sock`, None if it stayed open for `seconds`."""
    started = time.perf_counter()
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return None
    except OSError:
        pass
    return time.perf_counter() - started


@pytest.mark.slow  # waits for real timeouts or limits
def test_silent_and_stalled_connections_are_closed_after_the_head_timeout(url):
    with connect(url, timeout=5) as silent, connect(url, timeout=5) as stalled, connect(url, timeout=5) as kept:
        stalled.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        kept.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # one whole request on a keep-alive connection,
        kept.recv(4096)
        kept.sendall(b"GET / HT")  # then half of the next
        for sock in (silent, stalled, kept):
            closed = closed_within(sock, HEAD_TIMEOUT + 3)
            assert closed is not None and closed <= HEAD_TIMEOUT + 3


@pytest.mark.slow  # waits for real timeouts or limits
def test_a_slow_but_complete_head_and_a_long_request_are_served(url):
    with connect(url, timeout=HEAD_TIMEOUT + 5) as sock:
        for piece in (b"GET /slow HTTP/1.1\r\n", b"Host: x\r\n", b"\r\n"):
            sock.sendall(piece)
            time.sleep(HEAD_TIMEOUT / 4)
        answer = b""
        while not answer.endswith(b"done"):  # the app takes longer than the head timeout: the request is not cut
            piece = sock.recv(4096)  # headers and body may come in separate segments
            if not piece:
                break
            answer += piece
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"done")


@pytest.mark.slow  # waits for real timeouts or limits
def test_a_body_that_does_not_arrive_gets_408(url):
    started = time.perf_counter()
    reply = raw_request(url, "POST", "/echo", {"Content-Length": "50"}, [b"x"], timeout=15)
    assert reply.status == 408 and 9 < time.perf_counter() - started < 13


def test_pages_guarded_by_network_and_password_but_not_slack_or_health():
    def basic(password: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"u:{password}".encode()).decode()}

    app = guard(tiny_app([]), LIMIT, (ip_network("127.0.0.2/32"),), "pw")
    with serving(app) as base:
        assert raw_request(base, "GET", "/", basic("pw"), source="127.0.0.2").status == 200
        assert raw_request(base, "GET", "/", {}, source="127.0.0.2").status == 401
        assert raw_request(base, "GET", "/", basic("pw")).status == 403  # from 127.0.0.1
        # a forwarded address counts only from a trusted proxy (uvicorn's FORWARDED_ALLOW_IPS, default 127.0.0.1)
        forwarded = {**basic("pw"), "X-Forwarded-For": "127.0.0.2"}
        assert raw_request(base, "GET", "/", forwarded, source="127.0.0.3").status == 403
        assert raw_request(base, "GET", "/", forwarded).status == 200  # 127.0.0.1, the trusted proxy
        assert get(base + "/healthz")[0] == 200
        assert post_body(base, b"{}", path="/slack/events").status == 200


def test_basic_password_parsing():
    encode = lambda text: b"Basic " + base64.b64encode(text.encode())  # noqa: E731
    assert basic_password(encode("staff:correct horse")) == "correct horse"
    assert basic_password(encode("staff:pass:with:colons")) == "pass:with:colons"
    assert basic_password(encode("no colon")) is None
    assert basic_password(b"Basic !!!") is None and basic_password(b"Bearer abc") is None and basic_password(b"") is None
    assert basic_password(b"basic " + base64.b64encode("u:パス".encode())) == "パス"


def test_client_addresses():
    tens = (ip_network("10.0.0.0/8"),)
    assert allowed(("10.1.2.3", 5000), tens) and not allowed(("11.1.2.3", 5000), tens)
    assert allowed(("::ffff:10.1.2.3", 5000), tens)  # IPv4 on a dual-stack socket
    assert not allowed(None, tens) and not allowed(("not-an-ip", 1), tens)


def test_settings_for_the_pages():
    settings = BotSettings.from_env({"SUMMITBOT_PAGES_ALLOW": "10.0.0.0/8, 192.168.1.7,", "SUMMITBOT_PAGES_PASSWORD": "pw!"})
    assert settings.pages_allow == (ip_network("10.0.0.0/8"), ip_network("192.168.1.7/32"))
    assert settings.pages_password == "pw!" and "pw!" not in repr(settings)
    assert BotSettings.from_env({}).pages_allow == () and BotSettings.from_env({}).pages_password == ""
    with pytest.raises(ValueError, match="SUMMITBOT_PAGES_ALLOW: '10.0.0.0/33'"):
        BotSettings.from_env({"SUMMITBOT_PAGES_ALLOW": "10.0.0.0/33"})


def test_bolt_messages_keep_the_reason_and_lose_the_body():
    record = logging.LogRecord("slack_bolt", logging.WARNING, __file__, 1,
                               "Unhandled request ({'type': 'dialog_submission', 'submission': {'a': 'SECRET'}})", (), None)
    NoBodies().filter(record)
    assert record.getMessage() == "Unhandled request of type dialog_submission: no listener matched (body not logged)"
    record = logging.LogRecord("slack_bolt", logging.INFO, __file__, 1, "Invalid request signature detected "
                               "(signature: v0=1, timestamp: 1, body: SECRET)", (), None)
    NoBodies().filter(record)
    assert "SECRET" not in record.getMessage() and "Invalid request signature" in record.getMessage()


def test_a_corpus_source_may_not_point_outside_the_corpus(tmp_path):
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    corpus = Corpus.load(tmp_path / "corpus")
    ota, sumida = corpus.document("summit08-ota"), corpus.document("summit09-sumida")
    inside = tmp_path / "corpus" / "documents" / "elsewhere.txt"
    (tmp_path / "corpus" / sumida.file).rename(inside)
    (tmp_path / "corpus" / sumida.file).symlink_to(inside)  # a link within the corpus is fine
    assert "すみだ宣言" in corpus.source(sumida)
    (tmp_path / "corpus" / ota.file).unlink()
    (tmp_path / "corpus" / ota.file).symlink_to(tmp_path / "secret.txt")
    with pytest.raises(CorpusError, match="outside the corpus"):
        corpus.source(ota)
    with pytest.raises(CorpusError, match="outside the corpus"):
        corpus.source(replace(ota, file="../secret.txt"))
