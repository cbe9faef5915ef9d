"""uvicorn's h11 protocol with a deadline for request heads, so that slow clients cannot hold connections.

uvicorn has no header-read timeout. A client that connects and sends half a
request line, or half its headers, then stalls (slowloris) is kept open for
ever: the keep-alive timer runs only between requests, and any byte received
cancels it. Thousands of such connections exhaust file descriptors while
costing the attacker nothing.

Here each connection must deliver a complete request head within HEAD_TIMEOUT
seconds of connecting or of its previous response, or it is closed. Once the
head is in, the request belongs to the app (its body has its own deadline, see
bot/guard.py). h11 already caps a head at 16 kB, so the deadline is what
bounds a slow one.
"""
from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from .guard import ENCODED_SECURITY_HEADERS

HEAD_TIMEOUT = 5.0  # seconds; a browser or Slack sends its head in one packet


class GuardedH11Protocol(H11Protocol):
    """H11Protocol plus the head deadline; passed to uvicorn as `http=` (see bot.server.uvicorn_config)."""

    head_timeout = HEAD_TIMEOUT

    def __init__(self, config: Config, server_state: ServerState, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        before = self.cycle
        super().handle_events()
        if self.cycle is not before:  # a complete head arrived: a new request-response cycle began
            self._disarm()

    def on_response_complete(self) -> None:
        self._arm()  # first: the call below may start a pipelined request, which disarms it again
        super().on_response_complete()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a malformed request, with the headers every other response carries."""
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close"), *ENCODED_SECURITY_HEADERS]
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                      h11.Data(data=msg.encode("ascii")), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.transport.close()

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()
