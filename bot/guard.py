"""Guards around the ASGI app: body limits, security headers, who may see the pages, and quiet Bolt logs.

They are pure ASGI middleware wrapped around the whole Starlette app, not
Starlette middleware inside it, for two reasons: they see every response (404,
405, static files, the 500 Starlette sends for a crash), and they can refuse a
body from its Content-Length, or as soon as it passes the limit, before
anything is buffered; `await request.body()` reads it all first.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import logging
import re
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("summitbot.guard")

PAGE_CSP = "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
SANDBOX_CSP = "sandbox; frame-ancestors 'none'"  # uploaded originals: no script, no forms, no same origin
SECURITY_HEADERS = {
    "content-security-policy": PAGE_CSP,  # kept when a response brings its own (the originals' sandbox)
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}
ENCODED_SECURITY_HEADERS = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
BODY_TIMEOUT = 10.0  # seconds for a whole request body; Slack's arrive in milliseconds
NOT_PAGES = frozenset({"/slack/events", "/healthz"})  # for Slack and health checks, not for people

Network = IPv4Network | IPv6Network


def guard(app: ASGIApp, max_body: int, networks: tuple[Network, ...] = (), password: str = "") -> ASGIApp:
    """`app` behind all the guards: headers outermost, so that every refusal carries them too."""
    return SecurityHeaders(BodyLimit(PageAccess(app, networks, password), max_body))


async def respond(send: Send, status: int, payload: dict[str, str], extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    """A small JSON answer that also closes the connection: what is left of a refused body is not read."""
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close"), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class SecurityHeaders:
    """Adds the security headers a response lacks, and drops any `Server` header."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": harden(list(message.get("headers", [])))}
            await send(message)

        await self.app(scope, receive, hardened)


def harden(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    kept = [(name, value) for name, value in headers if name.lower() != b"server"]
    return kept + [(name, value) for name, value in ENCODED_SECURITY_HEADERS if name not in present]


class BodyLimit:
    """Refuses a body over `limit` bytes (413) or slower than `timeout` seconds (408), on every route.

    A declared Content-Length over the limit is refused before the app runs; a
    chunked body is counted as the app reads it and cut off once past the limit,
    so at most the limit plus one chunk is ever held.
    """

    def __init__(self, app: ASGIApp, limit: int, timeout: float = BODY_TIMEOUT):
        self.app, self.limit, self.timeout = app, limit, timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = content_length(scope)
        if declared is not None and declared > self.limit:
            return await respond(send, 413, {"error": "body too large"})
        body = _CountedBody(receive, send, self.limit, self.timeout)
        try:
            await self.app(scope, body.receive, body.send)
        except Exception:  # the app tripping over the disconnect it was handed after a refusal
            if not body.refused:
                raise
            log.debug("the app raised after its request body was refused", exc_info=True)


def content_length(scope: Scope) -> int | None:
    """The declared length (h11 has already refused malformed ones), None for chunked bodies."""
    for name, value in scope.get("headers", []):
        if name == b"content-length" and value.strip().isdigit():
            return int(value)
    return None


class _CountedBody:
    """One request's `receive` and `send`, counting the body and refusing it when it goes too far."""

    def __init__(self, receive: Receive, send: Send, limit: int, timeout: float):
        self._receive, self._send = receive, send
        self.limit = limit
        self.deadline = asyncio.get_running_loop().time() + timeout
        self.received = 0
        self.complete = self.started = self.refused = False

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        if self.complete:  # only the disconnect is left to wait for: no deadline
            return await self._receive()
        remaining = self.deadline - asyncio.get_running_loop().time()
        try:
            message = await asyncio.wait_for(self._receive(), timeout=max(remaining, 0.0))
        except TimeoutError:
            return await self.refuse(408, "request body too slow")
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                return await self.refuse(413, "body too large")
            self.complete = not message.get("more_body", False)
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return  # the refusal has been sent; whatever the app answers now goes nowhere
        self.started = self.started or message["type"] == "http.response.start"
        await self._send(message)

    async def refuse(self, status: int, error: str) -> Message:
        if not self.started:
            await respond(self._send, status, {"error": error})
        self.refused = True
        return {"type": "http.disconnect"}


class PageAccess:
    """The pages (every route but /slack/events and /healthz) for allowed networks only, and behind a password.

    With no networks any client address may ask; with no password none is asked for.
    The client address is the connection's, or the one a trusted proxy forwards
    (uvicorn's FORWARDED_ALLOW_IPS, default 127.0.0.1).
    """

    def __init__(self, app: ASGIApp, networks: tuple[Network, ...] = (), password: str = ""):
        self.app, self.networks = app, networks
        self.password_digest = hashlib.sha256(password.encode()).digest() if password else b""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in NOT_PAGES:
            return await self.app(scope, receive, send)
        if self.networks and not allowed(scope.get("client"), self.networks):
            return await respond(send, 403, {"error": "the pages are not served to this address"})
        if self.password_digest and not self.authorized(scope):
            challenge = (b"www-authenticate", b'Basic realm="summitbot", charset="UTF-8"')
            return await respond(send, 401, {"error": "the pages need the password"}, (challenge,))
        await self.app(scope, receive, send)

    def authorized(self, scope: Scope) -> bool:
        """HTTP Basic with the shared password (any user name), compared in constant time."""
        password = basic_password(dict(scope.get("headers", [])).get(b"authorization", b""))
        given = hashlib.sha256(password.encode()).digest() if password is not None else b""
        return hmac.compare_digest(given, self.password_digest)


def basic_password(header: bytes) -> str | None:
    scheme, _, encoded = header.partition(b" ")
    if scheme.lower() != b"basic":
        return None
    try:
        credentials = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    user, colon, password = credentials.partition(":")
    return password if colon else None


def allowed(client: Any, networks: tuple[Network, ...]) -> bool:
    try:
        address = ip_address(client[0])
    except (TypeError, IndexError, ValueError):  # no client address (a Unix socket) or not an IP
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:10.1.2.3 on a dual-stack socket
    return any((mapped or address) in network for network in networks)


# --- Bolt's log messages quote request bodies -----------------------------------------------------------------

_TYPE = re.compile(r"'type': '([A-Za-z0-9_.]{1,40})'")
_BODY_MESSAGES = (
    ("Unhandled request", "Unhandled request{type}: no listener matched (body not logged)"),
    ("A global middleware", "A global middleware returned no response{type} (body not logged)"),
    ("Invalid request signature detected", "Invalid request signature detected{type} (body not logged)"),
)


class NoBodies(logging.Filter):
    """Keeps the reason of Bolt's "Unhandled request (...)" and signature warnings, drops the body they quote.

    A body holds what staff typed and what forms submitted: it has no place in an operator's log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        for prefix, reason in _BODY_MESSAGES:
            if message.startswith(prefix):
                kind = _TYPE.search(message)
                record.msg, record.args = reason.format(type=f" of type {kind.group(1)}" if kind else ""), ()
                break
        return True


def quiet_bolt_logs(name: str = "slack_bolt") -> None:
    """Filter Bolt's logger and the ones already made from it; Bolt copies the filters to those it makes later."""
    manager = logging.Logger.manager.loggerDict
    loggers = [logging.getLogger(name), *(v for k, v in manager.items() if k.startswith(name + ".")
                                          and isinstance(v, logging.Logger))]
    for logger in loggers:
        if not any(isinstance(f, NoBodies) for f in logger.filters):
            logger.addFilter(NoBodies())
