"""The bot token goes to Slack's file hosts only: a file URL pointing elsewhere, a redirect, file:// are refused.

Slack warns that a file's URL can point to any host. Here a stand-in foreign
host on 127.0.0.2 records every request it gets; the bot downloads from the
fake Slack on 127.0.0.1 (its configured SLACK_API_URL host).
"""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.download import SLACK_FILE_HOSTS, DownloadRefused, check_url

from .slackbot import BOT_TOKEN, blocks_text, curation_bot
from .test_refresh import PAGE_ONE, make_pdf
from .test_slack_curation import ADMIN, messages_to, share

REFUSED = "ダウンロードしませんでした"


class Recorder(ThreadingHTTPServer):
    """A foreign host: records the headers of every request and serves a PDF to anyone."""

    daemon_threads = True

    def __init__(self, content: bytes):
        self.requests: list[dict[str, str]] = []
        self.content = content
        super().__init__(("127.0.0.2", 0), _Recording)

    @property
    def url(self) -> str:
        return f"http://127.0.0.2:{self.server_address[1]}"


class _Recording(BaseHTTPRequestHandler):
    server: Recorder

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.server.requests.append({k.lower(): v for k, v in self.headers.items()})
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.server.content)))
        self.end_headers()
        self.wfile.write(self.server.content)


@pytest.fixture
def foreign(tmp_path):
    server = Recorder(make_pdf(tmp_path / "foreign.pdf").read_bytes())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def bot(slack, built, embedder, tmp_path_factory):
    base = tmp_path_factory.mktemp("upload-security")
    with curation_bot(slack, built, embedder, base, frozenset({ADMIN})) as running:
        yield running


def manifest(bot) -> bytes:
    return (bot.settings.index.corpus_dir / "summits.toml").read_bytes()


def test_a_file_url_on_another_host_gets_no_token(slack, bot, foreign, tmp_path):
    before = manifest(bot)
    pdf = make_pdf(tmp_path / "okaya.pdf").read_bytes()
    slack.add_file("FFOREIGN", pdf, "okaya.pdf", "pdf", "application/pdf", url=foreign.url + "/files/okaya.pdf")
    share(bot, ADMIN, "第10回", "FFOREIGN", "1700000601.0001", channel="DSEC1")
    [reply] = messages_to(slack, "DSEC1")
    assert REFUSED in blocks_text(reply) and "not downloaded" in blocks_text(reply).lower()
    assert "127.0.0.2" in blocks_text(reply)  # says which address was refused
    assert all("authorization" not in headers for headers in foreign.requests)
    assert foreign.requests == []  # not even asked without the token
    assert BOT_TOKEN not in blocks_text(reply) and manifest(bot) == before


def test_a_redirect_from_slack_never_carries_the_token(slack, bot, foreign, tmp_path):
    before = manifest(bot)
    pdf = make_pdf(tmp_path / "okaya.pdf").read_bytes()
    slack.add_file("FREDIR", pdf, "okaya.pdf", "pdf", "application/pdf", redirect=foreign.url + "/stolen.pdf")
    share(bot, ADMIN, "第10回", "FREDIR", "1700000602.0001", channel="DSEC2")
    [reply] = messages_to(slack, "DSEC2")
    assert REFUSED in blocks_text(reply) and "redirect" in blocks_text(reply).lower()
    assert [d.status for d in slack.downloads if d.params["file"] == "FREDIR"] == [302]  # Slack was asked, with the token
    assert all("authorization" not in headers for headers in foreign.requests)
    assert "corpus_add_confirm" not in blocks_text(reply) and manifest(bot) == before


def test_local_files_and_other_schemes_are_never_read(slack, bot, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("\n".join(PAGE_ONE), encoding="utf-8")  # would parse as a declaration if it were read
    urls = {"FPASSWD": "file:///etc/passwd", "FLOCAL": secret.as_uri(), "FFTP": "ftp://127.0.0.1/x.txt",
            "FDATA": "data:text/plain;base64,5a6j6KiA", "FHTTPS": "https://files.slack.com.evil.example/x.txt",
            "FUSER": "https://files.slack.com@127.0.0.2/x.txt"}
    for n, (file_id, url) in enumerate(urls.items()):
        slack.add_file(file_id, b"x", "sengen.txt", "text", "text/plain", url=url)
        share(bot, ADMIN, "第10回", file_id, f"17000006{10 + n}.0001", channel=f"DSEC3{n}")
        [reply] = messages_to(slack, f"DSEC3{n}")
        assert REFUSED in blocks_text(reply), url
        assert "corpus_add_confirm" not in blocks_text(reply) and "root:" not in blocks_text(reply), url


def test_a_missing_url_is_said_plainly(slack, bot):
    slack.add_file("FNOURL", b"x", "sengen.pdf", "pdf", "application/pdf", url="")
    share(bot, ADMIN, "第10回", "FNOURL", "1700000620.0001", channel="DSEC4")
    [reply] = messages_to(slack, "DSEC4")
    assert "download address" in blocks_text(reply) and "URL" in blocks_text(reply)


def test_the_allowed_hosts():
    api = "http://127.0.0.1:5555/api/"
    assert check_url("https://files.slack.com/files-pri/T1-F1/download/x.pdf", api)
    assert check_url("http://127.0.0.1:5555/files/F1/x.pdf", api)  # the configured API host keeps its scheme
    assert "files.slack.com" in SLACK_FILE_HOSTS
    for bad in ("http://files.slack.com/x.pdf",  # the token never goes over plain HTTP to Slack
                "https://127.0.0.1:5555/files/F1/x.pdf",  # nor to another port or scheme of the API host
                "http://127.0.0.1:5556/files/F1/x.pdf", "https://evil.example/x.pdf", "//files.slack.com/x",
                "https://files.slack.com:8443/x.pdf", "gopher://files.slack.com/x"):
        with pytest.raises(DownloadRefused):
            check_url(bad, api)
