"""Attacks on the HTTP surface of a running `summitbot serve`, bounded and meant for loopback.

    rows = measure("http://127.0.0.1:8080", server_pid=pid)   # pid: optional, for the RSS column
    print(markdown(rows))

Each attack is what a security review did by hand: a huge declared body, a
chunked body that never ends, hundreds of half-open request heads (slowloris),
a body trickled in, malformed Slack timestamps. None sends more than 20 MB or
runs longer than about 20 s; after each, /healthz must still answer. The raw
socket helpers are also what tests/test_http_hardening.py attacks with.
"""
from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.client import HTTPException, HTTPResponse
from urllib.parse import urlsplit

MB = 1_000_000
CHUNK = 64 * 1024
PARTIAL_HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
HALF_OPEN_WAIT = 15.0  # seconds the half-open connections are watched


@dataclass
class Reply:
    """What the server answered to one raw request; status None means it closed without answering."""

    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    sent: int = 0  # body bytes written before the server answered or stopped taking them
    seconds: float = 0.0
    timed_out: bool = False  # no answer within the client's timeout (rather than a close)


def address(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def connect(base_url: str, timeout: float, source: str | None = None) -> socket.socket:
    """A TCP connection to the server, optionally from another loopback address (127.0.0.2)."""
    return socket.create_connection(address(base_url), timeout=timeout, source_address=(source, 0) if source else None)


def _readable(sock: socket.socket) -> bool:
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        return bool(selector.select(0))


def _read_reply(sock: socket.socket, timeout: float) -> Reply:
    sock.settimeout(timeout)
    response = HTTPResponse(sock)
    try:
        response.begin()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    except TimeoutError:
        return Reply(None, timed_out=True)
    except (HTTPException, OSError):  # closed or reset without a (complete) response
        return Reply(None)
    finally:
        response.close()


def raw_request(base_url: str, method: str, path: str, headers: dict[str, str], frames: Iterable[bytes] = (),
                timeout: float = 10.0, send_timeout: float = 2.0, source: str | None = None) -> Reply:
    """Send a request head, then body frames until the server answers, closes or stops reading."""
    host, port = address(base_url)
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    started = time.perf_counter()
    with connect(base_url, timeout, source) as sock:
        sock.sendall(head.encode("utf-8"))  # attackers send any bytes
        sock.settimeout(send_timeout)
        sent = 0
        for frame in frames:
            if _readable(sock):  # an answer (or a close) before the body was all sent
                break
            try:
                sock.sendall(frame)
            except OSError:  # reset, broken pipe, or the server stopped reading (send timeout)
                break
            sent += len(frame)
        reply = _read_reply(sock, timeout)
    reply.sent, reply.seconds = sent, time.perf_counter() - started
    return reply


def chunked(total: int, chunk: int = CHUNK) -> Iterator[bytes]:
    """A chunked body of `total` bytes (then its terminating chunk), generated as it is sent."""
    data = b"x" * chunk
    frame = f"{chunk:x}\r\n".encode() + data + b"\r\n"
    for _ in range(total // chunk):
        yield frame
    yield b"0\r\n\r\n"


def trickle(total: int, every: float) -> Iterator[bytes]:
    """One byte every `every` seconds: a body that never seems to end."""
    for _ in range(total):
        yield b"x"
        time.sleep(every)


def get(url: str, timeout: float = 5.0, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """An ordinary GET; HTTP errors are answers too."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def still_answering(base_url: str) -> bool:
    try:
        return get(base_url + "/healthz")[0] == 200
    except OSError:
        return False


def half_open(base_url: str, count: int = 200, wait: float = HALF_OPEN_WAIT, head: bytes = PARTIAL_HEAD) -> dict:
    """Open `count` connections that send a partial request head and stall; see when the server closes them.

    Meanwhile one ordinary request is made: it must be answered while they hang.
    """
    opened: list[socket.socket] = []
    closed_after: list[float] = []
    selector = selectors.DefaultSelector()
    try:
        for _ in range(count):
            sock = connect(base_url, timeout=5.0)
            sock.sendall(head)
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
            opened.append(sock)
        started = time.perf_counter()
        status, _, _ = get(base_url + "/healthz")
        normal = {"normal_status": status, "normal_seconds": round(time.perf_counter() - started, 3)}
        while len(closed_after) < count and time.perf_counter() - started < wait:
            for key, _ in selector.select(timeout=0.2):
                try:
                    data = key.fileobj.recv(4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:  # the server closed it
                    closed_after.append(time.perf_counter() - started)
                    selector.unregister(key.fileobj)
    finally:
        selector.close()
        for sock in opened:
            sock.close()
    return {"opened": len(opened), "closed": len(closed_after),
            "longest_seconds": round(max(closed_after), 2) if closed_after else None, **normal}


class RssSampler:
    """The peak resident memory of a process (Linux /proc) while a block runs, sampled every 5 ms."""

    def __init__(self, pid: int):
        self.pid = pid
        self.baseline = self.peak = self.rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> int:
        with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.rss())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())

    @property
    def growth_mb(self) -> float:
        return round((self.peak - self.baseline) / MB, 1)


def _row(attack: str, result: str, base_url: str, **extra) -> dict:
    return {"attack": attack, "result": result, "server_still_answering": still_answering(base_url), **extra}


def _outcome(reply: Reply) -> str:
    if reply.status is None and reply.timed_out:
        return f"no answer within {reply.seconds:.0f} s"
    if reply.status is None:
        return f"closed unanswered after {reply.seconds:.2f} s"
    return f"{reply.status} after {reply.seconds:.2f} s"


def measure(base_url: str, server_pid: int | None = None, half_open_count: int = 200) -> list[dict]:
    """Run each attack once against the server at `base_url` (loopback) and say how it fared.

    With `server_pid` (a local process; the current one when the server runs in it), the
    chunked attack also reports how much the server's resident memory grew.
    """
    return [_declared(base_url), _chunked(base_url, server_pid), _slowloris(base_url, half_open_count),
            _trickled(base_url), *_timestamps(base_url)]


EVENTS = "/slack/events"
JSON = {"Content-Type": "application/json"}


def _declared(base_url: str) -> dict:
    reply = raw_request(base_url, "POST", EVENTS, {**JSON, "Content-Length": str(800 * MB)}, [b"{" * 1000], timeout=10.0)
    return _row("Content-Length: 800 MB, 1 kB sent", _outcome(reply), base_url, seconds=round(reply.seconds, 3))


def _chunked(base_url: str, server_pid: int | None, total: int = 20 * MB) -> dict:
    sampler = RssSampler(server_pid) if server_pid else None
    with sampler or contextlib.nullcontext():
        reply = raw_request(base_url, "POST", EVENTS, {**JSON, "Transfer-Encoding": "chunked"}, chunked(total), timeout=20.0)
    result = f"{_outcome(reply)}; {reply.sent / MB:.1f} MB of {total / MB:.0f} MB sent"
    return _row(f"chunked body, up to {total / MB:.0f} MB", result, base_url, sent_mb=round(reply.sent / MB, 1),
                rss_growth_mb=sampler.growth_mb if sampler else None)


def _slowloris(base_url: str, count: int) -> dict:
    slow = half_open(base_url, count=count)
    closed = f"the last after {slow['longest_seconds']} s" if slow["closed"] else f"none within {HALF_OPEN_WAIT:.0f} s"
    result = (f"{slow['closed']} of {slow['opened']} closed by the server, {closed}; "
              f"/healthz meanwhile: {slow['normal_status']} in {slow['normal_seconds']} s")
    return _row(f"{count} half-open request heads (slowloris)", result, base_url, **slow)


def _trickled(base_url: str) -> dict:
    reply = raw_request(base_url, "POST", EVENTS, {**JSON, "Content-Length": "100"}, trickle(30, 1.0), timeout=20.0)
    return _row("body trickled at 1 byte/s", f"{_outcome(reply)}; {reply.sent} bytes sent", base_url)


def _timestamps(base_url: str) -> list[dict]:
    rows = []
    for name, value in (("abc", "abc"), ("5,000 digits", "9" * 5000)):
        headers = {**JSON, "Content-Length": "2", "X-Slack-Request-Timestamp": value,
                   "X-Slack-Signature": "v0=" + "0" * 64}
        reply = raw_request(base_url, "POST", EVENTS, headers, [b"{}"])
        rows.append(_row(f"X-Slack-Request-Timestamp: {name}", _outcome(reply), base_url))
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| attack | result | server still answering |", "|---|---|---|"]
    for row in rows:
        extra = f" (server RSS +{row['rss_growth_mb']} MB)" if row.get("rss_growth_mb") is not None else ""
        answering = "yes" if row["server_still_answering"] else "NO"
        lines.append(f"| {row['attack']} | {row['result']}{extra} | {answering} |")
    return "\n".join(lines) + "\n"
