"""A test double of Slack's servers: the Web API (HTTP) and Socket Mode (WebSocket) on 127.0.0.1.

Why a fake server rather than mocks: the bot talks to Slack through slack_sdk and
slack_bolt, and the failures worth testing live in that wire traffic -- how
bodies are encoded, which token goes where, what a 429 with ``Retry-After``
does to the retry handlers, how Socket Mode envelopes are acknowledged and what
happens when the websocket dies. Only real clients talking to a real socket
exercise all of that, and no test may reach slack.com.

Typical use::

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        ...
        fake.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "C1")

The Web API is a stdlib ``ThreadingHTTPServer``; the Socket Mode endpoint is
``websockets`` (asyncio) running in its own thread with its own event loop, so
that a standards-conformant server, not hand-written framing, is what the
client is checked against.

Realism choices a caller should know:

* Tokens: a call without a token gets ``not_authed``; ``apps.connections.open``
  needs an app-level ``xapp-`` token and every other method except
  ``auth.test`` refuses one (``not_allowed_token_type``), as Slack does. That
  catches the classic mix-up of the bot token and the app token.
* A call held back by :meth:`FakeSlack.delay_next` is recorded and takes effect
  on arrival; only the response is late. That is what makes a client-side
  timeout dangerous in reality (the client retries, the message was posted
  anyway), so tests can catch double posts.
* Calls failed by :meth:`FakeSlack.fail_next` have no effect and are recorded
  with their status; :meth:`FakeSlack.calls_to` and :meth:`FakeSlack.wait_for`
  only count successful ones (HTTP 200 and ``"ok": true``).
* What Slack checks before acting is checked here too (rules in
  tests/fakeslack_rules.py), each failure answered as Slack does (HTTP 200,
  ``"ok": false``) and recorded like any other call:

  - scopes: the bot token has the manifest's ``oauth_config.scopes.bot``
    (``FakeSlack(scopes=...)`` overrides); a method outside them is
    ``missing_scope`` with ``needed``/``provided``; a method the fake does not
    know is ``unknown_method`` (logged as an error). :attr:`FakeSlack.scopes_exercised`
    counts which scopes successful calls relied on.
  - Block Kit: ``blocks`` of chat.postMessage/postEphemeral/update and of JSON
    posted to a response URL, and the ``view`` of views.*, go through
    slack_sdk's models and Slack's documented limits: ``invalid_blocks`` with
    ``errors`` (views: ``invalid_arguments`` with ``response_metadata.messages``).
  - membership: the bot is in every channel unless :meth:`FakeSlack.leave`
    (or ``FakeSlack(not_in=...)``) says otherwise; then posting, updating,
    ephemeral messages and reactions there are ``not_in_channel``. DMs and
    response URLs work regardless.

Reconnects of slack_sdk's builtin ``SocketModeClient`` (slack_sdk 3.47, also what
bolt's ``slack_bolt.adapter.socket_mode.SocketModeHandler`` uses), read from
``slack_sdk/socket_mode/builtin/client.py`` and ``connection.py``:

* On a lost connection -- what :meth:`FakeSlack.drop_socket_connections`
  simulates -- the client's receive thread only marks the session dead. The
  reconnect (``apps.connections.open`` and a new websocket) is made by the
  session monitor, which runs every ``ping_interval`` seconds: 5 s by default
  in ``SocketModeClient``, 10 s in bolt's ``SocketModeHandler``. A test that
  drops the socket should therefore build the client with
  ``ping_interval=0.5`` (both classes take it) to get the reconnect within
  about half a second, then call :meth:`FakeSlack.wait_for_socket`. Going much
  lower is not wise: the same monitor declares the connection stale and drops
  it itself once ``int(now - last pong) > 4 * ping_interval``, so a very small
  interval turns a slow CI moment into spurious reconnects.
* The fake drops connections with a TCP reset rather than a FIN because the
  builtin client never treats ``recv() == b""`` (EOF) as closed: after a FIN it
  spins in its receive loop, burning a core, until its next ping provokes a
  reset, doubling the delay. Expect ERROR log lines from slack_sdk
  ("on_error invoked ... ConnectionResetError") after a drop; they are the
  client reacting as designed.
* A ``{"type": "disconnect"}`` message (:meth:`FakeSlack.send_disconnect`, what
  Slack sends before it refreshes a connection) or a websocket close frame
  makes the client reconnect at once, independently of ``ping_interval``.
* :meth:`FakeSlack.wait_for_socket` returns once the *server* side of the new
  connection is ready; the client swaps its current session a moment later
  (after it has closed the old one). Envelopes sent in between are delivered
  all the same, but calling ``client.close()`` in that window trips a race in
  slack_sdk 3.47's ``Connection.disconnect()`` (``AttributeError`` on
  ``None.close()``). Before closing right after a reconnect, wait until
  ``client.is_connected()`` and ``client.session_id()`` differs from the one
  noted before the drop (see ``wait_for_new_session`` in test_fakeslack.py).
* Close the client before stopping the fake, or it keeps retrying
  ``apps.connections.open`` against a dead port and logs errors.
  ``SocketModeClient.close()`` waits for its receive thread's blocking
  ``recv`` (3 s socket timeout); the fake pings every
  :attr:`FakeSlack.server_ping_interval` seconds (as Slack does), which wakes
  that ``recv`` so ``close()`` returns within about that long.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import email.parser
import email.policy
import json
import logging
import socket
import struct
import threading
import time
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from typing import Any, Self
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from tests import fakeslack_rules as rules

log = logging.getLogger(__name__)

JsonDict = dict[str, Any]
# Paths of response URLs (slash commands, interactions); calls to them are recorded as "response_url".
RESPONSE_URL_PATHS = ("/commands/", "/actions/")


@dataclass
class Call:
    """One Web API request as the fake received it.

    ``time`` is ``time.monotonic()`` at arrival, so tests can measure retry
    gaps. ``response`` is the JSON body that was (or, for a delayed call, will
    be) sent back; ``params`` never contains the token, which is in ``token``.
    """

    method: str
    params: JsonDict
    token: str | None
    time: float
    status: int
    response: JsonDict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when Slack would have done what was asked (HTTP 200 and ``"ok": true``)."""
        return self.status == 200 and self.response.get("ok") is True


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    body: JsonDict


@dataclass
class _File:
    file_id: str
    content: bytes
    name: str
    filetype: str
    mimetype: str
    url: str | None = None  # url_private_download as files.info reports it (None: this fake's own)
    redirect: str | None = None  # the download answers 302 to here instead of serving the bytes


def _ts_key(ts: str) -> Decimal:
    """Order Slack timestamps numerically ("1.10" after "1.9" is wrong as text, right as numbers)."""
    try:
        return Decimal(ts)
    except (InvalidOperation, TypeError):
        return Decimal(0)


class FakeSlack:
    """Slack's Web API and Socket Mode endpoint on 127.0.0.1, started and stopped by the test."""

    app_id = "A0001"
    #: Seconds between the fake's own websocket pings. Slack pings its clients too;
    #: here it also bounds how long the builtin client's ``close()`` blocks.
    server_ping_interval: float = 1.0

    def __init__(self, bot_user_id: str = "UBOT", team_id: str = "T0001", bot_id: str = "B0001",
                 scopes: Iterable[str] | None = None, not_in: Iterable[str] = ()) -> None:
        self.bot_user_id = bot_user_id
        self.team_id = team_id
        self.bot_id = bot_id
        #: The bot token's scopes: the manifest's unless given (what a fresh install grants).
        self.scopes: frozenset[str] = frozenset(rules.manifest_scopes() if scopes is None else scopes)
        #: How many successful calls relied on each scope.
        self.scopes_exercised: Counter[str] = Counter()
        #: Conversation kinds that an id's first letter does not tell (e.g. {"G123": "mpim"}).
        self.channel_kinds: dict[str, str] = {}
        self._not_joined: set[str] = set(not_in)
        #: Tokens Slack no longer accepts (revoked, or mistyped): every call with one gets ``invalid_auth``.
        self.revoked_tokens: set[str] = set()
        self.calls: list[Call] = []
        self.acks: list[dict] = []
        #: GET requests for file contents, as Calls with method "files.download".
        self.downloads: list[Call] = []
        self._cond = threading.Condition()
        self._failures: dict[str, deque[_Failure]] = defaultdict(deque)
        self._delays: dict[str, deque[float]] = defaultdict(deque)
        self._messages: list[tuple[str, JsonDict]] = []  # (channel, message)
        self._files: dict[str, _File] = {}
        self._loose_reactions: dict[tuple[str, str], list[JsonDict]] = {}  # on messages the fake never saw
        self._ts_micros = 1_700_000_000_000_000
        self._view_counter = 0
        self._live: set[ServerConnection] = set()  # handshake done and hello sent
        self._ws_conns: set[ServerConnection] = set()  # every connection not yet finished
        self._accepted = 0
        self._stopping = threading.Event()
        self._http: _HTTPServer | None = None
        self._http_thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: threading.Thread | None = None
        self._ws_server: Server | None = None
        self._http_port = 0
        self._ws_port = 0

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        """Bind both servers on free ports of 127.0.0.1 and serve them from background threads."""
        if self._http is not None:
            raise RuntimeError("FakeSlack is already started")
        self._stopping.clear()
        http = _HTTPServer(("127.0.0.1", 0), _Handler)
        http.fake = self
        self._http = http
        self._http_port = http.server_address[1]
        self._http_thread = threading.Thread(
            target=http.serve_forever, kwargs={"poll_interval": 0.05}, name="fakeslack-http", daemon=True
        )
        self._http_thread.start()

        loop = asyncio.new_event_loop()
        self._loop = loop
        self._loop_thread = threading.Thread(target=self._run_loop, args=(loop,), name="fakeslack-ws", daemon=True)
        self._loop_thread.start()
        try:
            self._ws_port = asyncio.run_coroutine_threadsafe(self._start_ws(), loop).result(timeout=5)
        except BaseException:
            self.stop()
            raise
        log.debug("FakeSlack serving %s and %s", self.api_url, self.socket_url)
        return self

    def stop(self) -> None:
        """Close every socket and join the threads; safe to call twice or after a failed start."""
        self._stopping.set()  # wakes delayed responses
        loop, self._loop = self._loop, None
        if loop is not None:
            if self._ws_server is not None:
                try:
                    asyncio.run_coroutine_threadsafe(self._stop_ws(), loop).result(timeout=1.5)
                except (concurrent.futures.TimeoutError, RuntimeError) as exc:
                    log.warning("websocket server did not stop cleanly: %r", exc)
            loop.call_soon_threadsafe(loop.stop)
        if self._loop_thread is not None:
            self._loop_thread.join(timeout=1)
            self._loop_thread = None
        self._ws_server = None
        http, self._http = self._http, None
        if http is not None:
            http.shutdown()
            http.server_close()
        if self._http_thread is not None:
            self._http_thread.join(timeout=1)
            self._http_thread = None
        with self._cond:
            self._live.clear()
            self._cond.notify_all()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ URLs

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` of the Web API server (files are served below it)."""
        if not self._http_port:
            raise RuntimeError("FakeSlack is not started")
        return f"http://127.0.0.1:{self._http_port}"

    @property
    def api_url(self) -> str:
        """Base URL for ``WebClient(base_url=...)``; ends with ``/api/`` as slack_sdk expects."""
        return f"{self.base_url}/api/"

    @property
    def socket_url(self) -> str:
        """The Socket Mode websocket URL that ``apps.connections.open`` hands out."""
        if not self._ws_port:
            raise RuntimeError("FakeSlack is not started")
        return f"ws://127.0.0.1:{self._ws_port}/link"

    # ------------------------------------------------------------------ test controls (Web API)

    def calls_to(self, method: str) -> list[Call]:
        """The successful calls of ``method`` (HTTP 200, ``"ok": true``), in arrival order."""
        with self._cond:
            return [c for c in self.calls if c.method == method and c.ok]

    def fail_next(
        self,
        method: str,
        status: int = 429,
        count: int = 1,
        retry_after: int | None = 1,
        body: dict | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` with ``status`` and no effect.

        429 carries ``Retry-After: retry_after`` (unless None), like Slack's rate
        limiting. ``status=200`` with ``body={"ok": False, "error": ...}`` simulates
        an API-level error such as ``channel_not_found``.
        """
        if body is None:
            body = {"ok": False, "error": "ratelimited" if status == 429 else "fatal_error"}
        with self._cond:
            for _ in range(count):
                self._failures[method].append(_Failure(status, retry_after, dict(body)))

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Hold back the response to the next ``count`` calls of ``method`` (the call itself takes effect)."""
        with self._cond:
            self._delays[method].extend([seconds] * count)

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 10.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Block until ``count`` successful calls of ``method`` (matching ``where``) arrived; return them all.

        The bot works in other threads, so tests wait on the traffic it produces
        instead of sleeping. On timeout the AssertionError lists every call, which
        is usually enough to see what the bot did instead.
        """

        def matching() -> list[Call]:
            return [c for c in self.calls if c.method == method and c.ok and (where is None or where(c))]

        with self._cond:
            if self._cond.wait_for(lambda: len(matching()) >= count, timeout):
                return matching()
            found = len(matching())
            listing = self._describe_calls()
        raise AssertionError(
            f"expected {count} successful {method} call(s) within {timeout}s, got {found}; calls:\n{listing}"
        )

    def add_message(self, channel: str, ts: str, text: str, user: str, thread_ts: str | None = None) -> JsonDict:
        """Register a message written by someone else, so ``conversations.replies`` returns it."""
        message: JsonDict = {"type": "message", "user": user, "text": text, "ts": ts}
        if thread_ts is not None:
            message["thread_ts"] = thread_ts
        with self._cond:
            reactions = self._loose_reactions.pop((channel, ts), None)
            if reactions:  # the bot reacted before the test registered the message
                message["reactions"] = reactions
            self._messages.append((channel, message))
            micros = int(_ts_key(ts) * 1_000_000)
            self._ts_micros = max(self._ts_micros, micros)  # later posts sort after it
        return dict(message)

    def add_file(self, file_id: str, content: bytes, name: str, filetype: str, mimetype: str,
                 url: str | None = None, redirect: str | None = None) -> JsonDict:
        """Register a file for ``files.info`` and the authenticated download URL; returns its file object.

        ``url`` replaces the ``url_private_download`` that files.info reports (a file URL
        may point to any host); ``redirect`` makes the download answer 302 to that address.
        """
        with self._cond:
            self._files[file_id] = _File(file_id, bytes(content), name, filetype, mimetype, url, redirect)
        return self._file_object(self._files[file_id])

    def leave(self, channel: str) -> None:
        """Make ``channel`` one the bot is not a member of (Slack then refuses posts there: not_in_channel)."""
        with self._cond:
            self._not_joined.add(channel)

    def join(self, channel: str) -> None:
        """Make the bot a member of ``channel`` again (the default for every channel)."""
        with self._cond:
            self._not_joined.discard(channel)

    def is_member(self, channel: str) -> bool:
        with self._cond:
            return channel not in self._not_joined

    # ------------------------------------------------------------------ test controls (Socket Mode)

    @property
    def socket_connections(self) -> int:
        """How many websocket connections were accepted so far (a reconnect makes it grow)."""
        with self._cond:
            return self._accepted

    def wait_for_socket(self, timeout: float = 10.0) -> None:
        """Block until a client is connected and has been sent ``hello`` (envelopes sent before would be lost)."""
        with self._cond:
            if self._cond.wait_for(lambda: bool(self._live), timeout):
                return
            listing = self._describe_calls()
        raise AssertionError(
            f"no Socket Mode client connected within {timeout}s "
            f"({self._accepted} connection(s) accepted so far); calls:\n{listing}"
        )

    def send_envelope(
        self,
        payload: dict,
        type: str = "events_api",
        retry_attempt: int = 0,
        accepts_response_payload: bool = False,
    ) -> str:
        """Send a Socket Mode envelope to every connected client and return its ``envelope_id``."""
        envelope_id = str(uuid.uuid4())
        self._broadcast(
            {
                "envelope_id": envelope_id,
                "type": type,
                "payload": payload,
                "accepts_response_payload": accepts_response_payload,
                "retry_attempt": retry_attempt,
                "retry_reason": "",
            }
        )
        return envelope_id

    def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``disconnect`` message, which asks clients to reconnect now (Slack does it every few hours)."""
        self._broadcast({"type": "disconnect", "reason": reason, "debug_info": {"host": "fakeslack"}})

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict:
        """Block until the client acknowledged ``envelope_id``; return the ack (with its ``payload``, if any)."""

        def find() -> dict | None:
            return next((a for a in self.acks if a.get("envelope_id") == envelope_id), None)

        with self._cond:
            if self._cond.wait_for(lambda: find() is not None, timeout):
                ack = find()
                assert ack is not None
                return ack
            acks = list(self.acks)
        raise AssertionError(f"no ack for envelope {envelope_id} within {timeout}s; acks received: {acks!r}")

    def drop_socket_connections(self) -> None:
        """Reset every client websocket at the TCP level, like a lost network; returns once they are gone.

        No close frame is sent, so the client has to notice and reconnect via
        ``apps.connections.open`` (see the module docstring for how fast the
        builtin client does that).
        """
        loop = self._require_loop()
        asyncio.run_coroutine_threadsafe(self._drop_all(), loop).result(timeout=5)

    # ------------------------------------------------------------------ Web API implementation

    def _describe_calls(self) -> str:
        """Every call on one line each, for assertion messages (caller holds the lock)."""
        if not self.calls:
            return "  (none)"
        lines = []
        for c in self.calls:
            params = json.dumps(c.params, ensure_ascii=False, default=str)
            if len(params) > 300:
                params = params[:300] + "..."
            lines.append(f"  {c.method} status={c.status} ok={c.ok} token={c.token!r} params={params}")
        return "\n".join(lines)

    def _api_request(self, method: str, params: JsonDict, token: str | None) -> tuple[int, JsonDict, dict[str, str], float]:
        """Decide the answer to one call and record it; returns (status, body, extra headers, delay)."""
        params = {k: v for k, v in params.items() if k != "token"}
        headers: dict[str, str] = {}
        with self._cond:
            arrived = time.monotonic()
            delays = self._delays.get(method)
            delay = delays.popleft() if delays else 0.0
            failures = self._failures.get(method)
            failure = failures.popleft() if failures else None
            if failure is not None:
                status, body = failure.status, dict(failure.body)
                if failure.status == 429 and failure.retry_after is not None:
                    headers["Retry-After"] = str(failure.retry_after)
            else:
                status = 200
                try:
                    body = self._dispatch(method, params, token)
                except Exception:  # a bug in the fake must not look like a network error
                    log.exception("FakeSlack failed to handle %s", method)
                    body = {"ok": False, "error": "fakeslack_internal_error"}
            self.calls.append(Call(method, params, token, arrived, status, body))
            self._cond.notify_all()
        if method != "response_url":
            headers["X-OAuth-Scopes"] = ",".join(sorted(self.scopes))  # as Slack reports them on every call
        return status, body, headers, delay

    def _dispatch(self, method: str, params: JsonDict, token: str | None) -> JsonDict:
        """Slack's checks in Slack's order (token, scope, membership, payload), then the method (caller holds the lock)."""
        if method == "response_url":  # no token, no membership: that is what response URLs are for
            return rules.check_message(params) or {"ok": True}
        handler = _METHODS.get(method)
        if handler is None:
            log.error("FakeSlack does not know %s: add it to _METHODS and to METHOD_SCOPES in "
                      "tests/fakeslack_rules.py, with the scope docs.slack.dev lists for it", method)
            return {"ok": False, "error": "unknown_method"}
        if token in self.revoked_tokens:
            return {"ok": False, "error": "invalid_auth"}
        refusal = self._token_refusal(method, token) or self._scope_refusal(method, params)
        refusal = refusal or self._membership_refusal(method, params)
        check = rules.PAYLOAD_CHECKS.get(method)
        refusal = refusal or (check(params) if check else None)
        if refusal is not None:
            return refusal
        body = handler(self, params)
        scope = rules.scope_needed(method, params, self.channel_kinds)
        if scope and body.get("ok"):
            self.scopes_exercised[scope] += 1
        return body

    @staticmethod
    def _token_refusal(method: str, token: str | None) -> JsonDict | None:
        """No token, or the wrong kind: the app-level token only opens Socket Mode connections."""
        if not token:
            return {"ok": False, "error": "not_authed"}
        is_app_token = token.startswith("xapp-")
        if method == "apps.connections.open":
            if not is_app_token:
                return {"ok": False, "error": "not_allowed_token_type"}
        elif is_app_token and method != "auth.test":
            return {"ok": False, "error": "not_allowed_token_type"}
        return None

    def _scope_refusal(self, method: str, params: JsonDict) -> JsonDict | None:
        scope = rules.scope_needed(method, params, self.channel_kinds)
        if scope is None or scope in self.scopes:
            return None
        return rules.missing_scope(scope, self.scopes)

    def _membership_refusal(self, method: str, params: JsonDict) -> JsonDict | None:
        channel = str(params.get("channel", ""))
        if channel in self._not_joined and rules.membership_required(method, channel, self.scopes):
            return {"ok": False, "error": "not_in_channel"}
        return None

    def _next_ts(self) -> str:
        self._ts_micros += 100
        return f"{self._ts_micros // 1_000_000}.{self._ts_micros % 1_000_000:06d}"

    def _find_message(self, channel: str, ts: str) -> JsonDict | None:
        for ch, message in self._messages:
            if ch == channel and message.get("ts") == ts:
                return message
        return None

    def _file_object(self, f: _File) -> JsonDict:
        return {
            "id": f.file_id,
            "name": f.name,
            "filetype": f.filetype,
            "mimetype": f.mimetype,
            "size": len(f.content),
            "url_private_download": f.url if f.url is not None else f"{self.base_url}/files/{quote(f.file_id)}/{quote(f.name)}",
        }

    def _auth_test(self, params: JsonDict) -> JsonDict:
        return {
            "ok": True,
            "url": "https://fake.slack.com/",
            "team": "Fake",
            "user": "summitbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _bots_info(self, params: JsonDict) -> JsonDict:
        return {
            "ok": True,
            "bot": {"id": self.bot_id, "user_id": self.bot_user_id, "name": "summitbot", "app_id": self.app_id},
        }

    def _chat_post_message(self, params: JsonDict) -> JsonDict:
        channel = params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not any(params.get(k) for k in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        ts = self._next_ts()
        message: JsonDict = {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id, **params, "ts": ts}
        if message.get("thread_ts") is not None:
            message["thread_ts"] = str(message["thread_ts"])
        self._messages.append((str(channel), message))
        return {"ok": True, "channel": channel, "ts": ts, "message": dict(message)}

    def _chat_update(self, params: JsonDict) -> JsonDict:
        channel, ts = str(params.get("channel", "")), str(params.get("ts", ""))
        message = self._find_message(channel, ts)
        if message is None:  # lenient: the original may have come from an event the test never registered
            message = {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id, "ts": ts}
        for key in ("text", "blocks", "attachments"):
            if key in params:
                message[key] = params[key]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {"ok": True, "channel": channel, "ts": ts, "text": message.get("text", ""), "message": dict(message)}

    def _chat_delete(self, params: JsonDict) -> JsonDict:
        channel, ts = str(params.get("channel", "")), str(params.get("ts", ""))
        self._messages = [(ch, m) for ch, m in self._messages if not (ch == channel and m.get("ts") == ts)]
        return {"ok": True, "channel": channel, "ts": ts}

    def _chat_post_ephemeral(self, params: JsonDict) -> JsonDict:
        return {"ok": True, "message_ts": self._next_ts()}

    def _reactions_on(self, params: JsonDict) -> list[JsonDict]:
        """The reactions of the message a call names; also for messages only an event told the bot about."""
        channel, ts = str(params.get("channel", "")), str(params.get("timestamp", ""))
        message = self._find_message(channel, ts)
        if message is None:  # lenient, like chat.update: the test may never have registered the asker's message
            return self._loose_reactions.setdefault((channel, ts), [])
        return message.setdefault("reactions", [])

    def _reactions_add(self, params: JsonDict) -> JsonDict:
        """Add the bot's reaction; ``already_reacted`` the second time, as Slack says."""
        name, reactions = str(params.get("name", "")), self._reactions_on(params)
        reaction = next((r for r in reactions if r["name"] == name), None)
        if reaction is None:
            reactions.append({"name": name, "users": [self.bot_user_id], "count": 1})
        elif self.bot_user_id in reaction["users"]:
            return {"ok": False, "error": "already_reacted"}
        else:
            reaction["users"].append(self.bot_user_id)
            reaction["count"] += 1
        return {"ok": True}

    def _reactions_remove(self, params: JsonDict) -> JsonDict:
        """Take the bot's reaction off a message; ``no_reaction`` when it had none there (as Slack says)."""
        name, reactions = str(params.get("name", "")), self._reactions_on(params)
        reaction = next((r for r in reactions if r["name"] == name and self.bot_user_id in r["users"]), None)
        if reaction is None:
            return {"ok": False, "error": "no_reaction"}
        reaction["users"].remove(self.bot_user_id)
        reaction["count"] -= 1
        if reaction["count"] == 0:
            reactions.remove(reaction)
        return {"ok": True}

    def _reactions_get(self, params: JsonDict) -> JsonDict:
        channel = str(params.get("channel", ""))
        message = self._find_message(channel, str(params.get("timestamp", "")))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "type": "message", "channel": channel, "message": dict(message)}

    def _users_info(self, params: JsonDict) -> JsonDict:
        user = str(params.get("user", ""))
        if not user.startswith(("U", "W")):
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": {"id": user, "team_id": self.team_id, "name": user.lower(),
                                     "is_bot": user == self.bot_user_id, "tz": "Asia/Tokyo"}}

    def _view(self, params: JsonDict) -> JsonDict:
        view = params.get("view", {})
        if isinstance(view, str):  # form-encoded clients send it as JSON text
            try:
                view = json.loads(view)
            except ValueError:
                return {"ok": False, "error": "invalid_arguments"}
        self._view_counter += 1
        return {"ok": True, "view": {"id": f"V{self._view_counter:08d}", "team_id": self.team_id, **view}}

    def _ok(self, params: JsonDict) -> JsonDict:
        return {"ok": True}

    def _conversations_replies(self, params: JsonDict) -> JsonDict:
        channel, ts = str(params.get("channel", "")), str(params.get("ts", ""))
        thread = [dict(m) for ch, m in self._messages if ch == channel and (m.get("ts") == ts or m.get("thread_ts") == ts)]
        thread.sort(key=lambda m: _ts_key(str(m.get("ts"))))
        replies = [m for m in thread if m.get("ts") != ts]
        for m in thread:
            if m.get("ts") == ts and replies:  # Slack marks a parent with replies as a thread
                m.setdefault("thread_ts", ts)
                m["reply_count"] = len(replies)
        return {"ok": True, "messages": thread, "has_more": False, "response_metadata": {"next_cursor": ""}}

    def _conversations_history(self, params: JsonDict) -> JsonDict:
        """Top-level messages of a channel, newest first (as Slack returns them)."""
        channel = str(params.get("channel", ""))
        limit = int(params.get("limit") or 100)
        top = [dict(m) for ch, m in self._messages if ch == channel and m.get("thread_ts") in (None, m.get("ts"))]
        top.sort(key=lambda m: _ts_key(str(m.get("ts"))), reverse=True)
        return {"ok": True, "messages": top[:limit], "has_more": len(top) > limit}

    def _conversations_info(self, params: JsonDict) -> JsonDict:
        channel = str(params.get("channel", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        is_im = channel.startswith("D")
        return {"ok": True, "channel": {"id": channel, "is_im": is_im, "is_channel": not is_im}}

    def _files_info(self, params: JsonDict) -> JsonDict:
        f = self._files.get(str(params.get("file", "")))
        if f is None:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "file": self._file_object(f)}

    def _apps_connections_open(self, params: JsonDict) -> JsonDict:
        return {"ok": True, "url": self.socket_url}

    def _download(self, file_id: str, name: str, token: str | None) -> tuple[int, bytes, str]:
        """Serve a registered file's bytes to a request carrying a bearer token (Slack's url_private rule)."""
        with self._cond:
            f = self._files.get(file_id)
            if f is not None and f.redirect is not None and f.name == name:
                status, content, ctype = 302, f.redirect.encode(), "text/x-redirect"  # _Handler sends Location
            elif not token:
                status, content, ctype = 403, b"forbidden: url_private needs Authorization: Bearer\n", "text/plain"
            elif f is None or f.name != name:
                status, content, ctype = 404, b"not found\n", "text/plain"
            else:
                status, content, ctype = 200, f.content, f.mimetype
            self.downloads.append(
                Call("files.download", {"file": file_id, "name": name}, token, time.monotonic(), status, {"ok": status == 200})
            )
            self._cond.notify_all()
        return status, content, ctype

    # ------------------------------------------------------------------ Socket Mode implementation

    def _require_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("FakeSlack is not started")
        return self._loop

    @staticmethod
    def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
        """The websocket thread: run the loop until stop(), then cancel what is left and close it."""
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()

    async def _start_ws(self) -> int:
        self._ws_server = await serve(
            self._ws_handler,
            "127.0.0.1",
            0,
            process_request=self._ws_process_request,
            ping_interval=self.server_ping_interval,
            ping_timeout=20,
            close_timeout=0.5,
        )
        return self._ws_server.sockets[0].getsockname()[1]

    async def _stop_ws(self) -> None:
        await self._drop_all()
        server = self._ws_server
        if server is not None:
            server.close(close_connections=False)
            try:
                await asyncio.wait_for(server.wait_closed(), timeout=1)
            except TimeoutError:
                log.warning("websocket handlers did not finish within 1 s")

    def _ws_process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """Only ``/link`` is a Socket Mode endpoint; the builtin client asks for ``/link?``, which is fine.

        Also the first sight of every connection, so that a drop or stop() can
        abort those still in their opening handshake too.
        """
        if urlsplit(request.path).path.rstrip("/") != "/link":
            return connection.respond(404, "not a Socket Mode endpoint\n")
        with self._cond:
            self._ws_conns.add(connection)
        return None

    async def _ws_handler(self, conn: ServerConnection) -> None:
        """One client: say hello like Slack, then record every text frame it sends as an ack."""
        with self._cond:
            self._accepted += 1
            number = self._accepted
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": f"fakeslack-{number}", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }
        try:
            await conn.send(json.dumps(hello))
            with self._cond:
                self._live.add(conn)
                self._cond.notify_all()
            async for frame in conn:
                if isinstance(frame, bytes):
                    log.warning("Socket Mode client sent a binary frame; Slack expects text: %r", frame[:100])
                    continue
                try:
                    ack = json.loads(frame)
                except ValueError:
                    log.warning("Socket Mode client sent a non-JSON text frame: %r", frame[:200])
                    ack = {"_raw": frame}
                if not isinstance(ack, dict):
                    ack = {"_raw": ack}
                with self._cond:
                    self.acks.append(ack)
                    self._cond.notify_all()
        except ConnectionClosed as exc:
            log.debug("Socket Mode connection %d closed: %r", number, exc)
        finally:
            with self._cond:
                self._live.discard(conn)
                self._ws_conns.discard(conn)
                self._cond.notify_all()

    def _broadcast(self, message: JsonDict) -> None:
        loop = self._require_loop()
        text = json.dumps(message)
        sent = asyncio.run_coroutine_threadsafe(self._send_all(text), loop).result(timeout=5)
        if sent == 0:
            raise AssertionError(f"no Socket Mode client is connected (call wait_for_socket() first); not sent: {text}")

    async def _send_all(self, text: str) -> int:
        with self._cond:
            targets = list(self._live)
        sent = 0
        for conn in targets:
            try:
                await conn.send(text)
                sent += 1
            except ConnectionClosed:
                log.debug("client went away before a message could be sent")
        return sent

    async def _drop_all(self) -> None:
        with self._cond:
            targets = self._live | self._ws_conns  # the latter includes those still in their handshake
            self._live.clear()
            self._ws_conns.clear()
            self._cond.notify_all()
        for conn in targets:
            sock = conn.transport.get_extra_info("socket")
            if sock is not None:
                try:  # linger 0: close() sends RST instead of FIN
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                except OSError:
                    pass
            conn.transport.abort()
        await asyncio.sleep(0)  # let connection_lost run, so handlers see the drop


_METHODS: dict[str, Callable[[FakeSlack, JsonDict], JsonDict]] = {
    "auth.test": FakeSlack._auth_test,
    "bots.info": FakeSlack._bots_info,
    "chat.postMessage": FakeSlack._chat_post_message,
    "chat.update": FakeSlack._chat_update,
    "chat.delete": FakeSlack._chat_delete,
    "chat.postEphemeral": FakeSlack._chat_post_ephemeral,
    "reactions.add": FakeSlack._reactions_add,
    "reactions.remove": FakeSlack._reactions_remove,
    "reactions.get": FakeSlack._reactions_get,
    "users.info": FakeSlack._users_info,
    "views.publish": FakeSlack._view,
    "views.open": FakeSlack._view,
    "views.update": FakeSlack._view,
    "views.push": FakeSlack._view,
    "assistant.threads.setStatus": FakeSlack._ok,
    "assistant.threads.setSuggestedPrompts": FakeSlack._ok,
    "assistant.threads.setTitle": FakeSlack._ok,
    "conversations.replies": FakeSlack._conversations_replies,
    "conversations.history": FakeSlack._conversations_history,
    "conversations.info": FakeSlack._conversations_info,
    "files.info": FakeSlack._files_info,
    "apps.connections.open": FakeSlack._apps_connections_open,
}
# One table of what the fake serves and one of what each needs: they must agree.
assert set(_METHODS) == set(rules.METHOD_SCOPES), set(_METHODS) ^ set(rules.METHOD_SCOPES)


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its FakeSlack and does no reverse-DNS lookup on bind."""

    daemon_threads = True
    fake: FakeSlack

    def server_bind(self) -> None:
        TCPServer.server_bind(self)  # HTTPServer's version calls getfqdn(), which can stall without DNS
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.exception("FakeSlack HTTP handler failed for %s", client_address)


class _Handler(BaseHTTPRequestHandler):
    """Parses a Web API or file request the way Slack accepts them and hands it to the FakeSlack."""

    server: _HTTPServer
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers after stop()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("http: " + format, *args)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/files/"):
            self._serve_file(path)
        else:
            self._serve_api()

    def do_POST(self) -> None:
        self._serve_api()

    def _bearer(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip() or None
        return None

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _params(self) -> JsonDict:
        """Query string plus a JSON, form-encoded or multipart body (slack_sdk uses all three)."""
        params: JsonDict = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        body = self._read_body()
        if not body:
            return params
        ctype = self.headers.get_content_type()
        if ctype == "application/json":
            data = json.loads(body.decode(self.headers.get_content_charset() or "utf-8"))
            if not isinstance(data, dict):
                raise ValueError("JSON body is not an object")
            params.update(data)
        elif ctype == "multipart/form-data":
            header = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True) or b""
                if part.get_filename() is not None:
                    params[name] = payload
                else:
                    params[name] = payload.decode("utf-8")
        else:  # Slack treats anything else as form data
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        return params

    def _serve_api(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith(RESPONSE_URL_PATHS):
            method = "response_url"  # a slash command's or an action's response_url: no token needed
        elif not path.startswith("/api/") or len(path) <= len("/api/"):
            self._send(404, b"not found\n", "text/plain")
            return
        else:
            method = unquote(path[len("/api/") :])
        try:
            params = self._params()
        except (ValueError, UnicodeDecodeError) as exc:
            log.warning("FakeSlack could not parse the body of %s: %r", method, exc)
            self._send_json(200, {"ok": False, "error": "invalid_form_data"})
            return
        token = self._bearer() or (str(params["token"]) if params.get("token") else None)
        status, body, headers, delay = self.server.fake._api_request(method, params, token)
        if delay > 0:
            self.server.fake._stopping.wait(delay)
        self._send_json(status, body, headers)

    def _serve_file(self, path: str) -> None:
        parts = path.split("/")  # "", "files", id, name
        if len(parts) != 4:
            self._send(404, b"not found\n", "text/plain")
            return
        status, content, ctype = self.server.fake._download(unquote(parts[2]), unquote(parts[3]), self._bearer())
        if status == 302:
            self._send(302, b"", "text/plain", {"Location": content.decode()})
            return
        self._send(status, content, ctype)

    def _send_json(self, status: int, body: JsonDict, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(body).encode("utf-8"), "application/json; charset=utf-8", headers)

    def _send(self, status: int, content: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(content)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (e.g. its timeout hit)
            log.debug("client disconnected before the response to %s was written", self.path)
